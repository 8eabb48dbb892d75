"""What each screen of the TUI lists, and in which order: pure functions over records."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import compress
from operator import is_not
from typing import ClassVar

from tasksync.query.people import People
from tasksync.read.records import Record
from tasksync.tui.pairs import NotePairs, Pairs

OPEN_TYPES = frozenset(("TODO", "IN_PROGRESS", "ON_HOLD"))
VIEWS = ("inbox", "open", "followups")
TITLES = {"inbox": "Inbox", "open": "Open", "followups": "Follow-ups"}
EMPTY = {
    "inbox": "No proposed tasks: the Inbox is empty. Tab shows your open tasks.",
    "open": "No open tasks.",
    "followups": "No open tasks owned by someone else.",
}


@dataclass(frozen=True)
class Row:
    """One line of a screen: a task, or a group heading (``record`` None)."""

    key: str
    record: Record | None
    heading: str = ""
    twin: str | None = None  # the id of the task this one is paired with as a near-duplicate
    under_twin: bool = False  # shown right under its twin (↳): the later of the pair

    @property
    def duplicate_of(self) -> str | None:
        """The twin this row is shown under (None for the first of a pair, or no pair)."""
        return self.twin if self.under_twin else None


class Filter:
    """The filter box: every word must appear in the description or the note's path;
    `@name` matches the owner (or the person), `#tag` a tag or a tag nested under it."""

    def __init__(self, text: str = "") -> None:
        self.text = text.strip()
        words = self.text.casefold().split()
        self.owners = [w[1:] for w in words if w.startswith("@") and len(w) > 1]
        self.tags = [w for w in words if w.startswith("#") and len(w) > 1]
        self.words = [w for w in words if not w.startswith(("@", "#"))]

    def __bool__(self) -> bool:
        return bool(self.text)

    def narrows(self, other: Filter) -> bool:
        """Whether every task this filter keeps, ``other`` keeps too (typing on narrows)."""
        return (all(any(o in n for n in self.words) for o in other.words)
                and all(any(o in n for n in self.owners) for o in other.owners)
                and all(any(n.startswith(o) for n in self.tags) for o in other.tags))  # fmt: skip

    def __call__(self, record: Record) -> bool:
        if self.words:
            haystack = f"{record['description']}\n{record['path']}".casefold()
            if not all(w in haystack for w in self.words):
                return False
        if self.owners:
            names = [v.casefold() for v in (record.get("person"), record["owner"]) if v]
            if not all(any(o in n for n in names) for o in self.owners):
                return False
        if self.tags:
            tags = [t.casefold() for t in record["tags"]]
            if not all(any(t.startswith(w) for t in tags) for w in self.tags):
                return False
        return True


def _note_order(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def inbox_rows(records: Iterable[Record], text: str = "",
               twins: Mapping[str, str] | None = None) -> list[Row]:  # fmt: skip
    """Proposed tasks by note (newest note first: notes named by date sort last-first), the
    later of each near-duplicate pair right under the earlier. ``twins`` (id -> twin id, both
    ways) are the pairs of all proposed tasks, so a filter hides rows but changes no pair;
    without it they are worked out here."""
    by_note: dict[str, list[Record]] = {}
    for record in records:
        by_note.setdefault(record["path"], []).append(record)
    if twins is None:
        twins = Pairs().update(r for r in by_note_proposed(by_note))
    keep = Filter(text)
    rows: list[Row] = []
    for path in notes_newest_first(by_note):
        rows += note_rows(path, by_note[path], keep, twins)
    return rows


def by_note_proposed(by_note: Mapping[str, list[Record]]) -> Iterable[Record]:
    return (r for records in by_note.values() for r in records if r["status_type"] == "PROPOSED")


def notes_newest_first(paths: Iterable[str]) -> list[str]:
    return sorted(paths, key=_note_order, reverse=True)


def note_rows(path: str, records: Sequence[Record], keep: Filter,
              twins: Mapping[str, str]) -> list[Row]:  # fmt: skip
    """One note's Inbox rows: its heading, then its proposed tasks that pass the filter."""
    return NoteRows.made(path, records, keep, twins).shown()


