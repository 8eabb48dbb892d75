"""The read-only exports: `ics` (calendars) and `dupes` (near-duplicate tasks)."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tasksync.app import AppContext, not_a_note
from tasksync.calendar.ics import (
    Entry,
    assembled,
    calendar_entries,
    calendar_foot,
    calendar_head,
    stamped,
    to_calendar,
)
from tasksync.cli.render import printable
from tasksync.config import load_me, load_people_folder
from tasksync.errors import UsageError
from tasksync.index.select import STATUS_CHOICES, Selection
from tasksync.index.store import Store
from tasksync.query.dupes import duplicate_groups, merged
from tasksync.query.people import People
from tasksync.read.prose import repaired
from tasksync.read.records import Record
from tasksync.write.files import write_export

if TYPE_CHECKING:
    from icalendar import Calendar

ICS_DEFAULT_STATUSES = ("todo", "in-progress", "on-hold")


def export_time() -> datetime:
    """Now, in UTC; `$TASKSYNC_NOW` (ISO date-time) fixes it for reproducible files."""
    fixed = os.environ.get("TASKSYNC_NOW")
    if not fixed:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        raise UsageError(f"TASKSYNC_NOW is not an ISO date-time: {fixed!r}") from None
    try:
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is in the year 10000 in UTC
        raise UsageError(f"TASKSYNC_NOW is past 9999-12-31 in UTC: {fixed!r}") from None


@dataclass
class _NoteEntries:
    hash: str
    entries: list[Entry]
    merged: int


@dataclass
class CalendarMemo:
    """What `watch` keeps between two exports of the default calendar: each note's entries,
    made again only when the note (or a person note) changed."""

    people: list[tuple[str, str, list[str]]] | None = None
    reading: str | None = None  # the reading settings (statuses, global filter) of the notes
    whose: tuple[object, ...] | None = None  # who is me, and where person notes live (config)
    notes: dict[str, _NoteEntries] = field(default_factory=dict)


class _WholeExport:
    """The index's text cache, told the size of the whole export (not of one note's part),
    so that it does not take a note's few entries for all it needs to keep."""

    def __init__(self, store: Store, size: int) -> None:
        self.store, self.size = store, size

    def ics_texts(self, keys: list[str]) -> dict[str, bytes]:
        return self.store.ics_texts(keys)

    def save_ics_texts(self, texts: dict[str, bytes], used: int) -> None:
        self.store.save_ics_texts(texts, max(used, self.size))


def remembered_calendar(app: AppContext, store: Store, memo: CalendarMemo) -> tuple[bytes, int]:
    """The default calendar (as ``build_calendar(app, store, ICS_DEFAULT_STATUSES)``), its
    notes' entries taken from ``memo`` where the note did not change since the last call."""
    people = app.people(store)
    whose = (load_me(app.vault), load_people_folder(app.vault))
    if (store.people(), store.reading_settings(), whose) != (memo.people, memo.reading,
                                                             memo.whose):  # fmt: skip
        memo.people, memo.reading, memo.notes = store.people(), store.reading_settings(), {}
        memo.whose = whose
    selection = Selection(ICS_DEFAULT_STATUSES)
    states = {path: state.hash for path, state in store.note_states().items()}
    changed = [p for p, digest in states.items()
               if p not in memo.notes or memo.notes[p].hash != digest]  # fmt: skip
    by_path: dict[str, list[Record]] = {}
    many = len(changed) > 50  # one query for all, rather than one per note
    for record in store.records(selection.status_types()) if many else []:
        by_path.setdefault(record["path"], []).append(record)
    vault_name = Path(os.path.realpath(app.vault)).name
    cache = _WholeExport(store, sum(len(n.entries) for n in memo.notes.values()))
    for path in changed:
        found = by_path.get(path, []) if many else store.records(selection.status_types(),
                                                                  path_equals=path)  # fmt: skip
        records = [r for r in selection.apply(people.with_persons(found)) if r["due"]]
        kept, dropped = merged(records)
        entries = calendar_entries(kept, vault_name=vault_name, uid_key=store.vault_key(),
                                   cache=cache)  # fmt: skip
        memo.notes[path] = _NoteEntries(states[path], entries, dropped)
    for gone in set(memo.notes) - set(states):
        del memo.notes[gone]
    entries = [e for path in sorted(memo.notes) for e in memo.notes[path].entries]
    if not entries:
        data, count, _ = build_calendar(app, store, ICS_DEFAULT_STATUSES)
        return data, count
    return assembled(entries, vault_name=vault_name, now=export_time()), len(entries)


