"""The filter instructions of the query language, one pattern each (as the plugin's FilterParser),
evaluated over index records."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from tasksync.query.dates import parse_range
from tasksync.read.records import Record
from tasksync.write.recurrence import RuleError, parse_rule

Predicate = Callable[[Record], bool]

DONE_TYPES = frozenset(("DONE", "CANCELLED", "NON_TASK"))
STATUS_TYPES = ("TODO", "PROPOSED", "IN_PROGRESS", "ON_HOLD", "DONE", "CANCELLED", "NON_TASK")
PRIORITY_ORDER = {"lowest": 0, "low": 1, "normal": 2, "none": 2, "medium": 3, "high": 4,
                  "highest": 5}  # fmt: skip
DATE_FIELDS = {"due": "due", "scheduled": "scheduled", "starts": "start", "start": "start",
               "done": "done", "created": "created", "cancelled": "cancelled",
               "happens": "happens"}  # fmt: skip


class QueryError(ValueError):
    """A line the query language does not understand; ``column`` is 1-based."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class Context:
    today: date
    me: frozenset[str] = frozenset()  # case-folded person names that are "me"
    status_names: dict[str, str] = field(default_factory=dict)
    open_ids: frozenset[str] = frozenset()  # 🆔 of tasks not done (for is blocked)
    depended_on: frozenset[str] = frozenset()  # 🆔 that some open task depends on


@dataclass(frozen=True)
class Filter:
    text: str
    test: Predicate

    def __call__(self, record: Record) -> bool:
        return self.test(record)


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] + "/" if "/" in path else "/"


def _text_fields(ctx: Context) -> dict[str, Callable[[Record], list[str]]]:
    return {
        "path": lambda r: [r["path"]],
        "filename": lambda r: [r["path"].rsplit("/", 1)[-1]],
        "folder": lambda r: [_folder(r["path"])],
        "root": lambda r: [r["path"].split("/", 1)[0] + "/" if "/" in r["path"] else "/"],
        "heading": lambda r: [r["heading"] or ""] if r["heading"] else [],
        "description": lambda r: [r["description"]],
        "tags": lambda r: r["tags"],
        "tag": lambda r: r["tags"],
        "status.name": lambda r: [ctx.status_names.get(r["status"], "Unknown")],
        "recurrence": lambda r: [r["recurrence"]] if r["recurrence"] else [],
        "id": lambda r: [r["task_id"]] if r["task_id"] else [],
        "owner": lambda r: [v for v in (r.get("person"), r["owner"]) if v],
    }


def _js_regex(source: str, column: int) -> re.Pattern[str]:
    match = re.fullmatch(r"/(.*)/([a-z]*)", source.strip())
    if not match:
        raise QueryError("a regex is written /pattern/flags", column)
    flags = re.IGNORECASE if "i" in match.group(2) else 0
    try:
        return re.compile(match.group(1), flags)
    except re.error as exc:
        raise QueryError(f"invalid regex: {exc}", column) from None


def _date_value(record: Record, name: str) -> list[date]:
    names = ("start", "scheduled", "due") if name == "happens" else (name,)
    return [date.fromisoformat(record[n]) for n in names if record[n]]


def _invalid_date(record: Record, name: str) -> bool:
    return any(p.startswith(f"invalid {name} date") for p in record["problems"])


def _is_recurring(record: Record) -> bool:
    try:
        parse_rule(record["recurrence"] or "")
    except RuleError:
        return False
    return True


def parse_filter(text: str, ctx: Context, column: int = 1) -> Filter:
    """One filter instruction -> a predicate over records; QueryError when it is none."""
    line = " ".join(text.strip().split())
    low = line.lower()
    predicate = _filter(line, low, ctx, column)
    if predicate is None:
        raise QueryError(f"do not understand query: {line}", column)
    return Filter(line, predicate)


