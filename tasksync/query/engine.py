"""A ```tasks block: parsed with grammar/query.lark, then filtered, sorted, grouped, limited."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import LarkError, VisitError

from tasksync.query.filters import (
    DONE_TYPES,
    PRIORITY_ORDER,
    Context,
    Filter,
    Predicate,
    QueryError,
    parse_filter,
)
from tasksync.read.grammars import grammar_text
from tasksync.read.records import Record

STATUS_ORDER = {"IN_PROGRESS": 1, "TODO": 2, "PROPOSED": 2.5, "ON_HOLD": 3, "DONE": 4,
                "CANCELLED": 5, "NON_TASK": 6}  # fmt: skip
DEFAULT_SORT = ("status.type", "urgency", "due", "priority", "path")
_PRIORITY_URGENCY = {"highest": 9.0, "high": 6.0, "medium": 3.9, "normal": 1.95, "low": 0.0,
                     "lowest": -1.8}  # fmt: skip
_PRIORITY_NAME = {"highest": "Highest", "high": "High", "medium": "Medium", "normal": "Normal",
                  "low": "Low", "lowest": "Lowest"}  # fmt: skip


@dataclass
class Query:
    source: str
    filters: list[Filter] = field(default_factory=list)
    sorts: list[tuple[str, bool]] = field(default_factory=list)  # (field, reverse)
    groups: list[tuple[str, bool]] = field(default_factory=list)
    limit: int | None = None
    limit_groups: int | None = None
    layout: list[str] = field(default_factory=list)
    explain: bool = False


class _Build(Transformer[Token, Any]):
    def __init__(self, ctx: Context, column: int) -> None:
        super().__init__()
        self.ctx, self.column = ctx, column

    def sort(self, items: list[Token]) -> tuple[str, str, bool]:
        return ("sort", str(items[0]).lower(), len(items) > 1)

    def group(self, items: list[Token]) -> tuple[str, str, bool]:
        return ("group", str(items[0]).lower(), len(items) > 1)

    def limit(self, items: list[Token]) -> tuple[str, bool, int]:
        groups = any(getattr(i, "type", "") == "GROUPS" for i in items)
        return ("limit", groups, int(items[-1]))

    def layout(self, items: list[Token]) -> tuple[str, str]:
        return ("layout", " ".join(str(i).lower() for i in items))

    def explain(self, items: list[Token]) -> tuple[str]:
        return ("explain",)

    def leaf(self, items: list[Token]) -> Filter:
        return parse_filter(str(items[0]), self.ctx, self.column + (items[0].start_pos or 0))

    def negation(self, items: list[Filter]) -> Filter:
        inner = items[0]
        return Filter(f"NOT ({inner.text})", lambda r: not inner(r))

    def _combine(
        self, items: list[Filter], word: str, join: Callable[[list[bool]], bool]
    ) -> Filter:
        text = f" {word} ".join(f"({i.text})" for i in items)
        return Filter(text, lambda r: join([i(r) for i in items]))

    def and_expr(self, items: list[Filter]) -> Filter:
        return self._combine(items, "AND", all)

    def or_expr(self, items: list[Filter]) -> Filter:
        return self._combine(items, "OR", any)

    def xor_expr(self, items: list[Filter]) -> Filter:
        return self._combine(items, "XOR", lambda values: sum(values) % 2 == 1)


@cache
def _parser() -> Lark:
    return Lark(
        grammar_text("query.lark"), parser="lalr", lexer="contextual", propagate_positions=True
    )


def _lines(text: str) -> Iterable[tuple[int, str]]:
    """(line number, instruction): blank lines and # comments dropped, `\\` continues a line."""
    pending, start = "", 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if not pending:
            start = number
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending += line[:-1] + " "
            continue
        line = (pending + line).replace("\\\\", "\\").strip()
        pending = ""
        if line and not line.startswith("#"):
            yield start, line


SORT_FIELDS = frozenset(("status", "status.name", "status.type", "urgency", "due", "done",
                         "scheduled", "start", "created", "cancelled", "happens", "priority",
                         "recurring", "description", "path", "filename", "heading", "id",
                         "owner", "tag"))  # fmt: skip
GROUP_FIELDS = frozenset(("status", "status.name", "status.type", "due", "done", "scheduled",
                          "start", "created", "cancelled", "happens", "priority", "tags",
                          "path", "root", "folder", "filename", "heading", "owner",
                          "recurring", "id"))  # fmt: skip


