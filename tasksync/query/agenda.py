"""A 1:1 agenda for one person: what they owe you, what you owe them, what is still to
triage from your meetings, and what got done since you last met.

A note is *about* a person when its path or title holds their name or an alias (as whole
words), when it links their person note (``[[Alon Horev]]``, ``[[People/Alon Horev|Alon]]``,
anywhere in the note, frontmatter included: ``entities: people: - '[[Alon Horev]]'``), or
when its frontmatter names them under ``person``, ``participants``, ``attendees`` or
``with``. Only notes holding tasks of interest are read (at query time: the index keeps no
links)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from tasksync.query.people import People
from tasksync.read.notes import frontmatter
from tasksync.read.prose import repaired
from tasksync.read.records import Record

OPEN_TYPES = frozenset(("TODO", "IN_PROGRESS", "ON_HOLD"))
NAMING_KEYS = ("person", "people", "participants", "attendees", "with")
DEFAULT_DAYS = 14
SECTIONS = ("they_owe", "you_owe", "to_triage", "done_since")
_LINK = re.compile(r"\[\[([^\]|#^]+)(?:[#^|][^\]]*)?\]\]")


@dataclass(frozen=True)
class Person:
    name: str
    aliases: tuple[str, ...] = ()
    note: str | None = None  # the person note's vault path

    @property
    def spellings(self) -> frozenset[str]:
        return frozenset(s.casefold() for s in (self.name, *self.aliases) if s.strip())

    def named_in(self, text: str) -> bool:
        """Whether ``text`` holds the name or an alias as whole words (any case)."""
        folded = text.casefold()
        return any(re.search(rf"(?<!\w){re.escape(s)}(?!\w)", folded) for s in self.spellings)

    def linked_by(self, target: str) -> bool:
        """Whether a ``[[target]]`` link goes to this person's note."""
        target = target.strip().casefold().removesuffix(".md")
        if self.note is not None:
            note = self.note.casefold().removesuffix(".md")
            if target == note or target == note.rsplit("/", 1)[-1]:
                return True
        return target.rsplit("/", 1)[-1] == self.name.casefold()


def find_person(people: People, wanted: str,
                persons: Iterable[tuple[str, str, list[str]]]) -> Person:  # fmt: skip
    """The person ``wanted`` names, as ``list --owner`` resolves it (aliases, a unique first
    name), with their aliases and note; ``persons`` are the index's (path, name, aliases)."""
    name = people.resolve(wanted) or wanted.lstrip("@")
    for path, person_name, aliases in persons:
        if person_name.casefold() == name.casefold():
            return Person(person_name, tuple(aliases), path)
    return Person(name)


def note_is_about(person: Person, people: People, path: str, lines: list[str]) -> bool:
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    folders = path.rsplit("/", 1)[0] if "/" in path else ""
    if person.named_in(stem) or (folders and person.named_in(folders)):
        return True
    meta = frontmatter(lines)
    title = meta.get("title")
    if isinstance(title, str) and person.named_in(title):
        return True
    for key in NAMING_KEYS:
        value = meta.get(key)
        for item in [value] if isinstance(value, str) else value or []:
            for name in _names_in(item):
                if name.casefold() in person.spellings or (
                    (people.resolve(name) or "").casefold() == person.name.casefold()
                ):
                    return True
    return any(person.linked_by(m.group(1)) for m in _LINK.finditer("\n".join(lines)))


def _names_in(item: str) -> list[str]:
    links = [m.group(1).rsplit("/", 1)[-1] for m in _LINK.finditer(item)]
    return links or [item.strip()]


def default_since(person_note: list[str] | None, today: date) -> date:
    """The person note's ``last_contact``, else ``DEFAULT_DAYS`` before today."""
    if person_note is not None:
        value = frontmatter(person_note).get("last_contact")
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip()[:10])
            except ValueError:
                pass
    return today - timedelta(days=DEFAULT_DAYS)


@dataclass
class Agenda:
    person: str
    since: date
    they_owe: list[Record] = field(default_factory=list)
    you_owe: list[Record] = field(default_factory=list)
    to_triage: list[Record] = field(default_factory=list)
    done_since: list[Record] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"person": self.person, "since": self.since.isoformat(),
                **{name: getattr(self, name) for name in SECTIONS}}  # fmt: skip


def _owner(people: People, record: Record) -> str | None:
    person = record.get("person") or people.resolve(record["owner"])
    return str(person) if person else None


def _is(person: Person, people: People, record: Record) -> bool:
    owner = _owner(people, record)
    return owner is not None and owner.casefold() == person.name.casefold()


def agenda(person: Person, people: People, records: Iterable[Record], since: date,
           note_lines: Callable[[str], list[str] | None]) -> Agenda:  # fmt: skip
    """The four sections, each in note order. ``note_lines(path)`` reads a note (None when
    it cannot be read); it is called only for notes holding a task that could be listed."""
    about: dict[str, bool] = {}

    def is_about(path: str) -> bool:
        known = about.get(path)
        if known is None:
            lines = note_lines(path)
            known = about[path] = lines is not None and note_is_about(person, people, path, lines)
        return known

    result = Agenda(person.name, since)
    floor = since.isoformat()
    for record in records:
        kind = record["status_type"]
        theirs = _is(person, people, record)
        if kind in OPEN_TYPES:
            if theirs:
                result.they_owe.append(record)
            elif people.is_me(_owner(people, record)) and is_about(record["path"]):
                result.you_owe.append(record)
        elif kind == "PROPOSED" and is_about(record["path"]):
            result.to_triage.append(record)
        elif kind == "DONE" and (record["done"] or "") >= floor and record["done"] and \
                (theirs or is_about(record["path"])):  # fmt: skip
            result.done_since.append(record)
    return result


HEADINGS = {"they_owe": "They owe you", "you_owe": "You owe them",
            "to_triage": "To triage", "done_since": "Done since"}  # fmt: skip
MARK = {"PROPOSED": "?", "DONE": "✓", "CANCELLED": "✗"}


def obsidian_uri(vault: Path, path: str) -> str:
    name = Path(os.path.realpath(vault)).name
    return f"obsidian://open?vault={quote(name, safe='')}&file={quote(path, safe='')}"


def agenda_item(vault: Path, record: Record) -> str:
    """One task as a Markdown list item (not a checkbox: pasted into a note, it must not
    become a second task): its mark, words, owner and dates, a link to it, its id."""
    mark = MARK.get(record["status_type"], "○")
    words = repaired(record["description"] or "").replace("[", "\\[")
    extra = [f"@{record['owner']}"] if record["owner"] else []
    if record["due"]:
        extra.append(f"due {record['due']}")
    if record["done"]:
        extra.append(f"done {record['done']}")
    details = f" ({', '.join(extra)})" if extra else ""
    where = f"{record['path'].removesuffix('.md').rsplit('/', 1)[-1]}:{record['line']}"
    link = f"[{where}]({obsidian_uri(vault, record['path'])})"
    return f"- {mark} {words}{details} — {link} `{record['id'][:8]}`"


def agenda_markdown(vault: Path, result: Agenda) -> str:
    lines = [f"## 1:1 agenda: {result.person}", "",
             f"Since {result.since.isoformat()}.", ""]  # fmt: skip
    for name in SECTIONS:
        records: list[Record] = getattr(result, name)
        lines.append(f"### {HEADINGS[name]} ({len(records)})")
        lines.append("")
        lines += [agenda_item(vault, r) for r in records] or ["- nothing"]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
