"""`tasksync watch` run as a user runs it, a real process (each test: a bug found that way)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tasksync.index.watching import worth_a_look


def tasksync(vault: Path, db: Path, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tasksync", "--vault", str(vault), "--db",
                             str(db), *args], stderr=subprocess.PIPE, text=True,
                            **kwargs)  # fmt: skip


def soon(holds: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if holds():
            return True
        time.sleep(0.05)
    return False


def stop(proc: subprocess.Popen, how: int = signal.SIGINT) -> tuple[int, str]:
    proc.send_signal(how)
    _out, err = proc.communicate(timeout=20)
    return proc.returncode, err


def test_watch_refuses_another_vaults_index(make_vault, tmp_path):
    """`watch --vault B --db A.db` synced B into A's index (every other command refuses it)."""
    first = make_vault({"a.md": "- [ ] Task of vault A\n"})
    other = tmp_path / "B"
    other.mkdir()
    (other / "b.md").write_text("- [ ] Task of vault B\n", encoding="utf-8")
    db = tmp_path / "a.sqlite"
    listed = subprocess.run([sys.executable, "-m", "tasksync", "--vault", str(first), "--db",
                             str(db), "list", "--json"], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    for args in (["watch"], ["watch", "--ics", str(tmp_path / "x.ics")]):
        proc = tasksync(other, db, *args)
        try:
            code = proc.wait(timeout=20)
        finally:
            proc.kill()
        assert code == 4, proc.stderr.read() if proc.stderr else ""
    again = subprocess.run([sys.executable, "-m", "tasksync", "--vault", str(first), "--db",
                            str(db), "list", "--json"], capture_output=True, text=True,
                           check=True).stdout  # fmt: skip
    assert json.loads(again) == json.loads(listed)


def test_a_note_changed_during_the_first_export_is_exported(make_vault, tmp_path):
    """The watcher started after the first export: a note saved meanwhile (7-10 s on 2,000
    notes) was never exported until another note changed."""
    notes = {f"n{i:03}.md": "".join(f"- [ ] Task {i}.{j} 📅 2026-12-{1 + j % 28:02}\n"
                                    for j in range(25)) for i in range(400)}  # fmt: skip
    notes["a.md"] = "- [ ] Old title 📅 2026-12-05\n"
    vault = make_vault(notes)
    ics = tmp_path / "due.ics"
    proc = tasksync(vault, tmp_path / "i.sqlite", "watch", "--ics", str(ics), "--debounce", "0.1")
    try:
        time.sleep(0.6)  # the watch has begun, its first export not yet written
        assert not ics.exists(), "the first export came too soon for this test to tell"
        (vault / "a.md").write_text("- [ ] New title 📅 2026-12-05\n", encoding="utf-8")
        assert soon(lambda: ics.exists() and "New title" in ics.read_text(encoding="utf-8"))
    finally:
        stop(proc)


def test_changes_that_matter_to_a_watcher(tmp_path):
    gone_folder = tmp_path / "Archive.2024"  # moved out of the vault (or to the trash)
    assert worth_a_look(None, str(gone_folder))
    export = tmp_path / "calendar"  # an export without extension, written in the vault
    export.write_text("BEGIN:VCALENDAR\n")
    assert not worth_a_look(None, str(export))
    assert not worth_a_look(None, str(tmp_path / ".calendar.x1y2.tasksync"))
    assert worth_a_look(None, str(tmp_path / "gone.md"))
    (tmp_path / "Folder.v2").mkdir()
    assert worth_a_look(None, str(tmp_path / "Folder.v2"))


def test_an_export_written_into_the_vault_does_not_set_off_another(make_vault, tmp_path):
    """`watch --ics VAULT/calendar` re-exported for ever (its own rename was a change)."""
    vault = make_vault({"a.md": "- [ ] Alpha 📅 2026-12-05\n"})
    ics = vault / "calendar"
    proc = tasksync(vault, tmp_path / "i.sqlite", "watch", "--ics", str(ics), "--debounce", "0.1")
    try:
        assert soon(lambda: ics.exists())
        time.sleep(1)
        (vault / "a.md").write_text("- [ ] Beta 📅 2026-12-05\n", encoding="utf-8")
        assert soon(lambda: "Beta" in ics.read_text(encoding="utf-8"))
        time.sleep(2)
    finally:
        _code, err = stop(proc)
    assert err.count("wrote ") <= 3, err


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_watch_stops_on_sigint_and_sigterm_with_0_and_no_temporary_file(make_vault, tmp_path,
                                                                        how):  # fmt: skip
    """SIGTERM (a service manager's stop) ended it silently by the signal, leaving a 2 MB
    temporary file beside the calendar when it came during an export; Ctrl-C during the
    first export exited 130."""
    notes = {f"n{i:03}.md": "".join(f"- [ ] Task {i}.{j} 📅 2026-12-0{1 + j % 9}\n"
                                    for j in range(25)) for i in range(300)}  # fmt: skip
    vault = make_vault(notes)
    out = tmp_path / "out"
    out.mkdir()
    proc = tasksync(vault, tmp_path / "i.sqlite", "watch", "--ics", str(out / "due.ics"))
    time.sleep(0.8)  # in the first export
    code, err = stop(proc, how)
    assert (code, err.strip().splitlines()[-1]) == (0, "stopped"), err
    assert [p.name for p in out.iterdir() if p.name != "due.ics"] == []


@pytest.mark.parametrize("args", [["--debounce", "-1"], ["--debounce", "nan"],
                                  ["--poll", "1e300"], ["--poll", "-1"]])  # fmt: skip
def test_watch_refuses_a_number_of_seconds_out_of_range(make_vault, tmp_path, args):
    vault = make_vault({"a.md": "- [ ] Alpha\n"})
    ics = tmp_path / "due.ics"
    proc = tasksync(vault, tmp_path / "i.sqlite", "watch", "--ics", str(ics), *args)
    try:
        code = proc.wait(timeout=20)
    finally:
        proc.kill()
    assert code == 2, proc.stderr.read() if proc.stderr else ""
    assert not ics.exists(), "an export was written before the refusal"


def test_watch_into_dev_stdout_redirected_to_a_file_keeps_writing_that_file(make_vault, tmp_path):
    """`watch --ics /dev/stdout > cal.ics`: the first export replaced cal.ics by a rename, and
    every later one went to the deleted file (a stray `cal.ics (deleted)`)."""
    vault = make_vault({"a.md": "- [ ] Alpha 📅 2026-12-05\n"})
    calendar = tmp_path / "cal.ics"
    with calendar.open("wb") as stdout:
        proc = tasksync(vault, tmp_path / "i.sqlite", "watch", "--ics", "/dev/stdout",
                        "--debounce", "0.1", stdout=stdout)  # fmt: skip
        try:
            assert soon(lambda: "Alpha" in calendar.read_text(encoding="utf-8"))
            time.sleep(0.5)
            (vault / "a.md").write_text("- [ ] Beta 📅 2026-12-05\n", encoding="utf-8")
            assert soon(lambda: "Beta" in calendar.read_text(encoding="utf-8"))
        finally:
            stop(proc)
    assert [name for name in os.listdir(tmp_path) if name.startswith("cal")] == ["cal.ics"]


def test_watch_follows_a_vault_folder_deleted_and_made_again(make_vault, tmp_path):
    """A restore, a sync tool or a new clone puts the vault back as a new folder: watch said
    "vault not found" once and went on watching the old one, blind for ever."""
    import shutil

    vault = make_vault({"a.md": "- [ ] Before 📅 2026-12-05\n"})
    ics = tmp_path / "due.ics"
    proc = tasksync(vault, tmp_path / "i.sqlite", "watch", "--ics", str(ics), "--debounce", "0.1")
    try:
        assert soon(lambda: ics.exists() and "Before" in ics.read_text(encoding="utf-8"))
        shutil.rmtree(vault)
        time.sleep(1)
        vault.mkdir()
        (vault / "a.md").write_text("- [ ] Restored 📅 2026-12-05\n", encoding="utf-8")
        assert soon(lambda: "Restored" in ics.read_text(encoding="utf-8"))
        time.sleep(0.5)
        (vault / "b.md").write_text("- [ ] Written after 📅 2026-12-06\n", encoding="utf-8")
        assert soon(lambda: "Written after" in ics.read_text(encoding="utf-8"))
    finally:
        code, err = stop(proc)
    assert code == 0, err


def test_watch_into_a_named_pipe_no_one_reads_goes_on_watching(make_vault, tmp_path):
    """`watch --ics FIFO` with no reader yet hung in its first export: never "watching", and
    the index never brought up to date."""
    vault = make_vault({"a.md": "- [ ] Alpha 📅 2026-12-05\n"})
    pipe = tmp_path / "cal.fifo"
    os.mkfifo(pipe)
    db = tmp_path / "i.sqlite"
    proc = tasksync(vault, db, "watch", "--ics", str(pipe), "--debounce", "0.1")
    try:
        time.sleep(3)
        assert proc.poll() is None
        (vault / "a.md").write_text("- [ ] Beta 📅 2026-12-05\n", encoding="utf-8")

        def indexed() -> bool:
            listed = subprocess.run([sys.executable, "-m", "tasksync", "--vault", str(vault),
                                     "--db", str(db), "list", "--json"], capture_output=True,
                                    text=True, check=True).stdout  # fmt: skip
            return "Beta" in listed

        time.sleep(1)
        assert indexed()
        reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # a reader comes
        try:
            (vault / "a.md").write_text("- [ ] Gamma 📅 2026-12-05\n", encoding="utf-8")
            got = bytearray()

            def read_some() -> bool:
                with contextlib.suppress(BlockingIOError):
                    got.extend(os.read(reader, 1 << 16))
                return b"END:VCALENDAR" in got

            assert soon(read_some), bytes(got)
            assert b"Gamma" in got
        finally:
            os.close(reader)
    finally:
        code, err = stop(proc)
    assert "no one reads" in err, err
    assert code == 0, err