def parse_query(text: str, ctx: Context) -> Query:
    """Every line of a tasks block; QueryError names the line and column of the first problem."""
    query = Query(text)
    for number, line in _lines(text):
        try:
            _add(query, line, ctx)
        except QueryError as exc:
            raise QueryError(f"line {number}, column {exc.column}: {exc}", exc.column) from None
    return query


def _add(query: Query, line: str, ctx: Context) -> None:
    try:
        tree = _parser().parse(line)
    except LarkError:
        query.filters.append(parse_filter(line, ctx))  # a plain filter line
        return
    try:
        built = _Build(ctx, 1).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, QueryError):
            raise exc.orig_exc from None
        raise
    if isinstance(built, Filter):
        query.filters.append(built)
    elif isinstance(built, Tree):  # pragma: no cover - every rule is transformed
        raise QueryError(f"do not understand query: {line}")
    elif built[0] == "sort":
        name = built[1].split(" ")[0]
        if name not in SORT_FIELDS:
            raise QueryError(f"do not understand sort: {built[1]}", len("sort by ") + 1)
        query.sorts.append((built[1], built[2]))
    elif built[0] == "group":
        if built[1] not in GROUP_FIELDS:
            raise QueryError(f"do not understand grouping: {built[1]}", len("group by ") + 1)
        query.groups.append((built[1], built[2]))
    elif built[0] == "limit":
        if built[1]:
            query.limit_groups = built[2]
        else:
            query.limit = built[2]
    elif built[0] == "layout":
        query.layout.append(built[1])
    else:
        query.explain = True


# -- sorting -------------------------------------------------------------------------------


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


def _date_key(record: Record, name: str) -> tuple[int, str]:
    """Invalid dates first, then earliest to latest, then none (the plugin's order)."""
    if name == "happens":
        values = sorted(v for v in (record["start"], record["scheduled"], record["due"]) if v)
        return (1, values[0]) if values else (2, "")
    if any(p.startswith(f"invalid {name} date") for p in record["problems"]):
        return (0, "")
    return (1, record[name]) if record[name] else (2, "")


def _sort_key(name: str, ctx: Context) -> Callable[[Record], Any]:
    if name in ("status.type", "status"):
        return lambda r: STATUS_ORDER.get(r["status_type"], 9)
    if name == "status.name":
        return lambda r: ctx.status_names.get(r["status"], "Unknown").casefold()
    if name == "urgency":
        return lambda r: -urgency(r, ctx.today)
    if name in ("due", "done", "scheduled", "start", "created", "cancelled", "happens"):
        return lambda r: _date_key(r, name)
    if name == "priority":
        return lambda r: -PRIORITY_ORDER[r["priority"]]
    if name == "recurring":
        return lambda r: 0 if r["recurrence"] else 1
    if name == "description":
        return lambda r: re.sub(
            r"^(\[\[[^\]]*\]\]|\*\*|\*|==|__|_)\s*", "", r["description"]
        ).casefold()
    if name == "path":
        return lambda r: r["path"].casefold()
    if name == "filename":
        return lambda r: r["path"].rsplit("/", 1)[-1].casefold()
    if name == "heading":
        return lambda r: (r["heading"] or "").casefold()
    if name == "id":
        return lambda r: r["task_id"] or ""
    if name == "owner":
        return lambda r: (r.get("person") or r["owner"] or "\uffff").casefold()
    if name.startswith("tag"):
        index = int(name.split(" ")[1]) - 1 if " " in name else 0
        return lambda r: r["tags"][index].casefold() if len(r["tags"]) > index else "\uffff"
    raise QueryError(f"do not understand sort: {name}")  # pragma: no cover


def _sorted(records: list[Record], query: Query, ctx: Context) -> list[Record]:
    user = [name for name, _ in query.sorts]
    plan = [*query.sorts, *((name, False) for name in DEFAULT_SORT if name not in user)]
    for name, reverse in reversed(plan):  # stable sorts, least significant first
        records.sort(key=_sort_key(name, ctx), reverse=reverse)
    return records


# -- grouping ------------------------------------------------------------------------------


