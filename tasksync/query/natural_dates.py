"""Dates as people type them in queries (`in two weeks`, `14 October`, `last friday`), read as
the Tasks plugin reads them: with chrono 2.3.9 (its pinned version), relative to ``today``.

parsedatetime reads the phrases; two rules of chrono's that it does not share are applied here:
a weekday (`monday`, `this sunday`, `next friday`) is a day of the Sunday-to-Saturday week around
today (without `this`/`next`/`last`, whichever such day is closest), and a month (and day)
without a year is in whichever year puts it closest to today.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from tasksync.dates import weekday_phrase

_MONTH_NAME = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
_DAY_FIRST_THEN_DAY = re.compile(  # `5 March 9`, `5 March 2026 9`: a day after a day-first date
    rf"\b[0-9]{{1,2}} {_MONTH_NAME.pattern}(?: [0-9]{{4}})? [0-9]{{1,2}}$", re.IGNORECASE
)
_SLASH_DAY = re.compile(r"\b[0-9]{1,2}/[0-9]{1,2}\b")
_YEAR = re.compile(r"\b[0-9]{4}\b")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BARE_NUMBER = re.compile(r"\s*[0-9]+\s*")
_SEPT = re.compile(r"\bsept\b\.?", re.IGNORECASE)
_END_OF = re.compile(r"\bend of\b", re.IGNORECASE)
_SHORT_MONTH = re.compile(r"jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec", re.IGNORECASE)
_DAY_OF_MONTH = re.compile(  # `20th of December`, `the 3rd of May 2024`
    r"\b(?:the )?(?P<day>[0-9]{1,2})(?:st|nd|rd|th)? of (?P<month>"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)(?![a-z])",
    re.IGNORECASE,
)


# The phrases queries use most, read without parsedatetime (loading it and its patterns costs
# a query 40 ms): what it answers for them, which a test holds this to.
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10}  # fmt: skip
_NUMBER = "[0-9]{1,4}|" + "|".join(_NUMBERS)
_RELATIVE = re.compile(
    rf"(today|tomorrow|yesterday|now)|in ({_NUMBER}) (day|week)s?|({_NUMBER}) (day|week)s? ago",
    re.IGNORECASE,
)
_DAYS = {"today": 0, "now": 0, "tomorrow": 1, "yesterday": -1}


# Where parsedatetime reads otherwise than chrono: `last 7 days` (it counts forward), the parts
# of a day (it takes the clock's day, not ``today``), `2 weeks from today` (chrono finds only
# `today` in it).
_BACK = re.compile(rf"(?:last|past) ({_NUMBER}) (day|week|month|year)s?", re.IGNORECASE)
_FROM_A_DAY = re.compile(rf"(?:{_NUMBER}) (?:day|week|month|year)s? from (today|tomorrow|"
                         r"yesterday|now)", re.IGNORECASE)  # fmt: skip
_PARTS_OF_DAYS = {"this morning": 0, "this afternoon": 0, "this evening": 0, "tonight": 0,
                  "last night": -1}  # fmt: skip


def _as_chrono_reads(words: str, today: date) -> date | None:
    """The phrases parsedatetime reads otherwise than chrono, as chrono reads them."""
    low = words.lower()
    if low in _PARTS_OF_DAYS:
        return today + timedelta(days=_PARTS_OF_DAYS[low])
    if (match := _FROM_A_DAY.fullmatch(words)) is not None:
        return today + timedelta(days=_DAYS[match[1].lower()])
    if (match := _BACK.fullmatch(words)) is None:
        return None
    from dateutil.relativedelta import relativedelta

    count = int(match[1]) if match[1].isdigit() else _NUMBERS[match[1].lower()]
    unit = match[2].lower()
    return today - relativedelta(**{f"{unit}s": count})  # type: ignore[arg-type]


def _relative(words: str, today: date) -> date | None:
    """`today`, `tomorrow`, `yesterday`, `in two weeks`, `3 days ago`; None for others."""
    match = _RELATIVE.fullmatch(words)
    if match is None:
        return None
    if match[1]:
        return today + timedelta(days=_DAYS[match[1].lower()])
    count, unit, sign = (match[2], match[3], 1) if match[2] else (match[4], match[5], -1)
    number = int(count) if count.isdigit() else _NUMBERS[count.lower()]
    try:
        return today + sign * timedelta(days=number * (7 if unit.lower() == "week" else 1))
    except OverflowError:  # past the year 9999: left to parsedatetime
        return None


def _time_of_day() -> time:
    """The clock's time here (with ``--today``, the time of day of that day)."""
    return datetime.now().time()


