"""The index: incremental, stable, disposable, safe with two writers (real SQLite files)."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tasksync.cli.main import cli
from tasksync.index.journal import json_lines
from tasksync.index.store import SCHEMA_VERSION, IdError, Store
from tasksync.index.sync import sync
from tasksync.model import StatusTable, Task
from tasksync.read.notes import scan_text
from tasksync.read.records import write_json_array
from tests.test_roundtrip import bodies


def scan(vault: Path, db: Path, progress=None):
    with Store(db) as store:
        report = sync(vault, store, StatusTable(), progress)
        records = store.records()
    return report, {(r["path"], r["description"]): r for r in records}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "idx" / "index.sqlite"


def test_cold_then_no_change_then_one_change(make_vault, db):
    vault = make_vault({"a.md": "- [ ] one\n- [ ] two\n", "b/c.md": "- [x] three ✅ 2025-01-02\n"})
    report, tasks = scan(vault, db)
    assert (report.notes, report.read, report.parsed) == (2, 2, 2)
    assert len(tasks) == 3
    report, again = scan(vault, db)
    assert (report.read, report.parsed) == (0, 0)
    assert again == tasks
    (vault / "a.md").write_text("- [ ] one\n- [ ] two\n- [/] four\n")
    report, tasks = scan(vault, db)
    assert (report.read, report.parsed) == (1, 1)
    assert tasks[("a.md", "four")]["status_type"] == "IN_PROGRESS"


def test_unchanged_notes_are_not_read(make_vault, db):
    vault = make_vault({"a.md": "- [ ] apples\n"})
    scan(vault, db)
    note = vault / "a.md"
    stat = note.stat()
    note.write_text("- [ ] prunes\n")  # same size
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _, tasks = scan(vault, db)
    assert list(tasks) == [("a.md", "apples")]  # stat unchanged: the file was not read


def test_touched_but_identical_note_is_hashed_not_reparsed(make_vault, db):
    vault = make_vault({"a.md": "- [ ] apples\n"})
    scan(vault, db)
    os.utime(vault / "a.md", ns=(1, 1_000_000_000))
    report, _ = scan(vault, db)
    assert (report.read, report.parsed) == (1, 0)
    report, _ = scan(vault, db)
    assert report.read == 0  # the new mtime was recorded


def test_delete_and_rename_notes(make_vault, db):
    vault = make_vault({"a.md": "- [ ] one\n", "b.md": "- [ ] two\n"})
    scan(vault, db)
    (vault / "a.md").unlink()
    (vault / "b.md").rename(vault / "c.md")
    report, tasks = scan(vault, db)
    assert report.deleted == 2
    assert list(tasks) == [("c.md", "two")]


def test_ids_stable_when_lines_move_and_fields_change(make_vault, db):
    vault = make_vault({"n.md": "# Week\n- [?] Call Dana @Dana 📅 2025-01-02 #proposed\n"
                                "- [ ] Buy seeds\n"})  # fmt: skip
    _, before = scan(vault, db)
    (vault / "n.md").write_text(
        "# Week\n\nSome new text above.\n\n- [ ] Buy seeds ⏫\n"
        "- [x] Call Dana @Dana Whitfield 📅 2025-03-04 ✅ 2025-01-05\n"
    )
    _, after = scan(vault, db)
    assert after[("n.md", "Buy seeds")]["id"] == before[("n.md", "Buy seeds")]["id"]
    assert after[("n.md", "Call Dana")]["id"] == before[("n.md", "Call Dana")]["id"]
    assert after[("n.md", "Call Dana")]["line"] == 6


def test_duplicate_descriptions_get_distinct_stable_ids(make_vault, db):
    vault = make_vault({"n.md": "- [ ] same\n- [ ] same\n"})
    with Store(db) as store:
        sync(vault, store, StatusTable())
        ids = [r["id"] for r in store.records()]
    assert len(set(ids)) == 2


def test_id_prefixes_resolve_like_git(make_vault, db):
    vault = make_vault({"n.md": "".join(f"- [ ] task {i}\n" for i in range(40))})
    with Store(db) as store:
        sync(vault, store, StatusTable())
        ids = [r["id"] for r in store.records()]
        full = ids[0]
        assert store.resolve_id(full[:8]) == full
        assert store.resolve_id(full.upper()) == full
        shared = next(p for p in "0123456789abcdef" if sum(i.startswith(p) for i in ids) > 1)
        with pytest.raises(IdError, match="ambiguous"):
            store.resolve_id(shared)
        with pytest.raises(IdError, match="no task with id"):
            store.resolve_id("ffffffffffff"[: len(full)] if full[0] != "f" else "000000000000")
        with pytest.raises(IdError, match="not a task id"):
            store.resolve_id("xyz")


def test_show_accepts_a_prefix_and_rejects_an_ambiguous_one(example_vault):
    listed = json.loads(CliRunner().invoke(cli, ["--vault", str(example_vault), "list",
                                                 "--json"]).stdout)  # fmt: skip
    target = listed[0]
    result = CliRunner().invoke(cli, ["--vault", str(example_vault), "show", target["id"][:7],
                                      "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == target
    bad = CliRunner().invoke(cli, ["--vault", str(example_vault), "show", "zz"])
    assert bad.exit_code != 0
    assert bad.stderr.startswith("error: not a task id")


def test_deleting_the_index_is_harmless(example_vault, db):
    _, first = scan(example_vault, db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    report, second = scan(example_vault, db)
    assert report.parsed == report.notes
    assert second == first


def test_schema_change_rebuilds(example_vault, db):
    _, first = scan(example_vault, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION - 1,))
    conn.execute("DELETE FROM tasks")
    conn.commit()
    conn.close()
    report, second = scan(example_vault, db)
    assert report.parsed == report.notes
    assert second == first


def test_a_missing_id_index_is_built_by_the_next_sync_and_a_clash_gets_another_id(make_vault, db):
    """A scan that loads most of the vault drops the id index and builds it at its end; one
    cut short leaves it missing: the next sync builds it, even with no note to read, and a
    task whose id another took first (a clash no index caught) gets another."""
    vault = make_vault({"a.md": "- [ ] one\n- [ ] two\n", "b.md": "- [ ] three\n"})
    _, first = scan(vault, db)
    conn = sqlite3.connect(db)
    conn.execute("DROP INDEX tasks_by_id")
    taken = first[("a.md", "one")]["id"]
    conn.execute("UPDATE tasks SET id = ? WHERE path = 'b.md'", (taken,))
    conn.commit()
    conn.close()
    report, second = scan(vault, db)
    assert report.read == 0
    assert second[("a.md", "one")]["id"] == taken
    assert second[("b.md", "three")]["id"] not in {taken, first[("b.md", "three")]["id"]}
    assert len({r["id"] for r in second.values()}) == 3
    with Store(db) as store:
        assert store.has_id_index()


def test_corrupt_index_is_a_clear_error(make_vault, db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    vault = make_vault({"a.md": "- [ ] x\n"})
    result = CliRunner().invoke(cli, ["--vault", str(vault), "--db", str(db), "list"])
    assert result.exit_code != 0
    assert result.stderr.startswith("error: cannot open the index")
    assert "Traceback" not in result.output


def test_note_vanishing_mid_scan(make_vault, db):
    vault = make_vault({f"n{i}.md": f"- [ ] task {i}\n" for i in range(5)})

    def vanish(done: int, total: int) -> None:
        if done == 1:
            (vault / "n3.md").unlink()
            (vault / "n4.md").unlink()
            (vault / "n4.md").mkdir()  # replaced by a folder

    report, tasks = scan(vault, db, vanish)
    assert sorted(p for p, _ in tasks) == ["n0.md", "n1.md", "n2.md"]
    assert len(report.warnings) == 2
    assert all(w.startswith("skipped n") for w in report.warnings)
    report, tasks = scan(vault, db)
    assert sorted(p for p, _ in tasks) == ["n0.md", "n1.md", "n2.md"]


def test_non_utf8_note_survives_in_the_index(make_vault, db):
    line = "- [ ] caf\u00e9 \U0001f4c5 2025-01-02\n"
    vault = make_vault({"old.md": line.encode("cp1252", errors="ignore")})
    report, tasks = scan(vault, db)
    assert report.warnings == ["old.md is not UTF-8; read as cp1252"]
    assert tasks[("old.md", "café 2025-01-02")]["raw"] == "- [ ] café  2025-01-02"


def test_two_processes_scanning_at_once_leave_a_sound_index(make_vault, db):
    note = "".join(f"- [ ] task {{i}}.{j} 📅 2025-01-0{1 + j % 9}\n" for j in range(20))
    vault = make_vault({f"d{i % 7}/n{i}.md": note.format(i=i) for i in range(400)})
    code = (
        "import sys; from pathlib import Path; from tasksync.index.store import Store;"
        "from tasksync.index.sync import sync; from tasksync.model import StatusTable;"
        "s = Store(Path(sys.argv[2])); sync(Path(sys.argv[1]), s, StatusTable()); s.close()"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(vault), str(db)],
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]  # fmt: skip
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT count(*) FROM tasks").fetchone() == (8000,)
    assert conn.execute("SELECT count(*) FROM notes").fetchone() == (400,)
    conn.close()


@pytest.mark.parametrize("count", [3, 320], ids=["in-process", "worker-processes"])
def test_incremental_index_equals_a_fresh_one(make_vault, tmp_path, count):
    body = (
        "# H\n- [?] Call @Dana 📅 2025-01-02 #proposed\n- [ ] same\n- [ ] same\n"
        "- [x] done ✅ 2025-01-01\n"
    )
    vault = make_vault({f"n{i:03d}.md": body for i in range(count)})
    db = tmp_path / "incremental.sqlite"
    scan(vault, db)
    for i in range(count):  # lines move, one task changes, one is added
        note = vault / f"n{i:03d}.md"
        note.write_text("New line\n\n" + body.replace("[?] Call", "[ ] Call") + "- [ ] extra\n")
    report, incremental = scan(vault, db)
    assert report.parsed == count
    _, fresh = scan(vault, tmp_path / "fresh.sqlite")
    assert incremental == fresh
    assert incremental[("n000.md", "Call")]["line"] == 4


_AWKWARD = st.sampled_from(['"', "\\", "\x01", "\x1f", "\u2028", "\x85", "é", "🔺", "\t", "/"])
_BODY = st.lists(st.one_of(bodies, _AWKWARD, _AWKWARD.map(lambda c: f" #t{c}x")), max_size=6)


def _expected(task: Task, path: str, line: int, heading: str | None) -> dict[str, object]:
    """The contract's record of a task, stated from the ``Task`` the line parses to."""

    def iso(day: date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "path": path, "line": line, "status": task.status,
        "status_type": task.status_type.value, "description": task.description,
        "owner": task.owner, "tags": list(task.tags), "priority": task.priority.value,
        "due": iso(task.due), "scheduled": iso(task.scheduled), "start": iso(task.start),
        "created": iso(task.created), "done": iso(task.done), "cancelled": iso(task.cancelled),
        "recurrence": task.recurrence, "task_id": task.task_id,
        "depends_on": list(task.depends_on), "on_completion": task.on_completion,
        "block_link": task.block_link, "heading": heading, "problems": list(task.problems),
        "raw": task.render(),
    }  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(_BODY.map("".join), min_size=1, max_size=6))
