"""`query` reads the index streamed, with what SQLite can rule out left to SQLite and, under a
limit, only the first tasks kept. Its answers must be the ones the whole table gives."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.model import StatusTable
from tasksync.query.engine import (
    KEPT_WHILE_SORTING,
    Result,
    context_for,
    parse_block,
    run_block,
    run_on_index,
    sql_conditions,
)

TODAY = date(2026, 12, 1)

task_lines = st.builds(
    lambda status, words, fields: f"- [{status}] {words}{fields}",
    st.sampled_from([" ", "?", "x", "/", "-", "!"]),
    st.sampled_from(["Call Dana", "Order probes", "Buy seeds", "Fix the door"]),
    st.lists(st.sampled_from([" 📅 2026-11-30", " 📅 2026-12-01", " 📅 2026-12-24",
                              " ⏳ 2026-12-01", " 🛫 2026-11-02", " 🛫 2027-01-05",
                              " ✅ 2026-11-20", " ❌ 2026-12-02", " ➕ 2026-10-01", " ⏫", " 🔽",
                              " 📅 2026-02-30", " 🆔 abc", " ⛔ abc"]), max_size=4).map("".join),
)  # fmt: skip
FILTERS = [
    "done", "not done", "status.type is TODO", "status.type is not DONE", "due before tomorrow",
    "due after 2026-12-01", "due on or before 2026-12-24", "due in 2026-12-01 2026-12-31",
    "happens before 2026-12-02", "happens on or after 2026-12-24", "starts before today",
    "starts after 2026-12-31", "scheduled on 2026-12-01", "done before 2026-12-01",
    "cancelled on or after 2026-12-02", "created in or before 2026-10-01", "has due date",
    "no due date", "is blocked", "is not blocking", "priority is high", "due date is invalid",
    "(due before tomorrow) OR (done)", "NOT (not done)",
]  # fmt: skip
GROUPS = [
    "group by status.type",
    "group by tags",
    "group by due reverse",
    "group by status.type\ngroup by priority\nlimit groups 2",
]
SORTS = [
    "",
    "sort by due",
    "sort by priority reverse",
    "sort by description",
    "sort by done",
    "sort by urgency",
    "sort by urgency reverse",
    "sort by status.type reverse",
    "sort by due reverse\nsort by path",
    "sort by start\nsort by urgency",
    "sort by scheduled reverse",
    "sort by happens",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(task_lines, max_size=30), min_size=1, max_size=3),
       st.lists(st.sampled_from(FILTERS), max_size=3))  # fmt: skip
def test_a_streamed_query_answers_as_the_whole_table(notes, filters):
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp)
        for number, lines in enumerate(notes):
            (vault / f"n{number}.md").write_text("\n".join(lines), encoding="utf-8")
        with Store(vault / ".index.sqlite") as store:
            sync(vault, store, StatusTable())
            everything = store.records()
            ctx = context_for(everything, TODAY, (), {})
            for sort, group in [*((s, "") for s in SORTS), *((SORTS[1], g) for g in GROUPS)]:
                for limit in (None, 0, 1, 3, 7):
                    text = "\n".join([*filters, sort, group,
                                      "" if limit is None else f"limit {limit}"])  # fmt: skip
                    block = parse_block(text, ctx)
                    whole = _answer(run_block(block, everything, ctx))
                    records = store.stream_records(sql_conditions(block))
                    assert _answer(run_block(block, records, ctx)) == whole, text
                    assert _answer(run_on_index(block, store, ctx)) == whole, text


def _answer(result: Result) -> list[tuple[list[str], list[str]]]:
    """Each group's headings and its tasks' ids, in order."""
    return [(heads, [r["id"] for r in records]) for heads, records in result.groups]


def test_under_a_limit_the_first_tasks_come_out_whatever_the_number(tmp_path: Path) -> None:
    """More tasks than are held while sorting: the limit keeps the first of all of them, in
    the sort's order, ties in note order (the plugin's stable sort)."""
    lines = [f"- [ ] Task {n:05d} 📅 2026-12-{1 + (n * 7) % 28:02d}"
             for n in range(KEPT_WHILE_SORTING * 3)]  # fmt: skip
    (tmp_path / "big.md").write_text("\n".join(lines), encoding="utf-8")
    with Store(tmp_path / ".index.sqlite") as store:
        sync(tmp_path, store, StatusTable())
        ctx = context_for([], TODAY, (), {})
        block = parse_block("not done\nsort by due\nlimit 7", ctx)
        found = run_block(block, store.stream_records(sql_conditions(block)), ctx).tasks
    due_first = sorted(range(len(lines)), key=lambda n: ((n * 7) % 28, n))[:7]
    assert [r["description"] for r in found] == [f"Task {n:05d}" for n in due_first]


def test_sqlite_rules_out_what_the_filters_would(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("- [x] Done ✅ 2026-11-01\n- [ ] Open 📅 2026-12-24\n"
                                   "- [ ] Early 📅 2026-11-01\n", encoding="utf-8")  # fmt: skip
    with Store(tmp_path / ".index.sqlite") as store:
        sync(tmp_path, store, StatusTable())
        block = parse_block("not done\ndue before 2026-12-01", context_for([], TODAY, (), {}))
        assert [r["description"] for r in store.stream_records(sql_conditions(block))] == ["Early"]
