"""Dates as a person types them: ISO, today/tomorrow/yesterday, +3d, -1w."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tasksync.errors import UsageError

_RELATIVE = re.compile(r"([+-])(\d{1,4})([dw])")
_NAMED = {"today": 0, "tomorrow": 1, "yesterday": -1}


def parse_day(text: str, today: date) -> date:
    word = text.strip().lower()
    if word in _NAMED:
        return today + timedelta(days=_NAMED[word])
    relative = _RELATIVE.fullmatch(word)
    if relative:
        sign, count, unit = relative.groups()
        days = int(count) * (7 if unit == "w" else 1)
        return today + timedelta(days=days if sign == "+" else -days)
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise UsageError(
            f"not a date: {text!r} (use YYYY-MM-DD, today, tomorrow, yesterday, +3d or -1w)"
        ) from None
