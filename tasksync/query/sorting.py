"""`sort by FIELD [reverse]`: the plugin's sort fields, and its default sort after the user's."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from tasksync.query.collation import locale_key
from tasksync.query.explain import Statement
from tasksync.query.filters import PRIORITY_ORDER, Context, QueryError
from tasksync.read.records import Record

STATUS_ORDER = {"IN_PROGRESS": 1, "TODO": 2, "PROPOSED": 2.5, "ON_HOLD": 3, "DONE": 4,
                "CANCELLED": 5, "NON_TASK": 6}  # fmt: skip
DATE_NAMES = ("due", "done", "scheduled", "start", "created", "cancelled", "happens")
DEFAULT_SORT = ("status.type", "urgency", "due", "priority", "path")
_PRIORITY_URGENCY = {"highest": 9.0, "high": 6.0, "medium": 3.9, "normal": 1.95, "low": 0.0,
                     "lowest": -1.8}  # fmt: skip
_SORT = re.compile(r"sort by (\S+)( reverse)?", re.IGNORECASE)
_SORT_TAG = re.compile(r"sort by tag( reverse)?\s*(\d+)?", re.IGNORECASE)
SORT_FIELDS = frozenset(("status", "status.name", "status.type", "urgency", *DATE_NAMES,
                         "priority", "recurring", "description", "tag", "path", "filename",
                         "heading", "id", "random", "owner"))  # fmt: skip

Key = Callable[[Record], Any]


@dataclass(frozen=True)
class Sorter:
    statement: Statement
    name: str
    reverse: bool = False
    tag_index: int = 1  # for `sort by tag N`


def parse_sorter(statement: Statement) -> Sorter | None:
    """A `sort by` line (None when the line is none); QueryError for an unknown field."""
    line = statement.text
    tag = _SORT_TAG.match(line)
    if tag:
        return Sorter(statement, "tag", bool(tag[1]), int(tag[2] or 1))
    match = _SORT.match(line)
    if match is None:
        return None
    name = match[1].lower()
    if name == "function":
        raise QueryError("sort by function needs JavaScript, which tasksync does not run", 9)
    if name not in SORT_FIELDS:
        raise QueryError(f"do not understand sort: {line[len('sort by ') :]}", 9)
    return Sorter(statement, name, bool(match[2]))


def urgency(record: Record, today: date) -> float:
    """The plugin's urgency score (src/Task/Urgency.ts)."""
    score = _PRIORITY_URGENCY[record["priority"]]
    if record["due"]:
        days = (today - date.fromisoformat(record["due"])).days
        if days >= 7:
            score += 12.0
        elif days >= -14:
            score += ((days + 14) * 0.8 / 21 + 0.2) * 12.0
        else:
            score += 2.4
    if record["scheduled"] and date.fromisoformat(record["scheduled"]) <= today:
        score += 5.0
    if record["start"] and date.fromisoformat(record["start"]) > today:
        score -= 3.0
    return score


def date_key(record: Record, name: str) -> tuple[int, str]:
    """Invalid dates first, then earliest to latest, then none (the plugin's order)."""
    if name == "happens":
        values = sorted(v for v in (record["start"], record["scheduled"], record["due"]) if v)
        return (1, values[0]) if values else (2, "")
    if any(p.startswith(f"invalid {name} date") for p in record["problems"]):
        return (0, "")
    return (1, record[name]) if record[name] else (2, "")


def clean_description(record: Record) -> str:
    """The plugin's description without a leading link or emphasis (its cleanDescription)."""
    text = str(record.get("plugin_description") or record["description"])
    link = re.match(r"\[\[?([^\]]*)]]?", text)
    if link:
        text = link[1][link[1].find("|") + 1 :] + text[link.end() :]
    for emphasis in (r"\*\*([^*]+)\*\*", r"\*([^*]+)\*", r"==([^=]+)==", r"__([^_]+)__",
                     r"_([^_]+)_"):  # fmt: skip
        found = re.match(emphasis, text)
        if found:
            text = found[1] + text[found.end() :]
    return text


def _natural(text: str) -> tuple[Any, ...]:
    """The plugin's localeCompare with numeric: true (see ``collation``)."""
    return locale_key(text)


def _random_key(record: Record, today: date) -> int:
    """The plugin's `sort by random`: a hash of the day and the description (its
    TinySimpleHash over UTF-16 code units), so the order is the same all day."""
    text = f"{today.isoformat()} {record.get('plugin_description') or record['description']}"
    units = text.encode("utf-16-le")
    h = 9
    for i in range(0, len(units), 2):
        code = units[i] | units[i + 1] << 8
        h = _int32((h ^ code) * 387420489)  # Math.imul(h ^ c, 9 ** 9)
    return _int32(h ^ ((h & 0xFFFFFFFF) >> 9))


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value & 0x80000000 else value


