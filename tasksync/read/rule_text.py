"""Recurrence rules as the Tasks plugin reads them: with rrule.js's English grammar.

The plugin keeps a rule only when ``RRule.parseText`` accepts it, and shows (and writes) it in
rrule's own words, ``RRule.toText``: ``every Sunday`` is ``every week on Sunday``. This is a
port of those two (rrule 2.8, English) for what a task line can hold (``[a-zA-Z0-9, !]``):
``rule_text`` gives the plugin's wording, or None for a rule the plugin drops.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from tasksync.read.js_date import js_date_parse

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")  # fmt: skip
_WEEKDAY_SYMBOLS = tuple(name.lower() for name in _DAY_NAMES)
_MONTH_SYMBOLS = tuple(name.lower() for name in _MONTH_NAMES)

# rrule's token table, in its order: the longest match wins, the first one on a tie.
_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("SKIP", r"[ \r\n\t]+|\.\Z"),
        ("number", r"[1-9][0-9]*"),
        ("numberAsText", r"(one|two|three)"),
        ("every", r"every"),
        ("day(s)", r"days?"),
        ("weekday(s)", r"weekdays?"),
        ("week(s)", r"weeks?"),
        ("hour(s)", r"hours?"),
        ("minute(s)", r"minutes?"),
        ("month(s)", r"months?"),
        ("year(s)", r"years?"),
        ("on", r"(on|in)"),
        ("at", r"(at)"),
        ("the", r"the"),
        ("first", r"first"),
        ("second", r"second"),
        ("third", r"third"),
        ("nth", r"([1-9][0-9]*)(\.|th|nd|rd|st)"),
        ("last", r"last"),
        ("for", r"for"),
        ("time(s)", r"times?"),
        ("until", r"(un)?til"),
        ("monday", r"mo(n(day)?)?"),
        ("tuesday", r"tu(e(s(day)?)?)?"),
        ("wednesday", r"we(d(n(esday)?)?)?"),
        ("thursday", r"th(u(r(sday)?)?)?"),
        ("friday", r"fr(i(day)?)?"),
        ("saturday", r"sa(t(urday)?)?"),
        ("sunday", r"su(n(day)?)?"),
        ("january", r"jan(uary)?"),
        ("february", r"feb(ruary)?"),
        ("march", r"mar(ch)?"),
        ("april", r"apr(il)?"),
        ("may", r"may"),
        ("june", r"june?"),
        ("july", r"july?"),
        ("august", r"aug(ust)?"),
        ("september", r"sep(t(ember)?)?"),
        ("october", r"oct(ober)?"),
        ("november", r"nov(ember)?"),
        ("december", r"dec(ember)?"),
        ("comma", r"(,\s*|(and|or)\s*)+"),
        ("Repeats", r"Repeats"),
    )
)
_WHEN_DONE = re.compile(r"([a-zA-Z0-9, !]+?)( when done)?", re.IGNORECASE)


class RuleTextError(ValueError):
    """rrule.js throws for this rule: the plugin keeps no recurrence."""


@dataclass(frozen=True)
class RuleWeekday:
    index: int  # 0 = Monday
    n: int = 0  # the nth such day of the month (0: every one)


@dataclass
class RuleOptions:
    freq: str = ""
    interval: int = 1
    byweekday: list[RuleWeekday] | None = None
    bymonthday: list[int] | None = None
    bymonth: list[int] | None = None
    byhour: list[int] | None = None
    byweekno: list[int] | None = None
    count: int | None = None
    until: tuple[int, int, int] | None = None  # (year, month, day)


@dataclass
class _Tokens:
    """rrule's Parser: one symbol of look-ahead over the remaining text."""

    text: str
    done: bool = False
    symbol: str | None = None
    value: re.Match[str] | None = field(default=None, repr=False)

    def next_symbol(self) -> bool:
        self.symbol = self.value = None
        while True:
            if self.done:
                return False
            best: re.Match[str] | None = None
            best_name = ""
            for name, pattern in _TOKENS:
                match = pattern.match(self.text)
                if match and (best is None or len(match.group()) > len(best.group())):
                    best, best_name = match, name
            if best is None:
                self.done = True
                return False
            self.text = self.text[best.end() :]
            if not self.text:
                self.done = True
            if best_name != "SKIP":
                self.symbol, self.value = best_name, best
                return True

    def is_done(self) -> bool:
        return self.done and self.symbol is None

    def accept(self, name: str) -> re.Match[str] | None:
        if self.symbol != name:
            return None
        found = self.value
        self.next_symbol()
        return found

    def expect(self, name: str) -> None:
        if self.accept(name) is None:
            raise RuleTextError(f"expected {name} but found {self.symbol}")


