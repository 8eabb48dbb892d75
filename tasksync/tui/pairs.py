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
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not

from rapidfuzz import fuzz, utils

from tasksync.query.dupes import MIN_SHARED_WORDS, THRESHOLD
from tasksync.query.dupes import STOP_WORDS as _STOP
from tasksync.read.records import Record
from tasksync.tui.greedy import Greedy, Ranked

# Comparisons scored at once in the app (~1 µs each); a note needing more goes to a worker.
INLINE_COMPARISONS = 60_000

GroupKey = tuple[str, str]  # (note path, owner as a person, case-folded)
Edge = tuple[float, str, str]  # (score, id, id)
NotePairs = tuple[tuple[str, str], ...]  # a note's pairs: (earlier line, later line)


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
    members: dict[str, Record] = field(default_factory=dict)  # id -> the proposed task now
    scored: dict[str, str] = field(default_factory=dict)  # id -> description, edges known
    edges: list[Edge] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    pending: Future[list[Edge]] | None = None
    fresh: set[str] = field(default_factory=set)  # members come since the pairs were made
    touched: set[str] = field(default_factory=set)  # members come, gone or changed since
    # The greedy matching, kept while the edges and the members' lines stay: a task leaving
    # (an accept) then redoes it only as far as the change reaches (tui/greedy.py).
    greedy: Greedy | None = None
    ranked_from: tuple[list[Edge] | None, int] = (None, 0)  # the edges ranked, their length
    ranked_lines: dict[str, int] = field(default_factory=dict)  # each member's line then

    def matched(self) -> list[tuple[str, str]]:
        """Greedy matching of the members over the edges in ``_rank``'s order. The order is
        kept while it holds: edges are only ever added in place, cleared, or replaced by a
        new list (the list and its length tell a change); a member keeps its record, and so
        its line, until it is touched (one not a member when ranked has no edges there)."""
        members, lines, touched = self.members, self.ranked_lines, self.touched
        edges, length = self.ranked_from
        self.touched = set()
        holds = (self.greedy is not None and edges is self.edges and length == len(self.edges)
                 and all(lines.get(key) == members[key]["line"]
                         for key in touched if key in members))  # fmt: skip
        if holds and self.greedy is not None:
            self.greedy.update(members, touched)
            return self.greedy.pairs()
        self.greedy = Greedy(_rank(members, self.edges))
        self.ranked_from = (self.edges, len(self.edges))
        self.ranked_lines = {key: record["line"] for key, record in members.items()}
        self.greedy.walk(members)
        return self.greedy.pairs()


@dataclass
class _Note:
    records: Sequence[Record]  # the note's records the pairs were worked out from
    groups: set[GroupKey] = field(default_factory=set)
    pairs: NotePairs = ()


def _rank(members: Mapping[str, Record], edges: Iterable[Edge]) -> Ranked:
    """The edges among ``members`` in the order greedy matching takes them: best score
    first, ties to the pair with the earlier first line, then the earlier second."""
    ranked = []
    for score, a, b in edges:
        first, second = members.get(a), members.get(b)
        if first is None or second is None:
            continue
        if (second["line"], second["id"]) < (first["line"], first["id"]):
            first, second = second, first
        ranked.append((-score, first["line"], second["line"], first["id"], second["id"]))
    ranked.sort()
    return ranked


