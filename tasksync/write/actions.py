"""What the write commands do, between the index and the notes (used by the CLI and the TUI).

Every batch runs the same way: take the vault's writer lock; settle what a writer that died
left in the journal; plan each note's edits on its bytes as they are now; journal the whole
plan (each note's content hash before and after, and its bytes before) durably; then write
the notes one by one, each marked in the journal once it is in place; close the batch.
A note that changes between its plan and its rename is planned again (and journaled again)
before it is written. So `undo` can always restore what any batch — even a killed one — wrote.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tasksync.ids import id_key
from tasksync.index.select import Selection
from tasksync.index.store import NoteIntent, Store
from tasksync.index.sync import sync
from tasksync.model import LineChange, StatusTable
from tasksync.read.reader import content_hash
from tasksync.read.records import Record
from tasksync.write.files import ChangedMeanwhile, remove_temp_files, sync_folders
from tasksync.write.lock import lock_if_free, vault_lock
from tasksync.write.writeback import (
    Edit,
    NoteError,
    NotePlan,
    Target,
    note_file,
    plan_edits,
    plan_revert,
    write_plan,
)

ATTEMPTS = 3  # plans of one note that changed each time before its rename, before giving up
Notice = Callable[[str], None]


@dataclass
class Outcome:
    changes: list[LineChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0
    diffs: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # what a killed writer's batch left


def target_of(record: Record, twins: int = 1) -> Target:
    return Target(record["id"], record["path"], record["line"], record["raw"], twins)


@dataclass(frozen=True)
class _Identity:
    task_id: str | None
    description: str


def targets_by_id(store: Store, ids: Iterable[str]) -> list[Target]:
    """Each id (or unique prefix) as a target, in the order given, without repeats."""
    seen: dict[str, Record] = {}
    for given in ids:
        key = store.resolve_id(given)
        seen.setdefault(key, store.record(key))
    return targets_of(store, list(seen.values()))


def targets_of(store: Store, records: list[Record]) -> list[Target]:
    """Targets for these records, each with its twin count from the index."""
    twins: dict[str, dict[str, int]] = {}
    result = []
    for record in records:
        path = record["path"]
        if path not in twins:
            counts: dict[str, int] = {}
            for other in store.records(path_equals=path):
                key = id_key(path, _Identity(other["task_id"], other["description"]))
                counts[key] = counts.get(key, 0) + 1
            twins[path] = counts
        key = id_key(path, _Identity(record["task_id"], record["description"]))
        result.append(target_of(record, twins[path].get(key, 1)))
    return result


def selected_targets(store: Store, selection: Selection) -> list[Target]:
    records = store.records(selection.status_types(), selection.path)
    return targets_of(store, list(selection.apply(records)))


def recover(vault: Path, store: Store) -> list[str]:
    """Settle the batches a killed writer left 'pending', by what the notes hold now: a note
    holding the planned bytes was written (undo can restore it), any other was not. Removes
    the temporary files it left. Call while holding the vault's lock."""
    messages = []
    for pending in store.pending_batches():
        folders = []
        for note in pending.notes:
            try:
                path = note_file(vault, note.path)
                folders.append(path.parent)
                current = content_hash(path.read_bytes())
            except (NoteError, OSError):
                current = None
            if current == note.after_hash and not note.written:
                store.note_written(pending.id, note.path)
            if current == note.after_hash and pending.undoes is not None:
                store.mark_note_undone(pending.undoes, note.path)
        remove_temp_files(folders)
        written = store.finish_batch(pending.id, state="interrupted")
        messages.append(f"`{pending.command}` was interrupted: {written} of "
                        f"{len(pending.notes)} note(s) had been written"
                        + (" (see `tasksync log`; `tasksync undo` reverts them)"
                           if written and pending.undoes is None else ""))  # fmt: skip
    return messages


def recover_if_idle(vault: Path, store: Store) -> list[str]:
    """``recover``, when no writer holds the vault (a pending batch may be a live one)."""
    if not store.has_pending_batches():
        return []
    with lock_if_free(vault) as free:
        return recover(vault, store) if free else []


def _intent(plan: NotePlan) -> NoteIntent:
    return NoteIntent(plan.rel, plan.before_hash, content_hash(plan.encoded()), plan.changes,
                      zlib.compress(plan.original, 1))  # fmt: skip