class _Parser:
    """rrule.js's parseText, statement for statement (its quirks are the plugin's)."""

    def __init__(self, text: str) -> None:
        self.tokens = _Tokens(text)
        self.options = RuleOptions()

    def parse(self) -> RuleOptions:
        if not self.tokens.next_symbol():
            raise RuleTextError("no rule")
        self._every()
        return self.options

    def _every(self) -> None:
        tokens, options = self.tokens, self.options
        tokens.expect("every")
        number = tokens.accept("number")
        if number:
            options.interval = int(number.group())
        if tokens.is_done():
            raise RuleTextError("unexpected end")
        symbol = tokens.symbol
        if symbol == "day(s)":
            options.freq = "DAILY"
            if tokens.next_symbol():
                self._at()
                self._for_or_until()
        elif symbol == "weekday(s)":
            options.freq = "WEEKLY"
            options.byweekday = [RuleWeekday(i) for i in range(5)]
            tokens.next_symbol()
            self._at()
            self._for_or_until()
        elif symbol in ("week(s)", "hour(s)", "minute(s)", "month(s)", "year(s)"):
            options.freq = {"week(s)": "WEEKLY", "hour(s)": "HOURLY", "minute(s)": "MINUTELY",
                            "month(s)": "MONTHLY", "year(s)": "YEARLY"}[symbol]  # fmt: skip
            if tokens.next_symbol():
                self._on()
                if symbol == "week(s)":
                    self._at()
                self._for_or_until()
        elif symbol in _WEEKDAY_SYMBOLS:
            options.freq = "WEEKLY"
            options.byweekday = [RuleWeekday(_WEEKDAY_SYMBOLS.index(symbol))]
            if not tokens.next_symbol():
                return
            options.byweekday += [RuleWeekday(d) for d in self._more(self._weekday, "weekday")]
            self._at()
            self._monthdays()
            self._for_or_until()
        elif symbol in _MONTH_SYMBOLS:
            options.freq = "YEARLY"
            options.bymonth = [_MONTH_SYMBOLS.index(symbol) + 1]
            if not tokens.next_symbol():
                return
            options.bymonth += self._more(self._month, "month")
            self._on()
            self._for_or_until()
        else:
            raise RuleTextError(f"unknown symbol {symbol}")

    def _on(self) -> None:
        tokens, options = self.tokens, self.options
        on = tokens.accept("on")
        the = tokens.accept("the")
        if not (on or the):
            return
        while True:
            nth = self._nth()
            weekday = self._weekday()
            month = self._month()
            if nth:
                if weekday is not None:
                    tokens.next_symbol()
                    options.byweekday = [*(options.byweekday or []), RuleWeekday(weekday, nth)]
                else:
                    options.bymonthday = [*(options.bymonthday or []), nth]
                    tokens.accept("day(s)")
            elif weekday is not None:
                tokens.next_symbol()
                options.byweekday = [*(options.byweekday or []), RuleWeekday(weekday)]
            elif tokens.symbol == "weekday(s)":
                tokens.next_symbol()
                if not options.byweekday:
                    options.byweekday = [RuleWeekday(i) for i in range(5)]
            elif tokens.symbol == "week(s)":
                tokens.next_symbol()
                options.byweekno = [self._number("week number")]
                while tokens.accept("comma"):
                    options.byweekno.append(self._number("monthday"))
            elif month is not None:
                tokens.next_symbol()
                options.bymonth = [*(options.bymonth or []), month]
            else:
                return
            if not (tokens.accept("comma") or tokens.accept("the") or tokens.accept("on")):
                return

    def _at(self) -> None:
        tokens = self.tokens
        if not tokens.accept("at"):
            return
        while True:
            self.options.byhour = [self._number("hour")]
            while tokens.accept("comma"):
                self.options.byhour.append(self._number("hour"))
            if not (tokens.accept("comma") or tokens.accept("at")):
                return

    def _monthdays(self) -> None:
        tokens = self.tokens
        tokens.accept("on")
        tokens.accept("the")
        nth = self._nth()
        if not nth:
            return
        self.options.bymonthday = [nth]
        tokens.next_symbol()
        while tokens.accept("comma"):
            nth = self._nth()
            if not nth:
                raise RuleTextError(f"unexpected {tokens.symbol}; expected monthday")
            self.options.bymonthday.append(nth)
            tokens.next_symbol()

    def _for_or_until(self) -> None:
        tokens = self.tokens
        if tokens.symbol == "until":
            self.options.until = _until_date(tokens.text)
        elif tokens.accept("for"):
            count = tokens.value.group() if tokens.value else ""
            if not count.isdigit():
                raise RuleTextError("for what?")
            self.options.count = int(count)
            tokens.expect("number")

    def _number(self, what: str) -> int:
        number = self.tokens.accept("number")
        if number is None:
            raise RuleTextError(f"unexpected {self.tokens.symbol}, expected {what}")
        return int(number.group())

    def _nth(self) -> int:
        """rrule's decodeNTH: reads (and consumes) first/second/third/last/1st…; 0 for none."""
        tokens = self.tokens
        symbol = tokens.symbol
        if symbol == "last":
            tokens.next_symbol()
            return -1
        if symbol == "first":
            tokens.next_symbol()
            return 1
        if symbol in ("second", "third"):
            tokens.next_symbol()
            n = 2 if symbol == "second" else 3
            return -n if tokens.accept("last") else n
        if symbol == "nth" and tokens.value is not None:
            n = int(tokens.value.group(1))
            if n > 366:
                raise RuleTextError(f"nth out of range: {n}")
            tokens.next_symbol()
            return -n if tokens.accept("last") else n
        return 0

    def _more(self, read: Callable[[], int | None], what: str) -> list[int]:
        """The items of a comma-separated list after its first (`monday, wednesday`)."""
        tokens, found = self.tokens, []
        while tokens.accept("comma"):
            if tokens.is_done():
                raise RuleTextError("unexpected end")
            item = read()
            if item is None:
                raise RuleTextError(f"unexpected {tokens.symbol}, expected {what}")
            found.append(item)
            tokens.next_symbol()
        return found

    def _weekday(self) -> int | None:
        symbol = self.tokens.symbol
        return _WEEKDAY_SYMBOLS.index(symbol) if symbol in _WEEKDAY_SYMBOLS else None

    def _month(self) -> int | None:
        symbol = self.tokens.symbol
        return _MONTH_SYMBOLS.index(symbol) + 1 if symbol in _MONTH_SYMBOLS else None


