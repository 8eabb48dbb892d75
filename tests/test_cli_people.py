"""The command line as a person meets it: greppable lines, ids everywhere, a calendar that
says why it is empty, the vault found from a subfolder, global options anywhere."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli, hoist_global_options
from tasksync.read.prose import repaired

TODAY = "2026-11-22"


def run(*args: str, vault: Path | None = None, cwd: Path | None = None):
    options = ["--vault", str(vault)] if vault else []
    if cwd is None:
        return CliRunner().invoke(cli, [*options, *args])
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, [*options, *args])
    finally:
        os.chdir(old)


def test_list_in_a_pipe_is_one_greppable_line_per_task_id_first(example_vault):
    result = run("--today", TODAY, "list", "--status", "all", vault=example_vault)
    assert result.exit_code == 0, result.output
    records = json.loads(run("list", "--status", "all", "--json", vault=example_vault).stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == len(records)
    for text, record in zip(lines, records, strict=True):
        fields = text.split("\t")
        assert fields[0] == record["id"]
        assert fields[-1] == f"{record['path']}:{record['line']}"
        assert repaired(record["description"]) in fields[4]
    hit = [t for t in lines if "compost bins" in t]
    assert len(hit) == 1


def test_list_formats_raw_and_table(example_vault):
    raw = run("list", "--format", "raw", vault=example_vault)
    records = json.loads(run("list", "--json", vault=example_vault).stdout)
    assert raw.stdout.splitlines() == [r["raw"] for r in records]
    table = run("--today", TODAY, "list", "--format", "table", vault=example_vault)
    rows = table.stdout.splitlines()
    assert rows[0].startswith("id        st   due")
    assert all(len(row) <= 100 for row in rows)  # never wrapped: one row per task
    assert len(rows) == len(records) + 2
    assert "priority: !!! highest" in rows[-1]


def test_list_sorts_filters_and_limits(example_vault):
    def ids(*args: str) -> list[str]:
        out = run("--today", TODAY, "list", "--format", "line", *args, vault=example_vault)
        assert out.exit_code == 0, out.output
        return [line.split("\t")[0] for line in out.stdout.splitlines()]

    listed = run("list", "--status", "all", "--json", vault=example_vault).stdout
    records = {r["id"]: r for r in json.loads(listed)}
    by_due = ids("--sort", "due")
    dues = [records[i]["due"] for i in by_due if records[i]["due"]]
    assert dues == sorted(dues)
    overdue = ids("--overdue")
    assert overdue
    assert all(records[i]["due"] < TODAY for i in overdue)
    assert all(records[i]["status_type"] in ("TODO", "IN_PROGRESS", "ON_HOLD", "PROPOSED")
               for i in overdue)  # fmt: skip
    assert ids("--sort", "due", "--limit", "2") == by_due[:2]
    before = ids("--due-before", "+3d")
    assert all(records[i]["due"] and records[i]["due"] < "2026-11-25" for i in before)
    assert {records[i]["status_type"] for i in ids("--status", "open")} <= {
        "TODO", "IN_PROGRESS", "ON_HOLD"}  # fmt: skip


def test_on_a_terminal_the_table_marks_overdue_and_today(example_vault, tmp_path):
    env = {**os.environ, "TASKSYNC_DB": str(tmp_path / "tty.sqlite"), "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    out = _run_on_a_terminal([sys.executable, "-m", "tasksync", "--vault", str(example_vault),
                              "--today", TODAY, "list"], env)  # fmt: skip
    assert "\x1b[31m" in out  # overdue in red
    assert "\x1b[1;33m2026-11-22" in out  # due today highlighted
    assert "\t" not in out


def _run_on_a_terminal(command: list[str], env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    proc = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 20)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=20)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_confirmations_name_the_task_by_id_and_description(example_vault):
    records = json.loads(run("list", "--json", vault=example_vault).stdout)
    water = next(r for r in records if r["description"] == "Water the seedlings")
    result = run("--today", TODAY, "done", water["id"][:6], vault=example_vault)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith(f"{water['id'][:8]}  Water the seedlings  (")


def test_an_ambiguous_id_lists_the_descriptions(make_vault):
    vault = make_vault({f"n{i}.md": f"- [ ] task number {i}\n" for i in range(40)})
    records = json.loads(run("list", "--json", vault=vault).stdout)
    first = {}
    for r in records:
        first.setdefault(r["id"][0], []).append(r)
    digit, group = next((d, g) for d, g in first.items() if len(g) > 1)
    result = run("show", digit, vault=vault)
    assert result.exit_code == 5
    assert "is ambiguous" in result.stderr
    assert all(r["description"] in result.stderr for r in group[:5])


def test_an_empty_calendar_says_why_and_stays_valid(make_vault):
    vault = make_vault({"a.md": "- [?] Prop one 📅 2026-12-01 #proposed\n"
                                "- [x] Done one 📅 2026-11-01 ✅ 2026-11-02\n"})  # fmt: skip
    result = run("ics", vault=vault)
    assert result.exit_code == 0
    assert result.stderr.startswith("0 events — 1 proposed task(s) with due dates not included: "
                                    "accept them or use --include-proposed")  # fmt: skip
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(result.stdout)
    assert calendar.events == []
    assert "BEGIN:VTIMEZONE" in result.stdout
    written = run("ics", "--todo", "-o", str(vault.parent / "t.ics"), vault=vault)
    assert written.stderr.startswith(f"0 to-dos written to {vault.parent / 't.ics'} — ")
    # --status overrides --include-*: its advice is --status (was: the flags it ignored)
    chosen = run("ics", "--status", "todo", "--include-proposed", "--include-done", vault=vault)
    assert chosen.stderr.startswith("0 events — 1 proposed task(s) with due dates not "
                                    "included: add --status proposed; 1 done or cancelled "
                                    "task(s) with due dates not included (--status done, "
                                    "--status cancelled)"), chosen.stderr  # fmt: skip


def test_the_vault_is_found_from_a_subfolder(example_vault):
    sub = example_vault / "Projects"
    from_sub = run("list", "--json", cwd=sub)
    from_top = run("list", "--json", vault=example_vault)
    assert from_sub.exit_code == 0, from_sub.output
    assert json.loads(from_sub.stdout) == json.loads(from_top.stdout)
    assert "warning" not in from_sub.stderr


def test_a_folder_that_is_no_vault_is_named(tmp_path):
    (tmp_path / "a.md").write_text("- [ ] x\n")
    result = run("list", cwd=tmp_path)
    assert result.exit_code == 0
    assert f"using {tmp_path}" in result.stderr


def test_global_options_work_after_the_command(example_vault):
    records = json.loads(run("list", "--json", vault=example_vault).stdout)
    water = next(r for r in records if r["description"] == "Water the seedlings")
    result = CliRunner().invoke(cli, ["done", water["id"], "--vault", str(example_vault),
                                      "--today", "2026-01-01"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "✅ 2026-01-01" in (example_vault / "Inbox.md").read_text(encoding="utf-8")
    listed = CliRunner().invoke(cli, ["list", f"--vault={example_vault}", "--json"])
    assert listed.exit_code == 0, listed.output
    assert hoist_global_options(["list", "--path", "x", "--db", "i.db"]) == [
        "--db", "i.db", "list", "--path", "x"]  # fmt: skip
    assert hoist_global_options(["query", "--", "--vault"]) == ["query", "--", "--vault"]


def test_ctrl_c_exits_130_and_says_the_work_is_kept(make_vault, tmp_path):
    notes = {f"n{i:04d}.md": "- [?] task #proposed\n" * 5 for i in range(3000)}
    vault = make_vault(notes)
    env = {**os.environ, "TASKSYNC_DB": str(tmp_path / "c.sqlite")}
    command = [sys.executable, "-m", "tasksync", "--vault", str(vault)]
    subprocess.run([*command, "scan"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([*command, "accept", "--all-proposed"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    first = vault / "n0000.md"
    deadline = time.monotonic() + 30
    while "[?]" in first.read_text() and time.monotonic() < deadline:
        time.sleep(0.005)  # interrupt it once it has written its first note
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: what was done so far is kept" in err
    assert "Traceback" not in err
    log = subprocess.run([*command, "log"], env=env, capture_output=True, text=True, check=True)
    assert "accept --all-proposed" in log.stdout
    subprocess.run([*command, "undo"], env=env, check=True, capture_output=True)
    assert all((vault / name).read_text() == text for name, text in notes.items())


def test_every_command_has_an_example_and_the_help_groups_them():
    top = CliRunner().invoke(cli, ["--help"]).stdout
    for title in ("See your tasks:", "Triage proposed action items:", "Calendars:",
                  "Change tasks (written into the notes):", "The index and settings:"):  # fmt: skip
        assert title in top
    assert "Other commands" not in top
    context = cli.make_context("tasksync", ["--vault", "."], resilient_parsing=True)
    missing = []
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        assert command is not None
        if "Examples:" not in (command.help or ""):
            missing.append(name)
    assert missing == []


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Call Bob 📅 friday next week", "- [ ] Call Bob 📅 2026-12-04 ➕ 2026-11-22"),
        ("Call ⏳ in 2 days 📅 fri", "- [ ] Call ⏳ 2026-11-24 📅 2026-11-27 ➕ 2026-11-22"),
        # ➕ goes where the plugin reads it: before a block link (after it, the line lost its
        # due date and its link), and as a Dataview field on a Dataview line
        ("Send invoice 📅 fri ^inv1", "- [ ] Send invoice 📅 2026-11-27 ➕ 2026-11-22 ^inv1"),
        ("Call [due:: fri]", "- [ ] Call [due:: 2026-11-27]  [created:: 2026-11-22]"),
    ],
)
def test_add_reads_date_words_wherever_a_date_goes(make_vault, text, line):
    """Bug: `[due:: fri]` was written as it was (no due date, no warning), and `📅 friday
    next week` was refused though `set` reads it."""
    vault = make_vault({"a.md": "- [ ] x\n"})
    result = run("--today", TODAY, "add", text, vault=vault)
    assert result.exit_code == 0, result.output
    assert (vault / "Inbox.md").read_text(encoding="utf-8") == line + "\n"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Call [due:: someday]", "'someday' after due:: is not a date"),
        ("Call [due:: 2026-02-30]", "would not read it as meant: invalid due date 2026-02-30"),
        ("Call 🔁 every fortnight 📅 fri", "invalid recurrence rule every fortnight"),
        ("Call ✅ today", "a done date (✅) on a task that is not done"),
        ("Call 📅 someday", "after 📅: not a date: 'someday'"),
    ],
)
def test_add_refuses_what_the_plugin_would_not_read_as_meant(make_vault, text, said):
    """Bug: an impossible Dataview date and an unreadable rule were written silently, and
    `✅ today` was refused as "followed by words"."""
    vault = make_vault({"a.md": "- [ ] x\n"})
    result = run("--today", TODAY, "add", text, vault=vault)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (vault / "Inbox.md").exists()


def test_add_captures_a_task_into_the_inbox_with_dates_as_words(make_vault):
    vault = make_vault({"a.md": "- [ ] x\n"})
    result = run("--today", TODAY, "add", "Call Bob @Bob 📅 fri #work", vault=vault)
    assert result.exit_code == 0, result.output
    inbox = vault / "Inbox.md"
    assert inbox.read_text() == "- [ ] Call Bob @Bob 📅 2026-11-27 #work ➕ 2026-11-22\n"
    [added] = [r for r in json.loads(run("list", "--json", vault=vault).stdout)
               if r["path"] == "Inbox.md"]  # fmt: skip
    assert result.stdout.startswith(f"{added['id'][:8]}  Call Bob  (Inbox.md:1)")
    assert (added["owner"], added["due"], added["tags"]) == ("Bob", "2026-11-27", ["#work"])
    second = run("--today", TODAY, "add", "--note", "Projects/Shed.md", "Order timber",
                 "📅", "next", "tuesday", vault=vault)  # fmt: skip
    assert second.exit_code == 0, second.output
    # `next tuesday`, on a Sunday, is the Tuesday of the next Sunday-to-Saturday week: as a
    # query reads it (chrono 2.3.9, the plugin's)
    assert (
        vault / "Projects/Shed.md"
    ).read_text() == "- [ ] Order timber 📅 2026-12-01 ➕ 2026-11-22\n"
    assert run("undo", vault=vault).exit_code == 0
    assert not (vault / "Projects/Shed.md").exists()
    bad = run("add", "Call 📅 someday", vault=vault)
    assert bad.exit_code == 2
    assert "not a date" in bad.stderr


def test_prose_mis_encoded_is_shown_repaired_and_repair_text_rewrites_it(make_vault):
    mac = "- [ ] Read Jason Vallery‚Äôs notes 📅 2026-12-01"  # UTF-8 read as Mac Roman
    windows = "- [ ] Ask about Borkerâ€™s “plan” 📅 2026-12-02"  # as Windows-1252
    vault = make_vault({"n.md": f"{mac}\n{windows}\n"})
    listed = run("list", vault=vault).stdout
    assert "Read Jason Vallery’s notes" in listed
    assert "Ask about Borker’s “plan”" in listed  # real curly quotes stay curly
    calendar = run("ics", vault=vault).stdout
    assert "SUMMARY:Read Jason Vallery’s notes" in calendar
    dry = run("repair", "--text", "--dry-run", vault=vault)
    assert "+- [ ] Read Jason Vallery’s notes 📅 2026-12-01" in dry.stdout
    assert (vault / "n.md").read_text() == f"{mac}\n{windows}\n"
    assert run("repair", "--text", vault=vault).exit_code == 0
    assert (vault / "n.md").read_text() == (
        "- [ ] Read Jason Vallery’s notes 📅 2026-12-01\n"
        "- [ ] Ask about Borker’s “plan” 📅 2026-12-02\n"
    )


def test_unknown_settings_are_named(make_vault):
    vault = make_vault({"a.md": "- [ ] x\n", ".tasksync.toml": 'triage_tagz = ["#x"]\n'})
    result = run("list", vault=vault)
    assert "unknown setting(s) triage_tagz; ignored" in result.stderr
    (vault / ".tasksync.toml").write_text('[statuses]\n"!" = {name = "Big", type = "TODO", '
                                          'colour = "red"}\n')  # fmt: skip
    assert "unknown setting(s) statuses.!.colour; ignored" in run("list", vault=vault).stderr
    (vault / ".tasksync.toml").write_text('[statuses]\n"!" = {name = "Big", type = "TODOX"}\n')
    wrong = run("list", vault=vault)
    assert wrong.exit_code == 2
    assert "status '!' has an unknown type 'TODOX' (one of TODO," in wrong.stderr


def _accept_piped(vault: Path, db: Path, reader: list[str]) -> tuple[subprocess.Popen, float]:
    """``tasksync accept --all-proposed | reader``, the way a shell runs it."""
    command = [sys.executable, "-m", "tasksync", "--vault", str(vault), "--db", str(db)]
    subprocess.run([*command, "scan"], check=True, capture_output=True)
    line = " ".join(shlex.quote(part) for part in [*command, "accept", "--all-proposed"])
    shell = f"{line} | {' '.join(reader)}"
    return subprocess.Popen(["sh", "-c", shell], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True), time.monotonic()  # fmt: skip


def test_accept_piped_to_head_accepts_everything(make_vault, tmp_path):
    """The list of accepted tasks is printed once the batch is over: the reader going away
    after one line (`| head -1`) must not stop the batch half-way."""
    notes = {f"n{i:03d}.md": "".join(f"- [?] proposed task {i}.{j} #proposed\n" for j in range(20))
             for i in range(80)}  # fmt: skip
    vault = make_vault(notes)
    proc, _ = _accept_piped(vault, tmp_path / "h.sqlite", ["head", "-1"])
    out, err = proc.communicate(timeout=120)
    assert len(out.splitlines()) == 1, err
    assert "Traceback" not in err
    assert not [n for n in notes if "[?]" in (vault / n).read_text()]


def test_accept_piped_to_a_reader_that_waits_finishes_the_batch_first(make_vault, tmp_path):
    """A batch never waits on its reader (`| less` left open): every note is written before
    the reader takes the first line."""
    notes = {f"n{i:03d}.md": "".join(f"- [?] proposed task {i}.{j} #proposed\n" for j in range(40))
             for i in range(80)}  # fmt: skip
    vault = make_vault(notes)
    flag = tmp_path / "go"
    waits = f"while [ ! -e {flag} ]; do sleep 0.05; done; cat"
    proc, _ = _accept_piped(vault, tmp_path / "w.sqlite", ["sh", "-c", shlex.quote(waits)])
    deadline = time.monotonic() + 60
    while [n for n in notes if "[?]" in (vault / n).read_text()] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [n for n in notes if "[?]" in (vault / n).read_text()]
    flag.touch()
    out, err = proc.communicate(timeout=60)
    assert out.splitlines()[-1] == "3200 tasks accepted in 80 notes", err


ESCAPES = (
    "- [ ] Control \x1b[31mred\x1b[0m\x07 and \x1b]0;owned\x07 \u202eevil \x9b2J @Ann "
    "📅 2026-11-30\n"
)


def test_control_sequences_in_a_note_never_reach_the_terminal(make_vault, tmp_path):
    # Text an AI pipeline wrote may hold escape sequences: shown as they are, they recolour
    # the terminal, retitle it, clear it or reorder what is shown (bidi overrides).
    vault = make_vault(
        {"Es\x1b[1mcape.md": ESCAPES + ESCAPES.replace("[ ] Control", "[?] Control")}
    )
    env = {**os.environ, "TASKSYNC_DB": str(tmp_path / "tty.sqlite"), "COLUMNS": "150"}
    env.pop("NO_COLOR", None)
    base = [sys.executable, "-m", "tasksync", "--vault", str(vault), "--today", TODAY]
    record = json.loads(run("list", "--json", vault=vault).stdout)[0]
    outputs = {
        "table": _run_on_a_terminal([*base, "list"], env),
        "line": run("list", "--format", "line", vault=vault).stdout,
        "query": _run_on_a_terminal([*base, "query", "not done"], env),
        "show": _run_on_a_terminal([*base, "show", record["id"]], env),
        "followups": _run_on_a_terminal([*base, "followups"], env),
        "dry run": _run_on_a_terminal([*base, "accept", "--all-proposed", "--dry-run"], env),
        "done": _run_on_a_terminal([*base, "done", record["id"]], env),
    }
    for name, out in outputs.items():
        assert "Control" in out, (name, out)
        for unsafe in ("\x1b[31mred", "\x07", "\x1b]0", "\u202e", "\x9b", "\x1b[1mcape"):
            assert unsafe not in out, f"{name} printed {unsafe!r}: {out!r}"


def test_add_refuses_a_note_tasksync_would_never_read(make_vault):
    vault = make_vault({"a.md": "- [ ] x\n"})
    for target in (
        "Notes/x.txt",
        ".obsidian/x.md",
        "Hidden/.trash/x.md",
        "../escape.md",
        "/tmp/x.md",
    ):
        result = run("add", "--note", target, "a task", vault=vault)
        assert result.exit_code == 2, (target, result.output)
        assert "tasksync reads" in result.stderr, (target, result.stderr)
    assert sorted(p.name for p in vault.rglob("*")) == ["a.md"]


def test_add_of_a_line_that_is_already_a_task_keeps_one_checkbox(make_vault):
    vault = make_vault({"a.md": "- [ ] x\n"})
    for text in ("- [ ] already a task", "* [?] proposed already"):
        result = run("--today", TODAY, "add", "--", text, vault=vault)
        assert result.exit_code == 0, result.output
    assert (vault / "Inbox.md").read_text() == (
        "- [ ] already a task ➕ 2026-11-22\n- [?] proposed already ➕ 2026-11-22\n"
    )


def test_add_refuses_a_field_the_plugin_would_read_as_words(make_vault):
    """`add "Call Bob 📅 fri @Bob"` wrote a line whose 📅 is followed by the owner: no
    trailing field, so no due date (it read back as words), exit 0 and no word said."""
    vault = make_vault({"a.md": "- [ ] x\n"})
    result = run("--today", TODAY, "add", "Call Bob 📅 fri @Bob #x", vault=vault)
    assert result.exit_code == 2, result.output
    assert "📅 is followed by words" in result.stderr
    assert not (vault / "Inbox.md").exists()
    assert run("--today", TODAY, "add", "Call Bob @Bob 📅 fri #x", vault=vault).exit_code == 0
    assert "📅 2026-11-27" in (vault / "Inbox.md").read_text()


def test_add_writes_the_global_filter_as_the_plugin_does(make_vault):
    """With the plugin's global filter `#task`, the added line lacked it: no task at all."""
    vault = make_vault({"a.md": "- [ ] #task x\n",
                        ".obsidian/plugins/obsidian-tasks-plugin/data.json":
                            '{"globalFilter": "#task"}'})  # fmt: skip
    result = run("--today", TODAY, "add", "Buy milk 📅 fri", vault=vault)
    assert result.exit_code == 0, result.output
    assert (vault / "Inbox.md").read_text() == "- [ ] #task Buy milk 📅 2026-11-27 ➕ 2026-11-22\n"
    listed = json.loads(run("list", "--json", vault=vault).stdout)
    assert [t["description"] for t in listed if "milk" in t["raw"]] == ["Buy milk"]


