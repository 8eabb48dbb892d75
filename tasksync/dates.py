"""Dates as a person types them: ISO, today/tomorrow/yesterday, +3d, -1w."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tasksync.errors import UsageError

_RELATIVE = re.compile(r"([+-])(\d{1,4})([dw])")
_NAMED = {"today": 0, "tomorrow": 1, "yesterday": -1, "next week": 7}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_day(text: str, today: date) -> date:
    word = text.strip().lower()
    if word in _NAMED:
        return today + timedelta(days=_NAMED[word])
    weekday = [i for i, name in enumerate(_WEEKDAYS) if len(word) >= 3 and name.startswith(word)]
    if weekday:  # the next such weekday, never today
        return today + timedelta(days=(weekday[0] - today.weekday() - 1) % 7 + 1)
    relative = _RELATIVE.fullmatch(word)
    if relative:
        sign, count, unit = relative.groups()
        days = int(count) * (7 if unit == "w" else 1)
        return today + timedelta(days=days if sign == "+" else -days)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise UsageError(
            f"not a date: {text!r} (use YYYY-MM-DD, today, tomorrow, fri, next week, +3d, -1w)"
        ) from None
