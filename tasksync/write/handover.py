"""Hand the index what a batch wrote, so that it need not read the notes again.

A note tasksync rewrote line for line (a status, a date, a description changed: no line
added or removed) keeps every other line where it was, so only the changed lines' rows
change — each keeps the id of the task it was. Anything else (lines added or removed, a
line that now opens a comment or a code fence, an index that does not hold what the plan
was made from) is left to the next sync, which reads the note as any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tasksync.config import global_filter_of
from tasksync.index.store import Rewritten, Store
from tasksync.model import LineChange, StatusTable
from tasksync.read.notes import has_global_filter
from tasksync.read.parse import TASK_PREFIX, parse_task_records
from tasksync.read.records import COLUMN, HEADING, ID, LINE, RAW, fields_row
from tasksync.read.unticked import unticked
from tasksync.write.writeback import NotePlan

PATH = COLUMN["path"]
# What in a task line can open or close a comment for the lines after it. (A code fence
# cannot: it opens or closes only on a line of its own, never a task's: read/notes.py.)
_CONTEXT_MARKS = ("%%", "<!--", "-->")


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


def _may_hand_over(plan: NotePlan, global_filter: str) -> bool:
    return (not plan.remove and not plan.created and plan.written is not None
            and plan.new_hash is not None and bool(plan.changes)
            and line_for_line(plan.changes, global_filter))  # fmt: skip


def parse_after(plans: list[NotePlan], global_filter: str) -> None:
    """Parse the changed lines of ``plans`` as the index reads them, for ``rows_after``: all
    in one parse, for the plans not parsed yet that were rewritten line for line (any other
    note is read again whole)."""
    plans = [p for p in plans if p.after_fields is None and line_for_line(p.changes, global_filter)]
    parsed = parse_task_records([c.after[0] for p in plans for c in p.changes], global_filter)
    start = 0
    for plan in plans:
        plan.after_fields = parsed[start : start + len(plan.changes)]
        start += len(plan.changes)


def rows_after(plan: NotePlan, old: dict[str, tuple[Any, ...]], statuses: StatusTable,
               global_filter: str) -> Rewritten | None:  # fmt: skip
    """The new rows of the lines ``plan`` changed, each with the index's old row (``old``, by
    id), or None when the index did not hold those lines as the plan found them."""
    for change in plan.changes:
        known = old.get(change.task_id)
        where = (plan.rel, change.line, change.before[0])
        if known is None or (known[PATH], known[LINE], known[RAW]) != where:
            return None
    parsed = plan.after_fields  # parsed where the plan was made (write/planner.py)
    if parsed is None or len(parsed) != len(plan.changes):
        parsed = parse_task_records([change.after[0] for change in plan.changes], global_filter)
    rows = []
    for change, fields in zip(plan.changes, parsed, strict=True):
        status_type = statuses[fields["status"]].type.value
        heading = old[change.task_id][HEADING]
        row = fields_row(plan.rel, change.line, heading, status_type, change.after[0], fields)
        row[ID] = change.task_id
        rows.append((tuple(row), old[change.task_id]))
    return rows


def _continued_at(change: LineChange) -> int | None:
    """Which of the lines a change wrote is its task's line now: the only one; of a recurring
    task's completion, the next occurrence (the task moves on to it, as on a phone: its
    completed line, which differs from the old one only by its status, is a new task);
    None when no line is (removed)."""
    if len(change.after) == 1:
        return 0
    before = unticked(change.before[0])
    moved_on = [i for i, line in enumerate(change.after) if unticked(line) != before]
    if len(moved_on) > 1:  # reworded as it was completed (a phone's edit): the line not done
        moved_on = [i for i in moved_on if unticked(change.after[i]) == change.after[i]]
    return moved_on[0] if len(moved_on) == 1 else None


def places_after(changes: list[LineChange]) -> Callable[[int], int | None] | None:
    """Where each line of the note went in a batch of edits of one task line each (in line
    order, numbered as the note was before): a line to the line that continues it; None
    when the changes are no such edits (an undo's blocks)."""
    if not all(len(c.before) == 1 and c.task_id for c in changes):
        return None

    def place(line: int) -> int | None:
        shift = 0
        for change in changes:
            if line < change.line:
                break
            if line == change.line:
                offset = _continued_at(change)
                return None if offset is None else line + shift + offset
            shift += len(change.after) - 1
        return line + shift

    return place


def rows_continued(rel: str, changes: list[LineChange], statuses: StatusTable,
                   global_filter: str) -> dict[int, list[Any]]:  # fmt: skip
    """The rows of the lines each edited task goes on as (by its line before the batch), for
    ``places_after``'s changes: the index's row follows its line with its new text, so the
    sync that reads the note again finds it at once, however it was reworded (a phone's
    new title)."""
    texts = {}
    for change, before in zip(changes, parse_task_records([c.before[0] for c in changes],
                                                          global_filter), strict=True):  # fmt: skip
        offset = _continued_at(change)
        if offset is not None and not before.get("task_id"):  # a 🆔 tells the task itself
            texts[change.line] = change.after[offset]
    parsed = parse_task_records(list(texts.values()), global_filter)
    return {line: fields_row(rel, line, None, statuses[fields["status"]].type.value, text, fields)
            for (line, text), fields in zip(texts.items(), parsed, strict=True)}  # fmt: skip


def hand_over(store: Store, statuses: StatusTable, plans: list[NotePlan]) -> list[str]:
    """Index what ``plans`` wrote, where that can be done without reading the notes again;
    the notes that must be read again (by a sync) are returned. The index is read, checked
    and written in one transaction (what it holds must not change between the check and
    the update), a chunk of notes at a time."""
    global_filter = global_filter_of(statuses)
    taken: set[str] = set()
    with store.write():
        if not store.has_id_index():
            return [plan.rel for plan in plans]  # a scan is loading the index: ids not unique
        hashes = store.note_hashes([plan.rel for plan in plans])
        ready = [plan for plan in plans if _may_hand_over(plan, global_filter)
                 and hashes.get(plan.rel) == plan.before_hash]  # fmt: skip
        old = store.rows_of([change.task_id for plan in ready for change in plan.changes])
        parse_after(ready, global_filter)
        rewritten = []
        for plan in ready:
            rows = rows_after(plan, old, statuses, global_filter)
            if rows is not None:
                assert plan.written is not None
                assert plan.new_hash is not None
                rewritten.append((plan.rel, plan.written.st_mtime_ns, plan.written.st_size,
                                  plan.new_hash, rows))  # fmt: skip
                taken.add(plan.rel)
        store.take_rewritten(rewritten)
        for plan in plans:  # read again by a sync: its ids follow where the lines went
            edited = plan.changes[: len(plan.changes) - plan.appended]  # lines at the end
            places = places_after(edited) if plan.rel not in taken else None
            if places is not None and not plan.remove and not plan.created \
                    and hashes.get(plan.rel) == plan.before_hash:  # fmt: skip
                store.move_rows(
                    plan.rel, places, rows_continued(plan.rel, edited, statuses, global_filter)
                )
    return [plan.rel for plan in plans if plan.rel not in taken]
