"""Changing tasks in the notes: only the meant bytes change, atomically, undoably."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli
from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.model import StatusTable
from tasksync.read.parse import parse_line
from tasksync.write import actions, files, writeback
from tasksync.write.actions import run_batch, targets_of, undo_last
from tasksync.write.writeback import Target

TODAY = "2026-11-22"


def run(vault: Path, *args: str):
    result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, *args])
    return result


def listed(vault: Path, *args: str) -> list[dict]:
    result = run(vault, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ids_where(vault: Path, predicate, *args: str) -> list[str]:
    return [t["id"] for t in listed(vault, "--status", "all", *args) if predicate(t)]


def apply_edits(vault: Path, targets, edit, statuses):
    """One batch, as the commands run it (locked, journaled), on the test's index."""
    with Store(Path(os.environ["TASKSYNC_DB"])) as store:
        return run_batch(vault, store, statuses, "test", list(targets), edit, False)


def no_temp_files(vault: Path) -> bool:
    return not [p for p in vault.rglob("*") if p.name.endswith(".tasksync")]


def test_accept_changes_only_status_and_triage_tag_keeping_every_other_byte(make_vault):
    line = "- [?] Order probes @Myself \uf8ffüìÖ 2026-11-20 ‚è´ #task #proposed #auto"
    original = "\ufeff# Inbox\r\n\r\n" + line + "\r\n- [?] Second ðŸ“… 2026-12-01 #proposed"
    vault = make_vault({"n.md": original.encode("utf-8")})
    first = ids_where(vault, lambda t: t["status"] == "?")[0]
    result = run(vault, "accept", first[:7])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{first[:8]}  Order probes  (n.md:3)",
        "1 task accepted in 1 note",
    ]
    expected = original.replace(line, line.replace("[?]", "[ ]").replace(" #proposed", ""))
    assert (vault / "n.md").read_bytes() == expected.encode("utf-8")
    assert no_temp_files(vault)


def test_reject_writes_a_real_emoji_and_keeps_the_mis_encoded_ones(make_vault):
    vault = make_vault({"n.md": "- [?] Maybe later â« #proposed\n"})
    [task] = ids_where(vault, lambda t: True)
    assert run(vault, "reject", task).exit_code == 0
    assert (vault / "n.md").read_text() == "- [-] Maybe later â« ❌ 2026-11-22\n"
    assert listed(vault, "--status", "cancelled")[0]["cancelled"] == TODAY


def test_accept_of_a_task_that_is_not_proposed_says_what_it_is(make_vault):
    vault = make_vault({"n.md": "- [ ] Call Dana\n- [x] Buy seeds ✅ 2026-11-01\n"})
    dana, seeds = ids_where(vault, lambda t: True)
    before = (vault / "n.md").read_bytes()
    result = run(vault, "reject", dana, seeds)
    assert result.exit_code == 1, result.output  # neither could be rejected
    assert result.stdout.strip() == "0 tasks rejected in 0 notes; 2 not proposed, left as they are"
    assert f"{dana[:8]}  Call Dana: not proposed: it is a to-do; not rejected" in result.stderr
    assert f"{seeds[:8]}  Buy seeds: not proposed: it is done; not rejected" in result.stderr
    accepted = run(vault, "accept", seeds)  # done: past being accepted, not a fault
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.strip().endswith("1 already so")
    assert f"{seeds[:8]}  Buy seeds: not proposed: it is done" in accepted.stderr
    assert (vault / "n.md").read_bytes() == before


def test_accept_is_idempotent(example_vault):
    first = run(example_vault, "accept", "--all-proposed")
    assert first.exit_code == 0
    assert first.stdout.endswith("13 tasks accepted in 2 notes\n")
    before = {p: p.read_bytes() for p in example_vault.rglob("*.md")}
    second = run(example_vault, "accept", "--all-proposed")
    assert second.stdout.strip() == "0 tasks accepted in 0 notes"
    again = [t for t in listed(example_vault, "--status", "todo") if t["owner"]]
    assert run(example_vault, "accept", again[0]["id"]).stdout.strip().endswith("1 already so")
    assert {p: p.read_bytes() for p in example_vault.rglob("*.md")} == before


def test_filters_narrow_all_proposed(example_vault):
    result = run(example_vault, "accept", "--all-proposed", "--owner", "Dana Whitfield")
    assert result.stdout.strip().endswith("2 tasks accepted in 2 notes")
    assert len(listed(example_vault, "--status", "proposed")) == 11


def test_dry_run_prints_a_diff_and_writes_nothing(example_vault):
    before = {p: p.read_bytes() for p in example_vault.rglob("*.md")}
    result = run(example_vault, "reject", "--all-proposed", "--dry-run")
    assert result.exit_code == 0
    assert "+- [-] Order two more humidity probes" in result.stdout
    assert result.stdout.strip().endswith("13 tasks would be rejected in 2 notes")
    assert {p: p.read_bytes() for p in example_vault.rglob("*.md")} == before
    assert run(example_vault, "log").stdout.strip() == "no changes yet"


def test_done_adds_the_done_date_and_on_completion_delete_removes_the_line(make_vault):
    vault = make_vault({"n.md": "- [ ] keep me\n- [ ] remove me 🏁 delete\n- [ ] after\n"})
    ids = ids_where(vault, lambda t: t["description"] != "after")
    assert run(vault, "done", *ids).exit_code == 0
    assert (vault / "n.md").read_text() == "- [x] keep me ✅ 2026-11-22\n- [ ] after\n"
    assert run(vault, "undo").exit_code == 0
    assert (vault / "n.md").read_text() == "- [ ] keep me\n- [ ] remove me 🏁 delete\n- [ ] after\n"