@pytest.mark.parametrize("end", ["```\nsome code\n", "%% a comment left open\n"])
def test_add_refuses_an_inbox_that_ends_inside_a_code_block_or_comment(make_vault, end):
    """Appended inside a fence left open, the line was no task: exit 0, "added", no id."""
    vault = make_vault({"Inbox.md": "# Inbox\n" + end})
    result = run("--today", TODAY, "add", "Call Bob", vault=vault)
    assert result.exit_code == 1, result.output
    assert "ends inside a code block or a comment left open" in result.stderr
    assert (vault / "Inbox.md").read_text() == "# Inbox\n" + end


def test_undo_of_an_add_that_made_folders_removes_them(make_vault):
    vault = make_vault({"a.md": "- [ ] x\n", "Keep/b.md": "- [ ] y\n"})
    before = sorted(str(p.relative_to(vault)) for p in vault.rglob("*"))
    assert run("add", "--note", "Capture/Deep/Todo.md", "a task", vault=vault).exit_code == 0
    assert run("add", "--note", "Keep/New/c.md", "another", vault=vault).exit_code == 0
    assert run("undo", vault=vault).exit_code == 0
    assert run("undo", vault=vault).exit_code == 0
    assert sorted(str(p.relative_to(vault)) for p in vault.rglob("*")) == before


