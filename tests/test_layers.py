"""The folders are the architecture: read → index → write → query → calendar → app → tui → cli.

No module imports a module of a higher layer (imports inside functions count too), and the
TUI never imports the command line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tasksync"

# Lowest first. The top-level modules every layer uses are the base; `app` (the context the
# command line and the TUI share) sits just under them.
LAYERS = ["base", "read", "index", "write", "query", "calendar", "app", "tui", "cli", "__main__"]
BASE = {"tasksync", "model", "errors", "ids", "dates", "config"}


def layer_of(module: str) -> str:
    parts = module.split(".")
    assert parts[0] == "tasksync", module
    if len(parts) == 1 or parts[1] in BASE:
        return "base"
    return parts[1]


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("tasksync"))
        elif (
            isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tasksync")
        ):
            found.add(node.module)
            # `from tasksync.write import edits` imports tasksync.write.edits
            found.update(f"{node.module}.{a.name}" for a in node.names)
    # the lazily registered command modules of the CLI are named in strings
    text = path.read_text(encoding="utf-8")
    found.update(s for s in _string_constants(text) if s.startswith("tasksync."))
    return {m for m in found if (PACKAGE.parent / m.replace(".", "/")).exists()
            or (PACKAGE.parent / (m.replace(".", "/") + ".py")).exists()}  # fmt: skip


def _string_constants(text: str) -> list[str]:
    return [n.value for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]  # fmt: skip


def violations(modules: dict[str, set[str]]) -> list[str]:
    found = []
    for module, imports in sorted(modules.items()):
        rank = LAYERS.index(layer_of(module))
        for imported in sorted(imports):
            if LAYERS.index(layer_of(imported)) > rank:
                found.append(f"{module} ({layer_of(module)}) imports {imported}")
    return found


def all_modules() -> dict[str, set[str]]:
    return {module_name(p): imported_modules(p) for p in PACKAGE.rglob("*.py")}


def test_every_module_belongs_to_a_known_layer() -> None:
    for module in all_modules():
        assert layer_of(module) in LAYERS, f"{module}: add its folder to LAYERS"


def test_no_module_imports_a_higher_layer() -> None:
    assert violations(all_modules()) == []


def test_the_tui_does_not_import_the_command_line() -> None:
    tui = {m: i for m, i in all_modules().items() if layer_of(m) == "tui"}
    assert tui, "the TUI's modules were not found"
    assert not [i for imports in tui.values() for i in imports if layer_of(i) == "cli"]


@pytest.mark.parametrize(
    ("module", "imported"),
    [("tasksync.read.parse", "tasksync.index.store"),
     ("tasksync.model", "tasksync.read.parse"),
     ("tasksync.tui.app", "tasksync.cli.main"),
     ("tasksync.write.actions", "tasksync.query.people")],
)  # fmt: skip
def test_the_checker_catches_an_upward_import(module: str, imported: str) -> None:
    assert violations({module: {imported}}) != []
