"""`repair --text` and `add` on the text users really have (each test: a bug found by
driving the commands as a user)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli
from tasksync.read.prose import repaired


def run(vault: Path, *args: str):
    return CliRunner().invoke(cli, ["--vault", str(vault), "--today", "2026-01-08", *args])


@pytest.mark.parametrize(("text", "expected"), [
    ("He said â€œhiâ€ then left", "He said “hi” then left"),
    ("Label â€œaâ€ and â€œbâ€ done", "Label “a” and “b” done"),
    ("Call â€œBobâ€", "Call “Bob”"),
    ("Call â€œBobâ€\x9d today", "Call “Bob” today"),  # the byte kept, as a C1 control
    ("a dagger â€\xa0 stays one", "a dagger † stays one"),
])  # fmt: skip
def test_a_closing_quote_whose_last_byte_was_lost_is_repaired_as_the_quote(text, expected):
    """`”` is E2 80 9D; Windows-1252 has no 0x9D, so a pipeline drops it: `â€` then stands
    before a space, and ftfy took the space for the 0xA0 of a dagger (`“hi†then`)."""
    assert repaired(text) == expected


def test_repair_text_writes_the_quote_not_a_dagger(make_vault):
    vault = make_vault({"a.md": "- [ ] He said â€œhiâ€ then left 📅 2026-01-05\n"})
    result = run(vault, "repair", "--text")
    assert result.exit_code == 0, result.output
    assert (vault / "a.md").read_text(encoding="utf-8") == (
        "- [ ] He said “hi” then left 📅 2026-01-05\n"
    )
