"""Running a ```tasks block: the global query first (unless the block ignores it), then the
block's filters, sort, limit and groups; and `explain`, in the plugin's words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lark import Lark

from tasksync.config import QuerySettings
from tasksync.query.boolean import boolean_parser
from tasksync.query.filters import DONE_TYPES, Context
from tasksync.query.grouping import Group, grouped
from tasksync.query.instructions import Query, Source, parse_query
from tasksync.query.sorting import sort_records
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


def _parser() -> Lark:
    """The query grammar's parser: the one part of the query language Lark reads."""
    return boolean_parser()


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
        seen: dict[str, Record] = {}
        for _, records in self.groups:
            for record in records:
                seen.setdefault(record["id"], record)
        return list(seen.values())


def run_block(block: Block, records: list[Record], ctx: Context) -> Result:
    query = block.effective
    matching = [r for r in records if all(f(r) for f in query.filters)]
    ordered = sort_records(matching, query.sorters, ctx)
    if query.limit is not None:
        ordered = ordered[: query.limit]
    groups = grouped(ordered, query.groupers, ctx)
    if query.limit_groups is not None:
        groups = [(heads, tasks[: query.limit_groups]) for heads, tasks in groups]
    return Result(block, groups)


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
