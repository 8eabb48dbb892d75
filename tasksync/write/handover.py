"""Hand the index what a batch wrote, so that it need not read the notes again.

A note tasksync rewrote line for line (a status, a date, a description changed: no line
added or removed) keeps every other line where it was, so only the changed lines' rows
change — each keeps the id of the task it was. Anything else (lines added or removed, a
line that now opens a comment or a code fence, an index that does not hold what the plan
was made from) is left to the next sync, which reads the note as any other.
"""

from __future__ import annotations

from typing import Any

from tasksync.config import global_filter_of
from tasksync.index.store import Store
from tasksync.model import LineChange, StatusTable
from tasksync.read.notes import has_global_filter
from tasksync.read.parse import TASK_PREFIX, parse_task_records
from tasksync.read.records import COLUMN, HEADING, ID, LINE, RAW, fields_row
from tasksync.write.writeback import NotePlan

PATH = COLUMN["path"]
_CONTEXT_MARKS = ("%%", "<!--", "-->", "`", "~")  # what can open or close a comment or fence


def _same_context(before: str, after: str) -> bool:
    """Whether the new line leaves the lines after it as they were (no comment or code
    fence opened or closed by it)."""
    return all(before.count(mark) == after.count(mark) for mark in _CONTEXT_MARKS)


def _still_a_task(line: str, global_filter: str) -> bool:
    prefix = TASK_PREFIX.match(line)
    return prefix is not None and (
        not global_filter or has_global_filter(line, prefix.end(), global_filter)
    )


def line_for_line(changes: list[LineChange], global_filter: str) -> bool:
    """Whether each change rewrote one task line into one task line, in the same context
    (then only those lines' rows change)."""
    for change in changes:
        if len(change.before) != 1 or len(change.after) != 1 or not change.task_id:
            return False
        before, after = change.before[0], change.after[0]
        if not _same_context(before, after) or not _still_a_task(after, global_filter):
            return False
    return True


Rewritten = list[tuple[tuple[Any, ...], tuple[Any, ...]]]  # each changed task's row: new, old


def rows_after(store: Store, statuses: StatusTable, plan: NotePlan) -> Rewritten | None:
    """The new rows of the lines ``plan`` changed, each with the index's old row, or None when
    the note must be read again.
    Call inside the index's write transaction (what the index holds must not change
    between this check and the update)."""
    changes: list[LineChange] = plan.changes
    if plan.remove or plan.created or plan.written is None or not changes:
        return None
    global_filter = global_filter_of(statuses)
    if not line_for_line(changes, global_filter):
        return None
    if store.note_hash(plan.rel) != plan.before_hash:
        return None  # the index did not hold the note the plan was made on
    if not store.has_id_index():
        return None  # a scan is loading the index: ids are not unique until it ends
    old = store.rows_of([change.task_id for change in changes])
    for change in changes:
        known = old.get(change.task_id)
        where = (plan.rel, change.line, change.before[0])
        if known is None or (known[PATH], known[LINE], known[RAW]) != where:
            return None
    parsed = plan.after_fields  # parsed where the plan was made (write/planner.py)
    if parsed is None or len(parsed) != len(changes):
        parsed = parse_task_records([change.after[0] for change in changes], global_filter)
    rows = []
    for change, fields in zip(changes, parsed, strict=True):
        status_type = statuses[fields["status"]].type.value
        heading = old[change.task_id][HEADING]
        row = fields_row(plan.rel, change.line, heading, status_type, change.after[0], fields)
        row[ID] = change.task_id
        rows.append((tuple(row), old[change.task_id]))
    return rows


def hand_over(store: Store, statuses: StatusTable, plans: list[NotePlan]) -> list[str]:
    """Index what ``plans`` wrote, where that can be done without reading the notes again;
    the notes that must be read again (by a sync) are returned."""
    left = []
    with store.write():
        for plan in plans:
            rows = rows_after(store, statuses, plan)
            if rows is None or plan.written is None or plan.new_hash is None:
                left.append(plan.rel)
                continue
            store.take_rewritten(plan.rel, plan.written.st_mtime_ns, plan.written.st_size,
                                 plan.new_hash, rows)  # fmt: skip
    return left