def test_small_messages_say_what_is_so(make_vault, tmp_path):
    vault = make_vault({"n.md": "- [ ] Read Vallery‚Äôs notes ⏫ 📅 2026-12-01\n"})
    missing = run("ics", "-o", str(tmp_path / "nodir" / "x.ics"), vault=vault)
    assert missing.exit_code == 1
    assert missing.stderr.strip() == f"error: No such file or directory: {tmp_path / 'nodir'}"
    config = run("config", vault=vault).stdout.splitlines()[0]
    assert config.endswith(f"{vault / '.tasksync.toml'} (none)"), config
    [record] = json.loads(run("list", "--json", vault=vault).stdout)
    shown = run("show", record["id"], vault=vault).stdout
    assert "description         Read Vallery’s notes" in shown.replace("  ", " " * 2), shown


def test_the_priority_legend_fits_a_narrow_terminal(make_vault, tmp_path):
    vault = make_vault({"n.md": "- [ ] Something important ⏫\n"})
    env = {**os.environ, "TASKSYNC_DB": str(tmp_path / "tty.sqlite"), "COLUMNS": "60"}
    out = _run_on_a_terminal([sys.executable, "-m", "tasksync", "--vault", str(vault), "list"],
                             env)  # fmt: skip
    lines = [re.sub("\x1b\\[[0-9;]*m", "", line) for line in out.splitlines()]
    assert all(len(line) <= 60 for line in lines), lines
    assert "!! high" in lines[-1], lines


