"""Task lines -> index records -> a query's answer, through the real reader and query engine
(no index file: the records are the rows the reader makes for the index)."""

from __future__ import annotations

import json
from datetime import date

from tasksync.config import QuerySettings
from tasksync.model import StatusTable
from tasksync.query.engine import Block, context_for, parse_block, run_block
from tasksync.read.parse import parse_task_records
from tasksync.read.records import LIST_KEYS, RECORD_KEYS, Record, fields_row

STATUS_NAMES = {" ": "Todo", "x": "Done", "/": "In Progress", "-": "Cancelled", "?": "Proposed"}


def records(lines: list[str], global_filter: str = "", path: str = "Notes/n.md",
            heading: str | None = None) -> list[Record]:  # fmt: skip
    found = []
    statuses = StatusTable()
    parsed = parse_task_records(lines, global_filter)
    for number, (line, fields) in enumerate(zip(lines, parsed, strict=True), 1):
        status_type = statuses[fields["status"]].type.value
        row = fields_row(path, number, heading, status_type, line, fields)
        row[0] = f"{number:012x}"
        record = dict(zip(RECORD_KEYS, row, strict=True))
        for key in LIST_KEYS:
            record[key] = json.loads(record[key])
        found.append(record)
    return found


def block(query: str, tasks: list[Record], today: date,
          settings: QuerySettings | None = None, note: str | None = None) -> Block:  # fmt: skip
    ctx = context_for(tasks, today, ["Myself"], STATUS_NAMES)
    return parse_block(query, ctx, settings, note)


def answer(query: str, lines: list[str], today: date, settings: QuerySettings | None = None,
           global_filter: str = "") -> list[str]:  # fmt: skip
    """The lines a query shows, in its order."""
    tasks = records(lines, global_filter)
    ctx = context_for(tasks, today, ["Myself"], STATUS_NAMES)
    result = run_block(parse_block(query, ctx, settings), tasks, ctx)
    return [r["raw"] for r in result.tasks]


def matches(query: str, line: str, today: date) -> bool:
    return answer(query, [line], today) == [line]
