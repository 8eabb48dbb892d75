"""Writing from real processes: parallel writers lose no edit, a killed batch is undoable.

Every test here starts ``python -m tasksync`` processes, as a user (or a script, or the TUI
beside a terminal) would, and looks at what is on disk afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

TODAY = "2026-11-22"
NOTES = 1500  # enough that a cold scan uses worker processes and a batch takes a while


def command(vault: Path, db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "tasksync", "--vault", str(vault), "--db", str(db),
            "--today", TODAY, *args]  # fmt: skip


def env(db: Path) -> dict[str, str]:
    return {**os.environ, "TASKSYNC_DB": str(db)}


def tasksync(vault: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(vault, db, *args), env=env(db), capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


def start(vault: Path, db: Path, *args: str, **popen) -> subprocess.Popen[str]:
    return subprocess.Popen(command(vault, db, *args), env=env(db), text=True, **popen)


def task_ids(vault: Path, db: Path) -> list[str]:
    listed = tasksync(vault, db, "list", "--status", "all", "--json")
    assert listed.returncode == 0, listed.stderr
    return [t["id"] for t in sorted(json.loads(listed.stdout), key=lambda t: t["line"])]


def snapshot(vault: Path) -> dict[str, bytes]:
    """Every note of the vault, by path."""
    return {str(p.relative_to(vault)): p.read_bytes() for p in vault.rglob("*.md")}


def temp_files(vault: Path) -> list[str]:
    return sorted(str(p.relative_to(vault)) for p in vault.rglob(".*.tasksync"))


# -- parallel writers ---------------------------------------------------------------------

PARALLEL_NOTE = "# Week\n" + "".join(f"- [ ] task {n} 📅 2026-12-0{n}\n" for n in range(1, 6))
TRIALS = 8


def _parallel(tmp_path: Path, args_of, check_line, text: str = PARALLEL_NOTE) -> None:
    for trial in range(TRIALS):
        vault, db = tmp_path / f"vault{trial}", tmp_path / f"index{trial}.sqlite"
        vault.mkdir()
        note = vault / "week.md"
        note.write_bytes(text.encode())
        ids = task_ids(vault, db)
        assert len(ids) == 5
        procs = [start(vault, db, *args_of(task), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for task in ids]  # fmt: skip
        results = [(p.communicate(timeout=120), p.returncode) for p in procs]
        for (_, err), code in results:
            assert code == 0, f"trial {trial}: a writer failed: {err}"
        lines = note.read_text(encoding="utf-8").splitlines()[1:]
        missing = [line for line in lines if not check_line(line)]
        now = "\n".join(lines)
        assert missing == [], f"trial {trial}: acknowledged edits lost; the note now:\n{now}"
        log = tasksync(vault, db, "log")
        for task in ids:
            wanted = " ".join(args_of(task))
            assert wanted in log.stdout, f"trial {trial}: `{wanted}` is not in the log:\n{log}"
        for _ in ids:
            undo = tasksync(vault, db, "undo")
            assert undo.returncode == 0, f"trial {trial}: {undo.stdout}{undo.stderr}"
        assert note.read_bytes() == text.encode(), f"trial {trial}: undo did not restore"
        assert temp_files(vault) == []


def test_parallel_set_priority_on_one_note_loses_no_edit(tmp_path):
    """Bug: five `set --priority high` at once on five tasks of one note: all exit 0, but
    some lines lack ⏫ (a writer replaced the note with its copy read before another's edit)."""
    _parallel(tmp_path, lambda task: ("set", task, "--priority", "high"), lambda line: "⏫" in line)


def test_parallel_done_on_one_note_loses_no_edit(tmp_path):
    """Bug: five `done` at once on five tasks of one note: all exit 0, but some lines are
    still `[ ]` afterwards, and undo cannot give the note back as it was."""
    _parallel(tmp_path, lambda task: ("done", task),
              lambda line: line.startswith("- [x] ") and f"✅ {TODAY}" in line)  # fmt: skip


def test_parallel_done_on_five_twins_of_one_note_completes_each_once(tmp_path):
    """Five identical lines (twins, found by their rank among themselves), each completed by
    its own `done` at once: every one is done, none twice, and undo gives the note back."""
    twins = "# Week\n" + "- [ ] water the seedlings 📅 2026-12-01\n" * 5
    _parallel(tmp_path, lambda task: ("done", task),
              lambda line: line.startswith("- [x] ") and line.count("✅") == 1, twins)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["done"], f"- [x] Fix the shed door ✅ {TODAY} ^abc"),
        (["set", "--priority", "high"], "- [ ] Fix the shed door ⏫ ^abc"),
    ],
    ids=["done", "set-priority"],
)
def test_a_new_field_goes_before_a_block_link_that_follows_the_description(
    tmp_path, args, expected
):
    """Bug: on `- [ ] Fix the shed door ^abc` (no field before the block link), `done` writes
    `door  ✅ 2026-11-22^abc`: the block link is broken, the date is read as part of the
    description, and the task gets another id."""
    vault, db = tmp_path / "vault", tmp_path / "index.sqlite"
    vault.mkdir()
    (vault / "n.md").write_bytes(b"# H\r\n- [ ] Fix the shed door ^abc\r\ntail")
    [task] = task_ids(vault, db)
    result = tasksync(vault, db, args[0], task, *args[1:])
    assert result.returncode == 0, result.stderr
    assert (vault / "n.md").read_bytes().decode() == f"# H\r\n{expected}\r\ntail"
    listed = json.loads(tasksync(vault, db, "list", "--status", "all", "--json").stdout)
    assert [(t["id"], t["block_link"]) for t in listed] == [(task, "^abc")]