def _until_date(text: str) -> tuple[int, int, int]:
    """rrule reads the rest of the rule with JavaScript's ``Date.parse``."""
    day = js_date_parse(text)
    if day is None:
        raise RuleTextError(f"cannot parse until date: {text}")
    return day.year, day.month, day.day


class _Words:
    """rrule.js's ToText for one parsed rule."""

    def __init__(self, options: RuleOptions) -> None:
        self.options = options
        self.words: list[str] = []
        monthdays = options.bymonthday
        # JavaScript's sort() compares the numbers as strings
        self.monthdays = (
            sorted((d for d in monthdays if d > 0), key=str)
            + sorted((d for d in monthdays if d < 0), key=str)[::-1]
            if monthdays
            else []
        )
        weekdays = options.byweekday or []
        self.all_weeks = sorted((w for w in weekdays if not w.n), key=lambda w: w.index)
        self.some_weeks = sorted((w for w in weekdays if w.n), key=lambda w: w.index)
        days = {w.index for w in weekdays}
        self.is_weekdays = days >= {0, 1, 2, 3, 4} and not days & {5, 6}
        self.is_every_day = days >= set(range(7))

    def text(self) -> str:
        options = self.options
        self.words = ["every"]
        getattr(self, options.freq.lower())()
        if options.until:
            year, month, day = options.until
            self._add("until", _MONTH_NAMES[month - 1], f"{day},", str(year))
        elif options.count:
            self._add("for", str(options.count), "times" if _plural(options.count) else "time")
        return " ".join(self.words)

    def _add(self, *words: str) -> None:
        self.words.extend(words)

    def _interval(self) -> None:
        if self.options.interval != 1:
            self._add(str(self.options.interval))

    def hourly(self) -> None:
        self._interval()
        self._add("hours" if _plural(self.options.interval) else "hour")

    def minutely(self) -> None:
        self._interval()
        self._add("minutes" if _plural(self.options.interval) else "minute")

    def daily(self) -> None:
        options = self.options
        self._interval()
        plural = _plural(options.interval)
        if options.byweekday and self.is_weekdays:
            self._add("weekdays" if plural else "weekday")
        else:
            self._add("days" if plural else "day")
        if options.bymonth:
            self._add("in")
            self._bymonth()
        if self.monthdays:
            self._bymonthday()
        elif options.byweekday:
            self._byweekday()
        elif options.byhour:
            self._add("at", _join([str(h) for h in options.byhour], "and"))

    def weekly(self) -> None:
        options = self.options
        if options.interval != 1:
            self._add(str(options.interval), "weeks" if _plural(options.interval) else "week")
        if options.byweekday and self.is_weekdays:
            if options.interval == 1:
                self._add("weekday")
            else:
                self._add("on", "weekdays")
            return
        if options.byweekday and self.is_every_day:
            self._add("days" if _plural(options.interval) else "day")
            return
        if options.interval == 1:
            self._add("week")
        if options.bymonth:
            self._add("in")
            self._bymonth()
        if self.monthdays:
            self._bymonthday()
        elif options.byweekday:
            self._byweekday()
        if options.byhour:
            self._add("at", _join([str(h) for h in options.byhour], "and"))

    def monthly(self) -> None:
        options = self.options
        if options.bymonth:
            if options.interval != 1:
                self._add(str(options.interval), "months")
                if _plural(options.interval):
                    self._add("in")
            self._bymonth()
        else:
            self._interval()
            self._add("months" if _plural(options.interval) else "month")
        if self.monthdays:
            self._bymonthday()
        elif options.byweekday and self.is_weekdays:
            self._add("on", "weekdays")
        elif options.byweekday:
            self._byweekday()

    def yearly(self) -> None:
        options = self.options
        if options.bymonth:
            if options.interval != 1:
                self._add(str(options.interval), "years")
            self._bymonth()
        else:
            self._interval()
            self._add("years" if _plural(options.interval) else "year")
        if self.monthdays:
            self._bymonthday()
        elif options.byweekday:
            self._byweekday()
        if options.byweekno:
            weeks = "weeks" if _plural(len(options.byweekno)) else "week"
            self._add("in", weeks, _join([str(w) for w in options.byweekno], "and"))

    def _bymonthday(self) -> None:
        days = [_nth(d) for d in self.monthdays]
        if self.all_weeks:
            self._add("on", _join([_weekday_text(w) for w in self.all_weeks], "or"), "the",
                      _join(days, "or"))  # fmt: skip
        else:
            self._add("on the", _join(days, "and"))

    def _byweekday(self) -> None:
        if self.all_weeks and not self.is_weekdays:
            self._add("on", ", ".join(_weekday_text(w) for w in self.all_weeks))
        if self.some_weeks:
            if self.all_weeks:
                self._add("and")
            self._add("on the", _join([_weekday_text(w) for w in self.some_weeks], "and"))

    def _bymonth(self) -> None:
        self._add(_join([_MONTH_NAMES[m - 1] for m in self.options.bymonth or []], "and"))


