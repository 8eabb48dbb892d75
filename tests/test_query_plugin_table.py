"""Query lines × task lines × today -> match, as the Obsidian Tasks plugin answers them.

Each row is taken from the plugin's documentation or its own tests' expectations (Filters,
Combining Filters, Regular Expressions, Recurring Tasks; the weekday and natural-date examples
of its approved explanations, made on Wednesday 2023-04-19).
"""

from __future__ import annotations

from datetime import date

import pytest

from .plugin_records import matches

WED = date(2023, 4, 19)  # the plugin's own example day: Sunday 16th is "this sunday"
FRI = date(2022, 10, 21)

TABLE = [
    # description: the plugin's text, tags included
    ("description includes #context/location1", "- [ ] xxx #context/location1", WED, True),
    ("description regex matches /#t$/i", "- [ ] Do stuff #t", WED, True),
    ("description regex matches /#t$/i", "- [ ] Do stuff #task", WED, False),
    ("description includes stuff #T", "- [ ] Do stuff #t", WED, True),  # any case
    ("description includes @Dana", "- [ ] Call @Dana", WED, True),
    ("description does not include #home", "- [ ] Tidy #home 📅 2023-04-19", WED, False),
    # Boolean delimiters, with or without spaces, nested
    ('"description includes d1"AND"description includes d2"', "- [ ] d1 d2", WED, True),
    ('"description includes d1"AND"description includes d2"', "- [ ] d1", WED, False),
    ("(description includes d1)AND(description includes d2)", "- [ ] d1 d2", WED, True),
    ("[description includes d1] AND [description includes d2]", "- [ ] d2", WED, False),
    ("{description includes d1} OR {description includes d3}", "- [ ] d3", WED, True),
    ("NOT ( NOT ( description includes d1 ) )", "- [ ] d1", WED, True),
    ("NOT ( NOT ( description includes d1 ) )", "- [ ] d2", WED, False),
    ("((((description includes d1))))", "- [ ] d1", WED, True),
    ("(description includes d1) AND NOT (description includes d2)", "- [ ] d1 d2", WED, False),
    ("(description includes d1) OR NOT (description includes d2)", "- [ ] d3", WED, True),
    (
        "[description includes (maybe)] OR [description includes (perhaps)]",
        "- [ ] call (perhaps)",
        WED,
        True,
    ),
    # precedence NOT > XOR > AND > OR
    (
        "(description includes a) AND (description includes b) XOR (description includes c)",
        "- [ ] a b c",
        WED,
        False,
    ),  # a AND (b XOR c)
    (
        "(description includes a) OR (description includes b) AND (description includes c)",
        "- [ ] a",
        WED,
        True,
    ),  # a OR (b AND c)
    # weekdays: the Sunday-to-Saturday week around today (chrono 2.3.9)
    ("due monday", "- [ ] x 📅 2023-04-17", WED, True),
    ("due sunday", "- [ ] x 📅 2023-04-16", WED, True),
    ("due saturday", "- [ ] x 📅 2023-04-22", WED, True),
    ("due this sunday", "- [ ] x 📅 2023-04-16", WED, True),
    ("due this sunday", "- [ ] x 📅 2023-04-23", WED, False),
    ("due next sunday", "- [ ] x 📅 2023-04-23", WED, True),
    ("due last monday", "- [ ] x 📅 2023-04-10", WED, True),
    ("due next monday", "- [ ] x 📅 2023-04-24", WED, True),
    ("due last friday", "- [ ] x 📅 2023-04-14", WED, True),
    # natural dates
    ("due in two weeks", "- [ ] x 📅 2023-05-03", WED, True),
    ("due in 3 days", "- [ ] x 📅 2023-04-22", WED, True),
    ("due 14 days ago", "- [ ] x 📅 2023-04-05", WED, True),
    ("due 14 October", "- [ ] x 📅 2023-10-14", WED, True),
    ("due May", "- [ ] x 📅 2023-05-01", WED, True),
    ("due in May", "- [ ] x 📅 2023-05-15", WED, False),  # `May` is a date: 1 May
    ("due in 2023-05", "- [ ] x 📅 2023-05-15", WED, True),
    ("due yesterday", "- [ ] x 📅 2023-04-18", WED, True),
    ("due tomorrow", "- [ ] x 📅 2023-04-20", WED, True),
    ("due 17 August 2013 19 August 2013", "- [ ] x 📅 2013-08-18", WED, True),
    # with before / after / on / in, for every date field and happens
    ("due before monday", "- [ ] x 📅 2023-04-16", WED, True),
    ("due after this sunday", "- [ ] x 📅 2023-04-17", WED, True),
    ("due on or before 14 October", "- [ ] x 📅 2023-10-14", WED, True),
    ("due in or after May", "- [ ] x 📅 2023-05-01", WED, True),
    ("due before in two weeks", "- [ ] x 📅 2023-05-03", WED, False),
    ("scheduled this sunday", "- [ ] x ⏳ 2023-04-16", WED, True),
    ("starts before in two weeks", "- [ ] x 🛫 2023-04-20", WED, True),
    ("starts before in two weeks", "- [ ] x", WED, True),  # no start date: can start now
    ("starts before in two weeks", "- [ ] x 🛫 2023-02-30", WED, False),  # invalid: never
    ("done on 14 days ago", "- [x] x ✅ 2023-04-05", WED, True),
    ("created after May", "- [ ] x ➕ 2023-05-02", WED, True),
    ("cancelled before 14 October", "- [-] x ❌ 2023-10-13", WED, True),
    ("happens on next sunday", "- [ ] x ⏳ 2023-04-23", WED, True),
    ("happens in two weeks", "- [ ] x 🛫 2023-05-03", WED, True),
    ("due this week", "- [ ] x 📅 2022-10-17", FRI, True),  # ISO weeks: Monday to Sunday
    ("due next week", "- [ ] x 📅 2022-10-24", FRI, True),
    ("due 2022-W42", "- [ ] x 📅 2022-10-23", FRI, True),
    # recurrence: the plugin's wording; an invalid rule is no recurrence
    ("recurrence includes every week on Sunday", "- [ ] x 🔁 every Sunday", WED, True),
    ("recurrence includes when done", "- [ ] x 🔁 every day when done", WED, True),
    ("is recurring", "- [ ] x 🔁 invalid rule", WED, False),
    ("is not recurring", "- [ ] x 🔁 every fortnight", WED, True),
    ("recurrence includes invalid", "- [ ] x 🔁 invalid rule", WED, False),
    # text fields of the task's place and status
    ("heading regex matches /^$/", "- [ ] x", WED, True),  # no heading reads as ""
    ("status.name includes todo", "- [ ] x", WED, True),
    ("id regex matches /^$/", "- [ ] x", WED, True),
]


@pytest.mark.parametrize(("query", "line", "today", "expected"), TABLE)
def test_query_line_matches_task_line_as_the_plugin(query, line, today, expected):
    assert matches(query, line, today) is expected
