"""Dates in queries, read as the plugin reads them (its DateParser tests, and its approved
explanations made on Wednesday 2023-04-19), always relative to the `--today` in force."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tasksync.cli.main import cli
from tasksync.query.dates import parse_range
from tasksync.query.natural_dates import read_date

WED = date(2023, 4, 19)

WEEKDAYS = {  # the plugin's approved explanation of `due <weekday>` on 2023-04-19
    "monday": ("2023-04-17", "2023-04-10", "2023-04-17", "2023-04-24"),
    "tuesday": ("2023-04-18", "2023-04-11", "2023-04-18", "2023-04-25"),
    "wednesday": ("2023-04-19", "2023-04-12", "2023-04-19", "2023-04-26"),
    "thursday": ("2023-04-20", "2023-04-13", "2023-04-20", "2023-04-27"),
    "friday": ("2023-04-21", "2023-04-14", "2023-04-21", "2023-04-28"),
    "saturday": ("2023-04-22", "2023-04-15", "2023-04-22", "2023-04-29"),
    "sunday": ("2023-04-16", "2023-04-09", "2023-04-16", "2023-04-23"),
}


@pytest.mark.parametrize("weekday", WEEKDAYS)
def test_weekdays_as_the_plugin_reads_them(weekday):
    bare, last, this, following = WEEKDAYS[weekday]
    for words, expected in ((weekday, bare), (f"last {weekday}", last),
                            (f"this {weekday}", this), (f"next {weekday}", following)):  # fmt: skip
        assert read_date(words, WED) == date.fromisoformat(expected), words


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("yesterday", "2023-04-18"),
        ("today", "2023-04-19"),
        ("tomorrow", "2023-04-20"),
        ("14 days ago", "2023-04-05"),
        ("in two weeks", "2023-05-03"),
        ("in 3 days", "2023-04-22"),
        ("14 October", "2023-10-14"),
        ("May", "2023-05-01"),
        ("January", "2023-01-01"),  # the closest such month: this year's, 108 days back
        ("2 years ago", "2021-04-19"),
        ("1 week ago", "2023-04-12"),
        ("2021-03-17", "2021-03-17"),
        ("20th of December", "2022-12-20"),  # was the 1st: only `December` was read
        ("the 3rd of May 2024", "2024-05-03"),
        ("1 of march", "2023-03-01"),
        # parsedatetime read these forward, or by the clock's day: as chrono reads them
        ("last 7 days", "2023-04-12"),
        ("past 3 days", "2023-04-16"),
        ("last 2 weeks", "2023-04-05"),
        ("last 2 months", "2023-02-19"),
        ("this morning", "2023-04-19"),
        ("this evening", "2023-04-19"),
        ("last night", "2023-04-18"),
        ("2 weeks from today", "2023-04-19"),
    ],
)
def test_natural_dates(words, expected):
    assert read_date(words, WED) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    "words",
    [
        "someday",
        "2021-13-17",
        "2023-02-30",
        "20167",
        "fortnight",
        "2026-q4",
        "2026-w49",
        "2026-13",
        "2026-1",
        "2026 q4",
        "Jan",  # chrono skips a three-letter month alone
        "dec",
        "end of month",  # parsedatetime's words, not chrono's
        "end of week",
    ],
)
def test_no_date(words):
    """Not a date for chrono: a query error. (A year with words after it was read as a time
    of day, 20:26, so as today: `due 2026-q4` quietly meant `due today`.)"""
    assert read_date(words, WED) is None
    assert parse_range(words, WED) is None


OCT_6 = date(2021, 10, 6)


@pytest.mark.parametrize(
    ("words", "start", "end"),
    [
        ("17 August 2013 19 August 2013", "2013-08-17", "2013-08-19"),
        ("5 October 9 October", "2021-10-05", "2021-10-09"),  # was from the 1st: `9 October`
        ("October 5 October 9", "2021-10-05", "2021-10-09"),
        ("2013-08-17   2014-08-19", "2013-08-17", "2014-08-19"),
        ("2017-08-17 2014-08-19", "2014-08-19", "2017-08-17"),
        ("2013-99-29 2014-08-19", "2014-08-19", "2014-08-19"),
        ("2014-08-19 2015-99-29", "2014-08-19", "2014-08-19"),
        ("last week", "2021-09-27", "2021-10-03"),
        ("this week", "2021-10-04", "2021-10-10"),
        ("next week", "2021-10-11", "2021-10-17"),
        ("last month", "2021-09-01", "2021-09-30"),
        ("next quarter", "2022-01-01", "2022-03-31"),
        ("this year", "2021-01-01", "2021-12-31"),
        ("2020-W53", "2020-12-28", "2021-01-03"),
        ("2019-W01", "2018-12-31", "2019-01-06"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2007-Q1", "2007-01-01", "2007-03-31"),
        (" 2023-Q3", "2023-07-01", "2023-09-30"),
        ("  2020-03        ", "2020-03-01", "2020-03-31"),
        ("1996", "1996-01-01", "1996-12-31"),
    ],
)
def test_date_ranges(words, start, end):
    assert parse_range(words, OCT_6) == (date.fromisoformat(start), date.fromisoformat(end))


@pytest.mark.parametrize(
    "words", ["2015-99-29 2015-99-29", "2020-W54", "2018-W53", "2021-W0", "2021-W00", "2023-Q0",
              "2023-Q5", "2017-13", "2023-00"],
)  # fmt: skip
def test_invalid_ranges(words):
    assert parse_range(words, OCT_6) is None


@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.dates(date(1990, 1, 1), date(2100, 1, 1)))
def test_an_iso_date_is_itself_whatever_the_day(day, today):
    assert parse_range(day.isoformat(), today) == (day, day)


@given(st.dates(date(1990, 1, 1), date(2100, 1, 1)), st.sampled_from(["week", "month", "quarter",
                                                                       "year"]))  # fmt: skip
def test_this_period_holds_today_and_next_follows_it(today, unit):
    this, following = parse_range(f"this {unit}", today), parse_range(f"next {unit}", today)
    assert this is not None
    assert following is not None
    assert this[0] <= today <= this[1]
    assert following[0] == this[1] + timedelta(days=1)


def test_the_days_of_a_query_follow_the_today_in_force(make_vault):
    vault = make_vault({"n.md": "- [ ] a 📅 2023-04-16\n- [ ] b 📅 2023-04-23\n"})

    def due_this_sunday(today: str) -> list[str]:
        result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", today, "query",
                                          "due this sunday", "--json"])  # fmt: skip
        assert result.exit_code == 0, result.output
        return [t["description"] for t in json.loads(result.stdout)]

    assert due_this_sunday("2023-04-19") == ["a"]
    assert due_this_sunday("2023-04-23") == ["b"]


@given(st.sampled_from(["today", "Tomorrow", "yesterday", "in {n} days", "in {n} day",
                        "in {n} weeks", "In {n} Weeks", "{n} days ago", "{n} week ago"]),
       st.one_of(st.integers(0, 9999).map(str), st.sampled_from(["a", "an", "one", "two", "ten"])),
       st.dates(date(1990, 1, 1), date(2100, 12, 31)))  # fmt: skip
def test_the_quick_reading_of_relative_days_is_parsedatetimes(phrase, number, today):
    """`in two weeks` and the like are read without loading parsedatetime: as it reads them."""
    from tasksync.query.natural_dates import _found, _relative

    words = phrase.format(n=number)
    assert [_relative(words, today)] == [day for day, _ in _found(words, today)][:1]


@pytest.mark.parametrize(("clock", "words", "expected"), [
    ("23:30", "in 2 hours", date(2026, 11, 22)),  # past midnight: tomorrow, as chrono counts
    ("00:30", "in 36 hours", date(2026, 11, 22)),
    ("10:00", "in 2 hours", date(2026, 11, 21)),
    ("23:30", "now", date(2026, 11, 21)),
])  # fmt: skip
def test_hours_count_from_the_time_of_day_now(monkeypatch, clock, words, expected):
    from datetime import time

    from tasksync.query import natural_dates

    monkeypatch.setattr(natural_dates, "_time_of_day", lambda: time.fromisoformat(clock))
    assert read_date(words, date(2026, 11, 21)) == expected