class Pairs:
    """Every note's pairs, kept between refreshes. ``update_notes`` takes each note's records
    and works again only on the tasks that changed; ``update`` takes the proposed tasks and
    returns the pairs known. A group scored in the background calls ``on_ready`` when done
    (from a worker's thread: the app hands it to its own loop)."""

    def __init__(self, on_ready: Callable[[], None] | None = None) -> None:
        self._groups: dict[GroupKey, _Group] = {}
        self._notes: dict[str, _Note] = {}
        self._on_ready = on_ready
        self._executor: ThreadPoolExecutor | None = None
        self._processes: set[subprocess.Popen[bytes]] = set()
        self._pending: set[GroupKey] = set()  # groups being scored in the worker
        self.twins: dict[str, str] = {}  # each paired task's id -> its twin's id (both ways)

    def update(self, proposed: Iterable[Record]) -> dict[str, str]:
        """Each paired task's id -> its twin's id (both ways)."""
        by_path: dict[str, list[Record]] = {}
        for record in proposed:
            by_path.setdefault(record["path"], []).append(record)
        self.update_notes(by_path)
        return dict(self.twins)

    def update_notes(self, by_path: Mapping[str, Sequence[Record]]) -> set[str]:
        """Bring the pairs up to date with each note's records (the proposed ones are paired;
        ``twins`` then holds them). A note given the same list as last time is not looked at;
        a changed note's records are compared with the ones it had by identity (the app keeps
        the record of a task that did not change), so that a change of a few tasks in a note
        of thousands costs a few. Returns the notes whose pairs changed."""
        dirty: set[GroupKey] = set(self._pending)  # a worker may have finished
        removed: dict[str, NotePairs] = {}
        for path in [p for p in self._notes if p not in by_path]:
            leaving = self._notes.pop(path)
            self._apply(leaving, (), dirty)
            removed[path] = leaving.pairs
        touched = set(removed)
        for path, records in by_path.items():
            note = self._notes.get(path)
            if note is None:
                note = self._notes[path] = _Note(())
            elif note.records is records:
                continue
            self._apply(note, records, dirty)
        for key in dirty:
            group = self._groups.get(key)
            if group is not None:
                self._refresh(key, group)
            touched.add(key[0])
        changed = set()
        for path in touched:
            held = self._notes.get(path)
            pairs: NotePairs = ()
            if held is not None:
                for key in sorted(held.groups):
                    if key in self._groups:
                        pairs += tuple(self._groups[key].pairs)
                held.groups = {key for key in held.groups if key in self._groups}
                old = held.pairs
            else:
                old = removed.get(path, ())
            if pairs == old:
                continue
            now = set(pairs)
            for a, b in set(old) - now:
                self.twins.pop(a, None)
                self.twins.pop(b, None)
            for a, b in now.difference(old):
                self.twins[a], self.twins[b] = b, a
            if held is not None:
                held.pairs = pairs
            changed.add(path)
        return changed

    def note_pairs(self, path: str) -> NotePairs:
        """The note's pairs (earlier line, later line); the same tuple while they stay."""
        note = self._notes.get(path)
        return () if note is None else note.pairs

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

    def _apply(self, note: _Note, records: Sequence[Record], dirty: set[GroupKey]) -> None:
        """The note's records are now ``records``: its groups lose the proposed tasks that
        left or changed, and take the new ones."""
        old = note.records
        if len(old) == len(records):
            changed = list(compress(range(len(old)), map(is_not, old, records)))
            gone, came = [old[i] for i in changed], [records[i] for i in changed]
        else:
            kept, had = {id(r) for r in records}, {id(r) for r in old}
            gone = [r for r in old if id(r) not in kept]
            came = [r for r in records if id(r) not in had]
        note.records = records
        for record in gone:
            if record["status_type"] == "PROPOSED":
                key = group_key(record)
                group = self._groups.get(key)
                if group is not None and group.members.get(record["id"]) is record:
                    del group.members[record["id"]]
                    group.touched.add(record["id"])
                    dirty.add(key)
        for record in came:
            if record["status_type"] == "PROPOSED":
                key = group_key(record)
                group = self._groups.setdefault(key, _Group())
                group.members[record["id"]] = record
                group.fresh.add(record["id"])
                group.touched.add(record["id"])
                note.groups.add(key)
                dirty.add(key)

    def _refresh(self, key: GroupKey, group: _Group) -> None:
        """Work out the group's pairs again after its members changed."""
        if not group.members:
            del self._groups[key]
            if group.pending is not None:
                group.pending.cancel()
            self._pending.discard(key)
            return
        if group.pending is not None:
            if not group.pending.done():
                group.pairs = []
                return
            self._take(group, group.pending)
            self._pending.discard(key)
        members = group.members
        new = [(k, members[k]["description"]) for k in sorted(group.fresh)
               if k in members and group.scored.get(k) != members[k]["description"]]  # fmt: skip
        group.fresh = set()
        if new:
            reworded = {k for k, _ in new if k in group.scored}  # a task with a 🆔, reworded
            if reworded:
                group.edges = [e for e in group.edges if e[1] not in reworded
                               and e[2] not in reworded]  # fmt: skip
            # every task scored, here or not (one that left may come back: the edges between
            # any two scored tasks are known)
            old = [(k, d) for k, d in group.scored.items() if k not in reworded]
            if len(new) * (len(new) + len(old)) > INLINE_COMPARISONS:
                group.pending = self._submit(new, old)
                self._pending.add(key)
                group.scored.update(new)
                group.pairs = []
                return
            group.edges += score_edges(new, old)
            group.scored.update(new)
        group.pairs = group.matched()
        self._forget_gone(group)

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
        except Exception:  # the worker died: score every member again
            group.scored.clear()
            group.edges.clear()
            group.fresh = set(group.members)

    @staticmethod
    def _forget_gone(group: _Group) -> None:
        """Drop what is known of tasks that left the note's proposed tasks, once they are
        many (an accepted task may come back with undo: keeping a few costs nothing)."""
        present = group.members
        if len(group.scored) - len(present) <= max(64, len(present)):
            return
        gone = set(group.scored) - set(present)
        if len(gone) > max(64, len(present)):
            group.scored = {k: d for k, d in group.scored.items() if k in present}
            group.edges = [e for e in group.edges if e[1] in present and e[2] in present]


def _worker() -> None:
    """`python -m tasksync.tui.pairs`: [new, old] as JSON on stdin, the edges on stdout."""
    new, old = json.load(sys.stdin)
    json.dump(score_edges([tuple(t) for t in new], [tuple(t) for t in old]), sys.stdout)


if __name__ == "__main__":
    _worker()