def _plural(n: int) -> bool:
    return n % 100 != 1


def _nth(n: int) -> str:
    if n == -1:
        return "last"
    number = abs(n)
    suffix = {1: "st", 21: "st", 31: "st", 2: "nd", 22: "nd", 3: "rd", 23: "rd"}.get(number, "th")
    return f"{number}{suffix}" + (" last" if n < 0 else "")


def _weekday_text(weekday: RuleWeekday) -> str:
    return (f"{_nth(weekday.n)} " if weekday.n else "") + _DAY_NAMES[weekday.index]


def _join(items: list[str], final: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {final} " + items[-1]


def rule_options(rule: str) -> tuple[RuleOptions, bool]:
    """What rrule.js's parseText makes of a rule (as the plugin builds its RRule from), and
    whether it ends in `when done`; RuleTextError when the plugin cannot read it."""
    match = _WHEN_DONE.fullmatch(rule)
    if match is None:
        raise RuleTextError(f"not a rule: {rule!r}")
    return _Parser(match[1].strip()).parse(), bool(match[2])


@lru_cache(maxsize=1024)
def rule_text(rule: str) -> str | None:
    """The plugin's wording of a rule (``every week on Sunday when done``); None when the
    plugin cannot read it (and drops it)."""
    match = _WHEN_DONE.fullmatch(rule)
    if match is None:
        return None
    try:
        options = _Parser(match[1].strip()).parse()
    except RuleTextError:
        return None
    return _Words(options).text() + (" when done" if match[2] else "")
