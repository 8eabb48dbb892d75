"""Bring the index up to date with the vault: only new or changed notes are read and parsed."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tasksync.model import StatusTable
from tasksync.store import NoteState, Store
from tasksync.vault import NoteFile, iter_notes

if TYPE_CHECKING:
    from tasksync.reader import NoteScan

Progress = Callable[[int, int], None]  # (notes read so far, notes to read)

# Below this many notes to read, a second process costs more than it saves.
PARALLEL_MIN_NOTES = 300
CHUNK = 64


@dataclass
class SyncReport:
    notes: int = 0
    read: int = 0  # notes whose bytes were read (new, or stat changed)
    parsed: int = 0  # notes whose content had changed, so their tasks were re-read
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


Job = tuple[list[NoteFile], list[str | None], StatusTable, str]


def _worker_started() -> None:
    # A worker makes many short-lived containers and no reference cycles; the cyclic
    # collector would only walk them (and the parser tables inherited from the parent).
    gc.disable()


def _read_chunk(job: Job) -> list[NoteScan]:
    from tasksync.reader import read_note_file
    from tasksync.store import read_previous_rows

    notes, hashes, statuses, db_path = job
    return [
        read_note_file(n, statuses, h, read_previous_rows(db_path, n.rel) if h else None)
        for n, h in zip(notes, hashes, strict=True)
    ]


def _workers() -> int:
    return min(os.cpu_count() or 1, 4)


def _read_all(
    todo: list[NoteFile],
    states: dict[str, NoteState],
    statuses: StatusTable,
    progress: Progress | None,
    store: Store,
) -> Iterator[NoteScan]:
    if not todo:
        return
    # Imported here: a sync with nothing to read never loads the grammar.
    from tasksync.parse import warm_up
    from tasksync.reader import read_note_file

    hashes = [states[n.rel].hash if n.rel in states else None for n in todo]
    workers = _workers()
    if len(todo) < PARALLEL_MIN_NOTES or workers < 2:
        for index, (note, known) in enumerate(zip(todo, hashes, strict=True), 1):
            yield read_note_file(note, statuses, known,
                                 store.previous_rows(note.rel) if known else None)  # fmt: skip
            if progress:
                progress(index, len(todo))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    warm_up()  # build the parser once, before forking, so every worker inherits it
    jobs: list[Job] = [(todo[i : i + CHUNK], hashes[i : i + CHUNK], statuses, str(store.path))
                       for i in range(0, len(todo), CHUNK)]  # fmt: skip
    done = 0
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=_worker_started) as pool:  # fmt: skip
        for scans in pool.map(_read_chunk, jobs):
            done += len(scans)
            yield from scans
            if progress:
                progress(done, len(todo))


def _stat_changed(note: NoteFile, state: NoteState | None) -> bool:
    return state is None or (state.mtime_ns, state.size) != (note.mtime_ns, note.size)


def sync(vault: Path, store: Store, statuses: StatusTable,
         progress: Progress | None = None) -> SyncReport:  # fmt: skip
    """Index what changed in ``vault`` since the last sync; unchanged notes are not read."""
    started = time.perf_counter()
    notes = list(iter_notes(vault))
    report = SyncReport(notes=len(notes))
    with store.write():
        states = store.note_states()
        present = {n.rel for n in notes}
        deleted = [path for path in states if path not in present]
        todo = [n for n in notes if _stat_changed(n, states.get(n.rel))]

        def counted() -> Iterator[NoteScan]:
            for scan in _read_all(todo, states, statuses, progress, store):
                if scan.warning:
                    report.warnings.append(scan.warning)
                if not scan.unchanged and not scan.unreadable:
                    report.parsed += 1
                yield scan  # and then forgotten: a cold scan never holds the whole vault

        store.apply_scans(counted(), deleted)  # written while the workers still parse
    report.read = len(todo)
    report.deleted = len(deleted)
    report.seconds = time.perf_counter() - started
    return report
