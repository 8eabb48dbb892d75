"""The Inbox's pairs (tui/pairs.py) are `tasksync dupes`' pairs, kept between refreshes, and
never across due dates (issue 14, items 3 and 9)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tasksync.query.dupes import duplicate_groups
from tasksync.tui.pairs import Pairs

WORDS = "order two more humidity probes east greenhouse bench supplier price winter buy".split()  # noqa: SIM905
PROBES = "order two more humidity probes for the east bench".split()  # noqa: SIM905


def record(index: int, words: list[str], owner: str = "Myself", due: str | None = None,
           path: str = "Meetings/a.md") -> dict[str, object]:  # fmt: skip
    return {"id": f"t{index:03d}", "path": path, "line": index + 1, "owner": owner,
            "description": " ".join(words), "due": due, "status_type": "PROPOSED"}  # fmt: skip


def pairs_of(twins: dict[str, str]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for p in twins.items()}  # type: ignore[misc]


@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9), min_size=2,
                max_size=14))  # fmt: skip
def test_the_same_pairs_as_tasksync_dupes(descriptions):
    records = [record(i, words) for i, words in enumerate(descriptions)]
    expected = {tuple(sorted((a["id"], b["id"]))) for a, b in duplicate_groups(records)}
    assert pairs_of(Pairs().update(records)) == expected


@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9), min_size=3,
                max_size=12), st.data())  # fmt: skip
def test_a_task_leaving_gives_the_pairs_of_the_rest(descriptions, data):
    records = [record(i, words) for i, words in enumerate(descriptions)]
    pairs = Pairs()
    pairs.update(records)
    gone = data.draw(st.integers(0, len(records) - 1))
    rest = records[:gone] + records[gone + 1 :]
    expected = {tuple(sorted((a["id"], b["id"]))) for a, b in duplicate_groups(rest)}
    assert pairs_of(pairs.update(rest)) == expected
    assert pairs_of(pairs.update(records)) == pairs_of(Pairs().update(records))  # it comes back


def test_tasks_due_on_different_days_are_never_paired():
    words = PROBES
    monday = record(0, words, due="2026-11-23")
    tuesday = record(1, [*words, "now"], due="2026-11-24")
    undated = record(2, [*words, "soon"])
    assert pairs_of(Pairs().update([monday, tuesday])) == set()
    # the Monday task pairs with the undated one instead of being lost to the Tuesday one
    assert pairs_of(Pairs().update([monday, tuesday, undated])) == {("t000", "t002")}


def test_pairs_are_per_note_and_owner():
    words = PROBES
    tasks = [record(0, words), record(1, words, owner="Dana"),
             record(2, words, path="Meetings/b.md")]  # fmt: skip
    assert Pairs().update(tasks) == {}


def test_a_big_note_is_scored_in_a_worker_and_shown_when_ready(monkeypatch):
    import threading

    from tasksync.tui import pairs as module

    monkeypatch.setattr(module, "INLINE_COMPARISONS", 3)  # any note is "big" here
    ready = threading.Event()
    pairs = Pairs(on_ready=ready.set)
    words = PROBES
    tasks = [record(0, words), record(1, [*words, "soon"]), record(2, ["water", "the", "seeds"])]
    try:
        assert pairs.update(tasks) == {}  # not known yet: shown without pairs
        assert pairs.pending_notes() == {"Meetings/a.md"}
        assert ready.wait(60)
        assert pairs_of(pairs.update(tasks)) == {("t000", "t001")}
        assert pairs.pending_notes() == set()
    finally:
        pairs.close()


@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.integers(80, 100)),
                max_size=40),
       st.lists(st.lists(st.tuples(st.integers(0, 11), st.sampled_from([None, "a", "b"]),
                                   st.booleans()), min_size=1, max_size=4),
                max_size=6))  # fmt: skip
def test_the_kept_matching_is_the_one_walked_afresh_after_every_change(edges, changes):
    """Members leaving, coming back and changing their due date, a few at a time: the
    matching redone only where the change reaches is the one a walk from scratch makes."""
    from tasksync.tui.greedy import Greedy

    def member(index: int, due: str | None) -> dict[str, object]:
        return {"id": f"t{index:02d}", "line": index + 1, "due": due}

    ranked = sorted({(-score, min(a, b) + 1, max(a, b) + 1, f"t{min(a, b):02d}",
                      f"t{max(a, b):02d}") for a, b, score in edges if a != b})  # fmt: skip
    members = {f"t{i:02d}": member(i, None) for i in range(12)}
    kept = Greedy(ranked)
    kept.walk(members)
    for change in changes:
        for index, due, present in change:
            key = f"t{index:02d}"
            if present:
                members[key] = member(index, due)
            else:
                members.pop(key, None)
        kept.update(members, {f"t{index:02d}" for index, _due, _present in change})
        afresh = Greedy(ranked)
        afresh.walk(members)
        assert kept.pairs() == afresh.pairs()


@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9), min_size=4,
                max_size=14), st.lists(st.integers(0, 13), min_size=1, max_size=6))  # fmt: skip
def test_tasks_leaving_and_coming_back_one_by_one_give_fresh_pairs(descriptions, steps):
    records = [record(i, words) for i, words in enumerate(descriptions)]
    pairs, present = Pairs(), set(range(len(records)))
    pairs.update(records)
    for step in steps:
        present ^= {step % len(records)}  # an accept, or its undo
        now = [records[i] for i in sorted(present)]
        assert pairs_of(pairs.update(now)) == pairs_of(Pairs().update(now))