def _group_names(record: Record, name: str, ctx: Context) -> list[tuple[Any, str]]:
    """(sort key, heading) of the group(s) a record falls in."""
    if name in ("due", "done", "scheduled", "start", "created", "cancelled", "happens"):
        key = _date_key(record, name)
        if key[0] == 0:
            return [((0, ""), f"Invalid {name} date")]
        if key[0] == 2:
            return [((2, ""), f"No {name} date")]
        day = date.fromisoformat(key[1])
        return [(key, f"{key[1]} {day.strftime('%A')}")]
    if name in ("status", "status.type"):
        return [(STATUS_ORDER.get(record["status_type"], 9), record["status_type"])]
    if name == "status.name":
        label = ctx.status_names.get(record["status"], "Unknown")
        return [(label.casefold(), label)]
    if name == "priority":
        level = record["priority"]
        return [(-PRIORITY_ORDER[level], f"{_PRIORITY_NAME[level]} priority")]
    if name == "tags":
        return [(t.casefold(), t) for t in record["tags"]] or [("\uffff", "(No tags)")]
    if name == "owner":
        owner = record.get("person") or record["owner"]
        return [(owner.casefold(), owner)] if owner else [("\uffff", "(No owner)")]
    if name == "heading":
        heading = record["heading"]
        return [(heading.casefold(), heading)] if heading else [("", "(No heading)")]
    if name == "recurring":
        return [(0, "Recurring")] if record["recurrence"] else [(1, "Not Recurring")]
    if name == "id":
        return [(record["task_id"] or "\uffff", record["task_id"] or "(No id)")]
    path = record["path"]
    value = {
        "path": path.removesuffix(".md"),
        "filename": path.rsplit("/", 1)[-1].removesuffix(".md"),
        "folder": path.rsplit("/", 1)[0] + "/" if "/" in path else "/",
        "root": path.split("/", 1)[0] + "/" if "/" in path else "/",
    }[name]
    return [(value.casefold(), value)]


Group = tuple[list[str], list[Record]]  # headings (one per group-by line), tasks


def _grouped(records: list[Record], query: Query, ctx: Context) -> list[Group]:
    if not query.groups:
        return [([], records)]
    buckets: dict[tuple[Any, ...], Group] = {}
    for record in records:
        combos: list[tuple[list[Any], list[str]]] = [([], [])]
        for name, reverse in query.groups:
            options = _group_names(record, name, ctx)
            combos = [([*keys, _flip(key, reverse)], [*heads, head])
                      for keys, heads in combos for key, head in options]  # fmt: skip
        for keys, heads in combos:
            bucket = buckets.setdefault(tuple(_Ordered(k) for k in keys), (heads, []))
            bucket[1].append(record)
    return [buckets[key] for key in sorted(buckets)]


class _Ordered:
    """Wraps a group key so that keys of any type compare (descending when flipped)."""

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Ordered) -> bool:
        a, b = self.key, other.key
        if isinstance(a, _Reversed):
            return bool(b.value < a.value)
        return bool(a < b)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ordered) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


@dataclass(frozen=True)
class _Reversed:
    value: Any


def _flip(key: Any, reverse: bool) -> Any:
    return _Reversed(key) if reverse else key


# -- running -------------------------------------------------------------------------------


@dataclass
class Result:
    query: Query
    groups: list[Group]

    @property
    def tasks(self) -> list[Record]:
        seen: dict[str, Record] = {}
        for _, records in self.groups:
            for record in records:
                seen.setdefault(record["id"], record)
        return list(seen.values())


def run_query(query: Query, records: list[Record], ctx: Context) -> Result:
    tests: list[Predicate] = list(query.filters)
    matching = [r for r in records if all(test(r) for test in tests)]
    ordered = _sorted(matching, query, ctx)
    if query.limit is not None:
        ordered = ordered[: query.limit]
    groups = _grouped(ordered, query, ctx)
    if query.limit_groups is not None:
        groups = [(heads, tasks[: query.limit_groups]) for heads, tasks in groups]
    return Result(query, groups)


def context_for(records: list[Record], today: date, me: Iterable[str],
                status_names: dict[str, str]) -> Context:  # fmt: skip
    open_records = [r for r in records if r["status_type"] not in DONE_TYPES]
    return Context(
        today=today,
        me=frozenset(m.casefold() for m in me),
        status_names=status_names,
        open_ids=frozenset(r["task_id"] for r in open_records if r["task_id"]),
        depended_on=frozenset(d for r in open_records for d in r["depends_on"]),
    )


def explain(query: Query) -> str:
    lines = [f"  {f.text}" for f in query.filters] or ["  (no filters: every task)"]
    out = ["Explanation of this Tasks code block query:", "", "Filters, all of which must match:",
           *lines, "", "Sort order (then the default sort):"]  # fmt: skip
    out += [f"  sort by {n}{' reverse' if r else ''}" for n, r in query.sorts] or ["  (default)"]
    if query.groups:
        out += [
            "",
            "Grouping:",
            *(f"  group by {n}{' reverse' if r else ''}" for n, r in query.groups),
        ]
    if query.limit is not None:
        out.append(f"\nAt most {query.limit} tasks.")
    if query.limit_groups is not None:
        out.append(f"\nAt most {query.limit_groups} tasks per group.")
    return "\n".join(out)