@pytest.mark.parametrize(
    ("line", "args", "expected"),
    [
        ("- [ ] a 📅 2026-01-01 #x", ["--due", "2026-02-03"], "- [ ] a 📅 2026-02-03 #x"),
        ("- [ ] a ðŸ“… 2026-01-01", ["--due", "+1d"], "- [ ] a ðŸ“… 2026-11-23"),
        ("- [ ] a 📅 2026-01-01 #x", ["--due", "none"], "- [ ] a #x"),
        ("- [ ] a #x ^id1", ["--due", "tomorrow"], "- [ ] a #x 📅 2026-11-23 ^id1"),
        ("- [ ] a [due:: 2026-01-01]", ["--due", "today"], "- [ ] a [due:: 2026-11-22]"),
        ("- [ ] a [due:: 2026-01-01]", ["--priority", "high"],
         "- [ ] a [due:: 2026-01-01]  [priority:: high]"),
        ("- [ ] a ⏫ 📅 2026-01-01", ["--priority", "lowest"], "- [ ] a ⏬ 📅 2026-01-01"),
        ("- [ ] a ⏫ 📅 2026-01-01", ["--priority", "none"], "- [ ] a 📅 2026-01-01"),
        ("- [ ] a @Alon 📅 2026-01-01", ["--owner", "Alon Horev"],
         "- [ ] a @Alon Horev 📅 2026-01-01"),
        ("- [ ] a 📅 2026-01-01 #x", ["--owner", "Dana"], "- [ ] a @Dana 📅 2026-01-01 #x"),
        ("- [ ] a @Alon #x", ["--owner", "none"], "- [ ] a #x"),
        ("- [ ] a", ["--status", "/"], "- [/] a"),
    ],
)  # fmt: skip
def test_set_changes_one_field_in_the_lines_own_format(make_vault, line, args, expected):
    vault = make_vault({"n.md": f"# H\n{line}\ntail"})
    [task] = ids_where(vault, lambda t: True)
    result = run(vault, "set", task, *args)
    assert result.exit_code == 0, result.output
    assert (vault / "n.md").read_text() == f"# H\n{expected}\ntail"


def test_set_rejects_bad_dates_clearly(make_vault):
    vault = make_vault({"n.md": "- [ ] a\n"})
    [task] = ids_where(vault, lambda t: True)
    result = run(vault, "set", task, "--due", "someday")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: not a date: 'someday'")


def test_repair_rewrites_only_mis_encoded_signifiers(make_vault):
    text = ("- [x] Mount probes @Sam Okafor â« ðŸ“… 2026-11-10 âœ… 2026-11-09\n"
            "- [?] Send export. @Myself \uf8ffüìÖ 2026-11-18 \uf8ffüîΩ #proposed\n"
            "Prose with ðŸ“… mojibake stays.\n"
            "- [ ] Jason Vallery‚Äôs notes ðŸ“… 2026-11-01\n")  # fmt: skip
    vault = make_vault({"n.md": text})
    result = run(vault, "repair")
    assert result.exit_code == 0, result.output
    assert (vault / "n.md").read_text() == (
        "- [x] Mount probes @Sam Okafor ⏫ 📅 2026-11-10 ✅ 2026-11-09\n"
        "- [?] Send export. @Myself 📅 2026-11-18 🔽 #proposed\n"
        "Prose with ðŸ“… mojibake stays.\n"
        "- [ ] Jason Vallery‚Äôs notes 📅 2026-11-01\n"
    )
    assert run(vault, "repair").stdout.strip() == "0 tasks repaired in 0 notes; 3 already so"


def test_note_edited_after_the_scan_is_re_read_and_the_right_line_changed(make_vault, tmp_path):
    text = "\ufeff# Week\r\n- [?] Call Dana #proposed\r\n- [?] Buy seeds #proposed\r\n"
    vault = make_vault({"n.md": text.encode("utf-8")})
    db = Path(os.environ["TASKSYNC_DB"])
    with Store(db) as store:
        sync(vault, store, StatusTable())
        seeds = next(r for r in store.records() if r["description"] == "Buy seeds")
    # The user adds lines above the task in Obsidian, after our scan.
    edited = text.replace("# Week\r\n", "# Week\r\nNew thoughts.\r\n\r\n")
    (vault / "n.md").write_bytes(edited.encode("utf-8"))
    target = Target.of(seeds["id"], seeds["path"], seeds["line"], seeds["raw"])
    outcome = apply_edits(vault, [target], lambda t: (t.raw.replace("[?]", "[ ]"),),
                          StatusTable())  # fmt: skip
    assert outcome.errors == []
    assert [c.line for c in outcome.changes] == [5]
    assert (vault / "n.md").read_bytes() == edited.replace("[?] Buy", "[ ] Buy").encode("utf-8")


def test_a_task_the_user_rewrote_is_refused_not_guessed(make_vault):
    vault = make_vault({"n.md": "- [?] Call Dana\n- [?] Call Dana\n"})
    target = Target.of("0" * 12, "n.md", 1, "- [?] Call Dana about it")
    outcome = apply_edits(vault, [target], lambda t: ("- [x] x",), StatusTable())
    assert outcome.changes == []
    assert "cannot be found for sure" in outcome.errors[0]
    assert (vault / "n.md").read_text() == "- [?] Call Dana\n- [?] Call Dana\n"


def test_edit_follows_the_task_when_the_user_changed_its_date(make_vault):
    vault = make_vault({"n.md": "- [?] Call Dana 📅 2026-01-01 #proposed\n"})
    db = Path(os.environ["TASKSYNC_DB"])
    with Store(db) as store:
        sync(vault, store, StatusTable())
        [record] = store.records()
    (vault / "n.md").write_text("- [?] Call Dana 📅 2026-02-02 #proposed\n")
    target = Target.of(record["id"], "n.md", 1, record["raw"])
    from tasksync.write.edits import accept

    outcome = apply_edits(vault, [target], lambda t: (accept(t, StatusTable()).raw,),
                          StatusTable())  # fmt: skip
    assert outcome.errors == []
    assert (vault / "n.md").read_text() == "- [ ] Call Dana 📅 2026-02-02\n"


