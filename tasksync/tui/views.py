"""What each screen of the TUI lists, and in which order: pure functions over records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from tasksync.query.people import People
from tasksync.read.records import Record
from tasksync.tui.pairs import Pairs

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


def note_rows(path: str, records: list[Record], keep: Filter,
              twins: Mapping[str, str]) -> list[Row]:  # fmt: skip
    """One note's Inbox rows: its heading, then its proposed tasks that pass the filter."""
    tasks = sorted((r for r in records if r["status_type"] == "PROPOSED"),
                   key=lambda r: r["line"])  # fmt: skip
    if not tasks:
        return []
    by_id = {r["id"]: r for r in tasks}
    shown: list[Row] = []
    for record in tasks:
        twin = twins.get(record["id"])
        if twin is not None and twin in by_id and by_id[twin]["line"] < record["line"]:
            continue  # placed under its twin
        for task, under in ((record, False), (by_id.get(twin or ""), True)):
            if task is not None and keep(task):
                shown.append(Row(task["id"], task, twin=twins.get(task["id"]), under_twin=under))
    if not shown:
        return []
    return [Row(f"note:{path}", None, heading=path.removesuffix(".md")), *shown]


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