@cache
def _calendar() -> Any:
    import parsedatetime  # type: ignore[import-untyped]  # here: only queries with such dates need it

    return parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)


def read_dates(text: str, today: date) -> list[date]:
    """Every date chrono would find in ``text``, in order (a range gives two); none past
    the calendar's ends (the years 1 to 9999)."""
    try:
        return _read_dates(text, today)
    except (OverflowError, ValueError):
        return []


def _read_dates(text: str, today: date) -> list[date]:
    words, isos = _without_impossible_dates(" ".join(text.split()))
    if _SHORT_MONTH.fullmatch(words):
        return []  # chrono skips `jan`, `mar` … alone (too likely a word); `may` is a month
    words = _DAY_OF_MONTH.sub(r"\g<month> \g<day>", words)  # parsedatetime reads only the month
    words = _SEPT.sub("September", words)  # chrono's, not parsedatetime's
    if isos is not None:
        return isos
    relative = _as_chrono_reads(words, today) or _relative(words, today)
    if relative is not None:
        return [relative]
    weekday = weekday_phrase(words, today)
    if weekday is not None:
        return [weekday]
    halves = _two_dates(words, today)
    if halves:
        return halves
    return [day for day, _ in _found(words, today)]


def read_date(text: str, today: date) -> date | None:
    """The first date chrono would find in ``text`` (its ``parseDate``), or None."""
    found = read_dates(text, today)
    return found[0] if found else None


def _without_impossible_dates(words: str) -> tuple[str, list[date] | None]:
    """The words without the `YYYY-MM-DD` dates that are none (`2015-99-29`: chrono finds no
    date there; parsedatetime would answer with the clock's day), and the dates, when the
    words are nothing but such dates."""
    found = []
    for iso in _ISO.findall(words):
        try:
            found.append(date.fromisoformat(iso))
        except ValueError:
            words = words.replace(iso, " ")
    words = " ".join(words.split())
    if found and _ISO.sub("", words).strip() == "":
        return words, found
    return words, None


def _two_dates(words: str, today: date) -> list[date] | None:
    """`17 August 2013 19 August 2013`: two dates side by side (parsedatetime would read one)."""
    parts = words.split(" ")
    for cut in range(len(parts) - 1, 0, -1):  # chrono reads the longest first date first
        first, second = " ".join(parts[:cut]), " ".join(parts[cut:])
        if _MONTH_NAME.match(second) and _DAY_FIRST_THEN_DAY.search(first):
            continue  # `5 March 9 March`: the 9 is the second date's day, as chrono reads it
        one, other = _whole(first, today), _whole(second, today)
        if one and other:
            return [one, other]
    return None


def _whole(words: str, today: date) -> date | None:
    """The date ``words`` are, when they are one date and nothing else."""
    found = _found(words, today, dates_only=True)
    if len(found) == 1 and found[0][1] == words:
        return found[0][0]
    return weekday_phrase(words, today)


def _found(words: str, today: date, dates_only: bool = False) -> list[tuple[date, str]]:
    """(date, the words it was read from) for each date parsedatetime finds (with
    ``dates_only``, not a time of day alone, which is how it reads `2013`)."""
    now = datetime.combine(today, _time_of_day())  # `in 2 hours` counts from now, as chrono
    found = []
    for moment, context, _, _, matched in _calendar().nlp(words, sourceTime=now) or ():
        if not (context.hasDate if dates_only else context.hasDateOrTime):
            continue  # parsedatetime's "no idea" (e.g. an impossible 2023-02-30)
        if not context.hasDate and _BARE_NUMBER.fullmatch(matched):
            continue  # `2026` of `2026-q4` is 20:26 for parsedatetime, no time for chrono
        if _END_OF.search(matched):
            continue  # `end of month`: parsedatetime's words, not chrono's
        day = moment.date()
        if (_MONTH_NAME.search(matched) or _SLASH_DAY.search(matched)) and not _YEAR.search(
            matched
        ):
            day = _closest_year(day, today)
        found.append((day, matched.strip()))
    return found


def _closest_year(day: date, today: date) -> date:
    """chrono's findYearClosestToRef: this year's such day, or next or last year's if closer."""
    try:
        this = day.replace(year=today.year)
        following, previous = this.replace(year=today.year + 1), this.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return day
    distance = abs((this - today).days)
    if abs((following - today).days) < distance:
        return following
    if abs((previous - today).days) < distance:
        return previous
    return this