def test_read_only_deleted_and_folder_notes_fail_alone(make_vault):
    vault = make_vault({f"{n}.md": "- [?] task #proposed\n" for n in "abcd"})
    db = Path(os.environ["TASKSYNC_DB"])
    with Store(db) as store:
        sync(vault, store, StatusTable())
        targets = [Target.of(r["id"], r["path"], r["line"], r["raw"]) for r in store.records()]
    (vault / "a.md").chmod(0o444)
    (vault / "b.md").unlink()
    (vault / "c.md").unlink()
    (vault / "c.md").mkdir()
    outcome = apply_edits(vault, targets, lambda t: (t.raw.replace("[?]", "[ ]"),), StatusTable())
    assert sorted(outcome.errors) == [
        "a.md is read-only; 1 task not changed",
        "b.md no longer exists; 1 task not changed",
        "c.md is now a folder, not a note; 1 task not changed",
    ]
    assert [c.path for c in outcome.changes] == ["d.md"]
    assert (vault / "d.md").read_text() == "- [ ] task #proposed\n"
    assert stat.S_IMODE((vault / "a.md").stat().st_mode) == 0o444


def test_read_only_note_via_the_cli_exits_non_zero_and_applies_the_rest(make_vault):
    vault = make_vault({"a.md": "- [?] one #proposed\n", "b.md": "- [?] two #proposed\n"})
    (vault / "a.md").chmod(0o444)
    result = run(vault, "accept", "--all-proposed")
    assert result.exit_code == 1
    assert "error: a.md is read-only; 1 task not changed" in result.stderr
    assert (vault / "b.md").read_text() == "- [ ] two\n"
    assert (vault / "a.md").read_text() == "- [?] one #proposed\n"


def test_permissions_are_kept(make_vault):
    vault = make_vault({"n.md": "- [?] one #proposed\n"})
    (vault / "n.md").chmod(0o640)
    run(vault, "accept", "--all-proposed")
    assert stat.S_IMODE((vault / "n.md").stat().st_mode) == 0o640


def test_undo_restores_exactly_and_leaves_lines_the_user_changed(make_vault):
    vault = make_vault({"a.md": "- [?] one #proposed\n- [?] two #proposed", "b.md": "- [?] x"})
    before = {p.name: p.read_bytes() for p in vault.iterdir()}
    run(vault, "accept", "--all-proposed")
    (vault / "a.md").write_text("- [ ] one\n- [x] two, done by hand")
    result = run(vault, "undo")
    assert result.exit_code == 1
    assert "a.md:2 changed since; left as it is" in result.stderr
    assert (vault / "a.md").read_text() == "- [?] one #proposed\n- [x] two, done by hand"
    assert (vault / "b.md").read_bytes() == before["b.md"]
    assert "(2 of 3 line(s) undone)" in run(vault, "log").stdout  # a.md:2 was left
    assert run(vault, "undo").stdout.strip() == "nothing to undo"


def test_seed_vault_accept_all_changes_exactly_the_18_lines_and_undo_restores(seed_vault, tmp_path):
    vault = seed_vault
    before = {p: p.read_bytes() for p in vault.rglob("*.md")}
    result = run(vault, "accept", "--all-proposed")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("18 tasks accepted in 1 note")
    changed = 0
    for path, old in before.items():
        new_lines, old_lines = path.read_bytes().split(b"\n"), old.split(b"\n")
        assert len(new_lines) == len(old_lines)
        for a, b in zip(old_lines, new_lines, strict=True):
            if a != b:
                changed += 1
                assert a.startswith(b"- [?] ")
                assert b == a.replace(b"- [?] ", b"- [ ] ", 1).replace(b" #proposed", b"", 1)
    assert changed == 18
    after = {p: p.read_bytes() for p in vault.rglob("*.md")}
    assert run(vault, "accept", "--all-proposed").stdout.strip() == "0 tasks accepted in 0 notes"
    assert {p: p.read_bytes() for p in vault.rglob("*.md")} == after
    assert run(vault, "undo").exit_code == 0
    assert {p: p.read_bytes() for p in vault.rglob("*.md")} == before