def test_listed_records_are_what_each_line_says(line_bodies):
    """Whatever a line holds (quotes, backslashes, control characters, emoji, tags), the index's
    JSON and its rows both give back exactly the record the line parses to."""
    lines = [f"- [ ] {body}".replace("\n", " ").replace("\r", " ") for body in line_bodies]
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "v"
        vault.mkdir()
        text = "# Head\n" + "\n".join(lines)
        (vault / "n.md").write_text(text, encoding="utf-8", newline="")
        with Store(Path(tmp) / "i.sqlite") as store:
            sync(vault, store, StatusTable())
            out = io.StringIO()
            write_json_array((text for _, _, text in store.records_as_json()), out)
            listed = json.loads(out.getvalue())
            rows = store.records()
    expected = [_expected(t.task, "n.md", t.line, t.heading) for t in scan_text(text)]
    # the plugin's own wordings are checked by their own tests (test_query_*, test_parse_*)
    skipped = ("id", "plugin_description", "recurrence_text")
    assert [{k: v for k, v in r.items() if k not in skipped} for r in listed] == expected
    assert rows == listed
    assert len({r["id"] for r in listed}) == len(listed)


def test_a_scan_killed_midway_leaves_a_sound_index_and_the_next_one_finishes(make_vault, db):
    note = "".join(f"- [ ] task {{i}}.{j} 📅 2025-01-0{1 + j % 9}\n" for j in range(25))
    vault = make_vault({f"d{i % 5}/n{i}.md": note.format(i=i) for i in range(600)})
    db.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "tasksync", "--vault", str(vault), "--db",
                             str(db), "scan"], stdout=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    written = 0
    while written == 0 and time.monotonic() < deadline:  # kill it once some notes are in
        time.sleep(0.005)
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                written = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        except sqlite3.OperationalError:
            continue  # not created yet
    os.killpg(proc.pid, signal.SIGKILL)  # the scan and its worker processes
    proc.wait()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        notes = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
        tasks = conn.execute("SELECT count(*) FROM tasks").fetchone()[0]
    assert 0 < notes < 600, "the scan was not cut in the middle"
    assert tasks == 25 * notes  # every note written is whole
    report, indexed = scan(vault, db)
    assert report.read == 600 - notes
    assert len(indexed) == 600 * 25
    assert len({r["id"] for r in indexed.values()}) == 600 * 25
    with Store(db) as store:
        assert store.has_id_index()


