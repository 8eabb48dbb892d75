"""The TUI's changes: each is one journaled batch through the write layer (targets_of and
run_batch), so `tasksync undo` and `tasksync log` see it; undo and redo keep their order."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tasksync.ids import IdParts, id_key
from tasksync.index.store import Store
from tasksync.model import LineChange, StatusTable
from tasksync.read.records import Record
from tasksync.write.actions import Outcome, run_batch, target_of, targets_of
from tasksync.write.writeback import Edits, Target

NAME_LENGTH = 48


def quoted(record: Record) -> str:
    """A task as notifications name it: its description, shortened."""
    words = record["description"]
    return f"“{words if len(words) <= NAME_LENGTH else words[: NAME_LENGTH - 1] + '…'}”"


@dataclass(frozen=True)
class Batch:
    verb: str  # past tense: "accepted"
    ids: tuple[str, ...]
    edit: Edits
    what: str  # the task named, or "12 tasks"
    all_or_nothing: bool = False  # a merge: nothing written unless every task is as shown

    @property
    def command(self) -> str:
        """As the journal (and `tasksync log`) shows it."""
        return f"tui {self.verb}"


def batch(verb: str, records: list[Record], edit: Edits) -> Batch:
    what = quoted(records[0]) if len(records) == 1 else f"{len(records):,} tasks"
    return Batch(verb, tuple(r["id"] for r in records), edit, what)


@dataclass
class History:
    """The TUI's batches, newest last, and those its undo reverted (for redo). A new batch
    forgets what could be redone; so does an undo of a batch the TUI did not make."""

    done: list[Batch] = field(default_factory=list)
    undone: list[Batch] = field(default_factory=list)
    handed: dict[int, Handed] = field(default_factory=dict)  # id(batch): what the index took

    def did(self, made: Batch, redoing: bool = False, handed: Handed | None = None) -> None:
        self.done.append(made)
        self.handed.pop(id(made), None)
        if handed is not None:
            self.handed[id(made)] = handed
        if not redoing:
            for gone in self.undone:
                self.handed.pop(id(gone), None)
            self.undone.clear()

    def undid(self, command: str | None, task_ids: set[str]) -> Batch | None:
        if self.done and self.done[-1].command == command and task_ids <= set(self.done[-1].ids):
            reverted = self.done.pop()
            self.undone.append(reverted)
            return reverted
        for gone in self.undone:
            self.handed.pop(id(gone), None)
        self.undone.clear()
        return None

    def closed(self, command: str) -> None:
        """The newest batch was closed without an undo (its lines changed since): gone from
        what u undoes, and nothing to redo."""
        if self.done and self.done[-1].command == command:
            self.handed.pop(id(self.done.pop()), None)

    def closed_redo(self) -> None:
        """Forget what could be redone (a change was made since the undo)."""
        for gone in self.undone:
            self.handed.pop(id(gone), None)
        self.undone.clear()

    def redo(self) -> Batch | None:
        return self.undone.pop() if self.undone else None


class Counter:
    """How many tasks a running batch has written (read by the UI's progress timer; an int
    written by one thread and read by another needs no lock)."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, written: int) -> None:
        self.count += written


@dataclass(frozen=True)
class Handed:
    """What a batch wrote, as the index took it over without reading the notes again
    (write/handover.py): each note's hash in the index before and after the batch; of a
    note's rows only those of the changed lines differ, each with its task's id."""

    hashes: Mapping[str, tuple[str | None, str | None]]
    changes: tuple[LineChange, ...]

    def undone(self, changes: list[LineChange]) -> Handed:
        """What undoing the batch hands over, written back line for line with ``changes``:
        the notes go back to their hashes before it."""
        return Handed({path: (after, before) for path, (before, after) in self.hashes.items()},
                      tuple(changes))  # fmt: skip


Held = Mapping[str, tuple[str | None, Sequence[Record]]]  # a note's hash and its records


def write(vault: Path, db: Path, statuses: StatusTable, made: Batch, records: list[Record],
          counter: Counter | None = None,
          held: Held | None = None) -> tuple[Outcome, Handed | None]:  # fmt: skip
    """Run the batch on the records' tasks (as the index last listed them), and tell what
    the index took over of it (None: it read the notes again). ``held``: the notes' records
    the app holds, with the hash they were read at. Opens its own connection, so that it
    can run in a worker thread."""
    with Store(db) as store:
        paths = {r["path"] for r in records}
        before = {path: store.note_hash(path) for path in paths}
        targets = _targets(store, records, before, held)
        outcome = run_batch(vault, store, statuses, made.command, targets, made.edit, False,
                            progress=counter.add if counter is not None else None,
                            plan_elsewhere=True, all_or_nothing=made.all_or_nothing)  # fmt: skip
        if not outcome.indexed or not outcome.changes:
            return outcome, None
        written = {change.path for change in outcome.changes}
        if not written <= paths:
            return outcome, None
        hashes = {path: (before[path], store.note_hash(path)) for path in written}
        return outcome, Handed(hashes, tuple(outcome.changes))


Written = Callable[[Batch, Outcome | None, str | None], None]


def _targets(store: Store, records: list[Record], hashes: Mapping[str, str | None],
             held: Held | None) -> list[Target]:  # fmt: skip
    """``targets_of``, each task's twins counted in the records the app holds of its note
    when the index holds that note as the app read it (the same rows: no note's tasks read
    from the index again for one accept)."""
    lines: dict[str, dict[str, list[int]]] = {}  # note -> identity -> its tasks' lines
    for path, now in hashes.items():
        known = held.get(path) if held is not None else None
        if known is None or now is None or known[0] != now:
            return targets_of(store, records)
        mine = [r for r in records if r["path"] == path]
        alike: dict[str, list[int]] = lines.setdefault(path, {})
        for record in _alike(mine, known[1]):
            alike.setdefault(_identity(record), []).append(record["line"])
    targets = []
    for record in records:
        twins = sorted(lines[record["path"]].get(_identity(record), ()))
        targets.append(target_of(record, len(twins) or 1, bisect_left(twins, record["line"])))
    return targets


def _alike(records: list[Record], note: Sequence[Record]) -> Iterator[Record]:
    """The note's records that may share an identity with one of ``records`` (the same 🆔,
    or the same description but for case): the few a twin count needs of 10,000."""
    ids = {r["task_id"] for r in records if r["task_id"]}
    texts = {(r["description"] or "").casefold() for r in records if not r["task_id"]}
    for record in note:
        task_id = record["task_id"]
        if task_id in ids if task_id else (record["description"] or "").casefold() in texts:
            yield record


def _identity(record: Record) -> str:
    """What the task's id is made of (as ``targets_of`` counts twins)."""
    return id_key(record["path"], IdParts(record["task_id"], record["description"]))