def test_a_search_finds_the_prose_as_it_is_shown_repaired(make_vault):
    vault = make_vault({"n.md": "- [ ] Read Vallery‚Äôs notes\n- [ ] Other\n"})
    for query in ("description includes Vallery’s", "description includes Vallery‚Äôs"):
        found = run("query", query, vault=vault).stdout
        assert "Read Vallery’s notes" in found, (query, found)
        assert "Other" not in found
    hidden = run("query", "description does not include Vallery’s", vault=vault).stdout
    assert "Vallery" not in hidden


@pytest.mark.parametrize(("today", "args"), [
    ("2026-11-25", ["list", "--due-before", "+9999y"]),
    ("2026-11-25", ["agenda", "Dana", "--since", "-3000y"]),
    ("9999-12-31", ["add", "Y 📅 tomorrow"]),
    ("9999-12-31", ["list", "--due-before", "tomorrow"]),
])  # fmt: skip
def test_a_date_past_the_calendars_end_is_a_usage_error(example_vault, today, args):
    result = run("--today", today, *args, vault=example_vault)
    assert result.exit_code == 2, result.output
    assert "is not a date from 0001-01-01 to 9999-12-31" in result.stderr
    assert "internal error" not in result.output


@pytest.mark.parametrize(("today", "query"), [("9999-12-31", "due before tomorrow"),
                                               ("0001-01-01", "due after yesterday")])  # fmt: skip
