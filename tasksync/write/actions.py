"""What the write commands do, between the index and the notes (used by the CLI and the TUI).

Every batch runs the same way: take the vault's writer lock; settle what a writer that died
left in the journal; plan each note's edits on its bytes as they are now; journal the whole
plan (each note's content hash before and after, and its bytes before) durably; then write
the notes one by one, each marked in the journal once it is in place; close the batch.
A note that changes between its plan and its rename is planned again (and journaled again)
before it is written. So `undo` can always restore what any batch — even a killed one — wrote.
"""

from __future__ import annotations

import sqlite3
import time
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import ParamSpec, TypeVar

from tasksync.config import global_filter_of
from tasksync.errors import TasksyncError
from tasksync.index.journal import NoteIntent, PendingBatch
from tasksync.index.select import Selection
from tasksync.index.store import IndexFileError, Store
from tasksync.index.sync import sync
from tasksync.model import LineChange, StatusTable
from tasksync.read.reader import content_hash
from tasksync.read.records import Record
from tasksync.write.files import (
    ChangedMeanwhile,
    Staged,
    make_durable,
    read_in_place,
    remove_temp_files,
    sync_folders,
)
from tasksync.write.handover import hand_over
from tasksync.write.lock import lock_if_free, vault_lock
from tasksync.write.planner import Planner, can_plan_elsewhere, failure, old_bytes
from tasksync.write.writeback import (
    ABSENT,
    Edits,
    NoteError,
    NotePlan,
    Target,
    Twin,
    holds_change,
    note_file,
    open_plan,
    place_plan,
    plan_append,
    plan_edits,
    plan_revert,
    remove_made_folders,
    stage_plan,
    write_plan,
)

ATTEMPTS = 3  # plans of one note that changed each time before its rename, before giving up
Notice = Callable[[str], None]


Sink = Callable[[LineChange], None]


@dataclass
class Outcome:
    changes: list[LineChange] = field(default_factory=list)  # unless a sink takes them
    errors: list[str] = field(default_factory=list)
    unchanged: int = 0
    left: dict[str, str] = field(default_factory=dict)  # unchanged targets: id -> line as found
    diffs: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # what a killed writer's batch left
    indexed: bool = True  # the index holds all it wrote, without a sync
    sink: Sink | None = None  # takes each change as it is written, instead of ``changes``
    changed: int = 0  # lines changed (kept or given to the sink)
    notes: int = 0  # notes changed
    progress: Callable[[int], None] | None = None  # told how many lines each note changed

    def took(self, changes: list[LineChange]) -> None:
        """One note's changes, written (or, in a dry run, planned)."""
        if not changes:
            return
        self.changed += len(changes)
        self.notes += 1
        if self.progress is not None:
            self.progress(len(changes))
        if self.sink is None:
            self.changes.extend(changes)
        else:
            for change in changes:
                self.sink(change)


TARGET_KEYS = ("id", "path", "line", "raw", "description", "task_id")  # what a target is made of


def target_of(record: Record, twins: int = 1, rank: int = 0) -> Target:
    return Target.of(record["id"], record["path"], record["line"], record["raw"], twins,
                     record["description"] or "", rank)  # fmt: skip


def targets_by_id(store: Store, ids: Iterable[str]) -> list[Target]:
    """Each id (or unique prefix) as a target, in the order given, without repeats."""
    seen: dict[str, Record] = {}
    for given in ids:
        key = store.resolve_id(given)
        seen.setdefault(key, store.record(key))
    return targets_of(store, list(seen.values()))


