"""The index a batch leaves is the index a sync would have made of the notes it wrote.

A batch hands the index the rows of the lines it rewrote instead of reading the notes again
(``write.handover``). Whatever the notes and the edit, the result must be what reading the
notes again gives — ids included — and a note the index did not hold as the batch found it
(an editor saved it meanwhile) must be read again, not patched.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.model import Priority, StatusTable, StatusType
from tasksync.write import edits
from tasksync.write.actions import run_batch, target_of, undo_last

STATUSES = StatusTable()
TODAY = date(2026, 11, 22)

task_lines = st.builds(
    lambda indent, status, words, field, tags: f"{indent}- [{status}] {words}{field}{tags}",
    st.sampled_from(["", "  ", "> "]),
    st.sampled_from([" ", "?", "x", "/", "-"]),
    st.sampled_from(["Call Dana", "Order probes", "Buy `seeds`", "Fix %% the door", "Call Dana"]),
    st.sampled_from(["", " 📅 2026-01-02", " ðŸ“… 2026-01-02 â«", " [due:: 2026-03-04]",
                     " 🔁 every week 📅 2026-01-02", " ⏳ 2026-01-01 🔼"]),
    st.sampled_from(["", " #proposed", " #task #proposed #auto"]),
)  # fmt: skip
other_lines = st.sampled_from(["", "# Heading", "## Other", "Prose.", "```", "%%", "<!--",
                               "-->", "- [[Link]]"])  # fmt: skip
notes = st.lists(st.one_of(task_lines, task_lines, other_lines), min_size=1, max_size=14)
EDITS = {
    "accept": lambda t: (edits.accept(t, STATUSES).raw,),
    "reject": lambda t: (edits.reject(t, TODAY, STATUSES).raw,),
    "done": lambda t: edits.complete(t, TODAY, STATUSES),  # a recurring task adds a line
    "due": lambda t: (edits.set_date(t, "due", TODAY, STATUSES).raw,),
    "priority": lambda t: (edits.set_priority(t, Priority.LOWEST, STATUSES).raw,),
    "reword": lambda t: (edits.set_description(t, "Fix `the` door %%", STATUSES).raw,),
    "status": lambda t: (edits.change_status(t, StatusType.IN_PROGRESS, TODAY, STATUSES).raw,),
}


def _rows(store: Store) -> tuple[list[dict[str, object]], set[str]]:
    """The index's tasks in note order, and their ids apart: of twins (the same line twice)
    a sync cannot tell which was edited, the batch can — the edited task keeps its id."""
    records = sorted(store.records(), key=lambda r: (r["path"], r["line"]))
    return [{k: v for k, v in r.items() if k != "id"} for r in records], {r["id"] for r in records}


def _states(store: Store) -> dict[str, object]:
    return dict(store.note_states())


@settings(max_examples=60, deadline=None)
@given(st.lists(notes, min_size=1, max_size=3), st.sampled_from(sorted(EDITS)),
       st.sampled_from(["\n", "\r\n"]), st.booleans(), st.data())  # fmt: skip
def test_the_index_after_a_batch_is_the_index_a_sync_makes(files, edit_name, newline, stale,
                                                           data):  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        vault = root / "vault"
        vault.mkdir()
        for number, lines in enumerate(files):
            (vault / f"note{number}.md").write_bytes(newline.join(lines).encode())
        db, reference = root / "index.sqlite", root / "reference.sqlite"
        with Store(db) as store:
            sync(vault, store, STATUSES)
            records = store.records()
        if not records:
            return
        chosen = data.draw(st.lists(st.sampled_from(records), unique_by=lambda r: r["id"],
                                    min_size=1))  # fmt: skip
        if stale:  # an editor saved a note after the last sync: the index does not hold it
            note = vault / chosen[0]["path"]
            note.write_bytes(note.read_bytes() + f"{newline}- [ ] Added in the editor".encode())
        shutil.copy(db, reference)
        with Store(db) as store:
            outcome = run_batch(vault, store, STATUSES, "test", [target_of(r) for r in chosen],
                                EDITS[edit_name], False)  # fmt: skip
            handed, handed_states = _rows(store), _states(store)
            for change in outcome.changes:  # a task whose fields changed keeps its id
                if edit_name not in ("done", "reword"):
                    assert store.record(change.task_id)["raw"] == change.after[0]
            if outcome.changes:
                undo_last(vault, store, STATUSES)
                undone, undone_states = _rows(store), _states(store)
        with Store(reference) as store:
            sync(vault, store, STATUSES)  # the notes as they are now (undone), read again
            if outcome.changes:
                assert (undone, undone_states) == (_rows(store), _states(store))
        if outcome.changes:  # and as the batch left them
            shutil.copy(db, reference)
            with Store(db) as store:
                run_batch(vault, store, STATUSES, "test", [target_of(r) for r in chosen],
                          EDITS[edit_name], False)  # fmt: skip
                handed, handed_states = _rows(store), _states(store)
            with Store(reference) as store:
                sync(vault, store, STATUSES)
                assert (handed, handed_states) == (_rows(store), _states(store))