def test_a_query_date_past_the_calendars_end_is_not_understood(example_vault, today, query):
    result = run("--today", today, "query", query, vault=example_vault)
    assert result.exit_code == 6, result.output
    assert "do not understand due date" in result.stderr


def test_add_reads_every_date_word_set_reads(make_vault):
    vault = make_vault({"a.md": "- [ ] x\n"})
    for words in ("3 days ago", "2 weeks ago", "in 3 days", "next week", "+3d"):
        result = run("--today", TODAY, "add", f"Back-date me 📅 {words}", vault=vault)
        assert result.exit_code == 0, (words, result.output)
    dues = [line.split("📅 ")[1][:10] for line in (vault / "Inbox.md").read_text().splitlines()]
    assert dues == ["2026-11-19", "2026-11-08", "2026-11-25", "2026-11-29", "2026-11-25"]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_log_shows_a_batch_at_the_users_time(make_vault, tmp_path, zone):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    vault = make_vault({"a.md": "- [?] Call the council\n"})
    env = {**os.environ, "TZ": zone, "TASKSYNC_DB": str(tmp_path / "i.sqlite")}
    command = [sys.executable, "-m", "tasksync", "--vault", str(vault)]
    subprocess.run([*command, "accept", "--all-proposed"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    now = datetime.now(ZoneInfo(zone))
    log = subprocess.run([*command, "log"], env=env, capture_output=True, text=True, check=True)
    [line] = log.stdout.splitlines()
    stamp = datetime.fromisoformat(line.split()[1])
    assert stamp.utcoffset() == now.utcoffset()  # the user's offset, not UTC's
    assert abs((now - stamp).total_seconds()) < 120


@pytest.mark.parametrize("text", ["Read the notes %% draft", "Check <!-- the old list",
                                  "Call Bob @Bob %%"])  # fmt: skip
def test_add_refuses_text_that_would_open_a_comment_over_the_note(make_vault, text):
    """`add "… %% draft"` wrote a line opening a comment: every task added after it vanished
    from the index (and from Obsidian), and the next `add` was refused."""
    vault = make_vault({"Inbox.md": "- [ ] x\n"})
    result = run("--today", TODAY, "add", text, vault=vault)
    assert result.exit_code == 2, result.output
    assert "comment" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert (vault / "Inbox.md").read_text() == "- [ ] x\n"
    closed = run("--today", TODAY, "add", "Read the notes %%draft%% today", vault=vault)
    assert closed.exit_code == 0, closed.output


def test_set_refuses_an_owner_that_would_open_a_comment(make_vault):
    vault = make_vault({"Inbox.md": "- [ ] x 📅 2026-12-01\n- [ ] y\n"})
    [task] = [t["id"] for t in json.loads(run("list", "--json", vault=vault).stdout)
              if t["description"] == "x"]  # fmt: skip
    result = run("set", task, "--owner", "Bob <!--", vault=vault)
    assert result.exit_code != 0, result.output
    assert (vault / "Inbox.md").read_text() == "- [ ] x 📅 2026-12-01\n- [ ] y\n"


@pytest.mark.parametrize("count", ["0", "-1"])
def test_log_refuses_a_count_of_no_batches(make_vault, count):
    """`log -n 0` said "no changes yet" over a journal holding some; `-n -1` was taken."""
    vault = make_vault({"Inbox.md": "- [ ] x\n"})
    assert run("add", "a task", vault=vault).exit_code == 0
    result = run("log", "-n", count, vault=vault)
    assert result.exit_code == 2, result.output
    assert "no changes yet" not in result.output


@pytest.mark.parametrize(("text", "said"), [
    ("Pay rent 📅 fri 📅 mon", "due is given twice"),
    ("Pay rent ⏫ 🔼", "priority is given twice"),
    ("Paid rent ✅ 2026-11-01", "done date"),
    ("Dropped it ❌ 2026-11-01", "cancelled date"),
])  # fmt: skip
def test_add_refuses_fields_that_would_not_mean_what_they_say(make_vault, text, said):
    """`add "Pay 📅 fri 📅 mon"` wrote two due dates (the plugin keeps the first: `mon` meant
    nothing); `add "x ✅ 2020-01-01"` an open task with a done date."""
    vault = make_vault({"Inbox.md": "- [ ] x\n"})
    result = run("--today", TODAY, "add", text, vault=vault)
    assert result.exit_code == 2, result.output
    assert said in result.stderr, result.stderr
    assert (vault / "Inbox.md").read_text() == "- [ ] x\n"


def test_add_takes_a_done_task_with_its_done_date(make_vault):
    vault = make_vault({"Inbox.md": "- [ ] x\n"})
    result = run("--today", TODAY, "add", "--", "- [x] Paid rent ✅ 2026-11-01", vault=vault)
    assert result.exit_code == 0, result.output
    written = (vault / "Inbox.md").read_text()
    assert written.endswith("- [x] Paid rent ✅ 2026-11-01 ➕ 2026-11-22\n"), written


def test_repair_text_leaves_links_urls_and_code_as_they_are(make_vault):
    """A link's target, a URL or code, "repaired", points elsewhere: `[[Vallery‚Äôs page]]`
    is the note of that name, whatever it looks like."""
    line = ("- [ ] Read Vallery‚Äôs notes [[Vallery‚Äôs page]] [Borkerâ€™s](https://x.org/a‚Äôb) "
            "https://x.org/Vallery‚Äôs `Vallery‚Äôs`")  # fmt: skip
    vault = make_vault({"a.md": line + "\n"})
    assert run("repair", "--text", vault=vault).exit_code == 0
    assert (vault / "a.md").read_text() == (
        "- [ ] Read Vallery’s notes [[Vallery‚Äôs page]] [Borker’s](https://x.org/a‚Äôb) "
        "https://x.org/Vallery‚Äôs `Vallery‚Äôs`\n")  # fmt: skip


def test_repair_text_never_makes_a_field_of_words(make_vault):
    """`ï£¿üìÖ` is 📅 mis-encoded twice: repaired once, it became `üìÖ`, a due date signifier
    the task did not have (a due date appeared)."""
    vault = make_vault({"a.md": "- [ ] Plan the garden ï£¿üìÖ 2026-01-05\n"})
    before = json.loads(run("list", "--json", vault=vault).stdout)
    result = run("repair", "--text", vault=vault)
    assert "make a field" in result.stderr, result.output
    assert (vault / "a.md").read_text() == "- [ ] Plan the garden ï£¿üìÖ 2026-01-05\n"
    assert json.loads(run("list", "--json", vault=vault).stdout)[0]["due"] == before[0]["due"]


def test_add_takes_a_task_line_without_double_dash(make_vault):
    """`add "- [x] done thing"` failed with "No such option '- '" (and needed `--`)."""
    vault = make_vault({"Inbox.md": ""})
    for args in (["- [x] done thing"], ["--proposed", "- [ ] with a mark"],
                 ["- [/] started", "--note", "Inbox.md"]):  # fmt: skip
        result = run("--today", TODAY, "add", *args, vault=vault)
        assert result.exit_code == 0, (args, result.output)
    assert (vault / "Inbox.md").read_text() == (
        "- [x] done thing ➕ 2026-11-22\n- [?] with a mark #proposed ➕ 2026-11-22\n"
        "- [/] started ➕ 2026-11-22\n")  # fmt: skip
    assert run("add", "--notee", "x", "y", vault=vault).exit_code == 2


def test_add_refuses_a_note_path_with_backslashes_as_a_usage_error(make_vault):
    vault = make_vault({"Inbox.md": ""})
    result = run("add", "--note", "Projects\\Shed.md", "a task", vault=vault)
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in vault.rglob("*")) == ["Inbox.md"]


def test_add_takes_a_note_path_that_looks_like_a_task_line_as_is(make_vault):
    """`--note "1. [x] Plan.md"`: the path was marked as task text (a private-use character
    before it), and a look-alike note was made beside the real one."""
    vault = make_vault({"1. [x] Plan.md": "# Plan\n"})
    result = run("--today", TODAY, "add", "--note", "1. [x] Plan.md", "foo", vault=vault)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in vault.iterdir()) == ["1. [x] Plan.md"]
    assert (vault / "1. [x] Plan.md").read_text() == "# Plan\n- [ ] foo ➕ 2026-11-22\n"


