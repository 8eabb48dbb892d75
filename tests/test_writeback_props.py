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
            targets += [Target(ids[i], rel, found[i].line, found[i].task.raw) for i in chosen]
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
