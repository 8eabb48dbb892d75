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
    "kind": st.sampled_from(["status", "words", "due", "owner", "new id", "remove", "add",
                             "swap"]),
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
    if kind == "swap" and len(new) > 1:  # two tasks trade places (lines) in the note
        first = step["at"][0] % len(new)  # type: ignore[index]
        second = (first + 1 + sum(step["at"])) % len(new)  # type: ignore[call-overload]
        if first != second:
            a, b = dict(new[first]), dict(new[second])
            a["line"], b["line"] = b["line"], a["line"]
            new[first], new[second] = b, a
            new.sort(key=lambda r: r["line"])  # type: ignore[arg-type, return-value]
        return new
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


# -- the app: what it holds after each key is what a fresh start would hold -----------------


def fresh_state(app):  # type: ignore[no-untyped-def]
    """The records, pairs, counts and Inbox rows worked out from scratch from the index."""
    from tasksync.index.store import Store
    from tasksync.read.records import tuple_record
    from tasksync.tui.views import counts

    with Store(app.db) as store:
        records = [tuple_record(row) for row in store.all_rows()]
    for record in records:
        record["person"] = app.people.resolve(record["owner"])
    twins = Pairs().update(r for r in records if r["status_type"] == "PROPOSED")
    return records, twins, counts(records, app.people), inbox_rows(records, app.filter.text, twins)


def assert_current(app) -> None:  # type: ignore[no-untyped-def]
    records, twins, numbers, rows = fresh_state(app)
    held = sorted(app.records, key=lambda r: (r["path"], r["line"]))
    assert held == records
    assert app.by_id == {r["id"]: r for r in records}
    assert app.twins == twins
    assert app.counts == numbers
    assert app.rows == rows