def test_a_killed_batch_leaves_every_note_wholly_old_or_wholly_new(make_vault):
    notes = {f"n{i:03d}.md": "".join(f"- [?] task {i}.{j} #proposed\n" for j in range(30))
             for i in range(300)}  # fmt: skip
    vault = make_vault(notes)
    db = os.environ["TASKSYNC_DB"]
    command = [sys.executable, "-m", "tasksync", "--vault", str(vault), "--db", db]
    subprocess.run([*command, "scan"], check=True, capture_output=True)
    proc = subprocess.Popen([*command, "accept", "--all-proposed"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    first = vault / "n000.md"
    deadline = time.monotonic() + 30
    while "[?]" in first.read_text() and time.monotonic() < deadline:
        time.sleep(0.001)  # kill it as soon as it has written its first note
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    accepted = 0
    for name, original in notes.items():
        text = (vault / name).read_text()
        new = original.replace("[?]", "[ ]").replace(" #proposed", "")
        assert text in (original, new)
        accepted += text == new
    assert 0 < accepted < len(notes), "the batch was not cut in the middle"


def test_parse_after_edit_matches_intent():
    line = "- [?] Order probes @Myself \uf8ffüìÖ 2026-11-20 ‚è´ #task #proposed #auto"
    from tasksync.write.edits import accept

    task = accept(parse_line(line), StatusTable())
    again = parse_line(task.raw)
    assert again == task
    assert (again.status, again.tags, again.owner, str(again.due)) == (
        " ", ("#task", "#auto"), "Myself", "2026-11-20")  # fmt: skip


def test_triage_tags_are_configurable_in_the_vault(make_vault):
    vault = make_vault({"n.md": "- [?] Call Dana #task #proposed #auto\n",
                        ".tasksync.toml": 'triage_tags = ["#proposed", "auto"]\n'})  # fmt: skip
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    assert (vault / "n.md").read_text() == "- [ ] Call Dana #task\n"
    (vault / ".tasksync.toml").write_text("triage_tags = 3\n")
    bad = run(vault, "accept", "--all-proposed")
    assert bad.exit_code == 2
    assert "triage_tags must be a list of tags" in bad.stderr


def interrupted_at(call: int, real):
    """``real``, but Ctrl-C arrives at its ``call``-th call."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(args)
        if len(calls) == call:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    return wrapper


def test_a_batch_cut_short_is_journaled_so_undo_restores_what_it_wrote(
    make_vault, tmp_path, monkeypatch
):
    notes = {f"n{i}.md": f"- [?] task {i}.0 #proposed\n- [?] other {i}\n" for i in range(6)}
    vault = make_vault(notes)
    # Ctrl-C arrives as the fourth note is renamed
    monkeypatch.setattr(writeback, "put_in_place", interrupted_at(4, writeback.put_in_place))
    with Store(tmp_path / "i.sqlite") as store:
        sync(vault, store, StatusTable())
        targets = targets_of(store, [r for r in store.records() if r["status"] == "?"])
        with pytest.raises(KeyboardInterrupt):
            run_batch(vault, store, StatusTable(), "accept", targets,
                      lambda t: (t.raw.replace("[?]", "[ ]"),), dry_run=False)  # fmt: skip
        written = [n for n, text in notes.items() if (vault / n).read_text() != text]
        assert written == ["n0.md", "n1.md", "n2.md"]  # whole notes, in order, then it stopped
        assert no_temp_files(vault)  # the other notes' new bytes, staged, are cleared away
        outcome = undo_last(vault, store, StatusTable())
    assert outcome.problems == []
    assert len(outcome.reverted) == 6
    assert all((vault / n).read_text() == text for n, text in notes.items())


def test_ctrl_c_while_a_chunk_is_staged_changes_no_note_and_leaves_no_file(
    make_vault, tmp_path, monkeypatch
):
    notes = {f"n{i}.md": f"- [?] task {i} #proposed\n" for i in range(12)}
    vault = make_vault(notes)
    monkeypatch.setattr(writeback, "stage", interrupted_at(7, writeback.stage))
    with Store(tmp_path / "i.sqlite") as store:
        sync(vault, store, StatusTable())
        targets = targets_of(store, store.records())
        with pytest.raises(KeyboardInterrupt):
            run_batch(vault, store, StatusTable(), "accept", targets,
                      lambda t: (t.raw.replace("[?]", "[ ]"),), dry_run=False)  # fmt: skip
        assert all((vault / n).read_text() == text for n, text in notes.items())
        assert no_temp_files(vault)
        assert undo_last(vault, store, StatusTable()).problems == []
    assert all((vault / n).read_text() == text for n, text in notes.items())


def test_a_disk_that_fails_to_flush_a_chunk_leaves_every_note_as_it_was(make_vault, monkeypatch):
    notes = {f"n{i}.md": f"- [?] task {i} #proposed\n" for i in range(12)}
    vault = make_vault(notes)

    def failing_flush(staged):
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as patched:  # (undo() would also drop the private index)
        patched.setattr(actions, "make_durable", failing_flush)
        result = run(vault, "accept", "--all-proposed")
    assert result.exit_code != 0
    assert "Input/output error" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert all((vault / n).read_text() == text for n, text in notes.items())
    assert no_temp_files(vault)
    assert len(ids_where(vault, lambda t: t["status"] == "?", "--status", "all")) == 12


def test_an_editor_saving_while_a_chunk_is_flushed_loses_nothing(make_vault, monkeypatch):
    """Many notes are flushed to disk together; the user saves one of them meanwhile: that
    one is planned again on the save, the others are written as planned."""
    notes = {f"n{i:02}.md": f"- [?] task {i} #proposed\n" for i in range(12)}
    vault = make_vault(notes)
    real_flush = actions.make_durable
    saves = []

    def flush_while_the_user_saves(staged):
        real_flush(staged)
        if not saves:
            saves.append(len(staged))
            with open(vault / "n05.md", "a", encoding="utf-8") as note:
                note.write("- [ ] typed in Obsidian meanwhile\n")

    monkeypatch.setattr(actions, "make_durable", flush_while_the_user_saves)
    result = run(vault, "accept", "--all-proposed")
    assert result.exit_code == 0, result.output
    assert saves == [12]  # the user saved while the whole chunk was being flushed
    assert (vault / "n05.md").read_text() == "- [ ] task 5\n- [ ] typed in Obsidian meanwhile\n"
    assert all((vault / f"n{i:02}.md").read_text() == f"- [ ] task {i}\n"
               for i in range(12) if i != 5)  # fmt: skip
    assert no_temp_files(vault)
    assert run(vault, "undo").exit_code == 0
    assert (vault / "n05.md").read_text() == (
        "- [?] task 5 #proposed\n- [ ] typed in Obsidian meanwhile\n"
    )
    assert all((vault / n).read_text() == text for n, text in notes.items() if n != "n05.md")


def test_ctrl_c_while_planning_writes_nothing_and_journals_nothing(make_vault, tmp_path):
    notes = {f"n{i}.md": f"- [?] task {i}.0 #proposed\n" for i in range(6)}
    vault = make_vault(notes)
    with Store(tmp_path / "i.sqlite") as store:
        sync(vault, store, StatusTable())
        targets = targets_of(store, store.records())

        def edit(task):
            if "3.0" in task.raw:
                raise KeyboardInterrupt
            return (task.raw.replace("[?]", "[ ]"),)

        with pytest.raises(KeyboardInterrupt):
            run_batch(vault, store, StatusTable(), "accept", targets, edit, dry_run=False)
        assert all((vault / n).read_text() == text for n, text in notes.items())
        assert store.last_batch() is None


def test_an_editor_saving_while_the_temporary_file_is_written_loses_nothing(
    make_vault, monkeypatch
):
    """Obsidian autosaves the note after tasksync read it, while the new bytes are being
    fsync'ed: the rename must not replace the user's save; the edit is redone on it."""
    vault = make_vault({"n.md": "- [?] Call Dana #proposed\n- [?] Buy seeds #proposed\n"})
    [dana] = ids_where(vault, lambda t: t["description"] == "Call Dana")
    real_fsync = files.os.fsync
    saves = []

    def fsync_while_the_user_saves(fd):
        real_fsync(fd)
        if not saves:
            saves.append(1)
            with open(vault / "n.md", "a", encoding="utf-8") as note:
                note.write("- [ ] typed in Obsidian meanwhile\n")

    monkeypatch.setattr(files.os, "fsync", fsync_while_the_user_saves)
    result = run(vault, "accept", dana)
    monkeypatch.setattr(files.os, "fsync", real_fsync)
    assert result.exit_code == 0, result.output
    assert saves, "the user's save did not happen during the write"
    assert (vault / "n.md").read_text() == (
        "- [ ] Call Dana\n- [?] Buy seeds #proposed\n- [ ] typed in Obsidian meanwhile\n"
    )
    assert run(vault, "undo").exit_code == 0
    assert (vault / "n.md").read_text() == (
        "- [?] Call Dana #proposed\n- [?] Buy seeds #proposed\n- [ ] typed in Obsidian meanwhile\n"
    )


def hold_the_lock(vault: Path, env) -> subprocess.Popen[str]:
    """A process that holds the vault's writer lock until a line comes on its stdin, started
    once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from tasksync.write.lock import vault_lock\n"
         "with vault_lock(Path(sys.argv[1]), 'test'):\n"
         "    print('locked', flush=True); sys.stdin.readline()", str(vault)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def run_while_locked(holder: subprocess.Popen[str], command: list[str], env) -> tuple[int, str]:
    """Run ``command`` while ``holder`` holds the lock; let go once the command says it waits
    (or has ended without waiting). Its exit status and stderr."""
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env)  # fmt: skip
    assert writer.stderr is not None
    assert holder.stdin is not None
    said = ""
    while "waiting" not in said and (line := writer.stderr.readline()):
        said += line
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.wait(timeout=30)
    _, rest = writer.communicate(timeout=60)
    return writer.returncode, said + rest


def test_a_second_writer_waits_for_the_first_and_says_so(make_vault, tmp_path):
    vault = make_vault({"n.md": "- [?] Call Dana #proposed\n"})
    [dana] = ids_where(vault, lambda t: True)
    from tasksync.write.lock import vault_lock

    holder = hold_the_lock(vault, os.environ)
    assert (vault / "n.md").read_text() == "- [?] Call Dana #proposed\n"
    code, stderr = run_while_locked(
        holder, [sys.executable, "-m", "tasksync", "--vault", str(vault), "accept", dana],
        os.environ)  # fmt: skip
    assert code == 0, stderr
    assert "waiting for pid" in stderr, "the second writer did not wait"
    assert (vault / "n.md").read_text() == "- [ ] Call Dana\n"
    with vault_lock(vault, "after"):  # released: taken at once
        pass


def test_writers_with_other_state_folders_wait_too(make_vault, tmp_path):
    """The lock was a file in the user's state folder only: another user of a shared vault
    (or a cron job with its own XDG_STATE_HOME) wrote beside a batch, and lost its change."""
    vault = make_vault({"n.md": "- [?] Call Dana #proposed\n"})
    [dana] = ids_where(vault, lambda t: True)
    holder = hold_the_lock(vault, {**os.environ, "XDG_STATE_HOME": str(tmp_path / "one")})
    code, stderr = run_while_locked(
        holder, [sys.executable, "-m", "tasksync", "--vault", str(vault), "accept", dana],
        {**os.environ, "XDG_STATE_HOME": str(tmp_path / "other")})  # fmt: skip
    assert code == 0, stderr
    assert "waiting for another tasksync" in stderr, "the second writer did not wait"


def test_only_the_newest_batches_keep_whole_notes_and_older_ones_still_undo(make_vault, tmp_path):
    from tasksync.index import journal

    # completing a recurring task adds a line: its note's old bytes are journaled whole
    text = "".join(f"- [ ] water plant {i} 🔁 every day 📅 2026-01-01\n" for i in range(25))
    vault = make_vault({"n.md": text})
    ids = ids_where(vault, lambda t: True)
    for key in ids:
        assert run(vault, "done", key).exit_code == 0
    conn = sqlite3.connect(os.environ["TASKSYNC_DB"])
    kept = conn.execute("SELECT count(*) FROM batch_notes WHERE before_content IS NOT NULL")
    assert kept.fetchone()[0] == journal.KEPT_ORIGINALS
    conn.close()
    for _ in ids:  # the oldest five are undone line by line
        assert run(vault, "undo").exit_code == 0
    assert (vault / "n.md").read_text(encoding="utf-8") == text


NOTES_OF_EVERY_SHAPE = {
    "crlf.md": b"# Notes\r\n- [?] call the vendor #proposed\r\n- [?] book the hall\r\n",
    "bom.md": b"\xef\xbb\xbf- [?] call the vendor #proposed\n",
    "open end.md": "- [ ] a\n- [?] call the vendor \U0001f4c5 2026-01-02".encode(),
    "mojibake.md": "- [?] call the vendor \u00f0\u0178\u201c\u2026 2026-01-02\n".encode(),
    "cp1252.md": "- [?] caf\u00e9 order \u2014 call the vendor\n".encode("cp1252"),
    "bom cp1252.md": b"\xef\xbb\xbf" + "caf\u00e9\n- [?] call the vendor\n".encode("cp1252"),
}


def test_a_bom_before_windows_1252_text_is_kept(make_vault):
    """A BOM before text that is not UTF-8 (read as Windows-1252) was dropped by a rewrite."""
    vault = make_vault({"n.md": NOTES_OF_EVERY_SHAPE["bom cp1252.md"]})
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    assert (vault / "n.md").read_bytes() == \
        b"\xef\xbb\xbf" + "caf\u00e9\n- [ ] call the vendor\n".encode("cp1252")  # fmt: skip


def test_one_line_changes_journal_lines_not_whole_notes_and_undo_gives_back_every_byte(
    make_vault,
):
    """A batch of a few notes whose changes undo line for line to the very bytes before
    (checked when journaled) keeps no copy of the notes: one accept in a note of 1 MB
    journals a line; a note in another encoding is kept whole (a ✅ written into a cp1252
    note does not read back as written). Undo then restores every byte, whatever the
    note's shape."""
    vault = make_vault(NOTES_OF_EVERY_SHAPE)
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    assert run(vault, "done", *ids_where(vault, lambda t: t["status"] == " ")).exit_code == 0
    for rel, data in NOTES_OF_EVERY_SHAPE.items():
        assert (vault / rel).read_bytes() != data
    conn = sqlite3.connect(os.environ["TASKSYNC_DB"])
    kept = conn.execute("SELECT count(*), count(before_content) FROM batch_notes").fetchone()
    conn.close()
    assert kept == (2 * len(NOTES_OF_EVERY_SHAPE), 4)  # the cp1252 notes: kept whole
    for _ in range(2):
        undone = run(vault, "undo")
        assert undone.exit_code == 0, (undone.output, undone.stderr)
    for rel, data in NOTES_OF_EVERY_SHAPE.items():
        assert (vault / rel).read_bytes() == data, rel


def test_a_sink_gets_every_change_as_written_and_undo_reads_the_journal_note_by_note(
    make_vault, tmp_path
):
    """The CLI prints each change as its note is written (a batch of 150,000 changes is not
    held twice); the sink sees what ``changes`` would hold, in the same order, and an undo
    fed one note's changes at a time restores every byte."""
    notes = {f"n{i}.md": "".join(f"- [?] task {i}.{j} #proposed\n" for j in range(3))
             for i in range(4)}  # fmt: skip
    vault = make_vault(notes)
    accept = lambda t: (t.raw.replace("[?]", "[ ]"),)  # noqa: E731
    runs = []
    for sink in (None, []):
        with Store(tmp_path / f"{sink is None}.sqlite") as store:
            sync(vault, store, StatusTable())
            targets = targets_of(store, (r for r in store.records() if r["status"] == "?"))
            outcome = run_batch(vault, store, StatusTable(), "accept", targets, accept, False,
                                sink=None if sink is None else sink.append)  # fmt: skip
            assert (outcome.changed, outcome.notes) == (12, 4)
            given = outcome.changes if sink is None else sink
            assert sink is None or outcome.changes == []
            undone: list = []
            back = undo_last(vault, store, StatusTable(), sink=None if sink is None
                             else undone.append)  # fmt: skip
            assert back.restored == 12
            assert back.problems == []
            assert all((vault / n).read_text() == text for n, text in notes.items())
            runs.append((given, back.reverted if sink is None else undone))
    assert runs[0] == runs[1]
    assert [(c.path, c.line) for c in runs[0][0]] == sorted((c.path, c.line) for c in runs[0][0])


def test_accept_prints_each_task_then_the_summary(make_vault):
    vault = make_vault({"a.md": "- [?] One #proposed\n- [?] Two #proposed\n",
                        "b.md": "- [?] Three #proposed\n"})  # fmt: skip
    result = run(vault, "accept", "--all-proposed")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split("  ", 1)[1] for line in lines[:3]] == [
        "One  (a.md:1)", "Two  (a.md:2)", "Three  (b.md:1)"]  # fmt: skip
    assert lines[3] == "3 tasks accepted in 2 notes"
    result = run(vault, "undo")
    lines = result.stdout.splitlines()
    assert lines[:3] == ["a.md:1", "a.md:2", "b.md:1"]
    assert lines[3].startswith("undid `accept")
    assert lines[3].endswith(": 3 line(s) restored")


