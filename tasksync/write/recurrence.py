"""Recurrence rules (`🔁 every week on Monday when done`): reading them, and the next date.

The Tasks plugin reads the rule with rrule.js's English grammar; this reads the forms that
grammar accepts and people write (see the README), and answers as the plugin does: the
next occurrence is the first date after the reference date (due, else scheduled, else start;
today for `when done` or when there is none), and months or years that would overshoot a
short month land on its last day (31 Jan + 1 month = 28/29 Feb).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import (
    DAILY,
    FR,
    MO,
    MONTHLY,
    SA,
    SU,
    TH,
    TU,
    WE,
    WEEKLY,
    YEARLY,
    rrule,
    weekday,
)

_WEEKDAYS: dict[str, weekday] = {
    "monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH, "friday": FR,
    "saturday": SA, "sunday": SU,
}  # fmt: skip
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")  # fmt: skip
_UNITS = {"day": DAILY, "week": WEEKLY, "month": MONTHLY, "year": YEARLY}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}


class RuleError(ValueError):
    """The rule text is not one tasksync (or the plugin) can read."""


@dataclass(frozen=True)
class Rule:
    freq: int  # a dateutil.rrule frequency: DAILY, WEEKLY, MONTHLY, YEARLY
    interval: int = 1
    weekdays: tuple[weekday, ...] = ()
    monthdays: tuple[int, ...] = ()
    month: int | None = None
    when_done: bool = False

    def next_after(self, start: date) -> date:
        """The first occurrence strictly after ``start``, counting from ``start``."""
        if not self.weekdays and not self.monthdays and self.month is None:
            if self.freq == DAILY:
                return start + timedelta(days=self.interval)
            if self.freq == WEEKLY:
                return start + timedelta(weeks=self.interval)
            if self.freq == MONTHLY:  # relativedelta clamps to the month's last day
                return start + relativedelta(months=self.interval)
            return start + relativedelta(years=self.interval)
        rule = rrule(
            self.freq,  # type: ignore[arg-type]
            interval=self.interval,
            dtstart=datetime(start.year, start.month, start.day),
            byweekday=self.weekdays or None,
            bymonthday=self.monthdays or None,
            bymonth=self.month,
        )
        found = rule.after(datetime(start.year, start.month, start.day, 23, 59, 59))
        if found is None:  # pragma: no cover - every accepted rule recurs forever
            raise RuleError("the rule has no next occurrence")
        return found.date()


def _day_of_month(word: str) -> int:
    if word in ("last",):
        return -1
    number = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", word)
    if number and 1 <= int(number.group(1)) <= 31:
        return int(number.group(1))
    raise RuleError(f"not a day of the month: {word}")


def _weekday(word: str) -> weekday | None:
    word = word.rstrip("s")
    for name, day in _WEEKDAYS.items():
        if len(word) >= 3 and name.startswith(word):
            return day
    return None


def parse_rule(text: str) -> Rule:
    """Read a rule such as `every 2 weeks on Monday, Friday when done`."""
    words = re.sub(r"[,!]", " ", text.lower()).split()
    when_done = words[-2:] == ["when", "done"]
    if when_done:
        words = words[:-2]
    if not words or words[0] != "every":
        raise RuleError(f"a rule starts with 'every': {text!r}")
    words = words[1:]
    interval = 1
    if words and words[0].isdigit():
        interval = int(words[0])
        words = words[1:]
        if interval < 1:
            raise RuleError("the interval must be at least 1")
    if not words:
        raise RuleError(f"every what? {text!r}")
    head, rest = words[0], words[1:]
    unit = head.rstrip("s")
    if unit == "weekday":
        return Rule(DAILY, 1, (MO, TU, WE, TH, FR), when_done=when_done)
    if _weekday(head) is not None:  # every Monday (, Friday …)
        days = [d for d in (_weekday(w) for w in words if w not in ("and", "on")) if d]
        return Rule(WEEKLY, interval, tuple(days), when_done=when_done)
    if head in _MONTHS:  # every January on the 15th
        month = _MONTHS.index(head) + 1
        return Rule(YEARLY, interval, monthdays=_on_days(rest) or (1,), month=month,
                    when_done=when_done)  # fmt: skip
    if unit not in _UNITS:
        raise RuleError(f"not a unit of time: {head!r}")
    freq = _UNITS[unit]
    if not rest or rest[0] not in ("on", "in"):
        return Rule(freq, interval, when_done=when_done)  # trailing words are ignored
    if freq == WEEKLY:
        days = [d for d in (_weekday(w) for w in rest[1:] if w not in ("and", "the")) if d]
        return Rule(WEEKLY, interval, tuple(days), when_done=when_done)
    if freq == MONTHLY:
        spec = [w for w in rest[1:] if w not in ("the", "and")]
        if len(spec) >= 2 and _weekday(spec[-1]) is not None:  # on the last Friday / 2nd Tuesday
            nth = _ORDINALS.get(spec[0]) or _day_of_month(spec[0])
            day = _weekday(spec[-1])
            assert day is not None
            return Rule(MONTHLY, interval, (day(nth),), when_done=when_done)
        return Rule(MONTHLY, interval, monthdays=_on_days(rest), when_done=when_done)
    if freq == YEARLY and len(rest) >= 2 and rest[1] in _MONTHS:  # every year on March 3
        month_days = _on_days(rest[2:]) or (1,)
        return Rule(YEARLY, interval, monthdays=month_days, month=_MONTHS.index(rest[1]) + 1,
                    when_done=when_done)  # fmt: skip
    return Rule(freq, interval, when_done=when_done)


def _on_days(words: list[str]) -> tuple[int, ...]:
    days = []
    for word in words:
        if word in ("on", "the", "and", "in"):
            continue
        try:
            days.append(_day_of_month(word))
        except RuleError:
            break  # trailing words are ignored, as by the plugin's parser
    return tuple(days)


def next_dates(rule: Rule, due: date | None, scheduled: date | None, start: date | None,
               today: date) -> dict[str, date]:  # fmt: skip
    """The dates of the next occurrence: every present date keeps its distance to the
    reference date (due, else scheduled, else start)."""
    present = {k: v for k, v in (("due", due), ("scheduled", scheduled), ("start", start)) if v}
    reference = next(iter(present.values()), None)
    base = today if rule.when_done or reference is None else reference
    following = rule.next_after(base)
    if reference is None:
        return {}
    return {field: following + (value - reference) for field, value in present.items()}
