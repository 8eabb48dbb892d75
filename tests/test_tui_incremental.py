"""The TUI's incremental paths give what a computation from scratch gives (issue 14: one
accept in a note of 10,000 tasks works again on that task, not on the note): the pairs
(Pairs.update_notes against Pairs().update) and a note's Inbox rows (NoteRows.patched
against note_rows)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tasksync.tui.pairs import Pairs
from tasksync.tui.views import Filter, NoteRows, inbox_rows, note_rows

WORDS = "order two more humidity probes east greenhouse bench supplier price".split()  # noqa: SIM905
NOTES = ("Meetings/a.md", "Meetings/b.md")
FILTERS = ("", "probes", "east bench", "@dana")

task = st.fixed_dictionaries({
    "words": st.lists(st.sampled_from(WORDS), min_size=3, max_size=7),
    "owner": st.sampled_from(["Myself", "Dana", None]),
    "due": st.sampled_from([None, None, "2026-11-23", "2026-11-24"]),
    "proposed": st.booleans(),
})  # fmt: skip
change = st.fixed_dictionaries({
    "note": st.sampled_from(NOTES),
    "at": st.lists(st.integers(0, 40), min_size=1, max_size=4),
    "kind": st.sampled_from(["status", "words", "due", "owner", "new id", "remove", "add"]),
    "task": task,
})  # fmt: skip


def record(path: str, line: int, key: str, spec: dict[str, object]) -> dict[str, object]:
    return {"id": key, "path": path, "line": line, "owner": spec["owner"], "person": None,
            "description": " ".join(spec["words"]),  # type: ignore[arg-type]
            "due": spec["due"], "tags": [],
            "status_type": "PROPOSED" if spec["proposed"] else "TODO"}  # fmt: skip


def changed(records: list[dict[str, object]], step: dict[str, object],
            made: list[int]) -> list[dict[str, object]]:  # fmt: skip
    """The note's records after ``step``: the records not touched are the same objects."""
    new = list(records)
    kind, spec = step["kind"], step["task"]
    path = str(step["note"])
    if kind == "add":
        made[0] += 1
        line = max([int(r["line"]) for r in new], default=0) + 1  # type: ignore[call-overload]
        return [*new, record(path, line, f"n{made[0]}", spec)]  # type: ignore[arg-type]
    for at in step["at"]:  # type: ignore[attr-defined]
        if not new:
            break
        at %= len(new)
        old = new[at]
        if kind == "remove":
            del new[at]
            continue
        copy = dict(old)
        if kind == "status":
            copy["status_type"] = "TODO" if old["status_type"] == "PROPOSED" else "PROPOSED"
        elif kind == "words":
            copy["description"] = " ".join(spec["words"])  # type: ignore[arg-type]
        elif kind == "due":
            copy["due"] = spec["due"]  # type: ignore[index]
        elif kind == "owner":
            copy["owner"] = spec["owner"]  # type: ignore[index]
        else:
            made[0] += 1
            copy["id"] = f"n{made[0]}"
        new[at] = copy
    return new


def proposed(by_path: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    return [r for records in by_path.values() for r in records if r["status_type"] == "PROPOSED"]


@given(st.lists(task, max_size=14), st.lists(task, max_size=6), st.lists(change, max_size=8),
       st.sampled_from(FILTERS))  # fmt: skip
def test_patched_pairs_and_rows_are_those_made_afresh(first, second, steps, text):
    by_path = {
        NOTES[0]: [record(NOTES[0], i + 1, f"a{i}", spec) for i, spec in enumerate(first)],
        NOTES[1]: [record(NOTES[1], i + 1, f"b{i}", spec) for i, spec in enumerate(second)],
    }
    keep = Filter(text)
    pairs = Pairs()
    pairs.update_notes(by_path)
    held = {path: NoteRows.made(path, records, keep, pairs.twins, pairs.note_pairs(path))
            for path, records in by_path.items()}  # fmt: skip
    made = [0]
    for step in steps:
        path = str(step["note"])
        by_path[path] = changed(by_path[path], step, made)
        pairs.update_notes(by_path)
        fresh = Pairs().update(proposed(by_path))
        assert pairs.twins == fresh
        by_id = {r["id"]: r for records in by_path.values() for r in records}
        for note, records in by_path.items():
            now = held[note].patched(records, keep, pairs.twins, pairs.note_pairs(note), by_id)
            if now is None:
                now = NoteRows.made(note, records, keep, pairs.twins, pairs.note_pairs(note))
            held[note] = now
            assert now.shown() == note_rows(note, records, keep, fresh)
        shown = [row for note in sorted(by_path, reverse=True) for row in held[note].shown()]
        assert shown == inbox_rows([r for records in by_path.values() for r in records], text)


def test_a_note_that_leaves_takes_its_pairs_along():
    words = "order two more humidity probes for the east bench".split()  # noqa: SIM905
    spec = {"words": words, "owner": "Myself", "due": None, "proposed": True}
    by_path = {NOTES[0]: [record(NOTES[0], 1, "a0", spec), record(NOTES[0], 2, "a1", spec)]}
    pairs = Pairs()
    assert pairs.update_notes(by_path) == {NOTES[0]}
    assert pairs.twins == {"a0": "a1", "a1": "a0"}
    assert pairs.update_notes(by_path) == set()  # the same list: not looked at
    assert pairs.update_notes({}) == {NOTES[0]}
    assert pairs.twins == {}