def targets_of(store: Store, records: Iterable[Record]) -> list[Target]:
    """Targets for these records (read one at a time), each with its twins in the index:
    how many, and how many above it (counted for their keys only: the notes' other tasks are
    read, not kept). Memory holds the targets, one path string per note, a number per
    target, and the lines of the twins."""
    paths: dict[str, str] = {}
    targets: list[Target] = []
    keys: list[int] = []
    for record in records:
        path = paths.setdefault(record["path"], record["path"])
        targets.append(target_of(record | {"path": path}))
        keys.append(_twin_key(path, record["task_id"], record["description"]))
    first_line: dict[int, int] = dict.fromkeys(keys, 0)  # each key's first task's line
    twin_lines: dict[int, list[int]] = {}  # the lines of the keys held more than once
    for path, task_id, description, line in store.identities(set(paths)):
        key = _twin_key(path, task_id, description)
        if key not in first_line:
            continue
        if not first_line[key]:
            first_line[key] = line
        else:
            twin_lines.setdefault(key, [first_line[key]]).append(line)
    for held in twin_lines.values():
        held.sort()
    for place, key in enumerate(keys):
        twins = twin_lines.get(key)
        if twins:
            rank = bisect_left(twins, targets[place].line)
            targets[place] = replace(targets[place], twins=len(twins), rank=rank)
    return targets


def _twin_key(path: str, task_id: str | None, description: str | None) -> int:
    """What a task's id is made of (as ``id_key``: its 🆔, else its description casefolded),
    hashed. Keys that collide can only make a twin count too high, and a count the note does
    not match refuses the write (see ``writeback._locate``): never a write to another line."""
    if task_id:
        return hash((path, task_id))
    return hash((path, None, (description or "").casefold()))


def selected_targets(store: Store, selection: Selection) -> list[Target]:
    """The selected tasks as targets; memory holds what a target needs of each, not its
    record (500,000 tasks' records are gigabytes)."""
    if selection.owner is None and selection.tag is None:  # the index answers it all
        lean = store.selected_columns(TARGET_KEYS, selection.status_types(), selection.path)
        return targets_of(store, lean)
    found = store.selected_records(selection.status_types(), selection.path)
    return targets_of(store, selection.apply(found))


def recover(vault: Path, store: Store) -> list[str]:
    """Settle the batches a killed writer left 'pending', by what the notes hold now: a note
    holding the planned bytes was written (undo can restore it), any other was not. Removes
    the temporary files it left. Call while holding the vault's lock."""
    messages = []
    for pending in store.pending_batches():
        unread: list[str] = []
        written = _settle(vault, store, pending, unread)
        messages.append(f"`{pending.command}` was interrupted: {written} of "
                        f"{len(pending.notes)} note(s) had been written"
                        + (" (see `tasksync log`; `tasksync undo` reverts them)"
                           if written and pending.undoes is None else ""))  # fmt: skip
        messages.extend(f"{problem}: whether `{pending.command}` had written it cannot be "
                        "told, and undo will not touch it" for problem in unread)  # fmt: skip
    return messages


def _settle(vault: Path, store: Store, pending: PendingBatch,
            unread: list[str] | None = None) -> int:  # fmt: skip
    """Close ``pending`` as its notes say; the notes that could not be read go to ``unread``."""
    folders = []
    unmade: list[tuple[Path, int]] = []  # notes the batch was to make, and did not
    for note in pending.notes:
        try:
            path = note_file(vault, note.path)
            folders.append(path.parent)
            current: str | None = content_hash(read_in_place(path))  # a FIFO: no hang
        except FileNotFoundError:
            current = ABSENT
        except (NoteError, OSError, ChangedMeanwhile) as exc:
            current = None
            if unread is not None:
                unread.append(_unreadable(note.path, exc))
        changes = store.batch_changes(pending.id, note.path)
        twinned = store.twinned_lines(pending.id, note.path)
        changed_since = current not in (None, ABSENT, note.before_hash, note.after_hash)
        wrote = current == note.after_hash or (
            changed_since and _still_holds(vault, note.path, changes, twinned)
        )
        if changed_since and not wrote and _saved_just_now(vault, note.path):
            # read again once the editor's save is over
            wrote = _still_holds(vault, note.path, changes, twinned)
        if wrote and not note.written:
            store.notes_written(pending.id, [note.path])
        if wrote and pending.undoes is not None:
            store.mark_notes_undone(pending.undoes, [note.path])
        if note.made_folders and note.before_hash == ABSENT and current == ABSENT:
            unmade.append((path, note.made_folders))
    remove_temp_files(folders)
    for path, levels in unmade:
        remove_made_folders(path, levels)
    return store.finish_batch(pending.id, state="interrupted")