def test_a_new_index_held_by_another_process_is_waited_for_not_refused(tmp_path):
    """Two tasksync started together on a new index: the one that finds the file held while
    it switches it to WAL waits its turn (SQLite answers "locked" there without waiting)."""
    db = tmp_path / "i.sqlite"
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    opened: list[object] = []

    def open_index() -> None:
        try:
            Store(db).close()
            opened.append("ok")
        except Exception as exc:
            opened.append(exc)

    thread = threading.Thread(target=open_index)
    thread.start()
    time.sleep(0.5)
    other.execute("COMMIT")
    thread.join(timeout=30)
    assert opened == ["ok"]
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone() == ("wal",)


@given(st.lists(st.text()))
def test_the_journal_writes_lines_as_json_would(lines):
    # Undo reads these back with json.loads: the fast encoder must say exactly what
    # json.dumps says, whatever a line holds (quotes, backslashes, controls, surrogates).
    assert json_lines(lines) == json.dumps(lines, ensure_ascii=False)
    assert json.loads(json_lines(lines)) == lines


def test_a_journal_of_the_schema_before_gains_its_new_column_and_undo_works(make_vault, db):
    """Schema 13 journals whether a changed line was twinned: an index of schema 12 (its
    journal without that column) called itself damaged at the next batch."""
    vault = make_vault({"a.md": "- [?] one #proposed\n- [ ] two\n"})
    base = ["--vault", str(vault), "--db", str(db)]
    assert CliRunner().invoke(cli, [*base, "accept", "--all-proposed"]).exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE changes DROP COLUMN twinned")
    conn.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    again = CliRunner().invoke(cli, [*base, "undo"])
    assert again.exit_code == 0, again.output
    assert (vault / "a.md").read_text() == "- [?] one #proposed\n- [ ] two\n"
    [record] = [
        r
        for r in json.loads(CliRunner().invoke(cli, [*base, "list", "--json"]).stdout)
        if r["description"] == "two"
    ]
    assert CliRunner().invoke(cli, [*base, "done", record["id"]]).exit_code == 0


def test_an_ambiguous_id_is_told_with_digits_enough_to_pick_one(make_vault, db):
    """Two ids alike in their first 8 digits (the ones `list` and `dupes` print): the error
    listed `99e80a07 'Send…', 99e80a07 'Water…'`, no id the user could type to pick one."""
    vault = make_vault({"n.md": "- [ ] Send the deck\n- [ ] Water the seedlings\n"})
    with Store(db) as store:
        sync(vault, store, StatusTable())
        with store.write():
            store.conn.execute("UPDATE tasks SET id = '99e80a07' || substr(id, 9)")
        ids = [r["id"] for r in store.records()]
        with pytest.raises(IdError) as raised:
            store.resolve_id("99e80a07")
    words = str(raised.value).replace(",", " ").split()
    for full in ids:
        shown = [word for word in words if len(word) >= 8 and full.startswith(word)]
        assert any(sum(other.startswith(word) for other in ids) == 1 for word in shown), words
