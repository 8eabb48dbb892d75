"""The dates JavaScript's ``Date.parse`` (V8's lenient fallback) reads in what a recurrence
rule can hold after `until` (letters, digits, commas, blanks): rrule.js takes its until date
from there, and the plugin keeps a rule only when that date reads."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PIECES = re.compile(r"[a-z]+|[0-9]+|[ ,]+", re.IGNORECASE)
_DEFAULT_YEAR = 2001  # V8's year for a date written without one


def js_date_parse(text: str) -> date | None:
    """The day ``Date.parse(text)`` gives, or None where it gives NaN (or where this reading,
    which covers month names, day names and numbers, is not sure to agree)."""
    pieces = _PIECES.findall(text)
    if "".join(pieces) != text:
        return None
    month: int | None = None
    numbers: list[str] = []
    for index, piece in enumerate(pieces):
        if piece[0].isdigit():
            numbers.append(piece)
        elif piece[0].isalpha():
            word = piece[:3].lower()
            if word in _MONTHS and month is None and len(piece) >= 3:
                month = _MONTHS.index(word) + 1
            elif not (word in _DAYS and len(piece) >= 3 and index == 0):  # a day name leads
                return None
    if month is not None:
        return _with_month_name(month, numbers)
    return _numbers_only(numbers)


def _with_month_name(month: int, numbers: list[str]) -> date | None:
    if len(numbers) == 1:
        value = int(numbers[0])
        if len(numbers[0]) >= 3 or value > 31:  # `Jan 2027`: the first of the month
            return _day(_full_year(numbers[0]), month, 1)
        return _day(_DEFAULT_YEAR, month, value)
    if len(numbers) == 2:
        first, second = numbers
        if len(first) >= 3 or int(first) > 31:  # `2027 Jan 5`
            year, day = first, second
        else:
            day, year = first, second
        return _day(_full_year(year), month, int(day))
    return None


def _numbers_only(numbers: list[str]) -> date | None:
    if len(numbers) == 1:
        value = int(numbers[0])
        if len(numbers[0]) == 4:  # `2027`: the first of January
            return _day(value, 1, 1)
        return _day(_DEFAULT_YEAR, value, 1) if 1 <= value <= 12 else None
    if len(numbers) == 3:  # month, day, year; or year, month, day when it cannot be a day
        first = numbers[0]
        if len(first) >= 3 or int(first) > 31:
            year, month, day = numbers
        else:
            month, day, year = numbers
        if not 1 <= int(month) <= 12:
            return None
        return _day(_full_year(year), int(month), int(day))
    return None


def _full_year(year: str) -> int:
    value = int(year)
    if len(year) <= 2:
        return value + (2000 if value < 50 else 1900)
    return value


def _day(year: int, month: int, day: int) -> date | None:
    """The day, counted on from the first of the month as JavaScript does (30 February is
    2 March); None past the 31st."""
    if not 1 <= day <= 31 or not 1 <= year <= 9999:
        return None
    try:
        return date(year, month, 1) + timedelta(days=day - 1)
    except (ValueError, OverflowError):
        return None