def _unreadable(rel: str, exc: Exception) -> str:
    if isinstance(exc, ChangedMeanwhile):
        return f"{rel}: replaced while it was read"
    if isinstance(exc, NoteError):
        return str(exc)
    return f"{rel}: {exc.strerror}" if isinstance(exc, OSError) and exc.strerror else \
        f"{rel}: not a regular file"  # fmt: skip


def _still_holds(vault: Path, rel: str, changes: list[LineChange],
                 twinned: Mapping[int, Twin]) -> bool:  # fmt: skip
    """Whether a note that is neither as the batch found it nor as it left it (changed since,
    by an editor or a sync tool) holds lines the batch wrote: then the batch wrote it, and
    the changes are journaled as written, for undo to revert (keeping the other edits)."""
    try:
        plan = open_plan(vault, rel)
    except (NoteError, OSError):
        return False
    return any(holds_change(plan, change, twinned.get(change.line))
               for change in changes if change.after)  # fmt: skip


def recover_if_idle(vault: Path, store: Store) -> list[str]:
    """``recover``, when no writer holds the vault (a pending batch may be a live one)."""
    if not store.has_pending_batches():
        return []
    with lock_if_free(vault) as free:
        return recover(vault, store) if free else []


CHUNK = 64  # notes planned, journaled (one durable commit) and written at a time


def _squeeze_level(notes: int) -> int:
    """How hard the notes' old bytes are compressed for the journal: a batch of a few notes
    stores them as they are (zlib's level 0, the same format: one accept in a 1 MB note
    would wait 13 ms on level 1); a big one at level 1 (2,000 notes: 24 MB -> 9 MB)."""
    return 0 if notes <= CHUNK else 1


def _intent(plan: NotePlan, before: bytes | None) -> NoteIntent:
    if plan.new is None or plan.new_hash is None:  # else made where it was planned
        plan.new = plan.encoded()
        plan.new_hash = ABSENT if plan.remove else content_hash(plan.new)
    return NoteIntent(
        plan.rel,
        plan.before_hash,
        plan.new_hash,
        plan.changes,
        before,
        plan.made_folders if plan.created else 0,
        plan.twinned_lines(),
    )


def _plan_chunk(rels: list[str], plan: Callable[[str], NotePlan],
                outcome: Outcome) -> list[NotePlan]:  # fmt: skip
    plans = []
    for rel in rels:
        try:
            planned = plan(rel)
        except (NoteError, OSError) as exc:
            outcome.errors.append(failure(rel, exc))
            continue
        outcome.unchanged += planned.unchanged
        outcome.left.update(planned.left)
        if planned.changes:
            plans.append(planned)
        else:
            outcome.errors.extend(planned.errors)
    return plans


P = ParamSpec("P")
T = TypeVar("T")


