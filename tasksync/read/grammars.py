"""The Lark grammars: shipped inside the package (tasksync/grammar/), or read from the
source tree's top-level grammar/ folder when running from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the tasksync package


def grammar_text(name: str) -> str:
    for folder in (_PACKAGE / "grammar", _PACKAGE.parent / "grammar"):
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    raise FileNotFoundError(f"grammar {name} is missing from {_PACKAGE}")