def _write_batch(vault: Path, store: Store, command: str, plans: list[NotePlan],
                 replan: Callable[[NotePlan], NotePlan], outcome: Outcome,
                 undoes: int | None = None,
                 written: Callable[[NotePlan], None] | None = None) -> None:  # fmt: skip
    """Journal ``plans``, then write them note by note (see the module's docstring)."""
    plans = [p for p in plans if p.changes]
    if not plans:
        return
    batch = store.begin_batch(command, [_intent(p) for p in plans], undoes)
    try:
        for plan in plans:
            try:
                for _attempt in range(ATTEMPTS):
                    try:
                        write_plan(plan)
                        break
                    except ChangedMeanwhile:
                        plan = replan(plan)
                        store.replan_note(batch, _intent(plan))
                        if not plan.changes:
                            break
                else:
                    raise NoteError(f"{plan.rel} keeps changing while tasksync writes it; "
                                    "nothing written")  # fmt: skip
            except NoteError as exc:
                outcome.errors.append(str(exc))
                continue
            except OSError as exc:
                outcome.errors.append(f"{plan.rel}: {exc.strerror or exc}; not changed")
                continue
            if plan.changes:
                store.note_written(batch, plan.rel)
                outcome.changes.extend(plan.changes)
                outcome.errors.extend(plan.errors)
                if written is not None:
                    written(plan)
    finally:
        sync_folders(note_file(vault, c.path).parent for c in outcome.changes)
        store.finish_batch(batch)


def run_batch(vault: Path, store: Store, statuses: StatusTable, command: str,
              targets: list[Target], edit: Edit, dry_run: bool,
              notice: Notice | None = None) -> Outcome:  # fmt: skip
    """Apply ``edit`` to the targets' lines in the notes, as one journaled batch, and
    re-index the notes written. One note failing does not stop the others."""
    by_note: dict[str, list[Target]] = {}
    for target in targets:
        by_note.setdefault(target.path, []).append(target)
    outcome = Outcome()
    with vault_lock(vault, command, notice):
        outcome.recovered = recover(vault, store)
        plans = []
        for rel in sorted(by_note):
            try:
                plan = plan_edits(vault, rel, by_note[rel], edit, statuses)
            except NoteError as exc:
                outcome.errors.append(f"{exc}; {_count(by_note[rel])} not changed")
                continue
            except OSError as exc:
                outcome.errors.append(f"{rel}: {exc.strerror or exc}; "
                                      f"{_count(by_note[rel])} not changed")  # fmt: skip
                continue
            outcome.unchanged += plan.unchanged
            if dry_run:
                outcome.errors.extend(plan.errors)
                if plan.changes:
                    outcome.diffs.append(plan.diff())
                    outcome.changes.extend(plan.changes)
            else:
                if not plan.changes:
                    outcome.errors.extend(plan.errors)
                plans.append(plan)
        if dry_run:
            return outcome

        def replan(plan: NotePlan) -> NotePlan:
            return plan_edits(vault, plan.rel, by_note[plan.rel], edit, statuses)

        try:
            _write_batch(vault, store, command, plans, replan, outcome)
        finally:
            if outcome.changes:
                sync(vault, store, statuses)
    return outcome


def _count(targets: list[Target]) -> str:
    return f"{len(targets)} task{'s' if len(targets) != 1 else ''}"


@dataclass
class UndoOutcome:
    command: str | None = None
    reverted: list[LineChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)


def undo_last(vault: Path, store: Store, statuses: StatusTable,
              notice: Notice | None = None) -> UndoOutcome:  # fmt: skip
    """Revert the newest batch that is not undone yet (only what remains of it: a note that
    could not be restored last time is tried again)."""
    with vault_lock(vault, "undo", notice):
        recovered = recover(vault, store)
        last = store.last_batch()
        if last is None:
            return UndoOutcome(recovered=recovered)
        outcome = UndoOutcome(last.command, recovered=recovered)
        by_note: dict[str, list[LineChange]] = {}
        for change in last.changes:
            by_note.setdefault(change.path, []).append(change)

        def plan(rel: str) -> NotePlan:
            original = store.note_before(last.id, rel)
            written_hash = last.hashes.get(rel, ("", None))[1]
            return plan_revert(vault, rel, by_note[rel], original, written_hash)

        plans = []
        for rel in sorted(by_note):
            try:
                note_plan = plan(rel)
            except (NoteError, OSError) as exc:  # e.g. read-only: tried again by the next undo
                message = exc.strerror if isinstance(exc, OSError) else str(exc)
                outcome.problems.append(f"{message}; not undone")
                continue
            if not note_plan.changes:  # the user changed every line it wrote: theirs now
                outcome.problems.extend(note_plan.errors)
                store.mark_note_undone(last.id, rel)
            plans.append(note_plan)
        written = Outcome()

        def mark(note_plan: NotePlan) -> None:
            store.mark_note_undone(last.id, note_plan.rel)

        try:
            _write_batch(vault, store, f"undo {last.command}", plans,
                         lambda p: plan(p.rel), written, undoes=last.id,
                         written=mark)  # fmt: skip
        finally:
            outcome.reverted = written.changes
            outcome.problems += written.errors
            if written.changes:
                sync(vault, store, statuses)
        return outcome


def today_or(given: date | None) -> date:
    return given or date.today()
