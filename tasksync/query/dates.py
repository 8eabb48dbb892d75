"""Dates and date ranges as the query language writes them (`today`, `next week`, `2025-W44`)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

DateRange = tuple[date, date]  # inclusive

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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
    if unit == "month":
        return anchor + relativedelta(months=step)
    if unit == "quarter":
        return anchor + relativedelta(months=3 * step)
    return anchor + relativedelta(years=step)


def parse_range(text: str, today: date) -> DateRange | None:
    """A date (as a one-day range) or a range; None when the text is neither."""
    words = " ".join(text.lower().split())
    named = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if words in named:
        day = today + timedelta(days=named[words])
        return day, day
    relative = re.fullmatch(r"(this|next|last) (week|month|quarter|year)", words)
    if relative:
        step = {"this": 0, "next": 1, "last": -1}[relative.group(1)]
        return _period(relative.group(2), _shift(relative.group(2), today, step))
    ago = re.fullmatch(r"(\d+) (day|week|month|year)s? ago", words) or re.fullmatch(
        r"in (\d+) (day|week|month|year)s?", words
    )
    if ago:
        count = int(ago.group(1)) * (-1 if words.endswith("ago") else 1)
        unit = ago.group(2)
        day = today + (timedelta(days=count) if unit == "day" else
                       timedelta(weeks=count) if unit == "week" else
                       relativedelta(months=count) if unit == "month" else
                       relativedelta(years=count))  # fmt: skip
        return day, day
    weekday = re.fullmatch(r"(next|last) (" + "|".join(_WEEKDAYS) + ")", words)
    if weekday:
        target = _WEEKDAYS.index(weekday.group(2))
        if weekday.group(1) == "next":
            day = today + timedelta(days=(target - today.weekday() - 1) % 7 + 1)
        else:
            day = today - timedelta(days=(today.weekday() - target - 1) % 7 + 1)
        return day, day
    try:
        parts = words.split(" ")
        if len(parts) == 2:
            first, last = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
            return (first, last) if first <= last else (last, first)
        if len(parts) == 1:
            day = date.fromisoformat(words)
            return day, day
    except ValueError:
        pass
    week = re.fullmatch(r"(\d{4})-w(\d{1,2})", words)
    if week:
        start = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        return start, start + timedelta(days=6)
    quarter = re.fullmatch(r"(\d{4})-q([1-4])", words)
    if quarter:
        return _period("quarter", date(int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 1))
    month = re.fullmatch(r"(\d{4})-(\d{2})", words)
    if month and 1 <= int(month.group(2)) <= 12:
        return _period("month", date(int(month.group(1)), int(month.group(2)), 1))
    year = re.fullmatch(r"\d{4}", words)
    if year:
        return _period("year", date(int(words), 1, 1))
    return None
