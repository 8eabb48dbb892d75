"""Writing notes safely when the world is not tidy: a read-only or damaged index, duplicate
lines, CRLF and Windows-1252 notes, links, odd file names, FIFOs, and a journal that lies.

Every test runs the real `tasksync` command in a process of its own, on real files in a
temporary vault with a real SQLite index, and asserts what the user would see on disk or
on the terminal.
"""

from __future__ import annotations

import ctypes
import grp
import json
import os
import pwd
import random
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

TODAY = "2026-11-22"
TIMEOUT_S = 30

# Linux capabilities that let root ignore file modes, and prctl's "drop from the bounding
# set" (after which an exec'd root process no longer gets them back).
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def _index() -> Path:
    return Path(os.environ["TASKSYNC_DB"])  # the test's own (conftest's autouse fixture)


Preexec = Callable[[], None] | None


def tasksync(
    vault: Path, *args: str, db: Path | None = None, preexec: Preexec = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command, as a user would, in a process of its own (30 s at most)."""
    command = [sys.executable, "-m", "tasksync", "--vault", str(vault), "--db",
               str(db or _index()), "--today", TODAY, *args]  # fmt: skip
    try:
        return subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=TIMEOUT_S, preexec_fn=preexec, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"`tasksync {' '.join(args)}` hung: no answer after {TIMEOUT_S} s")


def listed(vault: Path, db: Path | None = None) -> list[dict]:
    result = tasksync(vault, "list", "--status", "all", "--json", db=db)
    assert result.returncode == 0, f"`list --json` failed: {result.stderr}"
    return json.loads(result.stdout)


def ids_of(vault: Path, description: str, db: Path | None = None) -> list[str]:
    return [t["id"] for t in listed(vault, db) if t["description"] == description]


def snapshot(*paths: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in paths}


def one_clean_line(stderr: str) -> bool:
    return len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def _drop_root_power_over_file_modes() -> None:
    """In the child, before exec: root without the capabilities that bypass file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


@pytest.fixture
def unprivileged(tmp_path: Path) -> Preexec:
    """A preexec_fn under which tasksync obeys file modes (None: it already does).

    The tests run as root, which writes read-only files anyway. A real other uid (nobody)
    cannot run this interpreter (it lives under /root, mode 0700), so the child stays uid 0
    but gives up the capabilities that let root ignore file modes: for it, 0o444 is
    read-only, as for any user. Skipped where that cannot be arranged.
    """
    if os.geteuid() != 0:
        return None
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    check = [sys.executable, "-c", f"open({str(probe)!r}, 'a')"]
    try:
        drop = _drop_root_power_over_file_modes
        result = subprocess.run(
            check, capture_output=True, timeout=TIMEOUT_S, preexec_fn=drop, check=False
        )
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"cannot run a process that obeys file modes: {exc}")
    finally:
        probe.unlink()
    if result.returncode == 0:
        pytest.skip("cannot run a process that obeys file modes (root writes read-only files)")
    return _drop_root_power_over_file_modes