def whole_note_reads(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The notes the app reads whole from the index from now on (not only the rows a batch
    changed)."""
    from tasksync.tui.app import TasksyncApp

    read_whole: list[str] = []
    whole = TasksyncApp._note_records

    def counted(self, store, path):  # type: ignore[no-untyped-def]
        read_whole.append(path)
        return whole(self, store, path)

    monkeypatch.setattr(TasksyncApp, "_note_records", counted)
    return read_whole


async def test_after_each_key_the_app_holds_what_a_fresh_start_would(example_vault, monkeypatch):
    from tests.test_tui import app_for, go_to, meeting
    from tests.test_tui_trust import BUY, ORDER

    read_whole = whole_note_reads(monkeypatch)
    app = app_for(example_vault)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert_current(app)
        await go_to(pilot, app, ORDER)
        for key in ("a", "u", "U", "u", "r", "u", "j", "d", "u"):
            await pilot.press(key)
            await pilot.pause()
            assert_current(app)
        assert not read_whole, "a key of the app read a whole note again"
        await go_to(pilot, app, BUY)
        for text in ("h", "hu", "humidity", "humidity p", "humidity", "e"):  # typed, erased
            app.filter = Filter(text)
            app.refresh_rows()
            assert_current(app)
        app.filter = Filter("humidity")
        app.refresh_rows()
        for key in ("a", "u", "U", "u"):
            await pilot.press(key)
            await pilot.pause()
            assert_current(app)
        note = meeting(example_vault)  # another editor changes the note: read whole
        note.write_text(note.read_text(encoding="utf-8").replace(
            "- [?] ", "- [?] Call the supplier first\n- [?] ", 1), encoding="utf-8")  # fmt: skip
        app.reload()
        assert_current(app)
        assert read_whole


def test_twins_counted_in_the_held_records_are_the_index_s(example_vault, tmp_path):
    from tasksync.index.store import Store
    from tasksync.index.sync import sync
    from tasksync.model import StatusTable
    from tasksync.tui.batches import _targets
    from tasksync.write.actions import targets_of

    note = example_vault / "Meetings" / "twins.md"
    note.write_text("- [?] Send the report #proposed\n- [ ] send the report\n"
                    "- [?] Send the report #proposed\n- [ ] Other 🆔 abc\n"
                    "- [?] Again 🆔 abc\n", encoding="utf-8")  # fmt: skip
    with Store(tmp_path / "index.db") as store:
        sync(example_vault, store, StatusTable())
        by_path: dict[str, list[dict[str, object]]] = {}
        for row in store.records():
            by_path.setdefault(row["path"], []).append(row)
        hashes = {path: store.note_hash(path) for path in by_path}
        held = {path: (hashes[path], records) for path, records in by_path.items()}
        records = [r for rs in by_path.values() for r in rs]
        assert _targets(store, records, hashes, held) == targets_of(store, records)
        assert any(t.twins > 1 for t in targets_of(store, records))
        for one in records:  # one accept: its twins are found among the note's records
            assert _targets(store, [one], hashes, held) == targets_of(store, [one])
        stale = {**held, "Meetings/twins.md": ("another hash", [])}
        assert _targets(store, records, hashes, stale) == targets_of(store, records)


FILTER_WORDS = ["pro", "probes", "east", "ea", "@da", "@dana", "#pro", "#proposed", "bench"]


@given(st.lists(st.sampled_from(FILTER_WORDS), max_size=3),
       st.lists(st.sampled_from(FILTER_WORDS), max_size=3), st.lists(task, max_size=8))  # fmt: skip
def test_a_filter_that_narrows_another_keeps_only_what_it_keeps(first, then, specs):
    wide, narrow = Filter(" ".join(first)), Filter(" ".join(then))
    records = [record(NOTES[0], i + 1, f"a{i}", spec) for i, spec in enumerate(specs)]
    for r in records:
        r["tags"] = ["proposed"] if r["status_type"] == "PROPOSED" else []
    if narrow.narrows(wide):
        assert all(wide(r) for r in records if narrow(r))
    assert Filter("probes east").narrows(Filter("pro"))
    assert not Filter("pro").narrows(Filter("probes"))


def test_pairs_follow_tasks_that_trade_lines():
    """Three tasks alike: the pair is the two earliest lines. When the first and the last
    trade places (moved in an editor), the pair follows the lines, as a fresh start pairs."""
    words = "order two more humidity probes east bench".split()  # noqa: SIM905
    spec = {"words": words, "owner": "Myself",
            "due": None, "proposed": True}  # fmt: skip
    by_path = {NOTES[0]: [record(NOTES[0], line, key, spec)
                          for line, key in ((1, "a"), (2, "b"), (3, "c"))]}  # fmt: skip
    pairs = Pairs()
    pairs.update_notes(by_path)
    assert pairs.note_pairs(NOTES[0]) == (("a", "b"),)
    a, b, c = by_path[NOTES[0]]
    by_path[NOTES[0]] = [{**c, "line": 1}, b, {**a, "line": 3}]
    pairs.update_notes(by_path)
    assert pairs.twins == Pairs().update(proposed(by_path)) == {"c": "b", "b": "c"}


async def test_accept_all_of_a_big_note_holds_what_a_fresh_start_would(make_vault, monkeypatch):
    """Accept all in a note of many proposals (each record found by its line):
    the app takes the index's rows of the changed tasks, not the whole note again."""
    import asyncio

    from tests.test_tui import app_for

    lines = [f"- [?] Proposal {i} for the {WORDS[i % len(WORDS)]} team #proposed"
             for i in range(120)]  # fmt: skip
    vault = make_vault({"Meetings/big.md": "# Big\n\n" + "\n".join(lines) + "\n\nProse.\n"})
    read_whole = whole_note_reads(monkeypatch)
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        for _ in range(300):
            if not app.counts["inbox"]:
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        assert app.counts["inbox"] == 0
        assert_current(app)
        assert not read_whole, "accept all read the whole note again"


async def test_ten_thousand_proposals_in_one_note_at_80x24(make_vault):
    """A note of 10,000 proposals, driven as a user would at 80×24 (the pairs still being
    scored in the worker): `a` changes exactly the highlighted task's line, `u` gives every
    byte back, and accept-all then undo leave the note as it was."""
    import asyncio

    from tests.test_tui import app_for

    lines = [f"- [?] Proposal {i} for the {WORDS[i % len(WORDS)]} team #proposed"
             for i in range(10_000)]  # fmt: skip
    text = "# Big\n\n" + "\n".join(lines) + "\n\nProse."
    vault = make_vault({"Meetings/big.md": text})
    note = vault / "Meetings" / "big.md"
    app = app_for(vault)

    async def until(done) -> None:  # type: ignore[no-untyped-def]
        for _ in range(600):
            if done():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the app did not get there in 30 s")

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.counts["inbox"] == 10_000
        for _ in range(3):
            await pilot.press("j")
        record = app.current_record()
        assert record is not None
        await pilot.press("a")
        await pilot.pause()
        after = note.read_text(encoding="utf-8").split("\n")
        changed = [i for i, (a, b) in enumerate(zip(text.split("\n"), after, strict=True))
                   if a != b]  # fmt: skip
        assert changed == [record["line"] - 1]
        assert after[changed[0]].startswith("- [ ] ")
        assert "#proposed" not in after[changed[0]]
        await pilot.press("u")
        await pilot.pause()
        assert note.read_text(encoding="utf-8") == text
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("y")
        await until(lambda: not app.counts["inbox"])
        assert "- [?]" not in note.read_text(encoding="utf-8")
        await pilot.pause()
        await pilot.press("u")
        await until(lambda: app.counts["inbox"] == 10_000)
        assert note.read_text(encoding="utf-8") == text