def test_twins_are_counted_as_ids_are_made_casefolded_and_by_their_id(make_vault, tmp_path):
    # A target's twin count is how many tasks of its note have what its id is made of: the
    # 🆔 when it has one, else the description casefolded (Straße and STRASSE are twins).
    vault = make_vault({"n.md": "- [?] Call Straße\n- [?] call STRASSE\n- [?] Call Bob\n"
                                "- [?] x 🆔 a1\n- [?] y 🆔 a1\n- [?] Call Bob 🆔 b2\n",
                        "m.md": "- [?] Call Bob\n"})  # fmt: skip
    with Store(tmp_path / "i.sqlite") as store:
        sync(vault, store, StatusTable())
        targets = targets_of(store, store.records())
    twins = {(t.path, t.raw): t.twins for t in targets}
    assert twins == {
        ("n.md", "- [?] Call Straße"): 2, ("n.md", "- [?] call STRASSE"): 2,
        ("n.md", "- [?] Call Bob"): 1, ("n.md", "- [?] x 🆔 a1"): 2,
        ("n.md", "- [?] y 🆔 a1"): 2, ("n.md", "- [?] Call Bob 🆔 b2"): 1,
        ("m.md", "- [?] Call Bob"): 1,
    }  # fmt: skip


def test_an_add_cut_short_leaves_no_folder_it_made(make_vault, tmp_path, monkeypatch):
    vault = make_vault({"a.md": "- [ ] x\n"})
    monkeypatch.setattr(files, "os", _RenameInterrupted())
    for rename in ("rename_new", "exchange"):  # Linux's renameat2, where it is used
        monkeypatch.setattr(files, rename, _RenameInterrupted.replace)
    with Store(tmp_path / "i.sqlite") as store:
        sync(vault, store, StatusTable())
        with pytest.raises(KeyboardInterrupt):
            actions.append_lines(vault, store, StatusTable(), "add", "New/Deep/n.md",
                                 ("- [ ] captured",))  # fmt: skip
    assert sorted(str(p.relative_to(vault)) for p in vault.rglob("*")) == ["a.md"]


