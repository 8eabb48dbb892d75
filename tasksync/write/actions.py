"""What the write commands do, between the index and the notes (used by the CLI and the TUI)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tasksync.index.select import Selection
from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.model import LineChange, StatusTable
from tasksync.read.records import Record
from tasksync.write.writeback import Edit, Outcome, Target, apply_edits, revert


def target_of(record: Record) -> Target:
    return Target(record["id"], record["path"], record["line"], record["raw"])


def targets_by_id(store: Store, ids: Iterable[str]) -> list[Target]:
    """Each id (or unique prefix) as a target, in the order given, without repeats."""
    seen: dict[str, Target] = {}
    for given in ids:
        key = store.resolve_id(given)
        seen.setdefault(key, target_of(store.record(key)))
    return list(seen.values())


def selected_targets(store: Store, selection: Selection) -> list[Target]:
    records = store.records(selection.status_types(), selection.path)
    return [target_of(r) for r in selection.apply(records)]


def run_batch(vault: Path, store: Store, statuses: StatusTable, command: str,
              targets: list[Target], edit: Edit, dry_run: bool) -> Outcome:  # fmt: skip
    """Apply ``edit`` to the notes, journal what was written, and re-index those notes.

    The journal is written even when the batch is cut short, so ``undo`` can restore the
    notes it had already changed."""
    outcome = Outcome()
    try:
        apply_edits(vault, targets, edit, statuses, dry_run, outcome)
    finally:
        if outcome.changes and not dry_run:
            store.record_batch(command, outcome.changes)
    if outcome.changes and not dry_run:
        sync(vault, store, statuses)
    return outcome


@dataclass
class UndoOutcome:
    command: str | None = None
    reverted: list[LineChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def undo_last(vault: Path, store: Store, statuses: StatusTable) -> UndoOutcome:
    last = store.last_batch()
    if last is None:
        return UndoOutcome()
    batch, command, changes = last
    reverted, problems = revert(vault, changes)
    store.mark_undone(batch)
    sync(vault, store, statuses)
    return UndoOutcome(command, reverted, problems)


def today_or(given: date | None) -> date:
    return given or date.today()