# -- kill -9 -------------------------------------------------------------------------------


def make_big_vault(root: Path, notes: int = NOTES, per_note: int = 3) -> Path:
    """``notes`` notes (~1500) of ``per_note`` proposed tasks each, in a few folders."""
    vault = root / "vault"
    for n in range(notes):
        folder = vault / f"area{n % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        tasks = "".join(f"- [?] Task {n}.{k} 📅 2026-12-0{k % 9 + 1} #proposed #auto\n"
                        for k in range(per_note))  # fmt: skip
        (folder / f"note {n:04d}.md").write_bytes(f"# Note {n}\n\nSome prose.\n{tasks}".encode())
    return vault


def stats(vault: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for folder in os.scandir(vault):
        for entry in os.scandir(folder.path):
            if entry.name.endswith(".md"):
                info = entry.stat()
                found[entry.path] = (info.st_mtime_ns, info.st_size)
    return found


def wait_for_a_written_note(vault: Path, before: dict[str, tuple[int, int]],
                            proc: subprocess.Popen[str]) -> None:  # fmt: skip
    deadline = time.monotonic() + 60
    while stats(vault) == before:
        assert proc.poll() is None, "the batch ended before writing any note"
        assert time.monotonic() < deadline, "the batch wrote no note in 60 s"
        time.sleep(0.001)


def kill_accept_all_midway(vault: Path, db: Path, delay: float = 0.0,
                           verb: str = "accept") -> None:  # fmt: skip
    """Index the vault, start `accept --all-proposed` (or ``verb``), and SIGKILL it (and its
    workers) ``delay`` seconds after its first note is written."""
    assert tasksync(vault, db, "scan").returncode == 0
    times = stats(vault)
    proc = start(vault, db, verb, "--all-proposed", stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        wait_for_a_written_note(vault, times, proc)
        time.sleep(delay)
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# The last: a batch of a few big notes, whose old bytes are journaled as they are (level 0).
@pytest.mark.parametrize(
    ("delay", "notes", "per_note"),
    [(0.0, NOTES, 3), (0.05, NOTES, 3), (0.3, NOTES, 3), (0.0, 40, 3000)],
)
def test_kill_9_mid_accept_all_is_journaled_cleaned_up_and_undoable(tmp_path, delay, notes,
                                                                    per_note):  # fmt: skip
    """Bug: `accept --all-proposed` killed with SIGKILL after it has written some notes leaves a
    `.<note>.<random>.tasksync` temporary file in the vault for good, `log` says "no changes
    yet" and `undo` says "nothing to undo": the notes it changed cannot be given back."""
    vault, db = make_big_vault(tmp_path, notes, per_note), tmp_path / "index.sqlite"
    before = snapshot(vault)
    kill_accept_all_midway(vault, db, delay)
    written = sum(before[rel] != data for rel, data in snapshot(vault).items())
    assert written > 0
    if delay == 0.0:
        assert written < notes, "the kill came after the batch: the test did not cut it"

    problems = []
    log = tasksync(vault, db, "log")
    if temp_files(vault):
        problems.append(f"temporary files left after the next command: {temp_files(vault)}")
    if log.returncode != 0 or "accept --all-proposed" not in log.stdout:
        problems.append(f"`log` does not list the interrupted batch: {log.stdout!r}{log.stderr}")
    undo = tasksync(vault, db, "undo")
    if undo.returncode != 0:
        problems.append(f"`undo` exited {undo.returncode}: {undo.stderr[-300:]}")
    after = snapshot(vault)
    differ = sorted(r for r in before.keys() | after.keys() if before.get(r) != after.get(r))
    if differ:
        problems.append(f"after undo {len(differ)} of {len(before)} notes differ, e.g. "
                        f"{differ[:3]}; undo said {undo.stdout.strip()!r}")  # fmt: skip
    assert problems == [], f"killed {written} notes into the batch:\n" + "\n".join(problems)


def test_kill_9_mid_reject_all_in_windows_1252_notes_undoes_to_every_byte(tmp_path):
    """Notes in Windows-1252 (curly quotes, an undefined byte, UTF-8 emoji): a rejection
    writes ❌ (a 0x9D among its UTF-8 bytes) into them; killed midway, undone, every byte of
    every note must be back."""
    vault, db = tmp_path / "vault", tmp_path / "index.sqlite"
    for n in range(NOTES):
        folder = vault / f"area{n % 5}"
        folder.mkdir(parents=True, exist_ok=True)
        tasks = b"".join(b"- [?] Ask Bob\x92s \x93view\x94 " + str(k).encode() + b" " +
                         "📅".encode() + b" 2026-12-01 #proposed\n" for k in range(3))  # fmt: skip
        (folder / f"note {n:04d}.md").write_bytes(b"# Caf\xe9 \x81 " + str(n).encode() + b"\n"
                                                  + tasks)  # fmt: skip
    before = snapshot(vault)
    kill_accept_all_midway(vault, db, 0.05, verb="reject")
    assert sum(before[rel] != data for rel, data in snapshot(vault).items()) > 0
    listed = json.loads(tasksync(vault, db, "list", "--status", "all", "--json").stdout)
    assert {t["description"].split(" 0")[0].split(" 1")[0].split(" 2")[0]
            for t in listed} == {"Ask Bob’s “view”"}, "a note read as Latin-1"  # fmt: skip
    undo = tasksync(vault, db, "undo")
    assert undo.returncode == 0, undo.stderr
    after = snapshot(vault)
    differ = sorted(r for r in before if before[r] != after.get(r))
    assert differ == [], f"after undo {len(differ)} notes differ, e.g. {differ[:3]}"
    assert temp_files(vault) == []


def test_parallel_rejections_in_one_windows_1252_note_lose_none(tmp_path):
    note_bytes = b"# Caf\xe9\n" + b"".join(
        b"- [?] task " + str(n).encode() + b" \x93q\x94 #proposed\n" for n in range(1, 6)
    )
    for trial in range(3):
        vault, db = tmp_path / f"vault{trial}", tmp_path / f"index{trial}.sqlite"
        vault.mkdir()
        note = vault / "week.md"
        note.write_bytes(note_bytes)
        ids = task_ids(vault, db)
        procs = [start(vault, db, "reject", task, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for task in ids]  # fmt: skip
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        lines = note.read_bytes().split(b"\n")
        assert lines[0] == b"# Caf\xe9"
        assert all(line.startswith(b"- [-] task ") and b"\x93q\x94" in line
                   for line in lines[1:6]), lines  # fmt: skip
        for _ in ids:
            assert tasksync(vault, db, "undo").returncode == 0
        assert note.read_bytes() == note_bytes, f"trial {trial}: undo did not restore"


# -- workers die with their parent ----------------------------------------------------------


def session_processes(session: int) -> list[tuple[int, int, str]]:
    """(pid, parent pid, state) of the live (not zombie) processes of a session."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        state, parent, session_id = fields[0], int(fields[1]), int(fields[3])
        if session_id == session and state not in ("Z", "X"):
            found.append((int(stat_file.parent.name), parent, state))
    return found


def _kill_parent_when_it_has_workers(vault: Path, db: Path, *args: str) -> None:
    proc = start(vault, db, *args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                 start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if any(parent == proc.pid for _, parent, _ in session_processes(proc.pid)):
                break  # it has started its workers
            time.sleep(0.001)
        with suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)  # the parent only, as the OOM killer would
        proc.wait()
        deadline = time.monotonic() + 3
        while session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = session_processes(proc.pid)
        assert left == [], f"processes of the killed `{' '.join(args)}` still run 3 s on: {left}"
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: tasksync starts no workers")
def test_workers_of_a_killed_cold_scan_die_with_it(tmp_path):
    """Bug: a cold `scan` of a big vault reads it in worker processes; when the parent is killed
    (SIGKILL), its workers run on as orphans (sleeping, adopted by init) instead of dying."""
    vault = make_big_vault(tmp_path)
    _kill_parent_when_it_has_workers(vault, tmp_path / "index.sqlite", "scan")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: tasksync starts no workers")
def test_workers_of_a_killed_accept_all_die_with_it(tmp_path):
    """Bug: `accept --all-proposed` re-indexes the notes it wrote in worker processes; when it
    is killed (SIGKILL), its workers run on as orphans instead of dying with it."""
    vault, db = make_big_vault(tmp_path), tmp_path / "index.sqlite"
    assert tasksync(vault, db, "scan").returncode == 0
    _kill_parent_when_it_has_workers(vault, db, "accept", "--all-proposed")


def test_a_killed_batch_whose_note_became_a_fifo_hangs_no_command(tmp_path):
    """Recovery read each note of a killed batch with a blocking open: a FIFO in a note's
    place hung every command after (readers too), holding the writers' lock."""
    vault, db = make_big_vault(tmp_path, 400), tmp_path / "index.sqlite"
    before = snapshot(vault)
    kill_accept_all_midway(vault, db)
    written = [rel for rel, data in snapshot(vault).items() if before[rel] != data]
    fifo = vault / written[0]  # a note of the batch, in its journal
    fifo.unlink()
    os.mkfifo(fifo)
    try:
        listed = tasksync(vault, db, "list")
    except subprocess.TimeoutExpired:
        pytest.fail("`list` hung on the FIFO in a killed batch's note")
    assert listed.returncode == 0, listed.stderr
    assert "was interrupted" in listed.stderr
    # and says which note it could not tell about (it was counted unwritten, said nothing)
    assert f"{written[0]}: not a regular file: whether `accept --all-proposed` had written it" \
        in listed.stderr, listed.stderr  # fmt: skip


def test_an_index_deleted_during_a_batch_is_said_not_passed_over(tmp_path):
    """The index (and its undo journal) deleted mid-batch: the batch said all was done, and
    `undo` then had nothing to undo."""
    vault, db = make_big_vault(tmp_path), tmp_path / "index.sqlite"
    assert tasksync(vault, db, "scan").returncode == 0
    times = stats(vault)
    proc = start(vault, db, "accept", "--all-proposed", stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)  # fmt: skip
    wait_for_a_written_note(vault, times, proc)
    # Paused while the index goes: on a busy machine the batch could finish first.
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        now = stats(vault)
        assert any(now[path] == was for path, was in times.items()), "all written already"
        db.unlink()
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "was deleted or replaced while this ran" in err
    assert "`undo` cannot revert this" in err