@pytest.mark.parametrize("text", ["- [x] plain done", "- [/] started"])
def test_add_proposed_refuses_a_checkbox_that_says_otherwise(make_vault, text):
    """`add --proposed "- [x] …"` wrote `[?]` without a word (the [x] dropped)."""
    vault = make_vault({"Inbox.md": ""})
    result = run("--today", TODAY, "add", "--proposed", text, vault=vault)
    assert result.exit_code == 2, result.output
    assert "--proposed" in result.stderr, result.stderr
    assert (vault / "Inbox.md").read_text() == ""


def test_ctrl_c_while_the_command_is_still_loading_says_one_line(example_vault, tmp_path):
    """Ctrl-C at any moment of the first half second (mostly while the modules load, before
    the command runs): exit 130 with one line, never a traceback from tasksync's code."""
    command = [sys.executable, "-m", "tasksync", "--vault", str(example_vault), "--db",
               str(tmp_path / "i.sqlite")]  # fmt: skip
    subprocess.run([*command, "scan"], check=True, capture_output=True)
    tracebacks = []
    for step in range(16):
        proc = subprocess.Popen([*command, "list"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        time.sleep(0.03 + step * 0.025)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
        # (Python's own start, before any module of the command runs, is not ours to catch:
        # its traceback holds no frame of tasksync's files)
        if "Traceback" in err and f"{os.sep}tasksync{os.sep}" in err:
            tracebacks.append((step, err))
        elif "interrupted" in err:  # 130, or killed by the signal itself: 130 to a shell
            assert proc.returncode in (130, -signal.SIGINT), err
    assert tracebacks == []


def test_ctrl_c_while_the_arguments_are_read_is_an_interruption(example_vault, monkeypatch):
    """Ctrl-C in the moment the global options are read (before any command runs) said
    click's "Aborted!" and exited 1; it is an interruption like any other: 130, one line."""
    import tasksync.cli.main as main_module

    def interrupted(args: list[str]) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(main_module, "hoist_global_options", interrupted)
    result = CliRunner().invoke(cli, ["--vault", str(example_vault), "list"])
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.stderr
    assert "Aborted" not in result.output


def test_add_proposed_marks_the_proposal_with_the_vaults_triage_tag(make_vault):
    """Bug: with `triage_tags = ["#auto"]`, `add --proposed` wrote `#proposed`, which accept
    then left on the accepted task."""
    vault = make_vault({".tasksync.toml": 'triage_tags = ["#auto"]\n', "a.md": "- [ ] x\n"})
    assert run("--today", TODAY, "add", "--proposed", "Call Bob", vault=vault).exit_code == 0
    inbox = vault / "Inbox.md"
    assert inbox.read_text(encoding="utf-8") == "- [?] Call Bob #auto ➕ 2026-11-22\n"
    assert run("--today", TODAY, "accept", "--all-proposed", vault=vault).exit_code == 0
    assert inbox.read_text(encoding="utf-8") == "- [ ] Call Bob ➕ 2026-11-22\n"


def test_config_shows_the_inbox_add_writes_to(make_vault):
    vault = make_vault({"a.md": "- [ ] x\n"})
    assert "inbox: Inbox.md (the default)" in run("config", vault=vault).stdout.splitlines()
    (vault / ".tasksync.toml").write_text('inbox = "Capture/Today.md"\n', encoding="utf-8")
    assert "inbox: Capture/Today.md" in run("config", vault=vault).stdout.splitlines()


def test_prose_beside_a_real_emoji_is_repaired_too(make_vault):
    """Bug: `Vallery‚Äôs` stayed as it was when the description also held a real emoji
    (ftfy undoes a Mac Roman reading only of text Mac Roman can hold whole)."""
    line = "- [ ] 🎉 Thank Jason Vallery‚Äôs team 🚀 and Borkerâ€™s 📅 2026-12-01"
    vault = make_vault({"n.md": line + "\n"})
    assert "🎉 Thank Jason Vallery’s team 🚀 and Borker’s" in run("list", vault=vault).stdout
    assert run("repair", "--text", vault=vault).exit_code == 0
    assert (vault / "n.md").read_text() == (
        "- [ ] 🎉 Thank Jason Vallery’s team 🚀 and Borker’s 📅 2026-12-01\n")  # fmt: skip