def sort_key(sorter: Sorter, ctx: Context) -> Key:
    name = sorter.name
    if name == "status.type":
        return lambda r: STATUS_ORDER.get(r["status_type"], 9)
    if name == "status":  # the old two states: not done first
        return lambda r: r["status_type"] in ("DONE", "CANCELLED", "NON_TASK")
    if name == "status.name":
        return lambda r: locale_key(ctx.status_names.get(r["status"], "Unknown"))
    if name == "urgency":
        return lambda r: -urgency(r, ctx.today)
    if name in DATE_NAMES:
        return lambda r: date_key(r, name)
    if name == "priority":
        return lambda r: -PRIORITY_ORDER[r["priority"]]
    if name == "recurring":
        return lambda r: 0 if r["recurrence"] else 1
    if name == "description":
        return lambda r: _natural(clean_description(r))
    if name == "random":
        return lambda r: _random_key(r, ctx.today)
    if name == "tag":
        index = sorter.tag_index - 1
        if index < 0:  # `tag 0`: the plugin looks up tags[-1], which JavaScript has not
            return lambda r: (1, ())
        # tasks with the Nth tag by it, then those with fewer tags, then those with none
        return lambda r: ((0, locale_key(r["tags"][index])) if len(r["tags"]) > index
                          else (1, ()) if r["tags"] else (2, ()))  # fmt: skip
    return _text_key(name)


def _text_key(name: str) -> Key:
    if name == "path":  # one key per note, shared by its tasks (an answer can be huge)
        keys: dict[str, tuple[Any, ...]] = {}
        return lambda r: keys.get(r["path"]) or keys.setdefault(r["path"], _natural(r["path"]))
    if name == "filename":
        return lambda r: _natural(r["path"].rsplit("/", 1)[-1])
    if name == "heading":
        return lambda r: locale_key(r["heading"] or "")
    if name == "id":
        return lambda r: locale_key(r["task_id"] or "")  # as text: `step2` before `step10`
    return lambda r: (0, locale_key(owner)) if (owner := r.get("person") or r["owner"]) else (1,)


def sort_plan(sorters: list[Sorter]) -> list[Sorter]:
    """The user's sort, then the plugin's default sort for what it leaves tied."""
    chosen = {s.name for s in sorters}
    return [*sorters, *(Sorter(Statement(n, n), n) for n in DEFAULT_SORT if n not in chosen)]


def sort_records(records: list[Record], sorters: list[Sorter], ctx: Context) -> list[Record]:
    """The user's sort, then the plugin's default sort for what it leaves tied."""
    plan = sort_plan(sorters)
    for sorter in reversed(plan):  # stable sorts, least significant first
        records.sort(key=sort_key(sorter, ctx), reverse=sorter.reverse)
    return records


# -- the same orders, as SQLite's ORDER BY terms on the index's tasks table ---------------------


def _cases(column: str, values: Mapping[str, float], other: float) -> str:
    whens = " ".join(f"WHEN '{key}' THEN {value!r}" for key, value in values.items())
    return f"CASE {column} {whens} ELSE {other!r} END"


def _urgency_sql(today: date) -> str:
    """``urgency`` in SQL, operation for operation (so the doubles come out the same)."""
    days = f"(julianday('{today.isoformat()}') - julianday(due))"
    due = (f"CASE WHEN due IS NULL THEN 0.0 WHEN {days} >= 7 THEN 12.0 "
           f"WHEN {days} >= -14 THEN (({days} + 14) * 0.8 / 21 + 0.2) * 12.0 "
           "ELSE 2.4 END")  # fmt: skip
    scheduled = f"CASE WHEN scheduled <= '{today.isoformat()}' THEN 5.0 ELSE 0.0 END"
    start = f"CASE WHEN start > '{today.isoformat()}' THEN 3.0 ELSE 0.0 END"
    return f"((({_cases('priority', _PRIORITY_URGENCY, 0.0)} + {due}) + {scheduled}) - {start})"


def sql_terms(sorter: Sorter, ctx: Context) -> list[str] | None:
    """ORDER BY terms that order the table as ``sort_key`` orders records (None: SQLite
    cannot, as for the natural order of text)."""
    down, up = ("ASC", "DESC") if sorter.reverse else ("DESC", "ASC")
    name = sorter.name
    if name == "status.type":
        return [f"{_cases('status_type', STATUS_ORDER, 9)} {up}"]
    if name == "urgency":
        return [f"{_urgency_sql(ctx.today)} {down}"]
    if name == "priority":
        return [f"{_cases('priority', PRIORITY_ORDER, 0)} {down}"]
    if name in DATE_NAMES and name != "happens":
        # most tasks have no problem: their empty list is not taken apart
        invalid = (f"problems != '[]' AND EXISTS (SELECT 1 FROM json_each(problems) WHERE "
                   f"substr(value, 1, {len(name) + 13}) = 'invalid {name} date')")  # fmt: skip
        rank = f"CASE WHEN {invalid} THEN 0 WHEN {name} IS NOT NULL THEN 1 ELSE 2 END"
        return [f"{rank} {up}", f"{name} {up}"]
    return None