@dataclass
class Tally:
    entries: int = 0
    merged: int = 0


def build_calendar(app: AppContext, store: Store, statuses: tuple[str, ...],
                   owner: str | None = None, tag: str | None = None, path: str | None = None, *,
                   todo: bool = False, with_rrule: bool = False,
                   keep_duplicates: bool = False) -> tuple[bytes, int, int]:  # fmt: skip
    """The calendar `tasksync ics` exports (its bytes), how many entries it has, how many
    were merged (see ``calendar_chunks``)."""
    chunks, tally = calendar_chunks(app, store, statuses, owner, tag, path, todo=todo,
                                    with_rrule=with_rrule,
                                    keep_duplicates=keep_duplicates)  # fmt: skip
    data = b"".join(chunks)
    return data, tally.entries, tally.merged


def calendar_chunks(app: AppContext, store: Store, statuses: tuple[str, ...],
                    owner: str | None = None, tag: str | None = None, path: str | None = None,
                    *, todo: bool = False, with_rrule: bool = False,
                    keep_duplicates: bool = False) -> tuple[Iterator[bytes], Tally]:  # fmt: skip
    """The calendar `tasksync ics` exports, as pieces of text made as they are written (a
    few notes' entries at a time: a vault of any size streams through), and the tally of
    its entries and merged near-duplicates, complete once the pieces are all out. Entries
    of tasks unchanged since the last export are not built again. Read the pieces while
    ``store`` is open."""
    people = app.people(store)
    selection = Selection(statuses, people.resolve(owner) if owner else None, tag, path)
    vault_name = Path(os.path.realpath(app.vault)).name
    tally, now = Tally(), export_time()

    def chunks() -> Iterator[bytes]:
        found = store.selected_records(selection.status_types(), path, dated=True)
        dated = selection.apply(_with_person(people, r) for r in found)
        cache = _WholeExport(store, sum(store.dated_counts().values()))
        for part in _whole_notes(dated):  # near-duplicates are of one note: a few notes at once
            if not keep_duplicates:
                part, merged_here = merged(part)
                tally.merged += merged_here
            entries = calendar_entries(part, vault_name=vault_name, todo=todo,
                                       with_rrule=with_rrule, uid_key=store.vault_key(),
                                       cache=cache)  # fmt: skip
            if entries and not tally.entries:
                yield calendar_head(vault_name)
            tally.entries += len(entries)
            yield from stamped(entries, now)
        if tally.entries:
            yield calendar_foot()
            return
        calendar = to_calendar([], vault_name=vault_name, now=now, todo=todo)
        keep_valid(calendar)
        yield calendar.to_ical()

    return chunks(), tally


def _with_person(people: People, record: Record) -> Record:
    record["person"] = people.resolve(record["owner"])
    return record


def _whole_notes(records: Iterable[Record], size: int = 2000) -> Iterator[list[Record]]:
    """The records (in note order) in parts of about ``size``, a note never cut in two."""
    part: list[Record] = []
    for record in records:
        if len(part) >= size and record["path"] != part[-1]["path"]:
            yield part
            part = []
        part.append(record)
    if part:
        yield part


_UNREADABLE_DUE = "invalid due date "  # the parser's problem for a date that is no date


