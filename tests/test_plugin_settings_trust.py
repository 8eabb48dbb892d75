"""The vault's Tasks plugin settings, honoured as the plugin honours them (each test: a bug
found by driving the commands on vaults with such settings)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli

SETTINGS = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


def run(vault: Path, *args: str):
    return CliRunner().invoke(cli, ["--vault", str(vault), "--today", "2026-01-10", *args])


def the_id(vault: Path, words: str) -> str:
    result = run(vault, "list", "--status", "all", "--json")
    assert result.exit_code == 0, result.output
    return next(r["id"] for r in json.loads(result.stdout) if words in r["description"])


@pytest.mark.parametrize(("args", "line"), [
    (("done", "{id}"), "- [x] pay rent  [completion:: 2026-01-10]"),
    (("reject", "{id}"), "- [-] pay rent  [cancelled:: 2026-01-10]"),
    (("set", "{id}", "--due", "2026-02-01"), "- [ ] pay rent  [due:: 2026-02-01]"),
    (("set", "{id}", "--priority", "high"), "- [ ] pay rent  [priority:: high]"),
])  # fmt: skip
def test_a_dataview_format_vault_gets_its_new_fields_in_dataview_form(make_vault, args, line):
    """With `taskFormat: dataview` the plugin reads Dataview fields only: a ✅ or 📅 written
    as an emoji was words to it (the task never done, no due date)."""
    status = "?" if args[0] == "reject" else " "
    vault = make_vault({"a.md": f"- [{status}] pay rent\n",
                        SETTINGS: json.dumps({"taskFormat": "dataview"})})  # fmt: skip
    task = the_id(vault, "pay rent")
    result = run(vault, *(arg.format(id=task) for arg in args))
    assert result.exit_code == 0, result.output
    assert (vault / "a.md").read_text(encoding="utf-8") == line + "\n"


def test_a_recurring_task_done_in_a_dataview_vault(make_vault):
    vault = make_vault({"a.md": "- [ ] water  [repeat:: every week]  [due:: 2026-01-05]\n",
                        SETTINGS: json.dumps({"taskFormat": "dataview"})})  # fmt: skip
    result = run(vault, "done", the_id(vault, "water"))
    assert result.exit_code == 0, result.output
    assert (vault / "a.md").read_text(encoding="utf-8") == (
        "- [ ] water  [repeat:: every week]  [due:: 2026-01-12]\n"
        "- [x] water  [repeat:: every week]  [due:: 2026-01-05]  [completion:: 2026-01-10]\n"
    )


def _statuses(core: list[tuple[str, str, str]], custom: list[tuple[str, str, str]]) -> str:
    def entries(items: list[tuple[str, str, str]]) -> list[dict[str, str]]:
        return [{"symbol": s, "name": n, "nextStatusSymbol": " ", "type": t} for s, n, t in items]

    return json.dumps({"statusSettings": {"coreStatuses": entries(core),
                                          "customStatuses": entries(custom)}})  # fmt: skip


CORE = [(" ", "Todo", "TODO"), ("x", "Done", "DONE")]


def test_the_plugins_statuses_replace_the_defaults(make_vault):
    """Statuses set in the plugin are all it knows: `[-]` (no status of theirs) is an unknown
    symbol, a to-do; tasksync kept its own `-` Cancelled (hid the task, wrote `[-]` for a
    rejection the plugin then showed as open)."""
    vault = make_vault(
        {
            "a.md": "- [-] call the plumber\n- [?] order more probes\n",
            SETTINGS: _statuses(CORE, [("c", "Cancelled", "CANCELLED")]),
        }
    )
    result = run(vault, "query", "not done")
    assert result.exit_code == 0, result.output
    assert "call the plumber" in result.stdout, result.stdout
    assert run(vault, "reject", the_id(vault, "probes")).exit_code == 0
    assert (
        (vault / "a.md")
        .read_text(encoding="utf-8")
        .endswith("- [c] order more probes ❌ 2026-01-10\n")
    )


def test_a_symbol_given_twice_is_the_first_status(make_vault):
    """The plugin ignores a status whose symbol it has already: tasksync took the last one
    (`[!]` Important read as DONE; a custom `x` To-do made `done` fail with exit 70)."""
    vault = make_vault({
        "a.md": "- [!] call the bank\n- [ ] pay rent\n",
        SETTINGS: _statuses(CORE, [("!", "Important", "TODO"), ("!", "Finished", "DONE"),
                                   ("x", "Redo", "TODO")]),
    })  # fmt: skip
    result = run(vault, "query", "not done")
    assert "call the bank" in result.stdout, result.output
    result = run(vault, "done", the_id(vault, "pay rent"))
    assert result.exit_code == 0, result.output
    assert "- [x] pay rent ✅ 2026-01-10\n" in (vault / "a.md").read_text(encoding="utf-8")


def test_statuses_without_a_done_one_refuse_done_plainly(make_vault):
    vault = make_vault({"a.md": "- [ ] pay rent\n",
                        SETTINGS: _statuses([(" ", "Todo", "TODO")], [])})  # fmt: skip
    before = (vault / "a.md").read_bytes()
    result = run(vault, "done", the_id(vault, "pay rent"))
    assert result.exit_code == 1, result.output
    assert "no DONE status" in result.output, result.output
    assert (vault / "a.md").read_bytes() == before
