"""Running a ```tasks block: the global query first (unless the block ignores it), then the
block's filters, sort, limit and groups; and `explain`, in the plugin's words."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tasksync.config import QuerySettings
from tasksync.index.store import Store
from tasksync.query.filters import DONE_TYPES, Context
from tasksync.query.grouping import Group, group_places, grouped
from tasksync.query.instructions import Query, Source, parse_query
from tasksync.query.sorting import Key, sort_key, sort_plan, sort_records, sql_terms
from tasksync.read.records import Record


@dataclass
class Block:
    """A block as it runs: its own query, and the global query in force for it (if any)."""

    query: Query
    global_query: Query | None = None
    global_filter: str = ""

    @property
    def effective(self) -> Query:
        return self.global_query.then(self.query) if self.global_query else self.query


def parse_block(text: str, ctx: Context, settings: QuerySettings | None = None,
                note: str | None = None) -> Block:  # fmt: skip
    """The block, and the global query of ``settings`` unless the block ignores it."""
    settings = settings or QuerySettings()
    source = Source(note, settings.presets)
    query = parse_query(text, ctx, source)
    global_query = None
    if settings.global_query.strip() and not query.ignore_global_query:
        global_query = parse_query(settings.global_query, ctx, source)
    return Block(query, global_query, settings.global_filter)


@dataclass
class Result:
    block: Block
    groups: list[Group]

    @property
    def query(self) -> Query:
        return self.block.effective

    @property
    def tasks(self) -> list[Record]:
        return list(self.each_task())

    def each_task(self) -> Iterator[Record]:
        """The tasks, each once (a task in two groups is listed in both), one at a time."""
        if not self.query.groupers:  # one group: nothing to leave out
            for _, records in self.groups:
                yield from records
            return
        seen: set[str] = set()
        for _, records in self.groups:
            for record in records:
                if record["id"] not in seen:
                    seen.add(record["id"])
                    yield record


class Placed(Sequence[Record]):
    """A group's records, read from the index a page at a time as they are walked: an
    answer of 300,000 tasks is 300,000 row numbers in memory, not 300,000 records."""

    PAGE = 1000

    def __init__(self, store: Store, places: list[int], prepare: Callable[[Record], Record]):
        self.store, self.places, self.prepare = store, places, prepare

    def __len__(self) -> int:
        return len(self.places)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.prepare(r) for r in self.store.records_at(self.places[index])]
        return self.prepare(self.store.records_at([self.places[index]])[0])

    def __iter__(self) -> Iterator[Record]:
        for start in range(0, len(self.places), self.PAGE):
            part = self.places[start : start + self.PAGE]
            yield from map(self.prepare, self.store.records_at(part))


class _Descending:
    """A sort key in reverse (the plugin's `sort by … reverse`), for a key of many parts."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.key < self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and bool(self.key == other.key)

    __hash__ = None  # type: ignore[assignment]


KEPT_WHILE_SORTING = 4096  # with a limit: tasks held at once, whatever the vault's size


def run_block(block: Block, records: Iterable[Record], ctx: Context) -> Result:
    """Run the block over ``records`` (a stream is read once; with a limit, memory holds a
    few thousand of them, not all that match)."""
    query = block.effective
    matching = (r for r in records if all(f(r) for f in query.filters))
    if query.limit is not None:
        ordered = _first(matching, query, ctx, query.limit)
    else:
        ordered = sort_records(list(matching), query.sorters, ctx)
    return _result(block, ordered, ctx)


def run_on_index(block: Block, store: Store, ctx: Context,
                 prepare: Callable[[Record], Record] = lambda r: r) -> Result:  # fmt: skip
    """``run_block`` over the index's tasks (each through ``prepare`` first), read streamed:
    SQLite leaves out what the filters rule out and, under a limit, hands the tasks over in
    the sort's order as far as it can tell it — so reading stops soon after the limit."""
    query = block.effective
    conditions = sql_conditions(block)
    if query.limit is None:
        return _placed_result(block, store, ctx, prepare)
    order = _sql_order(query, ctx)
    if order is None:
        return run_block(block, map(prepare, store.stream_records(conditions)), ctx)
    assert query.limit is not None
    terms, same_place = order
    records = map(prepare, store.stream_records(conditions, terms))
    return _result(block, _first_in_order(records, query, ctx, query.limit, same_place), ctx)


def _placed_result(block: Block, store: Store, ctx: Context,
                   prepare: Callable[[Record], Record]) -> Result:  # fmt: skip
    """The block's answer with no limit: the tasks are read once to find which match and
    where they go (keeping of each its sort key and row number), then a page at a time as
    the answer is walked. The order is ``sort_records``'s: the sort's keys, most significant
    first (reversed where asked), then the order the tasks came in."""
    query = block.effective
    keys = [(sort_key(sorter, ctx), sorter.reverse) for sorter in sort_plan(query.sorters)]
    matching = (r for r in store.stream_placed(sql_conditions(block))
                if all(f(prepare(r[1])) for f in query.filters))  # fmt: skip
    if not query.groupers:  # the common case, kept lean: a sort key and a row number each
        orders, places = [], array("q")
        for place, record in matching:
            orders.append(tuple(_Descending(key(record)) if down else key(record)
                                for key, down in keys))  # fmt: skip
            places.append(place)
        ranked = sorted(range(len(orders)), key=orders.__getitem__)  # stable: ties keep order
        del orders
        return Result(block, [([], Placed(store, [places[i] for i in ranked], prepare))])
    found: list[tuple[tuple[Any, ...], tuple[Any, ...], int, list[str]]] = []
    for place, record in matching:
        order = tuple(_Descending(key(record)) if down else key(record) for key, down in keys)
        for group, heads in group_places(record, query.groupers, ctx):
            found.append((group, order, place, heads))
    found.sort(key=lambda entry: (entry[0], entry[1]))  # stable: ties keep the tasks' order
    grouped_places: list[tuple[list[str], list[int]]] = []
    last: tuple[Any, ...] | None = None
    for group, _, place, heads in found:
        if group != last:
            grouped_places.append((heads, []))
            last = group
        grouped_places[-1][1].append(place)
    cut = query.limit_groups if query.groupers else None  # without groups, ignored
    return Result(block, [(heads, Placed(store, in_group[:cut], prepare))
                          for heads, in_group in grouped_places])  # fmt: skip


def _sql_order(query: Query, ctx: Context) -> tuple[list[str], Key] | None:
    """The ORDER BY terms of the sort's first keys SQLite can order by, and those keys."""
    terms: list[str] = []
    keys: list[Key] = []
    for sorter in sort_plan(query.sorters):
        sorter_terms = sql_terms(sorter, ctx)
        if sorter_terms is None:
            break
        terms += sorter_terms
        keys.append(sort_key(sorter, ctx))
    if not terms:
        return None
    return terms, lambda record: tuple(key(record) for key in keys)


def _first_in_order(records: Iterator[Record], query: Query, ctx: Context, limit: int,
                    same_place: Key) -> list[Record]:  # fmt: skip
    """The first ``limit`` tasks, from tasks ordered by the sort's first keys: the first
    ``limit`` that pass the filters, and those tied with the last of them on those keys
    (the rest of the sort may put one of them first), sorted."""
    kept: list[Record] = []
    last = None
    for record in records:
        if not all(f(record) for f in query.filters):
            continue
        if len(kept) >= limit and same_place(record) != last:
            break
        kept.append(record)
        if len(kept) == limit:
            last = same_place(record)
    return sort_records(kept, query.sorters, ctx)[:limit]


def _result(block: Block, ordered: list[Record], ctx: Context) -> Result:
    query = block.effective
    groups = grouped(ordered, query.groupers, ctx)
    if query.limit_groups is not None and query.groupers:  # without groups, ignored
        groups = [(heads, tasks[: query.limit_groups]) for heads, tasks in groups]
    return Result(block, groups)


def _first(records: Iterator[Record], query: Query, ctx: Context, limit: int) -> list[Record]:
    """``sort_records(all)[:limit]``, sorting as it goes: the sort is stable, so the first
    ``limit`` of what came so far, followed by what comes next, sort as all of it would."""
    kept: list[Record] = []
    room = max(KEPT_WHILE_SORTING, 4 * limit)
    for record in records:
        kept.append(record)
        if len(kept) >= room:
            kept = sort_records(kept, query.sorters, ctx)[:limit]
    return sort_records(kept, query.sorters, ctx)[:limit]


def sql_conditions(block: Block) -> list[str]:
    """What SQLite can rule out for the block: its filters' conditions on the tasks table
    (each filter still runs on what comes back)."""
    return [f.narrow for f in block.effective.filters if f.narrow]


def context_for(records: list[Record], today: date, me: Iterable[str],
                status_names: dict[str, str]) -> Context:  # fmt: skip
    def dependencies() -> tuple[frozenset[str], frozenset[str]]:
        open_records = [r for r in records if r["status_type"] not in DONE_TYPES]
        return (frozenset(r["task_id"] for r in open_records if r["task_id"]),
                frozenset(d for r in open_records for d in r["depends_on"]))  # fmt: skip

    return Context(today, frozenset(m.casefold() for m in me), status_names, dependencies)


def explain(block: Block) -> str:
    """The plugin's explanation: the global filter, the global query, then the block."""
    text = ""
    if block.global_filter:
        text += f"Only tasks containing the global filter '{block.global_filter}'.\n\n"
    if block.global_query is not None:
        text += f"Explanation of the global query:\n\n{explain_query(block.global_query)}\n"
    return text + f"Explanation of this Tasks code block query:\n\n{explain_query(block.query)}"


def explain_query(query: Query, indent: str = "  ") -> str:
    """One query's part of the explanation (the plugin's Explainer.explainQuery)."""
    sections = []
    if query.ignore_global_query:
        sections.append(f"{indent}ignore global query\n")
    if query.filters:
        sections.append("\n".join(f.render(indent) for f in query.filters))
    else:
        sections.append(f"{indent}No filters supplied. All tasks will match the query.\n")
    for statements in ([g.statement for g in query.groupers],
                       [s.statement for s in query.sorters], query.layout):  # fmt: skip
        if statements:
            sections.append("\n\n".join(s.render(indent) for s in statements) + "\n")
    limits = []
    if query.limit is not None:
        limits.append(f"{indent}At most {_tasks(query.limit)}.\n")
    if query.limit_groups is not None:
        limits.append(f"{indent}At most {_tasks(query.limit_groups)} per group "
                      '(if any "group by" options are supplied).\n')  # fmt: skip
    if limits:
        sections.append("\n".join(limits))
    return "\n".join(sections)


def _tasks(count: int) -> str:
    return f"{count} task" + ("" if count == 1 else "s")