class _RenameInterrupted:
    """``os`` for files.py, but Ctrl-C arrives when a staged file is to be renamed."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def replace(*_args):
        raise KeyboardInterrupt


def test_a_note_written_then_edited_before_recovery_is_still_undone(make_vault, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    # Killed after its renames, before the journal marked them: then an editor (or a sync
    # tool) changes the note before the next command. Recovery must still count the note
    # as written — its lines are tasksync's — so that undo reverts them, keeping the edit.
    notes = {f"n{i}.md": f"- [?] task {i} #proposed\n- [ ] other {i}\n" for i in range(3)}
    vault = make_vault(notes)
    outcome = _killed_then_edited_then_undone(
        vault, tmp_path, monkeypatch, Store, "notes_written", "- [ ] added in the editor\n"
    )
    assert outcome.problems == []
    for name, text in notes.items():
        assert (vault / name).read_text() == text + "- [ ] added in the editor\n"


def _killed(*_args):
    raise KeyboardInterrupt


def _killed_then_edited_then_undone(vault, tmp_path, monkeypatch, where, name, appended):
    """An accept of every proposal killed at ``where.name`` (nothing settled after it), then
    ``appended`` added to every note by an editor, then undo: its outcome."""
    with Store(tmp_path / "i.sqlite") as store:
        sync(vault, store, StatusTable())
        targets = targets_of(store, [r for r in store.records() if r["status"] == "?"])
        monkeypatch.setattr(where, name, _killed)
        monkeypatch.setattr(actions, "_settle", lambda *_args: 0)  # killed: nothing settles
        with pytest.raises(KeyboardInterrupt):
            run_batch(vault, store, StatusTable(), "accept", targets,
                      lambda t: (t.raw.replace("[?]", "[ ]").replace(" #proposed", ""),),
                      dry_run=False)  # fmt: skip
        monkeypatch.undo()
        for note in vault.glob("*.md"):
            with note.open("a", encoding="utf-8") as handle:
                handle.write(appended)
        return undo_last(vault, store, StatusTable())


TWINNED = "# Calls\n- [?] call bob #proposed\n\n## Older\n- [ ] call bob\n"


def test_undo_does_not_revert_a_twin_the_user_had_all_along(make_vault):
    """The accepted line edited since, undo took the user's own identical to-do further down
    for it (the one other place holding the written text) and made it a proposal."""
    vault = make_vault({"a.md": TWINNED})
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    note = vault / "a.md"
    edited = note.read_text().replace("- [ ] call bob\n", "- [ ] call bob 📅 2026-12-05\n", 1)
    note.write_text(edited)
    undone = run(vault, "undo")
    assert "a.md:2 changed since; left as it is" in undone.stderr
    assert note.read_text() == edited


def test_a_note_killed_before_its_write_is_not_taken_for_a_twin(make_vault, tmp_path,
                                                                 monkeypatch):  # fmt: skip
    """Killed before the note was written, then edited: recovery took the user's identical
    to-do for the line the batch would have written, and undo made it a proposal."""
    vault = make_vault({"a.md": TWINNED})
    outcome = _killed_then_edited_then_undone(
        vault, tmp_path, monkeypatch, writeback, "stage", "- [ ] typed meanwhile\n"
    )
    assert outcome.restored == 0
    assert (vault / "a.md").read_text() == TWINNED + "- [ ] typed meanwhile\n"


def test_a_note_not_written_then_edited_before_recovery_is_left_alone(make_vault, tmp_path,
                                                                      monkeypatch):  # fmt: skip
    notes = {f"n{i}.md": f"- [?] task {i} #proposed\n" for i in range(3)}
    vault = make_vault(notes)
    # killed before any rename; the editor even adds a line like the batch's
    _killed_then_edited_then_undone(
        vault, tmp_path, monkeypatch, writeback, "stage", "- [ ] task 9\n"
    )
    for name, text in notes.items():
        assert (vault / name).read_text() == text + "- [ ] task 9\n"


@pytest.mark.parametrize(("line", "accepted"), [
    ("- [?] Eta\t#proposed\t#auto", "- [ ] Eta\t#auto"),
    ("- [?] Eta #proposed\t#auto", "- [ ] Eta\t#auto"),
    ("- [?] Eta #proposed #auto", "- [ ] Eta #auto"),
    ("- [?] Zeta\t#proposed", "- [ ] Zeta"),  # a tab before the last tag stayed, trailing
    ("- [?] Theta\t#proposed #auto", "- [ ] Theta #auto"),
])  # fmt: skip
def test_accept_removes_a_triage_tag_followed_by_a_tab(line, accepted):
    """The plugin's tag runs on through a tab (`#proposed<tab>`): accept left it there."""
    from tasksync.write import edits

    task = parse_line(line)
    assert task is not None
    assert edits.accepted_line(task, StatusTable()) == accepted
    assert "proposed" not in edits.accept(task, StatusTable()).raw


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_undo_puts_back_a_task_done_with_delete_after_an_edit_elsewhere(make_vault, newline):
    """`done` on a `🏁 delete` task removes its line; one line added elsewhere in the note,
    and undo said "every line it wrote has changed since", closed the batch and the task was
    gone for good (the journal held the note's bytes). In a CRLF note the line put back
    lacked its CR."""
    text = "# Errands\n- [ ] renew passport 📅 2026-12-01 🏁 delete\n- [ ] buy milk\n"
    vault = make_vault({"a.md": text.replace("\n", newline).encode()})
    note = vault / "a.md"
    [passport] = ids_where(vault, lambda t: t["description"] == "renew passport")
    assert run(vault, "done", passport).exit_code == 0
    assert b"passport" not in note.read_bytes()
    note.write_bytes(note.read_bytes() + f"- [ ] added in Obsidian{newline}".encode())
    undone = run(vault, "undo")
    assert undone.exit_code == 0, undone.stderr
    assert note.read_bytes() == (text + "- [ ] added in Obsidian\n").replace("\n", newline).encode()


