"""Property: a random batch of edits on random notes changes exactly the edited lines,
and each edited line reads back as the task the edit meant."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tasksync.ids import task_ids
from tasksync.index.store import Store
from tasksync.model import Priority, StatusTable
from tasksync.read.notes import scan_text
from tasksync.read.vault import decode
from tasksync.write import edits
from tasksync.write.actions import run_batch
from tasksync.write.writeback import Target

STATUSES = StatusTable()
TODAY = date(2026, 11, 22)

task_lines = st.builds(
    lambda status, words, field, tags, owner: f"- [{status}] {words}{owner}{field}{tags}",
    st.sampled_from([" ", "?", "x", "/", "-"]),
    st.sampled_from(["Call Dana", "Order probes", "Buy seeds", "Fix the shed door", "x"]),
    st.sampled_from(["", " 📅 2026-01-02", " ðŸ“… 2026-01-02 â«", " [due:: 2026-03-04]",
                     " \uf8ffüìÖ 2026-05-06 ‚è´", " ⏳ 2026-01-01 🔼"]),
    st.sampled_from(["", " #proposed", " #task #proposed #auto", " #x"]),
    st.sampled_from(["", " @Myself", " @Alon Horev"]),
)  # fmt: skip
other_lines = st.sampled_from(["", "# Heading", "Some prose.", "- plain item", "- [[Link]]",
                               "```", "> quote"])  # fmt: skip
notes = st.lists(st.one_of(task_lines, other_lines), min_size=1, max_size=12)
EDITS = {
    "accept": lambda t: edits.accept(t, STATUSES),
    "reject": lambda t: edits.reject(t, TODAY, STATUSES),
    "due": lambda t: edits.set_date(t, "due", TODAY, STATUSES),
    "no-due": lambda t: edits.set_date(t, "due", None, STATUSES),
    "priority": lambda t: edits.set_priority(t, Priority.LOWEST, STATUSES),
    "owner": lambda t: edits.set_owner(t, "Dana Whitfield", STATUSES),
    "repair": lambda t: edits.repair(t, STATUSES),
}


@given(st.lists(notes, min_size=1, max_size=3), st.sampled_from(sorted(EDITS)),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.data())  # fmt: skip
def test_random_batches_change_only_their_lines(files, edit_name, newline, final, data):
    edit = EDITS[edit_name]
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp)
        originals: dict[str, list[str]] = {}
        targets: list[Target] = []
        for number, lines in enumerate(files):
            rel = f"note{number}.md"
            text = newline.join(lines) + (newline if final else "")
            (vault / rel).write_bytes(text.encode("utf-8"))
            originals[rel] = text.split("\n")
            found = scan_text(text)
            ids = task_ids(rel, [f.task for f in found])
            chosen = data.draw(st.lists(st.sampled_from(range(len(found))), unique=True)
                               if found else st.just([]))  # fmt: skip
            targets += [Target.of(ids[i], rel, found[i].line, found[i].task.raw) for i in chosen]
        with Store(vault / ".index.sqlite") as store:  # a dot-file: not a note
            outcome = run_batch(vault, store, STATUSES, "test", targets,
                                lambda t: (edit(t).raw,), False)  # fmt: skip
        assert outcome.errors == []
        edited = {(c.path, c.line): c for c in outcome.changes}
        for rel, old_lines in originals.items():
            new_lines = (vault / rel).read_bytes().decode("utf-8").split("\n")
            assert len(new_lines) == len(old_lines)
            for number, (old, new) in enumerate(zip(old_lines, new_lines, strict=True), 1):
                change = edited.get((rel, number))
                if change is None:
                    assert new == old
                    continue
                ending = "\r" if old.endswith("\r") else ""
                assert new == change.after[0] + ending
                meant = edit(scan_text(old.removesuffix("\r"))[0].task)
                reread = scan_text(new.removesuffix("\r"))[0].task
                assert reread == meant


@given(task_lines)
def test_line_only_edits_equal_the_task_edits(line):
    from tasksync.model import StatusType
    from tasksync.read.parse import parse_line

    task = parse_line(line)
    assert task is not None
    assert edits.accepted_line(task, STATUSES) == edits.accept(task, STATUSES).raw
    assert edits.rejected_line(task, TODAY, STATUSES) == edits.reject(task, TODAY, STATUSES).raw
    done = edits.change_status(task, StatusType.DONE, TODAY, STATUSES)
    assert edits.changed_status_line(task, StatusType.DONE, TODAY, STATUSES) == done.raw


def _note_bytes(lines: list[str], newline: str, final: bool, encoding: str) -> bytes:
    """A note as a pipeline may leave it: each line in the encoding if it can be, else in
    UTF-8 (a cp1252 note with emoji lines in it, read back as mojibake)."""

    def encoded(line: str) -> bytes:
        try:
            return line.encode("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeEncodeError:
            return line.encode("utf-8")

    body = newline.encode().join(map(encoded, lines)) + (newline.encode() if final else b"")
    return b"\xef\xbb\xbf" + body if encoding == "utf-8-sig" else body


UNDONE_EDITS = {**EDITS, "done": None}  # done: edits.complete, which may add a line
accented_lines = st.sampled_from(
    ["- [?] Book the café for Dana #proposed", "Notes from the café meeting."]
)  # a cp1252 note needs one
recurring_lines = st.sampled_from(
    [
        "- [ ] Water the seedlings 🔁 every day 📅 2026-01-02",
        "- [ ] Pay rent 🔁 every month on the 1st 📅 2026-02-01",
    ]
)


@given(st.lists(st.lists(st.one_of(task_lines, other_lines, recurring_lines, accented_lines),
                         min_size=1, max_size=10), min_size=1, max_size=9),
       st.sampled_from(sorted(UNDONE_EDITS)), st.sampled_from(["\n", "\r\n"]), st.booleans(),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]), st.booleans(), st.data())  # fmt: skip
def test_undo_of_a_random_batch_gives_back_every_byte(files, edit_name, newline, final,
                                                      encoding, let_go, data):  # fmt: skip
    """Whatever the batch wrote (a line for a line, or a new occurrence of a recurring
    task), and whether the journal kept the note's bytes, only its lines, or let the bytes
    go (``let_go``: as it does past the newest batches), undo restores the notes byte for
    byte."""
    from tasksync.write.actions import undo_last

    edit = UNDONE_EDITS[edit_name]

    def written(task) -> tuple[str, ...]:
        if edit is None:
            return edits.complete(task, TODAY, STATUSES)
        return (edit(task).raw,)

    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp)
        originals: dict[str, bytes] = {}
        targets: list[Target] = []
        for number, lines in enumerate(files):
            rel = f"note{number}.md"
            originals[rel] = _note_bytes(lines, newline, final, encoding)
            (vault / rel).write_bytes(originals[rel])
            found = scan_text(decode(originals[rel]).text)
            ids = task_ids(rel, [f.task for f in found])
            chosen = data.draw(st.lists(st.sampled_from(range(len(found))), unique=True)
                               if found else st.just([]))  # fmt: skip
            targets += [Target.of(ids[i], rel, found[i].line, found[i].task.raw) for i in chosen]
        with Store(vault / ".index.sqlite") as store:
            run_batch(vault, store, STATUSES, "test", targets, written, False)
            if let_go:
                with store.write():
                    store.conn.execute("UPDATE batch_notes SET before_content = NULL")
            undo_last(vault, store, STATUSES)
        for rel, data_before in originals.items():
            assert (vault / rel).read_bytes() == data_before, rel