Place = tuple[int, int]  # a row's place in its note: (the line of its pair's first task, 0 or 1)


@dataclass
class NoteRows:
    """One note's Inbox rows, and what they were made from: when a few of the note's tasks
    change (an accept in a note of 10,000), ``patched`` makes only their rows again."""

    path: str
    records: Sequence[Record]
    text: str  # the filter's
    pairs: NotePairs  # the note's pairs (compared by identity first)
    rows: list[Row]  # the tasks' rows, without the heading
    places: list[Place]  # each row's place, in order (for bisect)

    PATCH_LIMIT: ClassVar[int] = 256  # tasks touched, beyond which the rows are made afresh

    @classmethod
    def made(cls, path: str, records: Sequence[Record], keep: Filter,
             twins: Mapping[str, str], pairs: NotePairs = ()) -> NoteRows:  # fmt: skip
        tasks = sorted((r for r in records if r["status_type"] == "PROPOSED"),
                       key=lambda r: r["line"])  # fmt: skip
        by_id = {r["id"]: r for r in tasks}
        rows: list[Row] = []
        places: list[Place] = []
        for record in tasks:
            twin = twins.get(record["id"])
            if twin is not None and twin in by_id and by_id[twin]["line"] < record["line"]:
                continue  # placed under its twin
            _unit(record, by_id.get(twin or ""), keep, twins, rows, places)
        return cls(path, records, keep.text, pairs, rows, places)

    def narrowed(self, keep: Filter) -> NoteRows:
        """These rows under ``keep`` (made without a filter, or under one ``keep`` narrows):
        a task's row is the same with a filter or without, only shown or not."""
        rows, places = [], []
        for row, place in zip(self.rows, self.places, strict=True):
            if row.record is not None and keep(row.record):
                rows.append(row)
                places.append(place)
        return NoteRows(self.path, self.records, keep.text, self.pairs, rows, places)

    def shown(self) -> list[Row]:
        if not self.rows:
            return []
        return [Row(f"note:{self.path}", None, heading=self.path.removesuffix(".md")),
                *self.rows]  # fmt: skip

    def patched(self, records: Sequence[Record], keep: Filter, twins: Mapping[str, str],
                pairs: NotePairs,
                by_id: Mapping[str, Record]) -> NoteRows | None:  # fmt: skip
        """These rows for the note's ``records`` now (``by_id``: at least the note's records
        by id; ``pairs``: the note's pairs now, of which ``twins`` holds both ways), made again
        only for the tasks that changed or whose pair changed; None when that is not a few
        tasks rewritten in place (make them afresh)."""
        old = self.records
        if keep.text != self.text or len(old) != len(records):
            return None
        changed = changed_places(old, records)
        if len(changed) > self.PATCH_LIMIT:
            return None
        gone = {old[i]["id"]: old[i] for i in changed}
        came = {records[i]["id"]: records[i] for i in changed}
        touched = set(gone) | set(came)
        lost: dict[str, str] = {}  # a task's twin in a pair no longer made
        paired: set[str] = set()  # the tasks of the pairs made since
        if pairs is not self.pairs:
            before, now = set(self.pairs), set(pairs)
            lost = {a: b for pair in before - now for a, b in (pair, pair[::-1])}
            paired = {key for pair in now - before for key in pair}
            touched |= lost.keys() | paired

        def old_twin(key: str) -> str | None:  # the task's twin as the old rows show it
            return lost[key] if key in lost else None if key in paired else twins.get(key)

        touched |= {t for k in list(touched) for t in (old_twin(k), twins.get(k)) if t}
        if len(touched) > self.PATCH_LIMIT:
            return None

        def was(key: str) -> Record | None:  # the task as the old rows show it
            if key in gone:
                return gone[key]
            record = by_id.get(key)
            if record is None or key in came or record["path"] != self.path:
                return None
            return record

        rows, places = list(self.rows), list(self.places)
        drop = []
        for key in touched:
            record = was(key)
            if record is None or record["status_type"] != "PROPOSED":
                continue
            place = (record["line"], 0)
            first = was(old_twin(key) or "")
            if first is not None and first["line"] < record["line"]:
                place = (first["line"], 1)
            at = bisect_left(places, place)
            if at < len(places) and places[at] == place and rows[at].key == key:
                drop.append(at)
        for at in sorted(drop, reverse=True):
            del rows[at], places[at]
        for key in sorted(touched):
            record = by_id.get(key)
            if record is None or record["path"] != self.path or \
                    record["status_type"] != "PROPOSED":  # fmt: skip
                continue
            twin = by_id.get(twins.get(key, ""))
            if twin is not None and twin["path"] == self.path and \
                    twin["status_type"] == "PROPOSED":  # fmt: skip
                if twin["line"] < record["line"]:
                    continue  # its pair's first task places it
            else:
                twin = None
            unit: list[Row] = []
            unit_places: list[Place] = []
            _unit(record, twin, keep, twins, unit, unit_places)
            at = bisect_left(places, (record["line"], 0))
            rows[at:at] = unit
            places[at:at] = unit_places
        return NoteRows(self.path, records, self.text, pairs, rows, places)