@pytest.fixture
def vault(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write notes (path -> text or bytes) into a fresh vault; return its folder."""

    def make(notes: dict[str, str | bytes], name: str = "v") -> Path:
        root = tmp_path / name
        root.mkdir()
        for rel, content in notes.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            path.write_bytes(data)
        return root

    return make


# -- 4. the index cannot be written -----------------------------------------------------------


@pytest.mark.parametrize("folder_too", [False, True], ids=["index-file", "index-and-folder"])
def test_read_only_index_writes_no_note_it_cannot_journal(vault, tmp_path, unprivileged,
                                                          folder_too):  # fmt: skip
    root = vault({"a.md": "- [?] one #proposed\n", "b.md": "# B\n- [?] two #proposed\n"})
    db = tmp_path / "index" / "index.sqlite"
    assert tasksync(root, "scan", db=db).returncode == 0
    before = snapshot(root / "a.md", root / "b.md")
    db.chmod(0o444)
    if folder_too:
        db.parent.chmod(0o555)
    try:
        result = tasksync(root, "accept", "--all-proposed", db=db, preexec=unprivileged)
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)
    assert snapshot(*before) == before, (
        "with a read-only index, `accept --all-proposed` changed notes it could not journal "
        f"(undo cannot restore them); it said: {result.stderr.strip()!r}"
    )
    assert result.returncode != 0, "a batch that could not be journaled exited 0"
    assert one_clean_line(result.stderr), f"expected one error line, got:\n{result.stderr}"


# -- 5. the same description twice ---------------------------------------------------------------


def test_same_description_twice_a_deleted_tasks_id_is_refused_not_given_to_its_twin(vault):
    root = vault({"n.md": "- [?] Call Bob #proposed\n- [?] Call Bob #proposed\n"})
    first, _second = ids_of(root, "Call Bob")
    # The user deletes line 1, as an editor would.
    (root / "n.md").write_text("- [?] Call Bob #proposed\n", encoding="utf-8")
    result = tasksync(root, "accept", first)
    assert (root / "n.md").read_text(encoding="utf-8") == "- [?] Call Bob #proposed\n", (
        "accepting the deleted task accepted its twin instead"
    )
    assert result.returncode != 0, "accepting a deleted task exited 0"
    assert "for sure" in result.stderr, f"no 'cannot find it for sure' error: {result.stderr!r}"


def test_two_identical_recurring_tasks_one_deleted_no_duplicated_completion(vault):
    line = "- [ ] water plants 🔁 every week 📅 2026-01-05\n"
    root = vault({"n.md": line * 2})
    first, second = ids_of(root, "water plants")
    (root / "n.md").write_text(line, encoding="utf-8")  # the user deletes one of them
    result = tasksync(root, "done", first, second)
    text = (root / "n.md").read_text(encoding="utf-8")
    assert text.count("[x]") <= 1, f"one task completed twice:\n{text}"
    assert result.returncode == 1, (
        f"the deleted task should be refused with exit 1; exit {result.returncode}: "
        f"{result.stderr.strip()!r}"
    )


# -- 8. CRLF notes ---------------------------------------------------------------------------


def bare_breaks(data: bytes) -> list[bytes]:
    """The line breaks that are not CRLF: a bare LF or a bare CR."""
    rest = data.replace(b"\r\n", b"")
    return [b for b in (b"\n", b"\r") if b in rest]


@pytest.mark.parametrize("final", ["\r\n", ""], ids=["final-crlf", "no-final-newline"])
def test_crlf_note_completing_a_recurring_last_line_writes_only_crlf(vault, final):
    root = vault({"n.md": "# T\r\n- [ ] a\r\n- [ ] x 🔁 every day 📅 2026-01-05" + final})
    [task] = ids_of(root, "x")
    result = tasksync(root, "done", task)
    assert result.returncode == 0, result.stderr
    data = (root / "n.md").read_bytes()
    assert b"[x] x" in data, data
    assert data.count(b"- [ ] x") == 1, data
    assert bare_breaks(data) == [], f"the CRLF note now mixes line breaks: {data!r}"


@pytest.mark.parametrize("final", ["\r\n", ""], ids=["final-crlf", "no-final-newline"])
def test_crlf_note_deleting_the_last_line_on_completion_leaves_no_bare_cr(vault, final):
    root = vault({"n.md": "# T\r\n- [ ] a\r\n- [ ] y 🏁 delete" + final})
    [task] = ids_of(root, "y")
    result = tasksync(root, "done", task)
    assert result.returncode == 0, result.stderr
    data = (root / "n.md").read_bytes()
    assert b"- [ ] y" not in data, data
    assert bare_breaks(data) == [], f"the CRLF note now has a bare CR or LF: {data!r}"


# -- 9. a note in Windows-1252 ------------------------------------------------------------------

CP1252_TASK = b"- [ ] caf\xe9 task " + "📅".encode() + b" 2026-01-05"
CP1252_NOTE = b"# Caf\xe9\n" + CP1252_TASK + b"\n- [ ] other \x93quoted\x94\n"


@pytest.mark.parametrize(
    ("args", "field", "expected"),
    [(["done"], "done", TODAY), (["set", "--due", "2026-02-02"], "due", "2026-02-02"),
     (["repair"], "due", "2026-01-05")],
    ids=["done", "set-due", "repair"],
)  # fmt: skip
def test_windows_1252_note_is_edited_keeping_every_other_byte(vault, args, field, expected):
    with pytest.raises(UnicodeDecodeError):
        CP1252_NOTE.decode("utf-8")
    root = vault({"n.md": CP1252_NOTE})
    tasks = {t["description"]: t for t in listed(root)}
    assert set(tasks) == {"café task", "other “quoted”"}, "the note was not read as cp1252"
    task = tasks["café task"]
    command = [args[0], *([task["id"]] if args[0] != "repair" else []), *args[1:]]
    result = tasksync(root, *command)
    assert result.returncode == 0, f"`{' '.join(args)}` on a cp1252 note: {result.stderr!r}"
    after = (root / "n.md").read_bytes()
    old_lines, new_lines = CP1252_NOTE.split(b"\n"), after.split(b"\n")
    assert len(new_lines) == len(old_lines), after
    assert [a for a, b in zip(old_lines, new_lines, strict=True) if a != b] in ([], [CP1252_TASK])
    assert new_lines[1].startswith(b"- ["), after
    assert b"caf\xe9 task" in new_lines[1], after
    [now] = [t for t in listed(root) if t["description"].startswith("caf")]
    assert now[field] == expected, f"the task's {field} is {now[field]!r}: {now['raw']!r}"
    if args[0] == "done":
        assert now["status_type"] == "DONE", now
        assert "✅".encode() + f" {TODAY}".encode() in after, after


def test_a_rejection_in_a_windows_1252_note_leaves_the_other_tasks_text_as_it_was(vault, tmp_path):
    """❌'s UTF-8 bytes hold 0x9D, a byte Windows-1252 leaves undefined: the note must still
    read as Windows-1252 (not as Latin-1, where “ and ’ become control characters)."""
    note = b"- [?] caf\xe9 proposal #proposed\n- [ ] ask Bob\x92s \x93view\x94\n"
    root = vault({"n.md": note})
    [task] = ids_of(root, "café proposal")
    result = tasksync(root, "reject", task)
    assert result.returncode == 0, result.stderr
    after = (root / "n.md").read_bytes()
    assert after.split(b"\n")[1:] == note.split(b"\n")[1:], "another line's bytes changed"
    fresh = {t["description"]: t for t in listed(root, db=tmp_path / "fresh.sqlite")}
    assert set(fresh) == {"café proposal", "ask Bob’s “view”"}, f"read back as {set(fresh)}"
    assert fresh["café proposal"]["cancelled"] == TODAY, fresh["café proposal"]


@pytest.mark.parametrize("how", ["add", "set-owner"])
def test_a_character_a_windows_1252_note_cannot_hold_is_refused(vault, how):
    root = vault({"n.md": CP1252_NOTE})
    [task] = ids_of(root, "café task")  # the index made: its "not UTF-8" warning said
    if how == "add":
        result = tasksync(root, "add", "--note", "n.md", "Call Łukasz about the → sign")
    else:
        result = tasksync(root, "set", task, "--owner", "Łukasz")
    assert result.returncode != 0, f"written: {(root / 'n.md').read_bytes()!r}"
    assert one_clean_line(result.stderr), result.stderr
    assert "Windows-1252" in result.stderr, result.stderr
    assert "Ł" in result.stderr, result.stderr
    assert (root / "n.md").read_bytes() == CP1252_NOTE


@pytest.mark.parametrize("how", ["add", "done"])
def test_a_note_whose_lines_end_in_cr_alone_is_left_alone(vault, how):
    """The README says such a note (one line to the plugin) is left alone: `add` wrote into it."""
    note = b"- [ ] a\r- [?] b #proposed\r"
    root = vault({"cr.md": note})
    [task] = [t["id"] for t in listed(root) if t["path"] == "cr.md"]
    if how == "add":
        result = tasksync(root, "add", "--note", "cr.md", "new task")
    else:
        result = tasksync(root, "done", task)
    assert result.returncode == 1, result.stdout
    assert "CR alone" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert (root / "cr.md").read_bytes() == note


def test_repair_text_in_a_windows_1252_note_keeps_the_bytes_of_an_emoji_written_in_utf8(vault):
    """😀 stored as UTF-8 bytes reads `ðŸ˜€`; repaired it is 😀 again, the same bytes: the
    line was refused ("cannot hold 😀") and its real repair with it. A line whose bytes are
    all UTF-8 reads right in Obsidian as it is: rewritten in Windows-1252 (`Borker\x92s`) it
    would show `Borker�s` there, so it is left, and said."""
    smile, quote, due = "😀".encode(), "’".encode(), "📅".encode()
    note = (b"- [?] Party \x93now\x94 " + smile + b" fun\n"
            b"- [?] Vallery" + quote + b"s \x93thing\x94\n"
            b"- [ ] smile " + smile + b" and Borker" + quote + b"s " + due
            + b" 2026-12-01\n")  # fmt: skip
    root = vault({"A.md": note})
    listed(root)
    result = tasksync(root, "repair", "--text")
    assert result.returncode == 1, result.stderr
    assert "A.md:3: the line reads right as UTF-8" in result.stderr, result.stderr
    after = (root / "A.md").read_bytes().split(b"\n")
    assert after[0] == note.split(b"\n")[0]
    assert after[1] == b"- [?] Vallery\x92s \x93thing\x94"
    assert after[2] == note.split(b"\n")[2]


# -- 10. links and extended attributes -----------------------------------------------------------


def test_symlinked_note_is_listed_once_and_stays_a_symlink(vault):
    root = vault({"a.md": "- [ ] linked task\n"})
    (root / "b.md").symlink_to("a.md")
    tasks = [t for t in listed(root) if t["description"] == "linked task"]
    assert len(tasks) == 1, f"one task listed {len(tasks)} times: {[t['path'] for t in tasks]}"
    result = tasksync(root, "done", tasks[0]["id"])
    assert result.returncode == 0, result.stderr
    assert (root / "a.md").read_text(encoding="utf-8") == f"- [x] linked task ✅ {TODAY}\n"
    assert os.path.islink(root / "b.md"), "b.md is no longer a symlink"
    assert os.path.realpath(root / "b.md") == os.path.realpath(root / "a.md")


def test_hard_linked_note_is_never_split_into_two_contents(vault):
    original = "- [ ] shared task\n"
    root = vault({"a.md": original})
    (root / "sub").mkdir()
    os.link(root / "a.md", root / "sub" / "h.md")
    task = next(t for t in listed(root) if t["path"] == "a.md")
    result = tasksync(root, "done", task["id"])
    a, h = root / "a.md", root / "sub" / "h.md"
    if result.returncode == 0:
        assert a.stat().st_ino == h.stat().st_ino, (
            "a.md and sub/h.md were one file (hard links); now they are two: "
            f"a.md={a.read_text(encoding='utf-8')!r}, sub/h.md={h.read_text(encoding='utf-8')!r}"
        )
        assert (
            a.read_text(encoding="utf-8")
            == h.read_text(encoding="utf-8")
            == f"- [x] shared task ✅ {TODAY}\n"
        )
    else:
        assert one_clean_line(result.stderr), result.stderr
        assert a.read_text(encoding="utf-8") == h.read_text(encoding="utf-8") == original


def test_extended_attributes_of_a_note_are_kept(vault):
    root = vault({"n.md": "- [ ] tagged file\n"})
    try:
        os.setxattr(root / "n.md", "user.tasksync_test", b"kept")
    except OSError as exc:
        pytest.skip(f"this filesystem takes no user xattrs: {exc}")
    [task] = ids_of(root, "tagged file")
    assert tasksync(root, "done", task).returncode == 0
    assert "[x]" in (root / "n.md").read_text(encoding="utf-8")
    assert "user.tasksync_test" in os.listxattr(root / "n.md"), "the note lost its xattr"
    assert os.getxattr(root / "n.md", "user.tasksync_test") == b"kept"


# -- 11. undo ---------------------------------------------------------------------------------


def test_undo_of_three_deleted_on_completion_lines_restores_the_note(vault):
    text = ("# H\n- [ ] keep 1\n- [ ] gone A 🏁 delete\n- [ ] keep 2\n- [ ] gone B 🏁 delete\n"
            "text\n- [ ] gone C 🏁 delete\n- [ ] keep 3\n")  # fmt: skip
    root = vault({"n.md": text})
    ids = [t["id"] for t in listed(root) if t["description"].startswith("gone")]
    assert len(ids) == 3
    assert tasksync(root, "done", *ids).returncode == 0
    assert "gone" not in (root / "n.md").read_text(encoding="utf-8")
    result = tasksync(root, "undo")
    assert (root / "n.md").read_text(encoding="utf-8") == text, (
        f"undo did not restore the note; it said {result.stdout + result.stderr!r}"
    )


def test_undo_of_two_identical_recurring_tasks_done_together(vault):
    text = "- [ ] water plants 🔁 every week 📅 2026-01-05\n" * 2
    root = vault({"n.md": text})
    ids = ids_of(root, "water plants")
    assert tasksync(root, "done", *ids).returncode == 0
    result = tasksync(root, "undo")
    assert "changed since" not in result.stderr, f"undo said: {result.stderr.strip()!r}"
    assert result.returncode == 0, result.stderr
    assert (root / "n.md").read_text(encoding="utf-8") == text


def test_undo_that_cannot_write_a_note_keeps_the_batch_for_the_next_undo(vault, unprivileged):
    root = vault({"a.md": "- [?] one #proposed\n", "b.md": "- [?] two #proposed\n"})
    before = snapshot(root / "a.md", root / "b.md")
    assert tasksync(root, "accept", "--all-proposed").returncode == 0
    (root / "b.md").chmod(0o444)
    try:
        first = tasksync(root, "undo", preexec=unprivileged)
    finally:
        (root / "b.md").chmod(0o644)
    assert first.returncode != 0, "undo could not write b.md, yet exited 0"
    assert "b.md" in first.stderr, f"undo did not say b.md was left: {first.stderr!r}"
    second = tasksync(root, "undo")
    assert snapshot(*before) == before, (
        "after the note was writable again, undo did not finish the batch "
        f"(it said {second.stdout.strip()!r}): b.md stays accepted"
    )


# -- 12. odd file names ---------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_does_not_stop_the_vault(vault):
    root = vault({"a.md": "- [?] one #proposed\n", "z.md": "- [?] two #proposed\n"})
    fd = os.open(os.fsencode(str(root)) + b"/caf\xe9.md", os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"- [?] odd name #proposed\n")
    os.close(fd)
    for args in (["list", "--status", "all"], ["scan"]):
        result = tasksync(root, *args)
        assert result.returncode == 0, f"`{' '.join(args)}` failed: {result.stderr.strip()!r}"
    shown = {t["description"] for t in listed(root)}
    assert {"one", "two"} <= shown, shown
    result = tasksync(root, "accept", "--all-proposed")
    assert result.returncode == 0, f"accept failed: {result.stderr.strip()!r}"
    assert len(result.stderr.strip().splitlines()) <= 1, result.stderr
    assert (root / "a.md").read_text(encoding="utf-8") == "- [ ] one\n"
    assert (root / "z.md").read_text(encoding="utf-8") == "- [ ] two\n"


def test_a_note_with_a_244_byte_name_can_be_changed(vault):
    name = "n" * 241 + ".md"
    root = vault({name: "- [?] long name #proposed\n"})
    [task] = ids_of(root, "long name")
    result = tasksync(root, "accept", task)
    assert result.returncode == 0, f"accept in a long-named note: {result.stderr.strip()!r}"
    assert (root / name).read_text(encoding="utf-8") == "- [ ] long name\n"


# -- 13. FIFOs ----------------------------------------------------------------------------------


def test_a_note_replaced_by_a_fifo_is_reported_and_the_others_are_accepted(vault):
    notes = {f"{n}.md": f"- [?] task {n} #proposed\n" for n in "abc"}
    root = vault(notes)
    assert tasksync(root, "scan").returncode == 0
    [b_task] = ids_of(root, "task b")
    (root / "b.md").unlink()
    os.mkfifo(root / "b.md")
    by_id = tasksync(root, "accept", b_task)  # fails the test if it hangs
    assert by_id.returncode != 0, "accepting a task of a note that became a FIFO said nothing"
    assert "b.md" in by_id.stderr, by_id.stderr
    assert "regular file" in by_id.stderr, by_id.stderr
    # Accepting everything: b.md is no note any more; it is named, the others are accepted.
    result = tasksync(root, "accept", "--all-proposed")
    assert (root / "a.md").read_text(encoding="utf-8") == "- [ ] task a\n"
    assert (root / "c.md").read_text(encoding="utf-8") == "- [ ] task c\n"
    assert stat.S_ISFIFO((root / "b.md").lstat().st_mode)
    assert "b.md" in result.stderr, f"nothing said of b.md: {result.stderr!r}"


def test_a_fifo_named_like_a_note_does_not_hang_the_scan(vault):
    root = vault({"a.md": "- [ ] real task\n"})
    os.mkfifo(root / "x.md")
    result = tasksync(root, "scan")  # fails the test if it hangs
    assert result.returncode == 0, result.stderr
    assert ids_of(root, "real task")


# -- 15. a damaged index ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    ["DROP TABLE tasks", "UPDATE tasks SET tags = '{{{'"],
    ids=["tasks-table-dropped", "bad-json-in-tags"],
)
def test_damaged_index_is_rebuilt_or_named_never_an_internal_error(vault, damage):
    root = vault({"a.md": "- [ ] one #x\n- [ ] two\n", "b.md": "- [x] three\n"})
    assert len(listed(root)) == 3
    with sqlite3.connect(_index()) as conn:
        conn.execute(damage)
    conn.close()
    result = tasksync(root, "list", "--status", "all", "--json")
    said = f"a damaged index gave exit {result.returncode}: {result.stderr.strip()!r}"
    assert result.returncode != 70, said
    assert "internal error" not in result.stderr, said
    if result.returncode == 0:
        assert sorted(t["description"] for t in json.loads(result.stdout)) == [
            "one", "three", "two"]  # fmt: skip
    else:
        assert one_clean_line(result.stderr), said
        assert str(_index()) in result.stderr, f"the error does not name the index: {said}"


def test_index_of_another_vault_is_not_undone_into_this_one(vault, tmp_path):
    db = tmp_path / "shared.sqlite"
    a = vault({"n.md": "- [?] one #proposed\n"}, name="A")
    b = vault({"n.md": "- [ ] one\n"}, name="B")  # what a naive undo would "restore"
    a_before, b_before = (a / "n.md").read_bytes(), (b / "n.md").read_bytes()
    assert tasksync(a, "accept", "--all-proposed", db=db).returncode == 0
    in_b = tasksync(b, "undo", db=db)
    assert (b / "n.md").read_bytes() == b_before, (
        f"`undo` in vault B reverted vault A's batch into B: {in_b.stdout.strip()!r}"
    )
    in_a = tasksync(a, "undo", db=db)
    assert in_a.returncode == 0, in_a.stderr
    assert (a / "n.md").read_bytes() == a_before, (
        f"A's batch was marked undone from vault B; undo in A said {in_a.stdout.strip()!r}"
    )


# -- 16. the journal points outside the vault -----------------------------------------------------


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_undo_never_writes_outside_the_vault(vault, tmp_path, where):
    root = vault({"n.md": "- [?] one #proposed\n"})
    victim = tmp_path / "outside" / "victim.md"
    victim.parent.mkdir()
    victim.write_text("- [ ] victim line\nkeep me\n", encoding="utf-8")
    before = victim.read_bytes()
    assert tasksync(root, "accept", "--all-proposed").returncode == 0
    path = "../outside/victim.md" if where == "relative" else str(victim)
    with sqlite3.connect(_index()) as conn:
        conn.execute("UPDATE changes SET path = ?, line = 1, after = ?",
                     (path, json.dumps(["- [ ] victim line"])))  # fmt: skip
    conn.close()
    result = tasksync(root, "undo")
    assert victim.read_bytes() == before, (
        f"undo wrote {victim} outside the vault: {victim.read_text(encoding='utf-8')!r}"
    )
    assert result.returncode != 0 or "victim" in result.stdout + result.stderr, (
        "undo ignored a journal entry outside the vault without a word"
    )


# -- 4b. the index's disk full ------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 3 MiB tmpfs of our own (root only): a disk that can be filled."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    where = tmp_path / "tiny"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)],
                             capture_output=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path, spare: int) -> Path:
    """Fill the disk but for ``spare`` bytes."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - spare))
    return filler


@pytest.mark.parametrize("spare", [0, 8192, 32768, 131072])
def test_a_full_disk_under_the_index_never_leaves_an_unjournaled_change(vault, tiny_disk, spare):
    notes = {f"n{i:03d}.md": "".join(f"- [?] task {i}.{j} #proposed\n" for j in range(20))
             for i in range(150)}  # fmt: skip
    root = vault(notes)
    db = tiny_disk / "index.sqlite"
    assert tasksync(root, "scan", db=db).returncode == 0
    before = snapshot(*sorted(root.rglob("*.md")))
    filler = _fill(tiny_disk, spare)
    result = tasksync(root, "accept", "--all-proposed", db=db)
    assert result.returncode not in (0, 70), result.stderr
    assert "Traceback" not in result.stderr
    assert one_clean_line(result.stderr), result.stderr
    filler.unlink()
    after = snapshot(*sorted(root.rglob("*.md")))
    if after != before:  # some notes were written: the journal has them, undo restores them
        assert tasksync(root, "undo", db=db).returncode == 0
        assert snapshot(*sorted(root.rglob("*.md"))) == before


def test_an_add_to_a_new_folder_on_a_full_disk_leaves_no_folder(tmp_path, tiny_disk):
    """`add --note Projects/2026/Inbox.md` failed on a full disk (said so, exit 1) but left
    the folders it had made for the note in the vault."""
    root = tiny_disk / "vault"
    root.mkdir()
    (root / "Note.md").write_text("- [ ] a\n")
    db = tmp_path / "index.sqlite"
    assert tasksync(root, "scan", db=db).returncode == 0
    filler = _fill(tiny_disk, 0)
    result = tasksync(root, "add", "--note", "Projects/2026/Inbox.md", "Call Bob", db=db)
    assert result.returncode == 1, result.stderr
    assert "No space left" in result.stderr
    filler.unlink()
    assert sorted(p.name for p in root.rglob("*")) == ["Note.md"]


def test_an_index_whose_scan_filled_the_disk_is_called_full_not_damaged(vault, tiny_disk):
    """A scan that fills the index's disk, then any command: SQLite had rolled the whole
    transaction back, so undoing a savepoint failed ("no such savepoint") and the index was
    called damaged, with advice to rebuild it; it was only full."""
    rng = random.Random(2)
    notes = {}
    for n in range(500):
        lines = [f"# Note {n}", "", "Some prose here.", ""]
        for t in range(20):
            lines.append(f"- [?] task {n}-{t} do thing 📅 2026-12-{t % 28 + 1:02d} @Dana #proposed")
            if t % 5 == 0:
                lines.append(f"- [ ] open {n}-{t} ⏫")
        lines += ["", "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(3000))]
        notes[f"f{n % 7}/n{n}.md"] = "\n".join(lines) + "\n"
    root = vault(notes)
    db = tiny_disk / "index.sqlite"
    first = tasksync(root, "scan", db=db)
    assert first.returncode == 4, first.stderr
    assert "full" in first.stderr, first.stderr
    again = tasksync(root, "accept", "--all-proposed", db=db)
    assert again.returncode == 4
    assert "damaged" not in again.stderr, again.stderr
    assert "database or disk is full" in again.stderr, again.stderr


MOUNTS = """/dev/vda / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
sshfs#me@host: /home/me/My\\040Vault fuse.sshfs rw 0 0
/dev/vdb /home/me/Notes xfs rw 0 0
tmpfs /home/me/Notes/cache tmpfs rw 0 0
server:/export /mnt/nfs nfs4 rw 0 0
"""


@pytest.mark.parametrize(
    ("folder", "flushed_together"),
    [
        ("/home/me/Notes/Meetings", True),  # XFS: one syncfs writes every file out
        ("/home/me/Notesbook", True),  # on / (ext4), not inside /home/me/Notes
        ("/home/me/My Vault/Meetings", False),  # FUSE (a space in its mount point)
        ("/home/me/Notes/cache/x", False),  # tmpfs mounted inside the XFS one
        ("/mnt/nfs/vault", False),  # a network filesystem: an fsync per file
    ],
)
def test_many_notes_share_one_flush_only_on_a_local_filesystem_known_to_write_them_all(
    folder, flushed_together
):
    """A syncfs that does not write the files out (FUSE before Linux 5.15, network mounts)
    would acknowledge notes that a power cut then loses: there, each note is fsync'ed."""
    from tasksync.write import files

    kind = files._filesystem(folder, files.mount_table(MOUNTS))
    assert (kind in files._SYNCFS_FILESYSTEMS) == flushed_together


# -- dates at the edge of the calendar --------------------------------------------------------


def test_a_recurrence_past_the_year_9999_fails_that_task_only(vault):
    edge = "- [ ] yearly thing 🔁 every year 📅 9999-06-01\n"
    root = vault({"edge.md": edge, "n.md": "- [ ] water 🔁 every week 📅 2026-01-05\n"})
    [late] = ids_of(root, "yearly thing")
    [water] = ids_of(root, "water")
    result = tasksync(root, "done", late, water)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    assert "9999" in result.stderr, f"the failing task is not named: {result.stderr!r}"
    assert (root / "edge.md").read_text(encoding="utf-8") == edge
    assert "- [x] water" in (root / "n.md").read_text(encoding="utf-8"), "the batch was lost"


# -- what the walk of the vault leaves out is said ------------------------------------------------


def test_links_to_outside_the_vault_are_said_to_be_skipped(vault, tmp_path):
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "target.md").write_text("- [ ] linked task\n", encoding="utf-8")
    (outside / "folder" / "f.md").write_text("- [ ] in a linked folder\n", encoding="utf-8")
    root = vault({"here.md": "- [ ] here\n"})
    (root / "sym.md").symlink_to(outside / "target.md")
    (root / "linked").symlink_to(outside / "folder")
    result = tasksync(root, "list", "--format", "line")
    assert result.returncode == 0, result.stderr
    assert [line.split("\t")[4] for line in result.stdout.splitlines()] == ["here"]
    assert "skipped sym.md: a link to outside the vault" in result.stderr, result.stderr
    assert "skipped linked/: a link to outside the vault" in result.stderr, result.stderr


def test_an_unreadable_folder_is_said_to_be_skipped(vault, unprivileged):
    root = vault({"here.md": "- [ ] here\n", "Projects/p.md": "- [ ] hidden from us\n"})
    (root / "Projects").chmod(0)
    try:
        result = tasksync(root, "list", "--format", "line", preexec=unprivileged)
    finally:
        (root / "Projects").chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert "skipped Projects/: Permission denied" in result.stderr, result.stderr


def test_an_undo_that_can_restore_nothing_says_so(vault):
    root = vault({"n.md": "- [?] first #proposed\n- [?] second #proposed\n"})
    [first] = ids_of(root, "first")
    [second] = ids_of(root, "second")
    assert tasksync(root, "accept", first).returncode == 0
    assert tasksync(root, "accept", second).returncode == 0
    text = (root / "n.md").read_text(encoding="utf-8").replace("- [ ] second", "- [ ] second!")
    (root / "n.md").write_text(text, encoding="utf-8")
    result = tasksync(root, "undo")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("nothing undone of `accept"), result.stdout
    assert "changed since" in result.stderr
    assert (root / "n.md").read_text(encoding="utf-8") == text
    assert tasksync(root, "undo").returncode == 0  # the batch before
    restored = text.replace("- [ ] first", "- [?] first #proposed")
    assert (root / "n.md").read_text(encoding="utf-8") == restored


def test_undo_restores_removed_lines_and_other_encodings_after_many_newer_batches(vault):
    # Past the last 20 batches the journal drops the notes' whole bytes: a note left as the
    # batch wrote it is restored from its lines, checked against its old content hash.
    cafe = "# Café\r\n- [ ] Pay the café bill\r\n".encode("cp1252")
    notes = {"A.md": "# A\n- [ ] Water the plants 🏁 delete\n- [ ] keep\n", "C.md": cafe,
             "B.md": "- [ ] Move me 📅 2026-01-01\n"}  # fmt: skip
    root = vault(notes)
    before = snapshot(*(root / name for name in notes))
    [water] = ids_of(root, "Water the plants")
    [bill] = ids_of(root, "Pay the café bill")
    [move] = ids_of(root, "Move me")
    assert tasksync(root, "done", water, bill).returncode == 0
    for day in range(10, 31):
        assert tasksync(root, "set", move, "--due", f"2026-01-{day}").returncode == 0
    for _ in range(22):
        result = tasksync(root, "undo")
        assert result.returncode == 0, result.stderr
    assert snapshot(*before) == before


def _disk_full(*_args, **_kwargs):
    raise sqlite3.OperationalError("database or disk is full")


def test_an_index_that_fills_up_after_the_notes_are_written_says_they_were(vault, monkeypatch):
    from click.testing import CliRunner

    from tasksync.cli.main import cli
    from tasksync.index.store import Store

    root = vault({"n.md": "- [?] a #proposed\n- [?] b #proposed\n"})
    before = (root / "n.md").read_bytes()
    base = ["--vault", str(root), "--db", str(_index())]
    assert CliRunner().invoke(cli, [*base, "scan"]).exit_code == 0
    monkeypatch.setattr(Store, "notes_written", _disk_full)  # after the renames
    result = CliRunner().invoke(cli, [*base, "reject", "--all-proposed"])
    monkeypatch.undo()
    assert result.exit_code == 4, result.output
    assert (root / "n.md").read_bytes() != before  # written: it must say so
    assert "2 task line(s) in 1 note(s) were written" in result.stderr, result.stderr
    assert one_clean_line(result.stderr), result.stderr
    assert "interrupted" in CliRunner().invoke(cli, [*base, "log"]).stdout
    assert CliRunner().invoke(cli, [*base, "undo"]).exit_code == 0
    assert (root / "n.md").read_bytes() == before


def test_add_says_what_it_added_when_the_index_cannot_follow(vault, monkeypatch):
    from click.testing import CliRunner

    from tasksync.cli.main import cli
    from tasksync.write import actions

    root = vault({"n.md": "- [ ] x\n"})
    base = ["--vault", str(root), "--db", str(_index()), "--today", TODAY]
    assert CliRunner().invoke(cli, [*base, "scan"]).exit_code == 0
    monkeypatch.setattr(actions, "sync", _disk_full)  # the index, after the note is written
    result = CliRunner().invoke(cli, [*base, "add", "Buy compost"])
    monkeypatch.undo()
    assert result.exit_code == 0, result.output  # added: a retry would add it twice
    assert "Buy compost" in result.stdout, result.stdout
    assert "Inbox.md:1" in result.stdout, result.stdout
    assert "the next command" in result.stderr, result.stderr
    assert (root / "Inbox.md").read_text().count("Buy compost") == 1


CAP_CHOWN = 0


def _drop_root_power_over_owners() -> None:
    """Root that can no longer give a file to another user, nor ignore file modes."""
    _drop_root_power_over_file_modes()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_a_note_of_another_user_is_not_made_the_writers(vault, unprivileged):
    """In a shared vault, a rewrite by another user gave the note to that user (the chown
    that keeps its owner failed silently): its owner could be locked out of it."""
    if unprivileged is None:
        pytest.skip("needs root, to give the note to another user")
    root = vault({"shared.md": "- [ ] Call the council 📅 2026-12-01\n"})
    note = root / "shared.md"
    os.chown(note, 65534, 65534)  # nobody's
    note.chmod(0o666)
    before = note.read_bytes()
    [task] = ids_of(root, "Call the council")
    result = tasksync(root, "done", task, preexec=_drop_root_power_over_owners)
    assert result.returncode == 1, result.stdout + result.stderr
    assert one_clean_line(result.stderr), result.stderr
    owner, group = pwd.getpwuid(65534).pw_name, grp.getgrgid(65534).gr_name  # nobody, nogroup
    assert f"belongs to user {owner}, group {group}" in result.stderr  # names, not numbers
    assert note.read_bytes() == before
    assert (note.stat().st_uid, note.stat().st_gid) == (65534, 65534)
    assert not list(root.glob(".*.tasksync"))


def test_a_note_renamed_over_while_it_is_checked_is_not_replaced(vault, monkeypatch):
    """A sync tool renamed its version over the note while tasksync read it back before its
    own rename: the open file still read the old bytes, and the sync tool's edit was lost
    (3 in 60 runs on a 31 MB note). The check now reads the file that is there after."""
    from tasksync.write import files
    from tasksync.write.writeback import open_plan, place_plan, stage_plan

    root = vault({"n.md": "- [?] Call the council #proposed\n"})
    note = root / "n.md"
    plan = open_plan(root, "n.md")
    plan.replace(0, 1, ("- [ ] Call the council",))
    staged = stage_plan(plan)
    synced = root / ".incoming"
    synced.write_text("- [?] Call the council #proposed\nfrom the phone\n")
    real = os.set_blocking

    def renamed_meanwhile(fd: int, blocking: bool) -> None:  # between its open and its read
        if synced.exists():
            os.rename(synced, note)
        real(fd, blocking)

    monkeypatch.setattr(os, "set_blocking", renamed_meanwhile)
    with pytest.raises(files.ChangedMeanwhile):
        place_plan(plan, staged)
    assert note.read_text().endswith("from the phone\n")
    assert not list(root.glob(".*.tasksync"))


def test_a_note_saved_in_place_just_before_the_rename_is_not_replaced(vault, monkeypatch):
    """Obsidian saves a note by writing into the same file: a save landing after the check
    and before the rename kept the file's identity, the check passed, and the user's save
    was lost under an acknowledged accept. The note swapped out is read again."""
    from tasksync.write import files
    from tasksync.write.writeback import open_plan, place_plan, stage_plan

    root = vault({"n.md": "- [?] Call the council #proposed\n"})
    note = root / "n.md"
    plan = open_plan(root, "n.md")
    plan.replace(0, 1, ("- [ ] Call the council",))
    staged = stage_plan(plan)
    real = files.exchange

    def saved_in_place_first(one: str, other: str) -> bool | None:
        with open(other, "r+b") as handle:  # same inode, as Obsidian's fs.writeFile
            data = handle.read()
            handle.seek(0)
            handle.write(data + b"- [ ] Typed in Obsidian just now\n")
        monkeypatch.setattr(files, "exchange", real)
        return real(one, other)

    monkeypatch.setattr(files, "exchange", saved_in_place_first)
    with pytest.raises(files.ChangedMeanwhile):
        place_plan(plan, staged)
    assert note.read_text() == (
        "- [?] Call the council #proposed\n- [ ] Typed in Obsidian just now\n"
    )
    assert not list(root.glob(".*.tasksync"))


def test_undo_while_an_editor_saves_the_note_in_place_waits_for_the_save(vault):
    """Obsidian saves by truncating the note and writing it again: undo read it empty in
    between, took every line it wrote for changed since, and closed the batch for good."""
    root = vault({"n.md": "- [?] Call Bob #proposed\n- [?] Email Ann #proposed\n"})
    assert tasksync(root, "accept", "--all-proposed").returncode == 0
    note = root / "n.md"
    saved = note.read_bytes() + b"typed by the user\n"
    with open(note, "r+b") as handle:
        handle.truncate(0)
        handle.flush()
        command = [sys.executable, "-m", "tasksync", "--vault", str(root), "--db", str(_index()),
                   "--today", TODAY, "undo"]  # fmt: skip
        undo = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)  # fmt: skip
        time.sleep(1.0)  # the editor's save is under way while undo reads the note
        handle.write(saved)
    _, err = undo.communicate(timeout=TIMEOUT_S)
    assert undo.returncode == 0, err
    assert note.read_text() == (
        "- [?] Call Bob #proposed\n- [?] Email Ann #proposed\ntyped by the user\n"
    )