ONCE = "- [ ] Once 🏁 delete"


@pytest.mark.parametrize(
    ("text", "edit", "expected"),
    [
        (f"# Shopping\n\n- [ ] Buy milk\n{ONCE}\n- [ ] Buy milk\n\nNotes\n",
         lambda t: t + "typed later\n",
         f"# Shopping\n\n- [ ] Buy milk\n{ONCE}\n- [ ] Buy milk\n\nNotes\ntyped later\n"),
        (f"# Plan\n\n{ONCE}\n\n## Next\n\n", lambda t: "top\n" + t,
         f"top\n# Plan\n\n{ONCE}\n\n## Next\n\n"),
        (ONCE, lambda t: t + "typed", f"{ONCE}\ntyped"),
    ],
    ids=["between-twins", "between-blank-lines", "the-whole-note"],
)  # fmt: skip
def test_undo_puts_back_a_deleted_line_no_unique_neighbour_places(make_vault, text, edit,
                                                                   expected):  # fmt: skip
    """The line above and below the removed task were twins or blank lines (found more
    than once): undo after any edit elsewhere said "changed since", closed the batch, and
    the task was gone for good. The note as written is matched to the note now instead."""
    vault = make_vault({"a.md": text})
    note = vault / "a.md"
    [once] = ids_where(vault, lambda t: t["description"] == "Once")
    assert run(vault, "done", once).exit_code == 0
    assert "Once" not in note.read_text()
    note.write_text(edit(note.read_text()))
    undone = run(vault, "undo")
    assert undone.exit_code == 0, undone.stderr
    assert note.read_text() == expected