def changed_places(old: Sequence[object], new: Sequence[object]) -> list[int]:
    """Where two lists of the same length hold different objects (in C: a note's 10,000
    records compared in well under a millisecond)."""
    return list(compress(range(len(new)), map(is_not, old, new)))


def _unit(record: Record, twin: Record | None, keep: Filter, twins: Mapping[str, str],
          rows: list[Row], places: list[Place]) -> None:  # fmt: skip
    """A task's rows: its own, then its twin's right under it (those the filter keeps)."""
    line = record["line"]
    if keep(record):
        rows.append(Row(record["id"], record, twin=twins.get(record["id"])))
        places.append((line, 0))
    if twin is not None and keep(twin):
        rows.append(Row(twin["id"], twin, twin=twins.get(twin["id"]), under_twin=True))
        places.append((line, 1))


def open_rows(records: Iterable[Record], text: str = "") -> list[Row]:
    """Open tasks by due date (undated last)."""
    keep = Filter(text)
    tasks = [r for r in records if r["status_type"] in OPEN_TYPES and keep(r)]
    tasks.sort(key=lambda r: (r["due"] is None, r["due"] or "", r["path"], r["line"]))
    return [Row(r["id"], r) for r in tasks]


def is_followup(record: Record, people: People) -> bool:
    person = record.get("person")
    return record["status_type"] in OPEN_TYPES and bool(person) and not people.is_me(person)


def followup_rows(records: Iterable[Record], people: People, text: str = "") -> list[Row]:
    """Open tasks owned by someone else, by person, oldest due first."""
    keep = Filter(text)
    by_person: dict[str, list[Record]] = {}
    for record in records:
        if is_followup(record, people) and keep(record):
            by_person.setdefault(record["person"], []).append(record)
    rows: list[Row] = []
    for person in sorted(by_person, key=str.casefold):
        rows.append(Row(f"person:{person}", None, heading=person))
        tasks = sorted(by_person[person], key=lambda r: (r["due"] is None, r["due"] or ""))
        rows += [Row(r["id"], r) for r in tasks]
    return rows


def view_rows(view: str, records: Iterable[Record], people: People, text: str,
              twins: Mapping[str, str]) -> list[Row]:  # fmt: skip
    if view == "inbox":
        return inbox_rows(records, text, twins)
    if view == "open":
        return open_rows(records, text)
    return followup_rows(records, people, text)


def counts(records: Iterable[Record], people: People) -> dict[str, int]:
    """How many tasks each screen lists without a filter."""
    result = dict.fromkeys(VIEWS, 0)
    for record in records:
        kind = record["status_type"]
        if kind == "PROPOSED":
            result["inbox"] += 1
        elif kind in OPEN_TYPES:
            result["open"] += 1
            result["followups"] += is_followup(record, people)
    return result


def overdue(record: Record, today: date) -> bool:
    return bool(record["due"]) and record["due"] < today.isoformat()