_KILLED_AFTER_RENAME = (
    "import os, sys\n"
    "from tasksync.index.journal import Journal\n"
    "Journal.notes_written = lambda *a, **k: os._exit(137)  # a SIGKILL right after the rename\n"
    "from tasksync.cli.main import cli\n"
    "sys.exit(cli(sys.argv[1:]))\n"
)


def test_a_batch_settled_while_an_editor_saves_the_note_stays_undoable(vault):
    """A writer killed right after its rename, before the journal marked the note written;
    the next command settled the journal while an editor's save in place was under way:
    the note read empty, the change was dropped from the journal, and `undo` had nothing
    to undo although the note held what the batch wrote."""
    root = vault({"n.md": "# Note\nsome text\n- [?] call Dana #proposed\n"})
    note = root / "n.md"
    base = ["--vault", str(root), "--db", str(_index()), "--today", TODAY]
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_RENAME, *base, "accept",
                             "--all-proposed"], capture_output=True, text=True)  # fmt: skip
    assert killed.returncode == 137, killed.stderr
    edited = note.read_bytes().replace(b"some text", b"some text, edited")
    with open(note, "r+b") as handle:
        handle.truncate(0)
        handle.flush()
        settling = subprocess.Popen([sys.executable, "-m", "tasksync", *base, "list"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        time.sleep(0.8)  # the save is under way while the journal is settled
        handle.write(edited)
    settling.communicate(timeout=TIMEOUT_S)
    undone = tasksync(root, "undo")
    assert undone.returncode == 0, undone.stderr
    assert note.read_text() == "# Note\nsome text, edited\n- [?] call Dana #proposed\n"


@pytest.mark.parametrize(
    "args",
    [[b"add", b"Caf\xe9 call"], [b"accept", b"--all-proposed", b"--path", b"Caf\xe9"],
     [b"list", b"--path", b"\xff"], [b"add", b"--note", b"\xff.md", b"x"]],
)  # fmt: skip
def test_an_argument_that_is_not_utf8_is_a_usage_error(vault, args):
    """Text in Latin-1 from a misconfigured terminal ended in "internal error" (exit 70)."""
    root = vault({"n.md": "- [?] call Dana #proposed\n"})
    before = snapshot(root / "n.md")
    command = [sys.executable.encode(), b"-m", b"tasksync", b"--vault", bytes(root), b"--db",
               bytes(_index()), *args]  # fmt: skip
    result = subprocess.run(command, capture_output=True, check=False, timeout=TIMEOUT_S)
    assert result.returncode == 2, result.stderr
    assert b"is not valid UTF-8" in result.stderr
    assert snapshot(root / "n.md") == before


def test_undo_prints_a_note_name_with_control_characters_safely(vault):
    """undo listed each restored `path:line` raw: a name holding an escape sequence or a
    line break reached the terminal as it was (accept and list clean it up)."""
    root = vault({"evil\x1b[2J\nname.md": "- [?] item #proposed\n"})
    assert tasksync(root, "accept", "--all-proposed").returncode == 0
    undone = tasksync(root, "undo")
    assert undone.returncode == 0, undone.stderr
    assert "\x1b" not in undone.stdout
    assert undone.stdout.splitlines()[0] == "evil[2Jname.md:1"


def test_without_renameat2_notes_are_still_written_and_checked(vault, monkeypatch):
    """Where renameat2 is missing (old glibc, another system) or refused (a file system
    without it), a checked rename replaces the note, as before it existed."""
    from tasksync.write import files, rename
    from tasksync.write.writeback import open_plan, place_plan, stage_plan

    monkeypatch.setattr(rename, "_rename2", lambda *_args: None)
    root = vault({"n.md": "- [?] Call the council #proposed\n"})
    plan = open_plan(root, "n.md")
    plan.replace(0, 1, ("- [ ] Call the council",))
    place_plan(plan, stage_plan(plan))
    assert (root / "n.md").read_text() == "- [ ] Call the council\n"
    plan = open_plan(root, "n.md")
    plan.replace(0, 1, ("- [x] Call the council",))
    staged = stage_plan(plan)
    (root / "n.md").write_text("- [ ] Call the council\nedited\n")
    with pytest.raises(files.ChangedMeanwhile):
        place_plan(plan, staged)
    assert (root / "n.md").read_text().endswith("edited\n")


def test_undo_past_a_note_renamed_since_goes_on_to_the_batch_before(vault):
    """A note renamed after a batch wrote it (as Obsidian renames): every undo failed on it,
    said the batch was closed while it stayed open, and the batch before could never be
    undone."""
    root = vault({"a.md": "- [ ] first 📅 2026-12-01\n", "b.md": "- [ ] second 📅 2026-12-02\n"})
    before_a = (root / "a.md").read_bytes()
    [first], [second] = ids_of(root, "first"), ids_of(root, "second")
    assert tasksync(root, "done", first).returncode == 0
    assert tasksync(root, "done", second).returncode == 0
    (root / "b.md").rename(root / "b renamed.md")
    undo = tasksync(root, "undo")
    assert undo.returncode == 1
    assert "b.md no longer exists (renamed or deleted since): its 1 line(s) are not undone" \
        in undo.stderr  # fmt: skip
    again = tasksync(root, "undo")  # the batch before
    assert again.returncode == 0, again.stderr
    assert "undid `done" in again.stdout, again.stdout
    assert (root / "a.md").read_bytes() == before_a
    assert "- [x] second" in (root / "b renamed.md").read_text()  # left as the user has it


def test_an_undo_that_cannot_write_says_its_batch_stays_open(vault, unprivileged):
    root = vault({"a.md": "- [ ] first 📅 2026-12-01\n"})
    [first] = ids_of(root, "first")
    assert tasksync(root, "done", first).returncode == 0
    (root / "a.md").chmod(0o444)
    undo = tasksync(root, "undo", preexec=unprivileged)
    assert undo.returncode == 1
    assert "the batch stays open, and the next undo tries them again" in undo.stdout
    assert "closed" not in undo.stdout
    (root / "a.md").chmod(0o644)
    assert "undid `done" in tasksync(root, "undo").stdout
    assert "- [ ] first" in (root / "a.md").read_text()


def test_a_line_now_in_a_code_block_is_not_written_whatever_the_index_says(vault):
    """A note rewritten with its size and time kept (rsync -t, a sync tool) is not read again
    by the index: its task, now inside a code fence, was still rewritten by `accept`."""
    root = vault({"n.md": "# N\nxxxxxxxxxxx\n- [?] Alpha example #proposed\nyyy\n"})
    note = root / "n.md"
    [alpha] = ids_of(root, "Alpha example")
    kept = note.stat()
    note.write_text("# N\n```markdown\n- [?] Alpha example #proposed\n```\n")
    os.utime(note, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    assert note.stat().st_size == kept.st_size
    before = note.read_bytes()
    result = tasksync(root, "accept", alpha)
    assert result.returncode == 1, result.stdout
    assert "no longer a task" in result.stderr
    assert note.read_bytes() == before


def test_undo_of_a_batch_whose_only_note_is_gone_says_so_and_log_does_not_call_it_undone(vault):
    """Its note deleted since, undo printed "every line it wrote has changed since" (the
    real reason only on stderr) and `log` then called the batch undone."""
    root = vault({"a.md": "- [ ] first 📅 2026-12-01\n", "b.md": "- [ ] second\n"})
    [first] = ids_of(root, "first")
    assert tasksync(root, "done", first).returncode == 0
    (root / "a.md").unlink()
    undo = tasksync(root, "undo")
    assert undo.returncode == 1
    assert "changed since" not in undo.stdout, undo.stdout
    assert "no longer exist" in undo.stdout, undo.stdout
    log = tasksync(root, "log").stdout
    assert "(undone)" not in log, log
    assert "nothing undone" in log, log


def test_a_read_only_index_is_said_to_be_read_only_not_busy(vault, tmp_path, unprivileged):
    """Any failure to start a write was reported as "the index is busy (another tasksync is
    writing it)": a read-only index sent the user waiting for a writer that did not exist."""
    root = vault({"a.md": "- [ ] first 📅 2026-12-01\n"})
    db = tmp_path / "ro.sqlite"
    [first] = ids_of(root, "first", db)
    db.chmod(0o444)
    note = (root / "a.md").read_bytes()
    done = tasksync(root, "done", first, db=db, preexec=unprivileged)
    assert done.returncode != 0
    assert "busy" not in done.stderr, done.stderr
    assert "read-only" in done.stderr or "readonly" in done.stderr, done.stderr
    assert one_clean_line(done.stderr), done.stderr
    assert (root / "a.md").read_bytes() == note
