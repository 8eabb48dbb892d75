"""Bring the index up to date with the vault: only new or changed notes are read and parsed."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tasksync.index.store import NoteState, Store
from tasksync.model import StatusTable
from tasksync.read.vault import NoteFile, iter_notes

if TYPE_CHECKING:
    from tasksync.read.reader import NoteScan

Progress = Callable[[int, int], None]  # (notes read so far, notes to read)

# Below this many notes to read, a second process costs more than it saves.
PARALLEL_MIN_NOTES = 300
CHUNK = 48  # notes per job and write transaction: few commits, and workers finish together


@dataclass
class SyncReport:
    notes: int = 0
    read: int = 0  # notes whose bytes were read (new, or stat changed)
    parsed: int = 0  # notes whose content had changed, so their tasks were re-read
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, scans: Iterable[NoteScan]) -> None:
        for scan in scans:
            if scan.warning:
                self.warnings.append(scan.warning)
            if not scan.unchanged and not scan.unreadable:
                self.parsed += 1


Job = tuple[list[NoteFile], list[str | None], StatusTable, str]
_worker_stores: dict[str, Store] = {}


def _worker_started(parent: int) -> None:
    die_with_parent(parent)
    # A worker makes many short-lived containers and no reference cycles; the cyclic
    # collector would only walk them (and the parser tables inherited from the parent).
    gc.disable()


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (a parent killed with -9 gets
    no chance to stop its workers, which would live on holding the index). Linux only; where
    the call is missing, the workers end when their work queue closes."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the call above took effect
        os._exit(1)


def _read_notes(notes: list[NoteFile], hashes: list[str | None], statuses: StatusTable,
                store: Store, progress: Progress | None = None) -> list[NoteScan]:  # fmt: skip
    # Imported here: a sync with nothing to read never loads the grammar.
    from tasksync.read.reader import read_note_file

    scans = []
    for note, known in zip(notes, hashes, strict=True):
        previous = store.previous_rows(note.rel) if known else None
        scans.append(read_note_file(note, statuses, known, previous))
        if progress:
            progress(len(scans), len(notes))
    return scans


def _index_chunk(job: Job) -> SyncReport:
    """In a worker: read a chunk of notes and write what they hold to the index itself, in
    one short transaction of its own; only a summary goes back to the parent process."""
    notes, hashes, statuses, db_path = job
    store = _worker_stores.get(db_path)
    if store is None:  # the parent's connection must not be used after a fork: a new one
        store = _worker_stores[db_path] = Store(Path(db_path))
    scans = _read_notes(notes, hashes, statuses, store)
    with store.write():
        store.apply_scans(scans, [])
    summary = SyncReport(read=len(scans))
    summary.count(scans)
    return summary


def _workers() -> int:
    return min(os.cpu_count() or 1, 4)


def _index_in_workers(
    todo: list[NoteFile],
    hashes: list[str | None],
    statuses: StatusTable,
    store: Store,
    report: SyncReport,
    progress: Progress | None,
) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tasksync.read.parse import warm_up

    warm_up()  # build the parser once, before forking, so every worker inherits it
    jobs: list[Job] = [(todo[i : i + CHUNK], hashes[i : i + CHUNK], statuses, str(store.path))
                       for i in range(0, len(todo), CHUNK)]  # fmt: skip
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=_workers(), mp_context=context,
                             initializer=_worker_started,
                             initargs=(os.getpid(),)) as pool:  # fmt: skip
        for summary in pool.map(_index_chunk, jobs):
            report.read += summary.read
            report.parsed += summary.parsed
            report.warnings += summary.warnings
            if progress:
                progress(report.read, len(todo))


def _hashes(todo: list[NoteFile], states: dict[str, NoteState]) -> list[str | None]:
    """The indexed content hash of each note (None for a new one)."""
    return [states[n.rel].hash if n.rel in states else None for n in todo]


def _stat_changed(note: NoteFile, state: NoteState | None) -> bool:
    return state is None or (state.mtime_ns, state.size) != (note.mtime_ns, note.size)


def sync(vault: Path, store: Store, statuses: StatusTable,
         progress: Progress | None = None) -> SyncReport:  # fmt: skip
    """Index what changed in ``vault`` since the last sync; unchanged notes are not read.

    A few notes are read and written in one transaction. Many are read by worker processes
    that each write their notes in short transactions of their own, so the parent has next
    to nothing to do; a sync cut short leaves every note it wrote whole (with its stat and
    hash), and the next one carries on from there.
    """
    started = time.perf_counter()
    fingerprint = getattr(statuses, "fingerprint", None)
    if fingerprint is not None:
        store.settle_reading(fingerprint())
    skipped: list[str] = []
    notes = list(iter_notes(vault, skipped))
    report = SyncReport(notes=len(notes), warnings=skipped)
    states = store.note_states()
    todo = [n for n in notes if _stat_changed(n, states.get(n.rel))]
    present = {n.rel for n in notes}
    if not todo and all(path in present for path in states) and store.has_id_index():
        report.seconds = time.perf_counter() - started
        return report  # nothing changed: nothing to write
    added_by_workers: list[str] = []
    if len(todo) >= PARALLEL_MIN_NOTES and _workers() >= 2:
        if 2 * len(todo) >= len(notes):  # most of the vault: the id index is built at the end
            store.drop_id_index()
        _index_in_workers(todo, _hashes(todo, states), statuses, store, report, progress)
        added_by_workers = [n.rel for n in todo if n.rel not in states]
        todo = []
    with store.write():
        states = store.note_states()  # as of now: another process may have synced meanwhile
        deleted = [path for path in states if path not in present]
        todo = [n for n in todo if _stat_changed(n, states.get(n.rel))]
        if todo:
            scans = _read_notes(todo, _hashes(todo, states), statuses, store, progress)
            report.count(scans)
            report.read += len(scans)
        else:
            scans = []
        store.apply_scans(scans, deleted, added_by_workers)
        store.build_id_index()
    report.deleted = len(deleted)
    report.seconds = time.perf_counter() - started
    return report
