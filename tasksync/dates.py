"""Dates as a person types them: ISO, today/tomorrow/yesterday, fri, next tuesday, +3d, -1w,
in 3 days, 2 weeks ago, next week/month/year. `set --due`, `add` and the TUI's edit dialog
read the same words; a weekday phrase means what it means in a query (chrono's rules, the
plugin's), except that a bare weekday is never in the past: `fri` is the coming Friday."""

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
_WEEKDAY_NUMBER = {  # chrono's weekday words -> JavaScript's day number (Sunday 0)
    "sunday": 0, "sun": 0, "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "wednesday": 3,
    "wed": 3, "thursday": 4, "thurs": 4, "thur": 4, "thu": 4, "friday": 5, "fri": 5,
    "saturday": 6, "sat": 6,
}  # fmt: skip
_WEEKDAY = "|".join(sorted(_WEEKDAY_NUMBER, key=len, reverse=True))
WEEKDAY_PHRASE = re.compile(
    rf"(?:on\s*)?(?:(this|last|past|next)\s*)?({_WEEKDAY})\.?(?:\s*(this|last|past|next)\s*week)?",
    re.IGNORECASE,
)
WORDS = "YYYY-MM-DD, today, tomorrow, fri, next tuesday, in 3 days, +3d, -1w, next week"


def _shift(today: date, count: int, unit: str) -> date:
    if unit in ("d", "day"):
        return today + timedelta(days=count)
    if unit in ("w", "week"):
        return today + timedelta(weeks=count)
    if unit in ("m", "month"):
        return today + relativedelta(months=count)
    return today + relativedelta(years=count)


def weekday_phrase(words: str, today: date, forward: bool = False) -> date | None:
    """`friday`, `this sunday`, `next monday`, `last fri`, as chrono 2.3.9 (the plugin's)
    reads them: a day of the Sunday-to-Saturday week around today, the next week's, the last
    week's; a bare weekday is the closest such day — or, ``forward``, the next one from today
    on. None when the words are no weekday phrase."""
    match = WEEKDAY_PHRASE.fullmatch(words)
    if match is None:
        return None
    modifier = (match[1] or match[3] or "").lower()
    target = _WEEKDAY_NUMBER[match[2].lower()]
    ref = (today.weekday() + 1) % 7  # today's JavaScript day number
    sunday = today - timedelta(days=ref)  # the week chrono counts in
    if modifier == "this":
        offset = target
    elif modifier == "next":
        offset = target + 7
    elif modifier in ("last", "past"):
        offset = target - 7
    elif forward:
        offset = target if target >= ref else target + 7
    else:  # the closest such day (dayjs's day(n) within the Sunday-based week)
        offset = target
        if abs(target - 7 - ref) < abs(target - ref):
            offset = target - 7
        elif abs(target + 7 - ref) < abs(target - ref):
            offset = target + 7
    return sunday + timedelta(days=offset)


def parse_day(text: str, today: date) -> date:
    try:
        return _parse_day(text, today)
    except (OverflowError, ValueError):  # datetime's calendar: the years 1 to 9999
        raise UsageError(f"{text!r} is not a date from 0001-01-01 to 9999-12-31") from None


def _parse_day(text: str, today: date) -> date:
    words = " ".join(text.lower().split())
    if words in _NAMED:
        return today + timedelta(days=_NAMED[words])
    if words in _NEXT:
        return _shift(today, 1, _NEXT[words])
    weekday = weekday_phrase(words, today, forward=True)
    if weekday is not None:
        return weekday
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
