"""What each screen of the TUI lists, and in which order: pure functions over records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tasksync.query.dupes import duplicate_groups
from tasksync.query.people import People
from tasksync.read.records import Record

OPEN_TYPES = frozenset(("TODO", "IN_PROGRESS", "ON_HOLD"))
VIEWS = ("inbox", "open", "followups")
TITLES = {"inbox": "Inbox", "open": "Open", "followups": "Follow-ups"}


@dataclass(frozen=True)
class Row:
    """One line of a screen: a task, or a group heading (``record`` None)."""

    key: str
    record: Record | None
    heading: str = ""
    duplicate_of: str | None = None  # the id of the task this one duplicates


def _matches(record: Record, text: str) -> bool:
    """The filter box: words must all appear; `@name` matches the owner, `#tag` a tag."""
    for word in text.casefold().split():
        if word.startswith("@"):
            names = [v.casefold() for v in (record.get("person"), record["owner"]) if v]
            if not any(word[1:] in n for n in names):
                return False
        elif word.startswith("#"):
            if not any(t.casefold().startswith(word) for t in record["tags"]):
                return False
        elif word not in record["description"].casefold() and word not in record["path"].casefold():
            return False
    return True


def inbox_rows(records: list[Record], text: str = "") -> list[Row]:
    """Proposed tasks by note (newest note first: notes named by date sort last-first),
    each near-duplicate pair together."""
    proposed = [r for r in records if r["status_type"] == "PROPOSED" and _matches(r, text)]
    twin: dict[str, str] = {}
    for first, second in duplicate_groups(proposed):
        twin[second["id"]] = first["id"]
    by_note: dict[str, list[Record]] = {}
    for record in proposed:
        by_note.setdefault(record["path"], []).append(record)
    rows: list[Row] = []
    for path in sorted(by_note, key=lambda p: p.rsplit("/", 1)[-1], reverse=True):
        rows.append(Row(f"note:{path}", None, heading=path.removesuffix(".md")))
        tasks = sorted(by_note[path], key=lambda r: r["line"])
        placed: set[str] = set()
        for record in tasks:
            if record["id"] in placed or record["id"] in twin:
                continue
            rows.append(Row(record["id"], record))
            placed.add(record["id"])
            for other in tasks:
                if twin.get(other["id"]) == record["id"]:
                    rows.append(Row(other["id"], other, duplicate_of=record["id"]))
                    placed.add(other["id"])
    return rows


def open_rows(records: list[Record], text: str = "") -> list[Row]:
    """Open tasks by due date (undated last)."""
    tasks = [r for r in records if r["status_type"] in OPEN_TYPES and _matches(r, text)]
    tasks.sort(key=lambda r: (r["due"] is None, r["due"] or "", r["path"], r["line"]))
    return [Row(r["id"], r) for r in tasks]


def followup_rows(records: list[Record], people: People, text: str = "") -> list[Row]:
    """Open tasks owned by someone else, by person, oldest due first."""
    by_person: dict[str, list[Record]] = {}
    for record in records:
        person = record.get("person")
        mine = not person or people.is_me(person)
        if record["status_type"] in OPEN_TYPES and not mine and _matches(record, text):
            by_person.setdefault(person or "", []).append(record)
    rows: list[Row] = []
    for person in sorted(by_person, key=str.casefold):
        rows.append(Row(f"person:{person}", None, heading=person))
        tasks = sorted(by_person[person], key=lambda r: (r["due"] is None, r["due"] or ""))
        rows += [Row(r["id"], r) for r in tasks]
    return rows


def overdue(record: Record, today: date) -> bool:
    return bool(record["due"]) and record["due"] < today.isoformat()
