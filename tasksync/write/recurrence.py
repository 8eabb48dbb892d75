"""Recurrence rules (`🔁 every week on Monday when done`): reading them, and the next date.

A rule is read as the Tasks plugin reads it: by rrule.js's parseText (ported in
``read.rule_text``), whose options make the RRule. The next occurrence is, as the plugin has
it, the first date of that RRule after the reference date (due, else scheduled, else start;
today for `when done` or when there is none), the RRule starting on the reference date (so
`every March` keeps the due date's day). A plain `every N months|years` (ending or not) that
would overshoot a short month lands on its last day (31 Jan + 1 month = 28/29 Feb), as the
plugin's own correction of rrule does. A rule that has ended (`until`, `for 3 times`) has
no next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import (
    DAILY,
    FR,
    HOURLY,
    MINUTELY,
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

from tasksync.read.rule_text import RuleTextError, rule_options

_DAYS = (MO, TU, WE, TH, FR, SA, SU)
_FREQS = {"YEARLY": YEARLY, "MONTHLY": MONTHLY, "WEEKLY": WEEKLY, "DAILY": DAILY,
          "HOURLY": HOURLY, "MINUTELY": MINUTELY}  # fmt: skip


class RuleError(ValueError):
    """The rule text is not one tasksync (or the plugin) can read, or has no next date."""


@dataclass(frozen=True)
class Rule:
    freq: int  # a dateutil.rrule frequency: YEARLY … MINUTELY
    interval: int = 1
    weekdays: tuple[weekday, ...] = ()  # MO, FR(-1) (the last Friday) …
    monthdays: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    weeknos: tuple[int, ...] = ()
    count: int | None = None
    until: date | None = None
    when_done: bool = False

    @property
    def plain(self) -> bool:
        """Only a frequency and an interval (and perhaps an end): `every 2 months`,
        `every month for 12 times`."""
        return not (self.weekdays or self.monthdays or self.months or self.weeknos)

    def next_after(self, start: date) -> date | None:
        """The first occurrence strictly after ``start``, counting from ``start``; None when
        the rule has ended."""
        if not self.plain or self.freq not in (DAILY, WEEKLY, MONTHLY, YEARLY):
            return self._rrule_after(start)
        if (self.count or self.until) and self._rrule_after(start) is None:
            return None  # ended (the plugin asks rrule first: ended before any correction)
        if self.freq == DAILY:
            return start + timedelta(days=self.interval)
        if self.freq == WEEKLY:
            return start + timedelta(weeks=self.interval)
        if self.freq == MONTHLY:  # relativedelta clamps to the month's last day
            return start + relativedelta(months=self.interval)
        return start + relativedelta(years=self.interval)

    def rfc_dates(self, start: date) -> Iterator[date]:
        """The dates RFC 5545 (and dateutil) expand the rule to from ``start``."""
        return (moment.date() for moment in self._rrule(start))

    def _rrule_after(self, start: date) -> date | None:
        found = self._rrule(start).after(datetime(start.year, start.month, start.day, 23, 59, 59))
        return None if found is None else found.date()

    def _rrule(self, start: date) -> rrule:
        until = self.until
        return rrule(
            self.freq,  # type: ignore[arg-type]
            interval=self.interval,
            dtstart=datetime(start.year, start.month, start.day),
            byweekday=self.weekdays or None,
            bymonthday=self.monthdays or None,
            bymonth=self.months or None,
            byweekno=self.weeknos or None,
            count=self.count,
            until=datetime(until.year, until.month, until.day, 23, 59, 59) if until else None,
        )


def parse_rule(text: str) -> Rule:
    """Read a rule such as `every 2 weeks on Monday, Friday when done`, as the plugin."""
    try:
        options, when_done = rule_options(text)
    except RuleTextError as exc:
        raise RuleError(f"not a rule the Tasks plugin reads: {text!r} ({exc})") from None
    if options.freq not in _FREQS:  # pragma: no cover - parseText sets one or throws
        raise RuleError(f"every what? {text!r}")
    try:
        until = date(*options.until) if options.until else None
    except ValueError:
        raise RuleError(f"not a date after `until`: {text!r}") from None
    return Rule(
        _FREQS[options.freq],
        options.interval,
        tuple(_DAYS[d.index](d.n) if d.n else _DAYS[d.index] for d in options.byweekday or ()),
        tuple(options.bymonthday or ()),
        tuple(options.bymonth or ()),
        tuple(options.byweekno or ()),
        options.count,
        until,
        when_done,
    )


def next_dates(rule: Rule, due: date | None, scheduled: date | None, start: date | None,
               today: date, scheduled_last: bool = False) -> dict[str, date]:  # fmt: skip
    """The dates of the next occurrence: every present date keeps its distance to the
    reference date (due, else scheduled, else start; with ``scheduled_last`` — the plugin's
    removeScheduledDateOnRecurrence — due, else start, else scheduled)."""
    order = (("due", due), ("start", start), ("scheduled", scheduled)) if scheduled_last \
        else (("due", due), ("scheduled", scheduled), ("start", start))  # fmt: skip
    present = {k: v for k, v in order if v}
    reference = next(iter(present.values()), None)
    base = today if rule.when_done or reference is None else reference
    following = rule.next_after(base)
    if following is None:
        raise RuleError("the rule has ended: no next occurrence")
    if reference is None:
        return {}
    return {field: following + (value - reference) for field, value in present.items()}
