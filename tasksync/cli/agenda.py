"""The commands that look across the whole vault: `agenda` (a 1:1 page for one person), and
what `dupes --elsewhere` prints (proposals already tracked in other notes)."""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator
from itertools import islice

import click

from tasksync.app import AppContext
from tasksync.cli.render import printable
from tasksync.dates import parse_day
from tasksync.errors import UsageError
from tasksync.index.store import IndexFileError, Store
from tasksync.query.agenda import Agenda, agenda, agenda_markdown, default_since, find_person
from tasksync.query.elsewhere import TARGET_TYPES, Match, Matcher
from tasksync.query.people import People
from tasksync.read.prose import repaired
from tasksync.read.records import Record
from tasksync.read.vault import read_note


def build_agenda(app: AppContext, who: str, since: str | None) -> Agenda:
    vault = app.vault

    def note_lines(path: str) -> list[str] | None:
        try:
            return read_note(vault / path).text.split("\n")
        except OSError:
            return None

    store, _ = app.synced_store()
    with store:
        people = app.people(store)
        person = find_person(people, who, store.people())
        if since is not None:
            start = parse_day(since, app.today)
        else:
            start = default_since(note_lines(person.note) if person.note else None, app.today)
        # one task at a time: the agenda keeps the few it lists, not the vault
        records = (_with_person(people, r) for r in store.selected_records())
        return agenda(person, people, records, start, note_lines)


def _with_person(people: People, record: Record) -> Record:
    record["person"] = people.resolve(record["owner"])
    return record


_MATCHED_COLUMNS = ("rowid", "path", "line", "status_type", "description", "owner", "due")
_PAGE = 500  # proposals (with their matches) read again from the index at a time


def print_elsewhere(app: AppContext, as_json: bool) -> None:
    """`tasksync dupes --elsewhere`: the tasks read once as what matching needs (a place in
    the index each, not a record: a vault's records in full are gigabytes), the proposals
    found read again a page at a time and printed as they come."""
    store, _ = app.synced_store()
    with store, store.reading():
        people = app.people(store)
        kinds = sorted({"PROPOSED", *TARGET_TYPES})
        places: array[int] = array("q")  # a task's place in the index, by its place in the read

        def tasks() -> Iterator[Record]:
            for place, path, line, kind, description, owner, due in store.task_columns(
                _MATCHED_COLUMNS, kinds
            ):
                places.append(place)
                yield {"path": path, "line": line, "status_type": kind,
                       "description": description, "owner": owner, "due": due}  # fmt: skip

        matcher = Matcher(tasks(), people, remember=False)
        found = _read_again(store, places, matcher.proposals())
        if as_json:
            _print_json(found)
        else:
            _print_text(found)


def _read_again(store: Store, places: array[int],
                found: Iterator[tuple[int, list[tuple[int, float]]]]
                ) -> Iterator[tuple[Record, list[Match]]]:  # fmt: skip
    """The proposals found and their matches as records, read from the index a page at a
    time."""
    while page := list(islice(found, _PAGE)):
        wanted = sorted({places[i] for i, _ in page} |
                        {places[j] for _, matches in page for j, _ in matches})  # fmt: skip
        read = store.records_at(wanted)
        if len(read) != len(wanted):
            raise IndexFileError("the index changed while it was read; run the command again")
        records = dict(zip(wanted, read, strict=True))
        for i, matches in page:
            yield records[places[i]], [Match(records[places[j]], score) for j, score in matches]


def _print_json(found: Iterator[tuple[Record, list[Match]]]) -> None:
    """As ``json.dumps`` of the whole list with ``indent=1`` would, one proposal at a time."""
    separator = "\n "
    for record, matches in found:
        entry = {"id": record["id"], "elsewhere": [m.as_json() for m in matches]}
        text = json.dumps(entry, ensure_ascii=False, indent=1).replace("\n", "\n ")
        click.echo(("[" if separator == "\n " else "") + separator + text, nl=False)
        separator = ",\n "
    click.echo("[]" if separator == "\n " else "\n]")


def _print_text(found: Iterator[tuple[Record, list[Match]]]) -> None:
    path = None
    count = 0
    for record, matches in found:
        count += 1
        if record["path"] != path:
            path = record["path"]
            click.echo(printable(path))
        click.echo(printable(f"  {record['id'][:8]}  line {record['line']}: "
                             f"{_short(repaired(record['description'] or ''))}"))  # fmt: skip
        for match in matches:
            other = match.record
            state = "done" if other["status_type"] == "DONE" else "open"
            mark = "✓" if state == "done" else "○"
            click.echo(printable(f"    {mark} {state} in {other['path']}:{other['line']}  "
                                 f"{other['id'][:8]}  {match.score:.0f}%  "
                                 f"{_short(repaired(other['description'] or ''))}"))  # fmt: skip
    hint = " (`tasksync merge KEEP DUP` rejects one as tracked there)" if count else ""
    click.echo(f"{count} proposed task{'s' if count != 1 else ''} already tracked in another "
               f"note{hint}")  # fmt: skip


def _short(text: str, room: int = 70) -> str:
    words = " ".join(text.split())
    return words if len(words) <= room else words[: room - 1] + "…"


def register(cli: click.Group) -> None:
    @cli.command("agenda")
    @click.argument("person", metavar="PERSON")
    @click.option("--since", metavar="DATE",
                  help="Done since DATE. [default: the person note's last_contact, else 14 "
                       "days ago]")  # fmt: skip
    @click.option("--json", "as_json", is_flag=True,
                  help="{person, since, they_owe, you_owe, to_triage, done_since}.")  # fmt: skip
    @click.pass_obj
    def agenda_command(app: AppContext, person: str, since: str | None, as_json: bool) -> None:
        """A 1:1 page for PERSON, in Markdown to paste into the meeting note.

        They owe you (their open tasks), you owe them (your open tasks in notes about them),
        to triage (proposed tasks in notes about them), done since (tasks completed since
        DATE, theirs or in notes about them). PERSON is resolved as `list --owner` does
        (aliases, a first name only one person has). A note is about them when its path or
        title names them, it links their person note, or its frontmatter lists them
        (person, participants, attendees, entities: people).

        \b
        Examples:
          tasksync agenda "Dana Whitfield"
          tasksync agenda Dana --since 2026-11-01 --json
          tasksync agenda Dana | pbcopy
        """
        if not person.strip():
            raise UsageError("whose agenda? give a person's name")
        result = build_agenda(app, person, since)
        if as_json:
            click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=1))
            return
        click.echo(agenda_markdown(app.vault, result), nl=False)


__all__ = ["agenda_markdown", "build_agenda", "print_elsewhere", "register"]
