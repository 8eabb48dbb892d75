"""Where the query engine had read more (or other) than the plugin: each answer here is the
plugin's, from its source run on Node (chrono 2.3.9, localeCompare in en-US)."""

from __future__ import annotations

from datetime import date

import pytest

from tasksync.query.engine import context_for, parse_block, run_block
from tasksync.query.filters import QueryError

from .plugin_records import STATUS_NAMES, answer, records

TODAY = date(2026, 12, 3)  # a Thursday
DUE = [f"- [ ] D{day:%m%d} task 📅 {day.isoformat()}" for day in (
    date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2),
    date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6),
    date(2026, 12, 7), date(2026, 12, 10), date(2027, 1, 3), date(2026, 1, 1))]  # fmt: skip


def _due(query: str) -> list[str]:
    return [line.split()[3] for line in answer(f"{query}\nsort by due", DUE, TODAY)]


@pytest.mark.parametrize(("query", "expected"), [
    ("due 2026-12-01 to 2026-12-05", ["D1201"]),
    ("due 1 December to 5 December", ["D1201"]),
    ("due 2026-12-01 - 2026-12-05", ["D1201"]),
    ("due today to tomorrow", ["D1203"]),
    ("due after 2026-12-01 to 2026-12-05", ["D1202", "D1203", "D1204", "D1205", "D1206",
                                            "D1207", "D1210", "D0103"]),
    ("due 2026-12-01 2026-12-05", ["D1201", "D1202", "D1203", "D1204", "D1205"]),
    ("due 2026-12-01 until 2026-12-05", ["D1201", "D1202", "D1203", "D1204", "D1205"]),
    ("due this week to next week", ["D1130", "D1201", "D1202", "D1203", "D1204", "D1205",
                                    "D1206"]),
])  # fmt: skip
def test_a_range_chrono_joins_is_its_start_only(query, expected):
    """chrono makes `A to B` one result; the plugin takes only its start (a range needs two
    results). `due 2026-12-01 to 2026-12-05` matched five days; the plugin's matches one."""
    assert _due(query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("due This Week", ["D1129"]),  # the plugin's range words are lower case: chrono's day
    ("due this Week", ["D1129"]),
    ("due Next Week", ["D1210"]),
    ("due This Month", ["D1201"]),
    ("due Next Month", ["D0103"]),
    ("due This Year", ["D0101"]),
    ("due this week", ["D1130", "D1201", "D1202", "D1203", "D1204", "D1205", "D1206"]),
])  # fmt: skip
def test_capitalised_range_words_are_one_day_as_in_the_plugin(query, expected):
    assert _due(query) == expected


TAGGED = ["- [ ] A #x #b", "- [ ] B #x #a", "- [ ] N0 ⏫", "- [ ] O1 #z", "- [ ] N0b 🔽",
          "- [ ] O1b #y ⏫"]  # fmt: skip


@pytest.mark.parametrize(("query", "expected"), [
    ("sort by tag 2", ["B", "A", "O1b", "O1", "N0", "N0b"]),
    ("sort by tag reverse 2", ["N0", "N0b", "O1b", "O1", "A", "B"]),
    ("sort by tag", ["A", "B", "O1b", "O1", "N0", "N0b"]),
])  # fmt: skip
def test_sort_by_the_nth_tag_puts_fewer_tags_before_none(query, expected):
    """Tasks with fewer than N tags and tasks with none tied (then mixed by urgency)."""
    assert [line.split()[3] for line in answer(query, TAGGED, TODAY)] == expected


NAMED = ["- [ ] Task 10 #t10", "- [ ] Task 2 #t2", "- [ ] éclair #éa", "- [ ] Zebra #Zz",
         "- [ ] zebra #zz", "- [ ] ~tilde #~x", "- [ ] untagged"]  # fmt: skip


def test_sort_by_description_is_the_plugins_locale_order():
    shown = [line[6:].split(" #")[0] for line in answer("sort by description", NAMED, TODAY)]
    assert shown == ["~tilde", "éclair", "Task 2", "Task 10", "untagged", "zebra", "Zebra"]


def test_group_by_tags_keeps_tags_differing_in_case_apart_in_the_plugins_order():
    """`#Zz` and `#zz` were one group (the first one's heading over both tasks); `#t10`
    came before `#t2`; `(No tags)` last where the plugin puts it first."""
    tasks = records(NAMED)
    ctx = context_for(tasks, TODAY, ["Myself"], STATUS_NAMES)
    result = run_block(parse_block("group by tags", ctx), tasks, ctx)
    headings = [heads[0] for heads, _ in result.groups]
    assert headings == ["(No tags)", "#~x", "#éa", "#t2", "#t10", "#zz", "#Zz"]
    assert [len(group) for _, group in result.groups] == [1] * 7


@pytest.mark.parametrize("query", ["priority is normal", "priority is above normal",
                                   "priority is Normal"])  # fmt: skip
def test_normal_is_no_priority_word_in_a_query(query):
    """The plugin's word is `none`; `priority is normal` is an error there, and must not
    quietly work here (a person note's query would show other tasks in Obsidian)."""
    with pytest.raises(QueryError, match="none"):
        answer(query, ["- [ ] plain"], TODAY)
