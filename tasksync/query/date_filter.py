"""Date filters (`due before tomorrow`, `starts in next week`, `happens on 2025-10-31`, `has due
date`, `due date is invalid`), read as the plugin's DateField reads them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from tasksync.query.dates import DateRange, parse_day, parse_range
from tasksync.query.explain import Explanation, explained_day
from tasksync.query.filters import Context, Filter, Parser, Predicate, QueryError, make_filter
from tasksync.read.records import Record

_KEYWORD = r"((?:on|in) or before|before|(?:on|in) or after|after|on|in)?"
_HAPPENS = ("start", "scheduled", "due")


def _dates(record: Record, name: str) -> list[date]:
    names = _HAPPENS if name == "happens" else (name,)
    return [date.fromisoformat(record[n]) for n in names if record[n]]


def _has_date(record: Record, name: str) -> bool:
    """A date was written, valid or not (an invalid one is kept out of the record's fields)."""
    names = _HAPPENS if name == "happens" else (name,)
    return any(record[n] or _is_invalid(record, n) for n in names)


def _is_invalid(record: Record, name: str) -> bool:
    return any(p.startswith(f"invalid {name} date") for p in record["problems"])


def date_field(name: str, word: str | None = None) -> Parser:
    """The filters of one date field; ``word`` begins its comparisons (`starts` for start)."""
    word = word or name
    comparison = re.compile(rf"{word} ({_KEYWORD} ?(.*))", re.IGNORECASE | re.DOTALL)
    fixed: dict[str, Predicate] = {
        f"has {name} date": lambda r: _has_date(r, name),
        f"no {name} date": lambda r: not _has_date(r, name),
    }
    if name != "happens":
        fixed[f"{name} date is invalid"] = lambda r: _is_invalid(r, name)

    def parse(line: str, low: str, ctx: Context) -> Filter | None:
        test = fixed.get(" ".join(low.split()))
        if test is not None:
            return make_filter(line, test)
        if not low.startswith(f"{word} "):
            return None
        _refuse_template_text(line)
        match = comparison.fullmatch(line)
        if match is None:  # pragma: no cover - the regex reads anything after `word `
            raise QueryError(f"do not understand query filter ({name} date)")
        keyword = (match[2] or "").lower()
        span = parse_range(match[3], ctx.today)
        if span is None:  # `due in two weeks`: `two weeks` is no range, `in two weeks` a date
            day = parse_day(match[1], ctx.today)
            span = (day, day) if day else None
        if span is None:
            raise QueryError(f"do not understand {name} date: {match[3] or match[1]}")
        return make_filter(
            line,
            _compare(name, keyword, span),
            _explanation(name, keyword, span),
            _narrow(name, keyword, span),
        )

    return parse


def _refuse_template_text(line: str) -> None:
    for marker in ("<%", "{{"):
        if marker in line:
            raise QueryError(f'Instruction contains unexpanded template text: "{marker}" - '
                             "and cannot be interpreted.")  # fmt: skip


def _compare(name: str, keyword: str, span: DateRange) -> Predicate:
    start, end = span
    tests: dict[str, Callable[[date], bool]] = {
        "before": lambda d: d < start,
        "after": lambda d: d > end,
        "on or before": lambda d: d <= end,
        "in or before": lambda d: d <= end,
        "on or after": lambda d: d >= start,
        "in or after": lambda d: d >= start,
    }
    within: Callable[[date], bool] = lambda d: start <= d <= end  # noqa: E731
    test = tests.get(keyword, within)
    if name == "start":  # a task with no start date can start now: it matches `starts …`
        return lambda r: (
            test(date.fromisoformat(r["start"])) if r["start"] else not _is_invalid(r, "start")
        )
    return lambda r: any(test(d) for d in _dates(r, name))


def _narrow(name: str, keyword: str, span: DateRange) -> str:
    """The comparison on the index's date columns (ISO text, which sorts as the dates do)."""
    start, end = (day.isoformat() for day in span)
    condition = {
        "before": f"< '{start}'", "after": f"> '{end}'",
        "on or before": f"<= '{end}'", "in or before": f"<= '{end}'",
        "on or after": f">= '{start}'", "in or after": f">= '{start}'",
    }.get(keyword, f"BETWEEN '{start}' AND '{end}'")  # fmt: skip
    if name == "start":  # no start date matches too
        return f"(start IS NULL OR start {condition})"
    names = _HAPPENS if name == "happens" else (name,)
    return "(" + " OR ".join(f"{column} {condition}" for column in names) + ")"


def _explanation(name: str, keyword: str, span: DateRange) -> Explanation:
    shown = "due, start or scheduled" if name == "happens" else name
    missing = f" OR no {name} date" if name == "start" else ""
    start, end = span
    relation, day = {
        "before": ("before", start), "on or after": ("on or after", start),
        "after": ("after", end), "on or before": ("on or before", end),
        "in or before": ("on or before", end), "in or after": ("on or after", start),
    }.get(keyword, ("on", start))  # fmt: skip
    if relation == "on" and start != end:
        lines = [f"{explained_day(start)} and", f"{explained_day(end)} inclusive"]
        if missing:
            lines.append(missing.strip())
        return Explanation(f"{shown} date is between:", [Explanation(text) for text in lines])
    return Explanation(f"{shown} date is {relation} {explained_day(day)}{missing}")


DATE_PARSERS: list[Parser] = [
    date_field("happens"),
    date_field("cancelled"),
    date_field("created"),
    date_field("start", "starts"),
    date_field("scheduled"),
    date_field("due"),
    date_field("done"),
]
