"""`group by FIELD [reverse]`: the plugin's group fields and headings; several lines nest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tasksync.query.collation import locale_key
from tasksync.query.explain import Statement
from tasksync.query.filters import PRIORITY_ORDER, Context, QueryError
from tasksync.query.sorting import DATE_NAMES, STATUS_ORDER, date_key, urgency
from tasksync.read.records import Record

_GROUP = re.compile(r"group by (\S+)( reverse)?", re.IGNORECASE)
GROUP_FIELDS = frozenset(("status", "status.name", "status.type", "id", *DATE_NAMES,
                          "priority", "urgency", "recurring", "recurrence", "tags", "path",
                          "root", "folder", "filename", "backlink", "heading",
                          "owner"))  # fmt: skip
_PRIORITY_NAME = {"highest": "Highest", "high": "High", "medium": "Medium", "normal": "Normal",
                  "low": "Low", "lowest": "Lowest"}  # fmt: skip
_NO_TAGS = "(No tags)"


@dataclass(frozen=True)
class Grouper:
    statement: Statement
    name: str
    reverse: bool = False


def parse_grouper(statement: Statement) -> Grouper | None:
    match = _GROUP.match(statement.text)
    if match is None:
        return None
    name = match[1].lower()
    if name == "function":
        raise QueryError("group by function needs JavaScript, which tasksync does not run", 10)
    if statement.text[match.end() :].strip():  # the plugin's pattern is anchored at the end
        return None
    if name not in GROUP_FIELDS:
        raise QueryError(f"do not understand grouping: {statement.text[len('group by ') :]}", 10)
    return Grouper(statement, name, bool(match[2]))


def group_names(record: Record, name: str, ctx: Context) -> list[tuple[Any, str]]:
    """(sort key, heading) of the group(s) a record falls in."""
    if name in DATE_NAMES:
        key = date_key(record, name)
        if key[0] == 0:
            return [((0, ""), f"Invalid {name} date")]
        if key[0] == 2:
            return [((2, ""), f"No {name} date")]
        return [(key, f"{key[1]} {date.fromisoformat(key[1]).strftime('%A')}")]
    if name == "status":
        done = record["status_type"] in ("DONE", "CANCELLED", "NON_TASK")
        return [(int(not done), "Done" if done else "Todo")]  # Done first, as the plugin
    if name == "status.type":
        return [(STATUS_ORDER.get(record["status_type"], 9), record["status_type"])]
    if name == "status.name":
        label = ctx.status_names.get(record["status"], "Unknown")
        return [(locale_key(label), label)]
    if name == "priority":
        level = record["priority"]
        return [(-PRIORITY_ORDER[level], f"{_PRIORITY_NAME[level]} priority")]
    if name == "urgency":
        score = urgency(record, ctx.today)
        return [(-round(score, 2), f"{score:.2f}")]
    if name == "recurring":
        return [(1, "Recurring")] if record["recurrence"] else [(0, "Not Recurring")]
    if name == "recurrence":
        text = record.get("recurrence_text")
        return [(locale_key(text or "None"), text or "None")]
    return _text_groups(record, name)


def _text_groups(record: Record, name: str) -> list[tuple[Any, str]]:
    if name == "tags":
        return [(locale_key(t), t) for t in record["tags"]] or [(locale_key(_NO_TAGS), _NO_TAGS)]
    if name == "owner":
        owner = record.get("person") or record["owner"]
        return [((0, locale_key(owner)), owner)] if owner else [((1,), "(No owner)")]
    if name == "heading":
        heading = record["heading"]
        heading = heading or "(No heading)"
        return [(locale_key(heading), heading)]
    if name == "id":
        task_id = record["task_id"] or "(No id)"
        return [(locale_key(task_id), task_id)]
    path = record["path"]
    filename = path.rsplit("/", 1)[-1].removesuffix(".md")
    if name == "backlink":  # the note, then the heading the task stands under
        heading = record["heading"]
        value = f"{filename} > {heading}" if heading and heading != filename else filename
    else:
        value = {
            "path": path.removesuffix(".md"),
            "filename": filename,
            "folder": path.rsplit("/", 1)[0] + "/" if "/" in path else "/",
            "root": path.split("/", 1)[0] + "/" if "/" in path else "/",
        }[name]
    return [(locale_key(value), value)]


Group = tuple[list[str], Sequence[Record]]  # headings (one per group-by line), tasks


def grouped(records: list[Record], groupers: list[Grouper], ctx: Context) -> list[Group]:
    if not groupers:
        return [([], records)]
    buckets: dict[tuple[Any, ...], tuple[list[str], list[Record]]] = {}
    for record in records:
        for keys, heads in group_places(record, groupers, ctx):
            buckets.setdefault(keys, (heads, []))[1].append(record)
    return [buckets[key] for key in sorted(buckets)]


def group_places(record: Record, groupers: list[Grouper],
                 ctx: Context) -> list[tuple[tuple[Any, ...], list[str]]]:  # fmt: skip
    """The groups a record goes in (a task with two tags, in two), as (what orders the
    group, its headings)."""
    combos: list[tuple[tuple[Any, ...], list[str]]] = [((), [])]
    for grouper in groupers:
        options = group_names(record, grouper.name, ctx)
        combos = [((*keys, _Ordered(key, grouper.reverse)), [*heads, head])
                  for keys, heads in combos for key, head in options]  # fmt: skip
    return combos


class _Ordered:
    """A group key that compares with keys of any type, descending when reversed."""

    def __init__(self, key: Any, reverse: bool) -> None:
        self.key, self.reverse = key, reverse

    def __lt__(self, other: _Ordered) -> bool:
        a, b = (other.key, self.key) if self.reverse else (self.key, other.key)
        try:
            return bool(a < b)
        except TypeError:  # a heading's key against another kind of key
            return str(a) < str(b)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ordered) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)