def _left_out(app: AppContext, store: Store, chosen: tuple[str, ...], owner: str | None,
              tag: str | None, path: str | None, by_status: bool = False) -> list[str]:  # fmt: skip
    """What the filters select and has a due date, but was not exported — and how to include
    it; and the tasks whose due date is no date (2026-02-30), which nothing exports."""
    reasons = []
    people = app.people(store) if owner is not None or tag is not None else None
    selection = Selection(chosen, people.resolve(owner) if people and owner else None, tag, path)
    exported = set(selection.status_types())
    aside = [kind for kind in ("PROPOSED", "DONE", "CANCELLED") if kind not in exported]
    counts: Counter[str] = Counter()
    if aside and people is None:
        counts.update(store.dated_counts(aside, selection.path))
    elif aside and people is not None:
        found = store.selected_records(aside, selection.path, dated=True)
        counts.update(r["status_type"] for r in selection.apply(
            _with_person(people, r) for r in found))  # fmt: skip
    if counts["PROPOSED"]:  # --status overrides the --include-* flags: name it instead
        how = ("add --status proposed" if by_status
               else "accept them or use --include-proposed")  # fmt: skip
        reasons.append(f"{counts['PROPOSED']} proposed task(s) with due dates not included: "
                       f"{how}")  # fmt: skip
    if counts["DONE"] + counts["CANCELLED"]:
        how = "--status done, --status cancelled" if by_status else "--include-done"
        reasons.append(f"{counts['DONE'] + counts['CANCELLED']} done or cancelled task(s) "
                       f"with due dates not included ({how})")  # fmt: skip
    found = store.selected_records(selection.status_types(), selection.path,
                                   problem=_UNREADABLE_DUE)  # fmt: skip
    if people is not None:
        found = selection.apply(_with_person(people, r) for r in found)
    dates = [p.removeprefix(_UNREADABLE_DUE) for r in found for p in r["problems"]
             if p.startswith(_UNREADABLE_DUE)]  # fmt: skip
    if dates:
        shown = ", ".join(sorted(set(dates))[:3]) + (", …" if len(set(dates)) > 3 else "")
        reasons.append(f"{len(dates)} task(s) with a due date that is no date ({shown}) "
                       "not included: correct it in the note")  # fmt: skip
    return reasons


def keep_valid(calendar: Calendar) -> None:
    """RFC 5545 wants at least one component in a calendar: an empty export gets the UTC
    time zone, which no calendar app shows."""
    from icalendar import Timezone, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", "UTC")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 1, 1))
    standard.add("tzoffsetfrom", timedelta(0))
    standard.add("tzoffsetto", timedelta(0))
    standard.add("tzname", "UTC")
    zone.add_component(standard)
    calendar.add_component(zone)