@pytest.mark.parametrize("ending", ["\n", ""], ids=["final-newline", "no-final-newline"])
def test_a_dry_run_diff_applies_with_git_to_give_what_the_command_writes(make_vault, tmp_path,
                                                                         ending):  # fmt: skip
    """The diff had a blank context line for the empty string after the last newline (and no
    "No newline at end of file" marker): `git apply` refused it."""
    notes = {"a.md": "# A\n- [?] one #proposed\n- [ ] two\n- [?] three #proposed" + ending,
             "b.md": "- [?] four #proposed" + ending}  # fmt: skip
    vault = make_vault(notes)
    copy = tmp_path / "copy"
    copy.mkdir()
    for rel, text in notes.items():
        (copy / rel).write_text(text, encoding="utf-8")
    result = run(vault, "--today", "2026-12-03", "reject", "--all-proposed", "--dry-run")
    assert result.exit_code == 0, result.output
    patch = result.stdout[: result.stdout.rindex("\n", 0, len(result.stdout) - 1) + 1]
    applied = subprocess.run(["git", "apply", "--unsafe-paths", "-"], input=patch, cwd=copy,
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert applied.returncode == 0, f"{applied.stderr}\n{patch}"
    assert run(vault, "--today", "2026-12-03", "reject", "--all-proposed").exit_code == 0
    for rel in notes:
        assert (copy / rel).read_bytes() == (vault / rel).read_bytes(), rel


@pytest.mark.parametrize(
    ("line", "symbol", "expected"),
    [
        ("- [ ] water 🔁 every week 📅 2026-11-20", "x",
         "- [ ] water 🔁 every week 📅 2026-11-27\n"
         "- [x] water 🔁 every week 📅 2026-11-20 ✅ {today}"),
        ("- [ ] pay 📅 2026-11-20", "x", "- [x] pay 📅 2026-11-20 ✅ {today}"),
        ("- [ ] pay 📅 2026-11-20", "-", "- [-] pay 📅 2026-11-20 ❌ {today}"),
        ("- [x] pay 📅 2026-11-20 ✅ 2026-11-01", " ", "- [ ] pay 📅 2026-11-20"),
        ("- [/] pay 📅 2026-11-20", " ", "- [ ] pay 📅 2026-11-20"),
        ("- [ ] once 🏁 delete", "x", ""),
        # a ✅ or ❌ left on a line that was not done (reopened by hand): today's date, as the
        # plugin (only DONE -> DONE keeps the old date)
        ("- [ ] pay 📅 2026-11-20 ✅ 2025-06-01", "x", "- [x] pay 📅 2026-11-20 ✅ {today}"),
        ("- [ ] pay ❌ 2025-06-01", "-", "- [-] pay ❌ {today}"),
        ("- [x] pay ✅ 2025-06-01", "X", "- [X] pay"),  # `X`: unknown, so a TODO
        ("- [/] pay [completion:: 2025-06-01]", "x", "- [x] pay [completion:: {today}]"),
    ],
    ids=["recurring-done", "done", "cancelled", "reopened", "started-to-todo", "delete-on-done",
         "stale-done-date", "stale-cancelled-date", "done-to-unknown", "stale-dataview-date"],
)  # fmt: skip
def test_set_status_changes_the_status_as_obsidian_does(make_vault, line, symbol, expected):
    """`set --status x` on a recurring task wrote `[x]` alone: no ✅, no next occurrence (the
    repetition was lost), where `done` and the plugin's status change add both."""
    vault = make_vault({"n.md": f"# N\n{line}\n"})
    [task] = listed(vault, "--status", "all")
    result = run(vault, "set", task["id"], "--status", symbol)
    assert result.exit_code == 0, result.output
    body = expected.format(today=TODAY)
    assert (vault / "n.md").read_text(encoding="utf-8") == "# N\n" + (body + "\n" if body else "")


def test_repair_leaves_a_windows_1252_note_holding_an_emoji_tasksync_wrote_as_it_is(make_vault):
    """A 📅 tasksync wrote into a Windows-1252 note is UTF-8 bytes among cp1252 ones (as the
    README says); read with the note, those bytes look mis-encoded, but repairing them would
    write the same bytes: `repair` said it repaired a task, and journaled it, every run."""
    vault = make_vault({"n.md": "- [ ] caf\u00e9 task\n".encode("cp1252")})
    (key,) = ids_where(vault, lambda t: True)
    assert run(vault, "set", key, "--due", "2026-12-01").exit_code == 0
    written = (vault / "n.md").read_bytes()
    assert written == "- [ ] caf\u00e9 task ".encode("cp1252") + "📅 2026-12-01\n".encode()
    for _ in range(2):
        repaired = run(vault, "repair")
        assert repaired.exit_code == 0, repaired.output
        assert repaired.stdout.startswith("0 tasks repaired"), repaired.stdout
    assert (vault / "n.md").read_bytes() == written
    assert "repair" not in run(vault, "log").stdout
