"""The Inbox's near-duplicate pairs, computed once per change of a note's proposed tasks.

The pairing is `tasksync dupes`' (query/dupes.py: within one note and one owner, iterated
mutual best match on rapidfuzz's token-set ratio, at least three shared content words), with
one rule more: tasks due on different days are never paired. Iterated mutual best match with
its tie-break (higher score, then the lower line) is the greedy matching over the edges in
that order — each round's mutual pairs are exactly the edges greedy takes — so only the edges
above the threshold are kept: a note's pairs change in one pass over them when a task leaves
(an accept), and a new task costs one row of comparisons, not the whole note again.

Scoring is quadratic in a note's tasks: a note with thousands of proposed tasks is scored in
a worker process (the list shows without its pairs meanwhile, and `m` says so)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils

from tasksync.query.dupes import MIN_SHARED_WORDS, THRESHOLD
from tasksync.query.dupes import STOP_WORDS as _STOP
from tasksync.read.records import Record

# Comparisons scored at once in the app (~1 µs each); a note needing more goes to a worker.
INLINE_COMPARISONS = 60_000

GroupKey = tuple[str, str]  # (note path, owner as a person, case-folded)
Edge = tuple[float, str, str]  # (score, id, id)


def group_key(record: Record) -> GroupKey:
    return record["path"], (record.get("person") or record["owner"] or "").casefold()


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in text.split() if len(w) > 2 and w not in _STOP)


def score_edges(new: list[tuple[str, str]], old: list[tuple[str, str]]) -> list[Edge]:
    """The edges (score ≥ threshold, enough shared words) between each new task and every
    other task, new or old; tasks are (id, description). Runs in a worker for big notes."""
    new_texts = [(key, utils.default_process(d)) for key, d in new]
    old_texts = [(key, utils.default_process(d)) for key, d in old]
    words = {key: _words(text) for key, text in new_texts + old_texts}
    edges = []
    for index, (key, text) in enumerate(new_texts):
        mine = words[key]
        for other, other_text in new_texts[index + 1 :] + old_texts:
            if len(mine & words[other]) < MIN_SHARED_WORDS:
                continue
            score = fuzz.token_set_ratio(text, other_text)
            if score >= THRESHOLD:
                edges.append((float(score), key, other))
    return edges


@dataclass
class _Group:
    scored: dict[str, str] = field(default_factory=dict)  # id -> description, edges known
    edges: list[Edge] = field(default_factory=list)
    signature: tuple[tuple[str, int, str | None], ...] = ()
    pairs: list[tuple[str, str]] = field(default_factory=list)
    pending: Future[list[Edge]] | None = None


def _match(members: list[Record], edges: Iterable[Edge]) -> list[tuple[str, str]]:
    """Greedy matching over the edges among ``members`` (in line order): best score first,
    ties to the pair with the earlier first line, then the earlier second; never across due
    dates. Pairs are (earlier line, later line)."""
    position = {r["id"]: i for i, r in enumerate(members)}
    due = {r["id"]: r["due"] for r in members}
    usable = []
    for score, a, b in edges:
        if a in position and b in position and (not due[a] or not due[b] or due[a] == due[b]):
            first, second = sorted((position[a], position[b]))
            usable.append((-score, first, second))
    usable.sort()
    taken: set[int] = set()
    pairs = []
    for _score, first, second in usable:
        if first not in taken and second not in taken:
            taken |= {first, second}
            pairs.append((members[first]["id"], members[second]["id"]))
    return pairs


class Pairs:
    """Every note's pairs, kept between refreshes. ``update`` takes the proposed tasks and
    returns the pairs known; a group scored in the background calls ``on_ready`` when done
    (from a worker's thread: the app hands it to its own loop)."""

    def __init__(self, on_ready: Callable[[], None] | None = None) -> None:
        self._groups: dict[GroupKey, _Group] = {}
        self._on_ready = on_ready
        self._executor: ThreadPoolExecutor | None = None
        self._processes: set[subprocess.Popen[bytes]] = set()
        self._pending: set[GroupKey] = set()  # groups being scored in the worker

    def update(self, proposed: Iterable[Record]) -> dict[str, str]:
        """Each paired task's id -> its twin's id (both ways)."""
        members: dict[GroupKey, list[Record]] = {}
        for record in proposed:
            members.setdefault(group_key(record), []).append(record)
        for key in set(self._groups) - set(members):
            del self._groups[key]
            self._pending.discard(key)
        twins: dict[str, str] = {}
        for key, group_members in members.items():
            group_members.sort(key=lambda r: r["line"])
            for a, b in self._pairs_of(key, group_members):
                twins[a], twins[b] = b, a
        return twins

    def pending_notes(self) -> set[str]:
        """Notes whose pairs are still being scored."""
        return {path for path, _owner in self._pending}

    def close(self) -> None:
        """Stop scoring: the worker process is killed (the app is going away)."""
        for process in list(self._processes):
            process.kill()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def _pairs_of(self, key: GroupKey, members: list[Record]) -> list[tuple[str, str]]:
        group = self._groups.setdefault(key, _Group())
        signature = tuple((r["id"], r["line"], r["due"]) for r in members)
        if group.pending is not None:
            if not group.pending.done():
                return []
            self._take(group, group.pending)
            self._pending.discard(key)
        if signature == group.signature:
            return group.pairs
        present = {r["id"] for r in members}
        new = [(r["id"], r["description"]) for r in members
               if group.scored.get(r["id"]) != r["description"]]  # fmt: skip
        if new:
            reworded = {k for k, _ in new if k in group.scored}  # a task with a 🆔, reworded
            if reworded:
                group.edges = [e for e in group.edges if e[1] not in reworded
                               and e[2] not in reworded]  # fmt: skip
            old = [(k, d) for k, d in group.scored.items() if k in present and k not in reworded]
            if len(new) * (len(new) + len(old)) <= INLINE_COMPARISONS:
                group.edges += score_edges(new, old)
            else:
                group.pending = self._submit(new, old)
                self._pending.add(key)
                group.scored.update(new)
                group.signature = ()
                return []
            group.scored.update(new)
        group.signature = signature
        group.pairs = _match(members, group.edges)
        self._forget_gone(group, present)
        return group.pairs

    def _submit(self, new: list[tuple[str, str]], old: list[tuple[str, str]]) -> Future[list[Edge]]:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="tasksync-pairs")
        future = self._executor.submit(self._score_in_worker, new, old)
        if self._on_ready is not None:
            on_ready = self._on_ready
            future.add_done_callback(lambda _f: on_ready())
        return future

    def _score_in_worker(self, new: list[tuple[str, str]],
                         old: list[tuple[str, str]]) -> list[Edge]:  # fmt: skip
        """``score_edges`` in a process of its own (the thread only waits for it): a plain
        child over pipes, as multiprocessing's start methods need the terminal's file
        descriptors, which a running Textual app has taken over."""
        process = subprocess.Popen([sys.executable, "-m", "tasksync.tui.pairs"],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        self._processes.add(process)
        try:
            out, _ = process.communicate(json.dumps([new, old]).encode())
        finally:
            self._processes.discard(process)
        if process.returncode:
            raise ChildProcessError(f"the pairs worker ended with {process.returncode}")
        return [(score, a, b) for score, a, b in json.loads(out)]

    @staticmethod
    def _take(group: _Group, future: Future[list[Edge]]) -> None:
        group.pending = None
        try:
            group.edges += future.result()
        except Exception:  # the worker died: score again on the next update
            group.scored.clear()
            group.edges.clear()

    @staticmethod
    def _forget_gone(group: _Group, present: set[str]) -> None:
        """Drop what is known of tasks that left the note's proposed tasks, once they are
        many (an accepted task may come back with undo: keeping a few costs nothing)."""
        gone = set(group.scored) - present
        if len(gone) > max(64, len(present)):
            group.scored = {k: d for k, d in group.scored.items() if k in present}
            group.edges = [e for e in group.edges if e[1] in present and e[2] in present]


def _worker() -> None:
    """`python -m tasksync.tui.pairs`: [new, old] as JSON on stdin, the edges on stdout."""
    new, old = json.load(sys.stdin)
    json.dump(score_edges([tuple(t) for t in new], [tuple(t) for t in old]), sys.stdout)


if __name__ == "__main__":
    _worker()