def register(cli: click.Group) -> None:
    @cli.command()
    @click.option("--todo", is_flag=True, help="VTODOs instead of all-day events.")
    @click.option("--include-proposed", is_flag=True, help="Also proposed tasks.")
    @click.option("--include-done", is_flag=True, help="Also done and cancelled tasks.")
    @click.option("--rrule", "with_rrule", is_flag=True,
                  help="Add an RRULE to recurring tasks whose rule maps cleanly.")  # fmt: skip
    @click.option("--keep-duplicates", is_flag=True,
                  help="One entry per task, even for near-duplicates of one note.")  # fmt: skip
    @click.option("--status", "statuses", multiple=True, type=click.Choice(list(STATUS_CHOICES)),
                  help="Only these statuses (repeatable; overrides --include-*).")  # fmt: skip
    @click.option("--owner", metavar="NAME", help="Only tasks owned by NAME.")
    @click.option("--tag", metavar="TAG", help="Only tasks with this tag (or one below it).")
    @click.option("--path", "path_text", metavar="TEXT", help="Only notes whose path has TEXT.")
    @click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
                  help="Write the calendar to FILE (atomically) instead of stdout.")  # fmt: skip
    @click.pass_obj
    def ics(app: AppContext, todo: bool, include_proposed: bool, include_done: bool,
            with_rrule: bool, keep_duplicates: bool, statuses: tuple[str, ...],
            owner: str | None, tag: str | None, path_text: str | None,
            output: Path | None) -> None:  # fmt: skip
        """Export tasks with a due date as an iCalendar file.

        By default one all-day event per open task (to-do, in progress) on its due date:
        Google Calendar and Outlook show events, not tasks. Near-duplicates of one note
        (the same item proposed twice) give one event. stdout carries only the calendar.

        \b
        Examples:
          tasksync ics > due.ics
          tasksync ics --todo --include-done -o tasks.ics
        """
        chosen = statuses or (
            ICS_DEFAULT_STATUSES
            + (("proposed",) if include_proposed else ())
            + (("done", "cancelled") if include_done else ())
        )
        store, _ = app.synced_store()
        with store:
            chunks, tally = calendar_chunks(
                app, store, chosen, owner, tag, path_text, todo=todo, with_rrule=with_rrule,
                keep_duplicates=keep_duplicates,
            )  # fmt: skip
            if output is None:
                sys.stdout.buffer.writelines(chunks)
                sys.stdout.flush()
            else:
                write_export(output, not_a_note(app.vault, output, "--output"), chunks)
            left_out = _left_out(app, store, chosen, owner, tag, path_text, bool(statuses))
        count, dropped = tally.entries, tally.merged
        kind = ("to-do" if todo else "event") + ("s" if count != 1 else "")
        summary = f"{count} {kind}" + (f" written to {output}" if output else "")
        reasons = [*left_out]
        if dropped:
            reasons.append(f"{dropped} near-duplicate task(s) merged into one entry each "
                           "(--keep-duplicates exports them all)")  # fmt: skip
        click.echo(summary + (" — " + "; ".join(reasons) if reasons else ""), err=True)

    @cli.command()
    @click.option("--json", "as_json", is_flag=True, help="A list of groups, each a list of ids.")
    @click.option("--all-open", is_flag=True, help="Look at every open task, not only proposed.")
    @click.option("--elsewhere", is_flag=True,
                  help="Proposals other notes already track (open or done).")  # fmt: skip
    @click.pass_obj
    def dupes(app: AppContext, as_json: bool, all_open: bool, elsewhere: bool) -> None:
        """Near-duplicate proposed tasks: the same item proposed twice in one note.

        With --elsewhere: each proposed task that a task of another note (open or done)
        already says, in other words, with a score (JSON: [{id, elsewhere: [{id, path,
        line, status, score}]}], best match first).

        \b
        Examples:
          tasksync dupes
          tasksync dupes --all-open --json
          tasksync dupes --elsewhere
        """
        if elsewhere:
            from tasksync.cli.agenda import print_elsewhere

            print_elsewhere(app, as_json)
            return
        statuses = ("proposed", "todo", "in-progress") if all_open else ("proposed",)
        selection = Selection(statuses)
        store, _ = app.synced_store()
        with store:
            people = app.people(store)
            found = store.selected_records(selection.status_types())
            # pairs are of one note: a few whole notes at a time, not the vault, in memory
            groups = [group for part in _whole_notes(_with_person(people, r) for r in found)
                      for group in duplicate_groups(part)]  # fmt: skip
        if as_json:
            click.echo(json.dumps([[r["id"] for r in g] for g in groups]))
            return
        for group in groups:
            click.echo(printable(group[0]["path"]))
            for r in group:
                due = f" 📅 {r['due']}" if r["due"] else ""
                click.echo(printable(f"  {r['id'][:8]}  line {r['line']}: "
                                     f"{repaired(r['description'])}{due}"))  # fmt: skip
        click.echo(f"{len(groups)} group{'s' if len(groups) != 1 else ''} of near-duplicates")
