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


@pytest.mark.parametrize("content", [b'{"setDoneDate": false,}', b'{"x": "\xff"}',
                                     b"[" * 5000 + b"]" * 5000, "folder"],
                         ids=["comma", "not-utf8", "deep", "folder"])  # fmt: skip
def test_plugin_settings_that_cannot_be_read_are_said_and_nothing_is_written(make_vault, content):
    """A data.json with a trailing comma (or not UTF-8, or a folder) was taken for "no
    settings": `done` wrote ✅ though the user had turned done dates off; one nested too deep
    crashed every command (exit 70)."""
    vault = make_vault({"a.md": "- [ ] pay rent\n"})
    settings = vault / SETTINGS
    settings.parent.mkdir(parents=True, exist_ok=True)
    if content == "folder":
        settings.mkdir()
    else:
        settings.write_bytes(content)
    result = run(vault, "done", "abc")
    assert result.exit_code == 2, result.output
    assert "data.json" in result.output, result.output
    assert "Traceback" not in result.output
    assert (vault / "a.md").read_text(encoding="utf-8") == "- [ ] pay rent\n"


def test_a_plugin_flag_is_read_as_the_plugin_reads_it(make_vault):
    """`"setDoneDate": 0` is off for the plugin (`if (setDoneDate)`); tasksync wrote ✅."""
    vault = make_vault({"a.md": "- [ ] pay rent\n", SETTINGS: '{"setDoneDate": 0}'})
    assert run(vault, "done", the_id(vault, "pay rent")).exit_code == 0
    assert (vault / "a.md").read_text(encoding="utf-8") == "- [x] pay rent\n"


def test_a_config_file_saved_with_a_bom_is_read(make_vault):
    vault = make_vault({"a.md": "- [ ] pay rent @Dana\n",
                        ".tasksync.toml": '\ufeffme = ["Dana"]\n'})  # fmt: skip
    result = run(vault, "config")
    assert result.exit_code == 0, result.output
    assert "Dana" in result.stdout


@pytest.mark.parametrize(("line", "after"), [
    ("- [ ] water 🔁 every week ⏳ 2026-01-03 📅 2026-01-05",
     "- [ ] water 🔁 every week 📅 2026-01-12"),
    ("- [ ] invoice 🔁 every month 🛫 2026-01-15 ⏳ 2026-01-31",
     "- [ ] invoice 🔁 every month 🛫 2026-02-15"),
    ("- [ ] stretch 🔁 every day ⏳ 2026-01-09",  # no start nor due: the scheduled date stays
     "- [ ] stretch 🔁 every day ⏳ 2026-01-10"),
])  # fmt: skip
def test_the_next_occurrence_drops_its_scheduled_date_if_the_plugin_says_so(make_vault, line,
                                                                            after):  # fmt: skip
    """`removeScheduledDateOnRecurrence`: the next occurrence kept ⏳ (and took its dates from
    it rather than from 🛫)."""
    vault = make_vault(
        {"a.md": line + "\n", SETTINGS: json.dumps({"removeScheduledDateOnRecurrence": True})}
    )
    result = run(vault, "done", the_id(vault, line.split()[3]))
    assert result.exit_code == 0, result.output
    assert (vault / "a.md").read_text(encoding="utf-8").split("\n")[0] == after


def test_the_next_occurrence_takes_the_status_the_done_status_leads_to(make_vault):
    """The next occurrence was always `[ ]`; the plugin follows the done status's next-status
    chain to a to-do (else an in-progress) status: `x` -> `>` Forwarded, `D` -> `/`."""
    settings = {
        "statusSettings": {
            "coreStatuses": [
                {"symbol": " ", "name": "Todo", "nextStatusSymbol": "x", "type": "TODO"},
                {"symbol": "x", "name": "Done", "nextStatusSymbol": ">", "type": "DONE"},
            ],
            "customStatuses": [
                {"symbol": ">", "name": "Forwarded", "nextStatusSymbol": "x", "type": "TODO"},
                {"symbol": "D", "name": "Delivered", "nextStatusSymbol": "/", "type": "DONE"},
                {"symbol": "/", "name": "Doing", "nextStatusSymbol": "D", "type": "IN_PROGRESS"},
            ],
        }
    }
    vault = make_vault({"a.md": "- [ ] water 🔁 every week 📅 2026-01-05\n"
                                "- [ ] report 🔁 every week 📅 2026-01-06\n",
                        SETTINGS: json.dumps(settings)})  # fmt: skip
    assert run(vault, "done", the_id(vault, "water")).exit_code == 0
    result = run(vault, "set", the_id(vault, "report"), "--status", "D")
    assert result.exit_code == 0, result.output
    lines = (vault / "a.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "- [>] water 🔁 every week 📅 2026-01-12"
    assert lines[2] == "- [/] report 🔁 every week 📅 2026-01-13"
