"""Planning a big batch's notes in a second process while this one writes them.

A batch of many notes goes a chunk at a time: plan (read, parse, edit), then journal and
write (fsync, rename), then hand the index the new rows. Writing waits on the disk; planning
is work for the interpreter. A forked process plans the chunks ahead — including the new
bytes, their hash, the old bytes squeezed for the journal and the new lines parsed for the
index — while this one journals and writes. A plan made there is written exactly as one made
here: the note is read again just before its rename, and planned again here if it changed
(``write_plan``). The process has the batch's edit as it was at the fork; it reads notes
only, never the index. It dies with its parent (``die_with_parent``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor

# Imported here, not in the functions the forked process runs: an import there could wait
# for a lock another thread of this process held at the fork (the TUI forks from a thread).
from tasksync.index.sync import _worker_started
from tasksync.read.parse import warm_up
from tasksync.write.handover import parse_after
from tasksync.write.writeback import NoteError, NotePlan

Planned = tuple[
    list[tuple[NotePlan, bytes | None]], int, list[str], dict[str, str]
]  # plans and old bytes; unchanged; errors; the lines of the targets left unchanged
AHEAD = 2  # chunks planned ahead of the one being written
GRACE = 5.0  # seconds the planning process has to finish the chunk in hand when stopped
FORK_LIMIT_MB = 140  # a process that holds more plans here (see ``can_plan_elsewhere``)

_job: tuple[list[list[str]], Callable[[str], NotePlan], int, str] | None = None


def failure(rel: str, exc: Exception) -> str:
    """What a note that could not be planned or written is reported as."""
    if isinstance(exc, NoteError):
        return str(exc)
    assert isinstance(exc, OSError)
    return f"{rel}: {exc.strerror or exc}; not changed"


def old_bytes(plan: NotePlan, level: int, check_lines: bool) -> bytes | None:
    """The note's bytes before, compressed for the journal; None when undoing the plan's
    changes line for line gives them back exactly (checked when ``check_lines``: for a
    batch of a few notes — one accept in a 1 MB note then journals a line, not a megabyte —
    and in the planning process, where the check is cheaper than the compression). A note
    the batch leaves holding a written line more than once keeps its bytes: they tell undo
    which of those lines it wrote, should the note's sections be moved since."""
    if check_lines and plan.reverts_exactly() and not plan.twinned_lines():
        return None
    return zlib.compress(plan.original, level)


def can_plan_elsewhere() -> bool:
    """A second process helps only with a second core, and needs fork (its edit is a
    closure). A process already big is not forked: the copy counts all the parent holds
    again, and grows by what it plans (500,000 tasks: a parent of 115 MB, a copy of 150 MB;
    before targets were slimmed, 173 and 205 MB, over the 200 MB every command keeps to)."""
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods() \
        and _resident_mb() < FORK_LIMIT_MB  # fmt: skip


def _resident_mb() -> float:
    """What this process holds in memory now (where /proc tells; else the most it held)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024  # bytes there, else KB


class Planner:
    """Plans ``chunks`` of notes with ``plan`` in a forked process, ``AHEAD`` chunks ahead."""

    def __init__(self, chunks: list[list[str]], plan: Callable[[str], NotePlan], level: int,
                 global_filter: str) -> None:  # fmt: skip
        global _job
        warm_up()  # the parser's tables, built once before the fork
        _job = (chunks, plan, level, global_filter)
        self._chunks = len(chunks)
        self._pool = ProcessPoolExecutor(max_workers=1,
                                         mp_context=multiprocessing.get_context("fork"),
                                         initializer=_planner_started,
                                         initargs=(os.getpid(),))  # fmt: skip
        try:
            self._futures: dict[int, Future[Planned]] = {
                index: self._pool.submit(_plan_chunk, index)
                for index in range(min(AHEAD, len(chunks)))
            }  # the process is forked at the first submit: it has the job
            self._processes = list(self._pool._processes.values())
        finally:
            _job = None

    def take(self, index: int) -> Planned:
        """Chunk ``index``'s plans (waiting for them); the next chunk is put in hand."""
        ahead = index + AHEAD
        if ahead < self._chunks and ahead not in self._futures:
            self._futures[ahead] = self._pool.submit(_plan_chunk, ahead)
        return self._futures.pop(index).result()

    def close(self) -> None:
        """Stop the planning process, and wait until it is gone: it shares the vault lock
        this process holds (a forked copy of its file), which is released only when the
        last copy is closed."""
        processes = list(self._processes)
        manager: threading.Thread | None = getattr(self._pool, "_executor_manager_thread", None)
        queue = getattr(self._pool, "_result_queue", None)  # the shutdown below drops it
        for future in self._futures.values():
            future.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
        # The chunk in hand is let finish: killed while it sends its plans, the process left
        # the pool's thread waiting for the rest of the message for ever, and this process's
        # exit waiting for that thread (after a full disk: a command that never ended).
        for process in processes:
            process.join(timeout=GRACE)
        for process in processes:
            if process.is_alive():  # stuck (a note on a hung network share): it only reads
                process.kill()
                process.join()
        # The pool's thread, left running, closes its wake-up pipe while the interpreter's
        # exit writes to it (Python 3.11): "Bad file descriptor" and a traceback after a
        # batch that failed early (a full disk). It ends soon once its process is gone.
        if manager is not None:
            manager.join(timeout=5)
            if manager.is_alive():  # a message cut short after all: no more will come
                writer = getattr(queue, "_writer", None)
                if writer is not None:
                    writer.close()
                manager.join(timeout=5)


def _planner_started(parent: int) -> None:
    """Ctrl-C reaches the planning process too (the terminal signals the process group):
    it finishes the chunk in hand, as ``close`` lets it, rather than die in the middle of a
    message; the writing process stops the batch."""
    _worker_started(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _plan_chunk(index: int) -> Planned:
    """In the planning process: chunk ``index``'s plans, made ready to journal and write."""
    assert _job is not None
    chunks, plan, level, global_filter = _job
    ready: list[tuple[NotePlan, bytes | None]] = []
    unchanged, errors, left = 0, [], {}  # type: tuple[int, list[str], dict[str, str]]
    for rel in chunks[index]:
        try:
            planned = plan(rel)
        except (NoteError, OSError) as exc:
            errors.append(failure(rel, exc))
            continue
        unchanged += planned.unchanged
        left.update(planned.left)
        if not planned.changes:
            errors.extend(planned.errors)
            continue
        old = old_bytes(planned, level, check_lines=True)
        ready.append((planned, old))
    if index % 2 == 0:  # the other half is parsed by the writing process, which has the time
        parse_after([plan for plan, _ in ready], global_filter)
    for planned, _ in ready:
        planned.ready_to_send()
    return ready, unchanged, errors, left
