"""Dates as a person types them: ISO, today/tomorrow/yesterday, fri, next tuesday, +3d, -1w,
in 3 days, 2 weeks ago, next week/month/year. `set --due` and the TUI's edit dialog read the
same words."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from tasksync.errors import UsageError

_RELATIVE = re.compile(r"([+-])(\d{1,4})([dwmy])")
_IN = re.compile(r"in (\d{1,4}) (day|week|month|year)s?")
_AGO = re.compile(r"(\d{1,4}) (day|week|month|year)s? ago")
_NAMED = {"today": 0, "tomorrow": 1, "yesterday": -1}
_NEXT = {"next week": "week", "next month": "month", "next year": "year"}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WORDS = "YYYY-MM-DD, today, tomorrow, fri, next tuesday, in 3 days, +3d, -1w, next week"


def _shift(today: date, count: int, unit: str) -> date:
    if unit in ("d", "day"):
        return today + timedelta(days=count)
    if unit in ("w", "week"):
        return today + timedelta(weeks=count)
    if unit in ("m", "month"):
        return today + relativedelta(months=count)
    return today + relativedelta(years=count)


def _weekday(word: str) -> int | None:
    found = [i for i, name in enumerate(_WEEKDAYS) if len(word) >= 3 and name.startswith(word)]
    return found[0] if len(found) == 1 else None


def parse_day(text: str, today: date) -> date:
    words = " ".join(text.lower().split())
    if words in _NAMED:
        return today + timedelta(days=_NAMED[words])
    if words in _NEXT:
        return _shift(today, 1, _NEXT[words])
    bare = words.removeprefix("next ").removeprefix("this ")
    weekday = _weekday(bare)
    if weekday is not None:  # the next such weekday, never today (as `next monday` in queries)
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    if words.startswith("last "):
        weekday = _weekday(words.removeprefix("last "))
        if weekday is not None:
            return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    relative = _RELATIVE.fullmatch(words)
    if relative:
        sign, count, unit = relative.groups()
        return _shift(today, int(count) * (1 if sign == "+" else -1), unit)
    ahead = _IN.fullmatch(words) or _AGO.fullmatch(words)
    if ahead:
        count = int(ahead.group(1)) * (-1 if words.endswith(" ago") else 1)
        return _shift(today, count, ahead.group(2))
    try:
        return date.fromisoformat(words)
    except ValueError:
        raise UsageError(f"not a date: {text!r} (use {WORDS})") from None