class _Inline(Executor):
    """Runs each call as it is submitted (its error, like a thread's, comes with the result)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        done: Future[T] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except Exception as exc:
            done.set_exception(exc)
        return done


def _done(value: T) -> Future[T]:
    done: Future[T] = Future()
    done.set_result(value)
    return done


Indexer = Callable[[list[NotePlan]], list[str]]  # indexes what plans wrote; returns the rest


def _write_batch(vault: Path, store: Store, command: str, rels: list[str],
                 plan: Callable[[str], NotePlan], outcome: Outcome,
                 undoes: int | None = None, indexer: Indexer | None = None,
                 elsewhere: str | None = None) -> None:  # fmt: skip
    """Plan, journal and write the notes ``rels``, a chunk at a time (see the module's
    docstring). A note's plan is in the journal, durably, before its file is touched; memory
    holds two chunks of notes, not the vault. The next chunk is planned, and its notes' old
    bytes compressed for the journal (in a thread: zlib lets go of the interpreter), while
    this chunk's notes are written and fsync'ed."""
    batch: int | None = None
    chunks = [rels[i : i + CHUNK] for i in range(0, len(rels), CHUNK)]
    level = _squeeze_level(len(rels))
    # Many chunks, and ``elsewhere`` (the global filter): a second process plans them ahead.
    planner = None
    if elsewhere is not None and len(chunks) > 1 and can_plan_elsewhere():
        with suppress(OSError):  # no process to be had: plan here
            planner = Planner(chunks, plan, level, elsewhere)
    # one chunk: nothing to overlap, and no thread to wait for (one accept in a big note)
    with ThreadPoolExecutor(max_workers=1) if len(chunks) > 1 else _Inline() as squeezer:

        def prepared(index: int) -> list[tuple[NotePlan, Future[bytes | None]]]:
            nonlocal planner
            if index >= len(chunks):
                return []
            if planner is not None:
                try:
                    ready, unchanged, errors, left = planner.take(index)
                except Exception:  # the planning process is gone: plan here from now on
                    planner.close()
                    planner = None
                else:
                    outcome.unchanged += unchanged
                    outcome.left.update(left)
                    outcome.errors.extend(errors)
                    return [(p, _done(old)) for p, old in ready]
            plans = _plan_chunk(chunks[index], plan, outcome)
            return [(p, squeezer.submit(old_bytes, p, level, len(chunks) == 1)) for p in plans]

        try:
            upcoming = prepared(0)
            for index in range(len(chunks)):
                current = upcoming
                intents = [_intent(p, squeezed.result()) for p, squeezed in current]
                if intents and batch is None:
                    batch = store.begin_batch(command, intents, undoes)
                elif intents:
                    assert batch is not None
                    store.journal_notes(batch, intents)
                upcoming = prepared(index + 1)
                if not current:
                    continue
                assert batch is not None
                written = _write_chunk(store, batch, [p for p, _ in current], plan, outcome, level)
                for written_plan in written:  # in place: counted before the journal says so
                    outcome.took(written_plan.changes)
                    outcome.errors.extend(written_plan.errors)
                store.notes_written(batch, [w.rel for w in written])
                if indexer is None or indexer(written):
                    outcome.indexed = False
        except BaseException as exc:
            if batch is not None:  # cut short (Ctrl-C, a full disk): settle by the notes' bytes
                with suppress(Exception):
                    for pending in store.pending_batches():
                        if pending.id == batch:
                            _settle(vault, store, pending)
            if outcome.changed and isinstance(exc, (sqlite3.Error, IndexFileError)):
                raise IndexFileError(
                    f"the index could not be written ({exc}) after {outcome.changed} task "
                    f"line(s) in {outcome.notes} note(s) were written: they are journaled; once "
                    "it can be written, any tasksync command settles them (`tasksync log` "
                    "shows the batch, `undo` reverts it)"
                ) from None
            raise
        else:
            if batch is not None:
                store.finish_batch(batch)
                if store.is_gone():
                    outcome.errors.append(
                        f"the index {store.path} was deleted or replaced while this ran: the "
                        f"{outcome.notes} note(s) written are kept, but their undo journal went "
                        "with it (`undo` cannot revert this)"
                    )
        finally:
            if planner is not None:
                planner.close()


def _write_chunk(store: Store, batch: int, plans: list[NotePlan],
                 replan: Callable[[str], NotePlan], outcome: Outcome,
                 level: int) -> list[NotePlan]:  # fmt: skip
    """Write a chunk's planned notes: each staged beside its note, all flushed to disk at
    once, then each renamed into place if the note still holds what it was planned on. A
    note that changed meanwhile is planned again (journaled first) and written alone. The
    plans written, in the order written."""
    staged: list[tuple[NotePlan, Staged | None]] = []
    changed: list[NotePlan] = []
    written: list[NotePlan] = []
    placing = 0  # the staged files before this one are in place or gone
    try:
        for plan in plans:
            try:
                staged.append((plan, stage_plan(plan)))
            except ChangedMeanwhile:
                changed.append(plan)
            except (NoteError, OSError) as exc:
                outcome.errors.append(failure(plan.rel, exc))
        try:
            make_durable([one for _, one in staged if one is not None])
        except OSError as exc:  # the disk failed them: none is put in place
            outcome.errors.extend(failure(plan.rel, exc) for plan, _ in staged)
        else:
            for plan, one in staged:
                try:
                    place_plan(plan, one)  # its staged file is in place or gone, either way
                    written.append(plan)
                except ChangedMeanwhile:
                    changed.append(plan)
                except (NoteError, OSError) as exc:
                    outcome.errors.append(failure(plan.rel, exc))
                finally:
                    placing += 1
    finally:
        for _, one in staged[placing:]:
            if one is not None:
                one.discard()
        sync_folders({plan.path.parent for plan in written})
    for plan in changed:
        again = _write_again(store, batch, plan.rel, replan, outcome, level)
        if again is not None:
            written.append(again)
            sync_folders([again.path.parent])
    return written


def _write_again(store: Store, batch: int, rel: str, replan: Callable[[str], NotePlan],
                 outcome: Outcome, level: int) -> NotePlan | None:  # fmt: skip
    """Plan again (journaled first) and write a note that changed under us, while it does."""
    try:
        for _attempt in range(ATTEMPTS):
            plan = replan(rel)
            store.journal_notes(batch, [_intent(plan, zlib.compress(plan.original, level))])
            if not plan.changes:
                outcome.errors.extend(plan.errors)
                return None
            try:
                write_plan(plan)
                return plan
            except ChangedMeanwhile:
                continue
        raise NoteError(f"{rel} keeps changing while tasksync writes it; nothing written")
    except (NoteError, OSError) as exc:
        outcome.errors.append(failure(rel, exc))
        return None


def run_batch(vault: Path, store: Store, statuses: StatusTable, command: str,
              targets: list[Target], edit: Edits, dry_run: bool,
              notice: Notice | None = None, sink: Sink | None = None,
              progress: Callable[[int], None] | None = None,
              plan_elsewhere: bool = False, all_or_nothing: bool = False,
              append: tuple[str, tuple[str, ...]] | None = None) -> Outcome:  # fmt: skip
    """Apply ``edit`` to the targets' lines in the notes, as one journaled batch, and re-index
    the notes written; ``append``: (a note, lines) added at its end in the same batch (a
    sync's imports, undone with what it pulled). One note failing does not stop the others.
    With a ``sink``, each change goes to it as its note is written and is not kept (a batch
    of 150,000 changes would hold every line twice); ``progress`` is told how many lines
    each note written changed. With ``plan_elsewhere``, a batch of many notes is planned in
    a second process (write/planner.py): the edit must then be a function of the task alone
    (what it does besides answering stays in that process). With ``all_or_nothing`` (a
    merge: its rejection stands only with the task it keeps), a target that cannot be
    changed as asked — gone, reworded — means nothing is written."""
    by_note: dict[str, list[Target]] = {}
    for target in targets:
        by_note.setdefault(target.path, []).append(target)
    if append is not None:
        by_note.setdefault(append[0], [])
    outcome = Outcome(sink=sink, progress=progress)

    def plan(rel: str) -> NotePlan:
        if not by_note[rel]:  # only lines to add
            assert append is not None
            return plan_append(vault, rel, append[1])
        try:
            made = plan_edits(vault, rel, by_note[rel], edit, statuses)
            if append is not None and rel == append[0]:
                made = plan_append(vault, rel, append[1], made)
            return made
        except NoteError as exc:
            raise NoteError(f"{exc}; {_count(by_note[rel])} not changed") from None
        except OSError as exc:
            failure = f"{rel}: {exc.strerror or exc}; {_count(by_note[rel])} not changed"
            raise NoteError(failure) from None

    if dry_run:
        for rel in sorted(by_note):
            try:
                planned = plan(rel)
            except NoteError as exc:
                outcome.errors.append(str(exc))
                continue
            outcome.unchanged += planned.unchanged
            outcome.left.update(planned.left)
            outcome.errors.extend(planned.errors)
            if planned.changes:
                outcome.diffs.append(planned.diff())
                outcome.took(planned.changes)
        return outcome
    with vault_lock(vault, command, notice):
        outcome.recovered = recover(vault, store)
        if all_or_nothing:
            refused = _refusals(sorted(by_note), plan)
            if refused:
                outcome.errors += [*refused, "nothing of it was written"]
                return outcome
        try:
            _write_batch(
                vault,
                store,
                command,
                sorted(by_note),
                plan,
                outcome,
                indexer=_indexer(store, statuses),
                elsewhere=global_filter_of(statuses) if plan_elsewhere else None,
            )
        except BaseException:
            outcome.indexed = False
            raise
        finally:
            if outcome.changed and not outcome.indexed:
                _index_notes(vault, store, statuses, notice)
    return outcome


def _index_notes(vault: Path, store: Store, statuses: StatusTable, notice: Notice | None) -> None:
    """Bring the index up to date after a batch; the batch is done either way (its notes are
    written and journaled): an index that cannot follow (a full disk) is said, not an error."""
    try:
        sync(vault, store, statuses)
    except (sqlite3.Error, TasksyncError) as exc:
        if notice is not None:
            notice(f"the index could not be brought up to date ({exc}); the next command "
                   "does it")  # fmt: skip


def _refusals(rels: list[str], plan: Callable[[str], NotePlan]) -> list[str]:
    """What planning these notes refuses (a target gone or changed), nothing written."""
    refused = []
    for rel in rels:
        try:
            refused += plan(rel).errors
        except NoteError as exc:
            refused.append(str(exc))
    return refused


def _indexer(store: Store, statuses: StatusTable) -> Indexer:
    def index(plans: list[NotePlan]) -> list[str]:
        try:
            return hand_over(store, statuses, plans)
        except (TasksyncError, sqlite3.Error):  # the index is a cache: a sync puts it right
            return [plan.rel for plan in plans]

    return index


def append_lines(vault: Path, store: Store, statuses: StatusTable, command: str, rel: str,
                 lines: tuple[str, ...], notice: Notice | None = None) -> Outcome:  # fmt: skip
    """Add ``lines`` at the end of the note ``rel`` (made if missing), as one journaled,
    undoable batch."""
    if not lines:
        return Outcome()
    return run_batch(vault, store, statuses, command, [], {}, False, notice,
                     append=(rel, lines))  # fmt: skip


def _count(targets: list[Target]) -> str:
    return f"{len(targets)} task{'s' if len(targets) != 1 else ''}"


@dataclass
class UndoOutcome:
    command: str | None = None
    reverted: list[LineChange] = field(default_factory=list)  # unless a sink takes them
    problems: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    restored: int = 0  # lines restored (kept or given to the sink)
    still_open: int = 0  # notes of the batch that could not be written: the next undo retries
    gone: list[str] = field(default_factory=list)  # notes of the batch deleted or renamed since


def nothing_undone(outcome: UndoOutcome) -> str:
    """Why undo closed a batch without restoring a line: its notes are gone, or every line it
    wrote was changed since (by hand, by another tool) and is left rather than overwritten."""
    closing = "the batch is closed (the next undo takes the one before)"
    if not outcome.gone:
        return (
            f"what it wrote was edited since (a change is undone only while every line "
            f"it wrote is as written), and stays as it is now; {closing}"
        )
    gone = len(outcome.gone)
    return f"{gone} note(s) it wrote no longer exist (renamed or deleted since); {closing}"


def still_open(outcome: UndoOutcome) -> str:
    """What an undo that could not write some notes left: its batch, open for the next."""
    return (
        f"{outcome.still_open} note(s) could not be written (below): the batch stays open, "
        "and the next undo tries them again"
    )


def undo_last(vault: Path, store: Store, statuses: StatusTable,
              notice: Notice | None = None, sink: Sink | None = None) -> UndoOutcome:  # fmt: skip
    """Revert the newest batch that is not undone yet (only what remains of it: a note that
    could not be restored last time is tried again). The batch's changes are read from the
    journal a note at a time; with a ``sink``, each restored line goes to it and is not
    kept."""
    with vault_lock(vault, "undo", notice):
        recovered = recover(vault, store)
        last = store.last_batch()
        if last is None:
            return UndoOutcome(recovered=recovered)
        outcome = UndoOutcome(last.command, recovered=recovered)
        settled: list[str] = []  # notes of the batch nothing more can be done for
        restored: set[str] = set()

        def plan(rel: str) -> NotePlan:
            original = store.note_before(last.id, rel)
            before_hash, written_hash = last.hashes.get(rel, ("", None))
            changes = store.batch_changes(last.id, rel)

            def revert() -> NotePlan:
                return plan_revert(vault, rel, changes, original, written_hash,
                                   was_absent=before_hash == ABSENT,
                                   made_folders=store.folders_made(last.id, rel),
                                   before_hash=before_hash,
                                   twinned=store.twinned_lines(last.id, rel))  # fmt: skip

            try:
                note_plan = revert()
                if note_plan.errors and _saved_just_now(vault, rel):
                    note_plan = revert()  # read once the editor's save is over
            except NoteError as exc:
                if written_hash != ABSENT and _gone(vault, rel):
                    # renamed or deleted since: no undo can ever write it; the rest goes on
                    settled.append(rel)
                    outcome.gone.append(rel)
                    raise NoteError(
                        f"{rel} no longer exists (renamed or deleted since): "
                        f"its {len(changes)} line(s) are not undone"
                    ) from None
                raise NoteError(f"{exc}; not undone") from None
            except OSError as exc:
                raise NoteError(f"{rel}: {exc.strerror or exc}; not undone") from None
            if not note_plan.changes:  # the user changed every line it wrote: theirs now
                settled.append(rel)
            return note_plan

        def took(change: LineChange) -> None:
            restored.add(change.path)
            if sink is None:
                outcome.reverted.append(change)
            else:
                sink(change)

        written = Outcome(sink=took)
        try:
            _write_batch(vault, store, f"undo {last.command}", last.paths, plan, written,
                         undoes=last.id, indexer=_indexer(store, statuses))  # fmt: skip
        except BaseException:
            written.indexed = False
            raise
        finally:
            # a note that could not be written (read-only …) is left for the next undo
            store.mark_notes_undone(last.id, sorted(restored | set(settled)))
            outcome.restored = written.changed
            outcome.problems = written.errors
            outcome.still_open = len(set(last.paths) - restored - set(settled))
            if written.changed and not written.indexed:
                sync(vault, store, statuses)
        return outcome


SAVE_QUIET_S = 1.5  # how long a note just written is left alone before undo reads it again
SAVE_WAIT_S = 3.0  # and how long undo waits for that at most


def _saved_just_now(vault: Path, rel: str) -> bool:
    """Whether the note was written a moment ago — an editor's save in place may be under
    way (Obsidian truncates the file, then writes it): if so, wait until it has been left
    alone for ``SAVE_QUIET_S`` (``SAVE_WAIT_S`` at most), so that undo does not take a note
    read half-saved for one changed since, and close its part of the batch for good."""
    try:
        path = note_file(vault, rel)
        deadline = time.monotonic() + SAVE_WAIT_S
        touched = time.time() - path.stat().st_mtime
        if touched >= SAVE_QUIET_S:
            return False
        while time.monotonic() < deadline:
            time.sleep(max(0.0, min(SAVE_QUIET_S - touched, deadline - time.monotonic())) + 0.01)
            touched = time.time() - path.stat().st_mtime
            if touched >= SAVE_QUIET_S:
                break
        return True
    except (NoteError, OSError):
        return False


def _gone(vault: Path, rel: str) -> bool:
    try:
        path = note_file(vault, rel)
    except NoteError:
        return False
    return not path.exists() and not path.is_symlink()


def today_or(given: date | None) -> date:
    return given or date.today()
