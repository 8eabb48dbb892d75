"""The `tasksync list` contract, as a user or a script sees it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli

CONTRACT_KEYS = {
    "id", "path", "line", "status", "status_type", "description", "plugin_description", "owner",
    "tags", "priority", "due", "scheduled", "start", "created", "done", "cancelled",
    "recurrence", "recurrence_text", "task_id", "depends_on", "on_completion", "block_link",
    "heading", "problems", "raw", "person",
}  # fmt: skip


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def listed(vault: Path, *args: str) -> list[dict]:
    result = run("--vault", str(vault), "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_contract_on_the_example_vault(example_vault):
    tasks = listed(example_vault, "--status", "all")
    assert all(set(t) == CONTRACT_KEYS for t in tasks)
    assert len(tasks) == 36
    assert len({t["id"] for t in tasks}) == 36
    by_raw = {t["raw"]: t for t in tasks}
    # nothing from fences, comments, .trash or .obsidian
    assert not [r for r in by_raw if "not a task" in r or "no task" in r or "trashed" in r
                or "nor" in r or "neither" in r]  # fmt: skip
    council = next(t for t in tasks if t["description"].startswith("Call the council"))
    assert council == {
        **council, "path": "Inbox.md", "line": 5, "status": " ", "status_type": "TODO",
        "due": "2026-11-24", "priority": "high", "heading": "Inbox", "owner": None,
    }  # fmt: skip
    shears = next(t for t in tasks if t["description"] == "Sharpen the hedge shears")
    assert (shears["owner"], shears["due"], shears["line"]) == ("Myself", "2026-11-29", 12)


def test_mis_encoded_lines_keep_their_dates_and_priorities(example_vault):
    tasks = listed(example_vault, "--path", "Meetings")
    probes = next(t for t in tasks if t["description"].startswith("Order two more"))
    assert (probes["due"], probes["priority"], probes["owner"], probes["status_type"]) == (
        "2026-11-20", "high", "Myself", "PROPOSED")  # fmt: skip
    assert probes["tags"] == ["#task", "#proposed", "#auto"]
    assert sum(t["due"] is not None for t in tasks) == 6
    done = listed(example_vault, "--status", "done")
    mounted = next(t for t in done if t["description"].startswith("Mount the first"))
    assert (mounted["due"], mounted["done"], mounted["priority"], mounted["owner"]) == (
        "2026-11-10", "2026-11-09", "high", "Sam Okafor")  # fmt: skip


def test_default_statuses_and_filters(example_vault):
    default = listed(example_vault)
    assert {t["status_type"] for t in default} == {"TODO", "PROPOSED", "IN_PROGRESS"}
    # @Dana is Dana Whitfield (an alias in her person note): one person
    assert {(t["owner"], t["person"]) for t in listed(example_vault, "--owner", "@dana whitfield")
            } == {("Dana Whitfield", "Dana Whitfield"), ("Dana", "Dana Whitfield")}  # fmt: skip
    assert [t["tags"] for t in listed(example_vault, "--tag", "admin")] == [
        ["#admin/paperwork"]]  # fmt: skip
    assert {t["path"] for t in listed(example_vault, "--path", "shed")} == {
        "Projects/Garden Shed Rebuild.md"}  # fmt: skip
    proposed = listed(example_vault, "--status", "proposed")
    assert len(proposed) == 13
    assert {t["status"] for t in proposed} == {"?"}


def test_invalid_date_is_reported_not_dropped(example_vault):
    lease = next(t for t in listed(example_vault) if "lease" in t["description"]
                 and "Renew" in t["description"])  # fmt: skip
    assert lease["due"] is None
    assert lease["problems"] == ["invalid due date 2026-02-30"]
    assert "2026-02-30" in lease["raw"]


def test_vault_from_environment(example_vault, tmp_path):
    result = run("list", "--json", env={"TASKSYNC_VAULT": str(example_vault)})
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == len(listed(example_vault))


def test_readable_table(example_vault):
    result = run("--vault", str(example_vault), "list", "--format", "table")
    assert result.exit_code == 0
    assert "Order two more humidity probes" in result.stdout
    assert "2026-11-20" in result.stdout
    assert "26 tasks" in result.stdout


def test_non_utf8_note_is_read_with_a_warning(make_vault):
    root = make_vault({"old.md": "- [ ] caf\u00e9 \u2019s task \U0001f4c5 2025-01-02\n".encode(
        "utf-8").replace("caf\u00e9".encode(), b"caf\xe9")})  # fmt: skip
    result = CliRunner().invoke(cli, ["--vault", str(root), "list", "--json"])
    assert result.exit_code == 0
    assert "warning: old.md is not UTF-8; read as cp1252" in result.stderr
    [task] = json.loads(result.stdout)
    assert task["due"] == "2025-01-02"  # the emoji, read as cp1252, is a known spelling


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--vault", "/no/such/vault", "list"], 3, "error: vault not found: /no/such/vault"),
        (["list", "--status", "bogus"], 2, "Invalid value for '--status'"),
    ],
)
def test_errors_are_one_clear_line(args, code, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_vault_that_is_a_file(tmp_path):
    note = tmp_path / "note.md"
    note.write_text("- [ ] x")
    result = CliRunner().invoke(cli, ["--vault", str(note), "list"])
    assert result.exit_code == 3, result.output  # the README's "no such vault"
    assert result.stderr.strip() == f"error: vault is not a folder: {note}"


def test_installed_console_script_runs(example_vault):
    exe = shutil.which("tasksync", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("tasksync is not installed in this environment")
    proc = subprocess.run([exe, "--vault", str(example_vault), "list", "--json"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)) == 26


def test_seed_vault_reads_all_53_tasks(seed_vault, tmp_path):
    vault = seed_vault
    tasks = listed(vault, "--status", "all")
    assert len(tasks) == 53
    kinds = {}
    for t in tasks:
        kinds[(t["path"].split("/")[0], t["status_type"])] = kinds.get(
            (t["path"].split("/")[0], t["status_type"]), 0) + 1  # fmt: skip
    assert kinds == {("Meetings", "PROPOSED"): 18, ("Projects", "TODO"): 10,
                     ("Sources", "DONE"): 25}  # fmt: skip
    proposed = [t for t in tasks if t["status"] == "?"]
    assert sum(t["due"] is not None for t in proposed) == 11  # 9 items, 2 of them twice
    assert all(t["tags"] == ["#task", "#proposed", "#auto"] for t in proposed)
    assert all(t["owner"] in ("Myself", "Alon Horev") for t in proposed)
    assert {t["priority"] for t in proposed} == {"high", "low", "normal"}
    done = [t for t in tasks if t["status"] == "x"]
    assert all(t["done"] is not None and t["owner"] for t in done)
    assert sum(t["due"] is not None for t in done) == 9
    assert all("ð" not in t["description"] and "\uf8ff" not in t["description"] for t in tasks)


def test_a_note_with_cr_only_line_endings_is_said_not_passed_over(make_vault):
    """A note saved with classic Mac line endings (CR alone) showed 0 tasks and no word: the
    plugin splits on LF too, so its tasks are not read, but the user is told why."""
    root = make_vault({"mac.md": b"# Old\r- [ ] Call the bank\r- [?] Pay rent #proposed\r",
                       "ok.md": "- [ ] fine\n"})  # fmt: skip
    result = CliRunner().invoke(cli, ["--vault", str(root), "list", "--json"])
    assert result.exit_code == 0
    assert "mac.md: its lines end in CR alone" in result.stderr
    assert "its 2 task line(s) are not read" in result.stderr
    assert [t["description"] for t in json.loads(result.stdout)] == ["fine"]