def _filter(line: str, low: str, ctx: Context, column: int) -> Predicate | None:
    if low == "done":
        return lambda r: r["status_type"] in DONE_TYPES
    if low == "not done":
        return lambda r: r["status_type"] not in DONE_TYPES
    if low == "exclude sub-items":
        return lambda r: re.match(r"(> ?)*[-*+0-9]", r["raw"]) is not None
    status = re.fullmatch(r"status\.type (is|is not) (\w+)", low)
    if status:
        wanted = status.group(2).upper()
        if wanted not in STATUS_TYPES:
            raise QueryError(f"unknown status type: {status.group(2)}", column)
        negate = status.group(1) == "is not"
        return lambda r: (r["status_type"] == wanted) != negate
    has = re.fullmatch(r"(has|no) (due|scheduled|start|done|created|cancelled|happens) dates?", low)
    if has:
        name, want = DATE_FIELDS[has.group(2)], has.group(1) == "has"
        return lambda r: (bool(_date_value(r, name)) or _invalid_date(r, name)) == want
    invalid = re.fullmatch(r"(due|scheduled|start|done|created|cancelled) date is invalid", low)
    if invalid:
        name = DATE_FIELDS[invalid.group(1)]
        return lambda r: _invalid_date(r, name)
    dated = re.fullmatch(
        r"(due|scheduled|starts|start|done|created|cancelled|happens)"
        r"(?: (on or before|on or after|in or before|in or after|before|after|on|in))? (.+)",
        low,
    )
    if dated:
        return _date_filter(dated.group(1), dated.group(2) or "on", dated.group(3), ctx, column)
    if low in ("is recurring", "is not recurring"):
        want = low == "is recurring"
        return lambda r: _is_recurring(r) == want
    if low in ("has tags", "has tag", "no tags", "no tag"):
        want = low.startswith("has")
        return lambda r: bool(r["tags"]) == want
    if low in ("has id", "no id"):
        want = low == "has id"
        return lambda r: bool(r["task_id"]) == want
    if low in ("has depends on", "no depends on"):
        want = low.startswith("has")
        return lambda r: bool(r["depends_on"]) == want
    if low in ("is blocked", "is not blocked"):
        want = low == "is blocked"
        return lambda r: (r["status_type"] not in DONE_TYPES
                          and any(d in ctx.open_ids for d in r["depends_on"])) == want  # fmt: skip
    if low in ("is blocking", "is not blocking"):
        want = low == "is blocking"
        return lambda r: (r["status_type"] not in DONE_TYPES and bool(r["task_id"])
                          and r["task_id"] in ctx.depended_on) == want  # fmt: skip
    priority = re.fullmatch(r"priority(?: is)?(?: (above|below|not))? (lowest|low|none|normal|"
                            r"medium|high|highest)", low)  # fmt: skip
    if priority:
        level = PRIORITY_ORDER[priority.group(2)]
        how = priority.group(1)
        if how == "above":
            return lambda r: PRIORITY_ORDER[r["priority"]] > level
        if how == "below":
            return lambda r: PRIORITY_ORDER[r["priority"]] < level
        if how == "not":
            return lambda r: PRIORITY_ORDER[r["priority"]] != level
        return lambda r: PRIORITY_ORDER[r["priority"]] == level
    owner = re.fullmatch(r"owner is (not )?(.+)", low)
    if owner:
        name = owner.group(2).strip().lstrip("@")
        negate = bool(owner.group(1))
        if name == "me":
            return lambda r: _owned_by_me(r, ctx) != negate
        return lambda r: (name in {v.casefold() for v in (r.get("person"), r["owner"]) if v}
                          ) != negate  # fmt: skip
    return _text_filter(line, low, ctx, column)


def _owned_by_me(record: Record, ctx: Context) -> bool:
    return any(v.casefold() in ctx.me for v in (record.get("person"), record["owner"]) if v)


def _text_filter(line: str, low: str, ctx: Context, column: int) -> Predicate | None:
    fields = _text_fields(ctx)
    match = re.fullmatch(
        r"(path|filename|folder|root|heading|description|tags|tag|status\.name|recurrence|id|"
        r"owner) (includes|include|does not include|do not include|regex matches|"
        r"regex does not match) (.*)",
        line,
        re.IGNORECASE,
    )
    if not match:
        return None
    getter = fields[match.group(1).lower()]
    how = match.group(2).lower()
    value = match.group(3)
    if "regex" in how:
        pattern = _js_regex(value, column + match.start(3))
        found: Predicate = lambda r: any(pattern.search(v) for v in getter(r))  # noqa: E731
    else:
        needle = value.casefold()
        if match.group(1).lower() in ("tags", "tag"):
            found = lambda r: any(needle in t.casefold() for t in getter(r))  # noqa: E731
        else:
            found = lambda r: any(needle in v.casefold() for v in getter(r))  # noqa: E731
    if "not" in how:
        return lambda r: not found(r)
    return found


def _date_filter(field_word: str, how: str, value: str, ctx: Context, column: int) -> Predicate:
    span = parse_range(value, ctx.today)
    if span is None:
        raise QueryError(f"do not understand the date: {value}", column)
    start, end = span
    name = DATE_FIELDS[field_word]
    tests: dict[str, Callable[[date], bool]] = {
        "before": lambda d: d < start,
        "after": lambda d: d > end,
        "on": lambda d: start <= d <= end,
        "in": lambda d: start <= d <= end,
        "on or before": lambda d: d <= end,
        "in or before": lambda d: d <= end,
        "on or after": lambda d: d >= start,
        "in or after": lambda d: d >= start,
    }
    test = tests[how]
    if name == "start":  # tasks without a start date match `starts …` (they can start now)
        return lambda r: not r["start"] or test(date.fromisoformat(r["start"]))
    return lambda r: any(test(d) for d in _date_value(r, name))
