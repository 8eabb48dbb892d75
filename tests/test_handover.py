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


def _same(index: tuple[object, ...], reference: tuple[object, ...], stale: bool) -> bool:
    """The same tasks and note states; the same ids too, unless a note was stale: then both
    indexes read it again, and of twins (one line twice) each history may give either id."""
    (rows, ids), states = index  # type: ignore[misc]
    (rows_again, ids_again), states_again = reference  # type: ignore[misc]
    return (rows, states) == (rows_again, states_again) and (stale or ids == ids_again)


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
            # A note the batch did not write is read by the next sync, as any note an editor
            # saved; the notes it wrote are not read again (their stat is the one written).
            sync(vault, store, STATUSES)
            for change in outcome.changes:  # a task whose fields changed keeps its id
                if edit_name not in ("done", "reword") and not stale:
                    assert store.record(change.task_id)["raw"] == change.after[0]
            if outcome.changes:
                undo_last(vault, store, STATUSES)
                sync(vault, store, STATUSES)
                undone, undone_states = _rows(store), _states(store)
        with Store(reference) as store:
            sync(vault, store, STATUSES)  # the notes as they are now (undone), read again
            if outcome.changes:
                assert _same((undone, undone_states), (_rows(store), _states(store)), stale)
        if outcome.changes:  # and as the batch left them
            shutil.copy(db, reference)
            with Store(db) as store:
                run_batch(vault, store, STATUSES, "test", [target_of(r) for r in chosen],
                          EDITS[edit_name], False)  # fmt: skip
                sync(vault, store, STATUSES)
                handed, handed_states = _rows(store), _states(store)
            with Store(reference) as store:
                sync(vault, store, STATUSES)
                assert _same((handed, handed_states), (_rows(store), _states(store)), stale)


def test_a_rewording_that_would_open_a_comment_is_refused(tmp_path: Path) -> None:
    """`%%` in a reworded task opens an Obsidian comment: the tasks under it would be tasks no
    more. (It was written, and the note read again to find them gone.)"""
    note = "- [ ] Call Dana\n- [ ] Buy seeds\n%%\n"
    (tmp_path / "n.md").write_text(note, encoding="utf-8")
    with Store(tmp_path / ".index.sqlite") as store:
        sync(tmp_path, store, STATUSES)
        first = store.records()[0]
        outcome = run_batch(tmp_path, store, STATUSES, "test", [target_of(first)],
                            lambda t: (edits.set_description(t, "Call %% Dana", STATUSES).raw,),
                            False)  # fmt: skip
        assert any("opens a comment" in e for e in outcome.errors), outcome.errors
        assert [r["description"] for r in store.records()] == ["Call Dana", "Buy seeds"]
    assert (tmp_path / "n.md").read_text(encoding="utf-8") == note


def test_while_a_scan_loads_the_index_a_batch_leaves_the_rows_to_it(tmp_path: Path) -> None:
    """A cold scan drops the id index while its workers load the rows: ids are not unique
    then, so a batch must not replace rows by id (it would add a second row)."""
    (tmp_path / "n.md").write_text("- [?] Call Dana\n- [?] Buy seeds\n", encoding="utf-8")
    with Store(tmp_path / ".index.sqlite") as store:
        sync(tmp_path, store, STATUSES)
        first = store.records()[0]
        store.drop_id_index()  # as a cold scan in another process does
        run_batch(tmp_path, store, STATUSES, "test", [target_of(first)], EDITS["accept"],
                  False)  # fmt: skip
        assert store.has_id_index()
        assert [(r["description"], r["status_type"]) for r in store.records()] == [
            ("Call Dana", "TODO"), ("Buy seeds", "PROPOSED")]  # fmt: skip
