"""Dates and date ranges in date filters, read in the plugin's order (its DateParser):
a relative range (`this week`, `next quarter`), a numbered one (`2025-W44`, `2025-10`,
`2025-Q4`, `2025`), then any date or pair of dates (`today`, `in two weeks`, `14 October`,
`2025-10-01 2025-10-31`: see ``natural_dates``)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from tasksync.query.natural_dates import read_date, read_dates

DateRange = tuple[date, date]  # inclusive

_RELATIVE = re.compile(r"(last|this|next) (week|month|quarter|year)")  # the plugin: lower case only
_YEAR = re.compile(r"\s*([0-9]{4})\s*")
_QUARTER = re.compile(r"\s*([0-9]{4})-Q([1-4])\s*")
_MONTH = re.compile(r"\s*([0-9]{4})-([0-9]{2})\s*")
_WEEK = re.compile(r"\s*([0-9]{4})-W([0-9]{2})\s*")
# What a numbered range looks like: one that is not valid is no date at all (never a guess).
_NUMBERED_LOOK = re.compile(r"\s*[0-9]{4}(-([WQ][0-9]*|[0-9]+))?\s*", re.IGNORECASE)


def _period(unit: str, anchor: date) -> DateRange:
    if unit == "week":  # ISO weeks start on Monday
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    if unit == "month":
        start = anchor.replace(day=1)
        return start, start + relativedelta(months=1, days=-1)
    if unit == "quarter":
        start = date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1)
        return start, start + relativedelta(months=3, days=-1)
    return date(anchor.year, 1, 1), date(anchor.year, 12, 31)


def _shift(unit: str, anchor: date, step: int) -> date:
    if unit == "week":
        return anchor + timedelta(weeks=step)
    if unit == "quarter":
        return anchor + relativedelta(months=3 * step)
    if unit == "month":
        return anchor + relativedelta(months=step)
    return anchor + relativedelta(years=step)


def _relative(text: str, today: date) -> DateRange | None:
    match = _RELATIVE.search(text)  # anywhere in the text, as the plugin's regex
    if match is None:
        return None
    unit = match[2].lower()
    step = {"this": 0, "next": 1, "last": -1}[match[1].lower()]
    return _period(unit, _shift(unit, today, step))


_ANY_CASE = re.compile(r"\s*(last|this|next) (week|month|quarter|year)\s*", re.IGNORECASE)


def _as_chrono_reads(text: str, today: date) -> date | None:
    """`This Week`: the plugin's range words are lower case only, so chrono reads it, as one
    day: this week's Sunday, the 1st of this month, 1 January; next or last, today moved by
    one unit (`This Quarter`: today)."""
    match = _ANY_CASE.fullmatch(text)
    if match is None:
        return None
    which, unit = match[1].lower(), match[2].lower()
    if which == "this":
        if unit == "week":
            return today - timedelta(days=(today.weekday() + 1) % 7)
        if unit == "month":
            return today.replace(day=1)
        return date(today.year, 1, 1) if unit == "year" else today
    step = 1 if which == "next" else -1
    return _shift(unit, today, step)


def _numbered(text: str) -> DateRange | None:
    if match := _YEAR.fullmatch(text):
        return _period("year", date(int(match[1]), 1, 1))
    if match := _QUARTER.fullmatch(text):
        return _period("quarter", date(int(match[1]), 3 * int(match[2]) - 2, 1))
    if (match := _MONTH.fullmatch(text)) and 1 <= int(match[2]) <= 12:
        return _period("month", date(int(match[1]), int(match[2]), 1))
    if match := _WEEK.fullmatch(text):
        try:
            start = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:  # no such week in that year
            return None
        return start, start + timedelta(days=6)
    return None


def parse_range(text: str, today: date) -> DateRange | None:
    """A date range, or a date as a one-day range; None when the text is neither."""
    found = _relative(text, today) or _numbered(text)
    if found or _NUMBERED_LOOK.fullmatch(text):
        return found
    merged = _as_chrono_reads(text, today) or _merged_by_chrono(text, today)
    if merged is not None:
        return merged, merged
    days = read_dates(text, today)[:2]
    if not days:
        return None
    return min(days), max(days)


# chrono makes `A to B` and `A - B` one result, a start with an end; the plugin takes the
# start of its first result only (an end only from a second result: `A B`, `A until B`).
_CONNECTOR = re.compile(r"\s+(?:to|-|–)\s+", re.IGNORECASE)


def _merged_by_chrono(text: str, today: date) -> date | None:
    for match in _CONNECTOR.finditer(text):
        before = read_dates(text[: match.start()], today)
        if len(before) == 1 and len(read_dates(text[match.end() :], today)) == 1:
            return before[0]
    return None


def parse_day(text: str, today: date) -> date | None:
    """One date (the plugin's fallback for `due in two weeks`, whose `two weeks` is no range)."""
    return read_date(text, today)
