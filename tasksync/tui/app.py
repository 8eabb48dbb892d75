"""`tasksync tui`: triage proposed tasks, follow open ones. Every change goes through the
write layer (tui/batches.py: targets_of and run_batch, journaled and undoable); the app never
writes a note itself."""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import shlex
import subprocess
from bisect import bisect_left
from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import date
from functools import partial
from itertools import chain
from pathlib import Path
from typing import ClassVar, TypeVar
from urllib.parse import quote

from textual import _time, events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Input

from tasksync.app import load_people
from tasksync.config import load_status_table, load_triage_tags
from tasksync.errors import TasksyncError
from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.index.watching import a_folder_appeared, worth_a_look
from tasksync.model import ALREADY, STATUS_WORDS, StatusTable, StatusType, Task
from tasksync.query.elsewhere import Match, matches_elsewhere, note_link, tracked_line
from tasksync.query.people import People
from tasksync.read.records import Record, tuple_record
from tasksync.tui import keys
from tasksync.tui.bars import KeyBar, TabBar
from tasksync.tui.batches import (
    Batch,
    Counter,
    Handed,
    Held,
    History,
    batch,
    quoted,
    write,
)
from tasksync.tui.detail import Details
from tasksync.tui.dialogs import (
    AgendaScreen,
    ConfirmScreen,
    HelpScreen,
    MergeChoice,
    MergeScreen,
    ProgressScreen,
)
from tasksync.tui.edit import Changes, EditScreen
from tasksync.tui.pairs import NotePairs, Pairs
from tasksync.tui.tasklist import TaskList
from tasksync.tui.views import (
    EMPTY,
    TITLES,
    VIEWS,
    Filter,
    NoteRows,
    Row,
    changed_places,
    counts,
    notes_newest_first,
    view_rows,
)
from tasksync.write import edits
from tasksync.write.actions import (
    Outcome,
    UndoOutcome,
    nothing_undone,
    still_open,
    undo_last,
)
from tasksync.write.writeback import Edit

ELSEWHERE_DELAY_S = 0.4  # after a change, before the proposals are matched again
_MADE_BY = {"accept": "TODO", "reject": "CANCELLED"}  # what each makes of a proposed task
_QUIT_KEYS = frozenset(("q", "ctrl+q", "ctrl+c"))  # taken even while loading: they write nothing
IN_BACKGROUND = 50  # a batch of more tasks is written in a worker thread, with its progress
T = TypeVar("T")
R = TypeVar("R")
REFUSED = "changed since the last scan"  # the write layer's words for a task it cannot find


class TasksyncApp(App[None]):
    """The triage app for one vault."""

    TITLE = "tasksync"
    CSS_PATH = "tasksync.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [*keys.bindings()]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (Textual's)

    def __init__(self, vault: Path, db: Path, today: date | None = None,
                 watch: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.vault, self.db, self.fixed_today, self.watching = vault, db, today, watch
        self.statuses: StatusTable = load_status_table(vault)
        self.view = "inbox"
        self.filter = Filter()
        self.by_path: dict[str, list[Record]] = {}
        self.by_id: dict[str, Record] = {}
        self.records: list[Record] = []
        self.rows: list[Row] = []
        self.selected: set[str] = set()
        self.people = People.build([], ())
        self.twins: dict[str, str] = {}
        self._twins_version = 0
        self._whole_rows: dict[str, NoteRows] = {}  # each note's Inbox rows, no filter
        self._shown_rows: dict[str, NoteRows] = {}  # and under the filter
        self._note_counts: dict[str, tuple[list[Record], dict[str, int]]] = {}
        self.counts = dict.fromkeys(VIEWS, 0)
        self.cursor_keys: dict[str, str] = {}  # each screen's task under the cursor
        self.history = History()
        self._redo_after = 0  # the newest batch when the last undo or redo was made
        self._hashes: dict[str, str] = {}
        self._rows: dict[str, tuple[object, ...]] = {}  # each held record's row in the index
        self._people_rows: list[tuple[str, str, list[str]]] | None = None
        self.pairs = Pairs(on_ready=self._pairs_scored)
        # Each proposal's tasks in other notes that say the same (query/elsewhere.py): found
        # in a worker thread once per change of the index, never per key.
        self.elsewhere: dict[str, list[Match]] = {}
        self._elsewhere_generation = 0
        self.finding_elsewhere = False
        self._elsewhere_timer: Timer | None = None
        self._keys_from = float("inf")  # keys typed before the tasks were shown are dropped
        self._keys_dropped = False

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TabBar(id="tabs")
        with Horizontal(id="body"):
            yield TaskList(id="tasks")
            yield Details(id="detail")
        yield Input(placeholder="filter as you type: words, @owner, #tag — enter: to the list, "
                    "esc: clear", id="filter")  # fmt: skip
        yield KeyBar(id="keys")

    @property
    def task_list(self) -> TaskList:
        return self.screen_stack[0].query_one("#tasks", TaskList)

    def on_mount(self) -> None:
        tasks = self.task_list
        tasks.selected = self.selected
        tasks.today = self.today
        self.query_one("#filter", Input).display = False
        self.reload()
        # What the app holds from here on (Textual's widgets, the vault's records) is left
        # out of the garbage collector's full passes: with 10,000 tasks one took ~150 ms, in
        # the middle of a key. Records replaced later are freed as before (by reference count).
        _freeze_heap()
        tasks.focus()
        self._keys_from = _time.get_time()
        if self.watching:
            self.watch_vault()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.time < self._keys_from \
                and event.key not in _QUIT_KEYS:  # fmt: skip
            # Typed while the vault was loading: no task was on the screen for it to act
            # on, and the first one highlighted would have taken it (`a` accepted a task the
            # user never saw).
            if not self._keys_dropped:
                self._keys_dropped = True
                self.notify("Keys typed while the vault was loading were not taken: "
                            "nothing was shown yet")  # fmt: skip
            return
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.pairs.close()
        gc.unfreeze()

    # -- data ------------------------------------------------------------------------------

    def _read_settings_again(self) -> bool:
        """The Tasks plugin's settings (and tasksync's) as they are now: changed in Obsidian
        while the app runs, they are what the next key writes with. Whether they changed
        what a line reads as. Unreadable now (a save under way), the last ones stay."""
        try:
            statuses = load_status_table(self.vault)
        except TasksyncError as exc:
            self.notify(f"{exc}", severity="warning", timeout=8)
            return False
        before = getattr(self.statuses, "fingerprint", lambda: "")()
        self.statuses = statuses
        return statuses.fingerprint() != before

    def reload(self, handed: Handed | None = None) -> None:
        """Bring the index up to date and read again the notes that changed (all of them
        when the people changed); the cursor stays on its task. ``handed``: what a batch of
        the app wrote and the index took over (only those rows are read again)."""
        settings_changed = self._read_settings_again()
        with Store(self.db) as store:
            sync(self.vault, store, self.statuses)
            states = {path: state.hash for path, state in store.note_states().items()}
            people_rows = store.people()
            everything = people_rows != self._people_rows or settings_changed
            if everything:
                self.people = load_people(self.vault, store)
                self._people_rows = people_rows
                self.by_path, self._rows = {}, {}
                for row in store.all_rows():
                    record = tuple_record(row)
                    record["person"] = self.people.resolve(record["owner"])
                    self._rows[row[0]] = row
                    self.by_path.setdefault(record["path"], []).append(record)
                self.by_id = {r["id"]: r for records in self.by_path.values() for r in records}
                self._note_counts = {}
            else:
                changed = {p for p, h in states.items() if self._hashes.get(p) != h}
                for path in changed | (set(self._hashes) - set(states)):
                    held = self.by_path.get(path, [])
                    patch = self._handed_records(store, path, states.get(path), handed)
                    found = self._note_records(store, path) if patch is None else patch[0]
                    if found:
                        self.by_path[path] = found
                    else:
                        self.by_path.pop(path, None)
                    self._reindex(held, found, patch[1] if patch is not None else None)
            self._hashes = states
        self.records = list(chain.from_iterable(self.by_path.values()))
        self._update_twins()
        self.counts = self._count()
        self.refresh_rows()
        self._find_elsewhere()

    def _note_records(self, store: Store, path: str) -> list[Record]:
        """A changed note's records: those of rows that did not change are the ones held
        already (one accept in a note of 10,000 tasks makes one record, not 10,000)."""
        held = {r["id"]: r for r in self.by_path.get(path, ())}
        records = []
        for row in store.previous_rows(path):
            record = held.get(row[0])
            if record is None or self._rows.get(row[0]) != row:
                record = tuple_record(row)
                record["person"] = self.people.resolve(record["owner"])
                self._rows[row[0]] = row
            records.append(record)
        for gone in held.keys() - {r["id"] for r in records}:
            self._rows.pop(gone, None)
        return records

    def _handed_records(
        self, store: Store, path: str, now: str | None, handed: Handed | None
    ) -> tuple[list[Record], list[int]] | None:
        """The note's records after a batch the index took over: its changed tasks' rows
        read again, the others' records kept (one accept in a note of 10,000 tasks reads one
        row), and the places of the records replaced. None when the note may have changed
        otherwise (then it is read whole)."""
        if handed is None or path not in handed.hashes:
            return None
        before, after = handed.hashes[path]
        held = self.by_path.get(path)
        if held is None or now is None or (self._hashes.get(path), now) != (before, after):
            return None
        changes = [c for c in handed.changes if c.path == path]
        if not changes or any(len(c.before) != 1 or len(c.after) != 1 or not c.task_id
                              for c in changes):  # fmt: skip
            return None
        rows = store.rows_of([c.task_id for c in changes])
        records, places, taken = list(held), [], set()
        # many changes (accept all): each record's place by its line, looked up
        at_line = {r["line"]: i for i, r in enumerate(records)} if len(changes) > 64 else None
        for change in changes:
            row = rows.get(change.task_id)
            if at_line is not None:
                at = at_line.get(change.line, len(records))
            else:
                at = bisect_left(records, change.line, key=lambda r: r["line"])
            if row is None or at >= len(records) or at in taken:
                return None
            taken.add(at)
            old, record = records[at], tuple_record(row)
            if (old["id"], old["line"], old["raw"]) != (change.task_id, change.line,
                                                        change.before[0]):  # fmt: skip
                return None  # the app did not hold what the batch changed
            if (record["path"], record["line"], record["raw"]) != (path, change.line,
                                                                   change.after[0]):  # fmt: skip
                return None  # the index does not hold what the batch wrote
            record["person"] = self.people.resolve(record["owner"])
            self._rows[row[0]] = row
            records[at] = record
            places.append(at)
        return records, places

    def _reindex(self, held: list[Record], found: list[Record], places: list[int] | None) -> None:
        """``by_id`` after a note's records went from ``held`` to ``found`` (``places``: the
        only records replaced, when known)."""
        if places is not None:
            gone, came = [held[i] for i in places], [found[i] for i in places]
        else:
            gone, came = held, found
        for record in gone:
            if self.by_id.get(record["id"]) is record:
                del self.by_id[record["id"]]
        for record in came:
            self.by_id[record["id"]] = record

    def _count(self) -> dict[str, int]:
        """``counts`` of every record, each note's counts kept while its records are."""
        total = dict.fromkeys(VIEWS, 0)
        kept: dict[str, tuple[list[Record], dict[str, int]]] = {}
        for path, records in self.by_path.items():
            known = self._note_counts.get(path)
            if known is not None and known[0] is not records and len(known[0]) == len(records):
                places = changed_places(known[0], records)  # a few tasks changed: count those
                if len(places) < len(records) // 4:
                    gone = counts([known[0][i] for i in places], self.people)
                    came = counts([records[i] for i in places], self.people)
                    known = (records, {view: n - gone[view] + came[view]
                                       for view, n in known[1].items()})  # fmt: skip
            if known is None or known[0] is not records:
                known = (records, counts(records, self.people))
            kept[path] = known
            for view, count in known[1].items():
                total[view] += count
        self._note_counts = kept
        return total

    def _find_elsewhere(self) -> None:
        """Match the proposals against the other notes' tasks, in a worker thread (a vault
        of 50,000 tasks takes under a second), started a moment after the last change so
        that the key which made it is drawn first and keys in a row start one search; the
        marks appear when it is done."""
        self._elsewhere_generation += 1
        self.finding_elsewhere = True
        if self._elsewhere_timer is not None:
            self._elsewhere_timer.stop()
        self._elsewhere_timer = self.set_timer(ELSEWHERE_DELAY_S, self._start_elsewhere)

    def _start_elsewhere(self) -> None:
        self._elsewhere_timer = None
        generation, records, people = self._elsewhere_generation, list(self.records), self.people

        def find() -> None:
            found = matches_elsewhere(records, people)
            with suppress(RuntimeError):  # the app closed meanwhile
                self.call_from_thread(self._elsewhere_found, generation, found)

        self.run_worker(find, thread=True, group="elsewhere", exit_on_error=False)

    def _elsewhere_found(self, generation: int, found: dict[str, list[Match]]) -> None:
        if generation != self._elsewhere_generation:
            return  # the index changed again meanwhile: a newer search is on its way
        self.finding_elsewhere = False
        self.elsewhere = found
        try:
            tasks = self.task_list
        except NoMatches:  # the app is starting or closing: no task list to mark
            return
        tasks.elsewhere = {key: "✓" if _done(matches) else "○"
                                    for key, matches in found.items()}  # fmt: skip
        tasks.refresh()
        self.show_detail()

    def _update_twins(self) -> bool:
        """Whether any pair changed."""
        if self.pairs.update_notes(self.by_path):
            self.twins = self.pairs.twins
            self._twins_version += 1
            return True
        return False

    def _pairs_scored(self) -> None:
        """A note's pairs were scored in the background (called from a worker's thread)."""
        if self.is_running:
            with suppress(RuntimeError):  # the app closed meanwhile
                self.call_from_thread(self._show_pairs)

    def _show_pairs(self) -> None:
        """A note's pairs are known: its rows again if they have any (no redraw of 10,000
        rows for a note scored without a pair), and the details' word on the search."""
        changed = self._update_twins()
        _freeze_heap()  # the note's scored edges (tens of thousands), as at the start
        if changed:
            self.refresh_rows()
        else:
            self.show_detail()

    def refresh_rows(self, key: str | None = None, keep: bool = True) -> None:
        """Show the current screen's rows again. The cursor goes to ``key``; else (``keep``)
        it stays on its task or goes to its neighbour; else to the first task."""
        if self.view == "inbox":
            self.rows = self._inbox_rows()
        else:
            self.rows = view_rows(self.view, self.records, self.people, self.filter.text,
                                  self.twins)  # fmt: skip
        if self.selected:
            self.selected.intersection_update(r.key for r in self.rows)
        try:
            tasks = self.task_list
        except NoMatches:  # closing: the watcher saw the last write as the screen went
            return
        tasks.empty_message = (f"No task here matches “{self.filter.text}” (esc clears the "
                               "filter)." if self.filter else EMPTY[self.view])  # fmt: skip
        tasks.show(self.rows, key, keep)
        self.show_bars()
        self.show_detail()  # drawn with the rows, not a frame later (its message finds it shown)

    def _inbox_rows(self) -> list[Row]:
        """The Inbox, each note's rows kept while its tasks, the filter and its pairs are
        the same, and patched when a few of its tasks changed (an accept changes one note of
        hundreds, one task of thousands); filtered, from the rows made without a filter."""
        rows: list[Row] = []
        whole: dict[str, NoteRows] = {}
        shown: dict[str, NoteRows] = {}
        keep, everything = self.filter, Filter()
        for path in notes_newest_first(self.by_path):
            records, pairs = self.by_path[path], self.pairs.note_pairs(path)
            made = self._made_rows(self._whole_rows.get(path), path, records, pairs, everything)
            whole[path] = made
            if keep:
                known = self._shown_rows.get(path)
                patched = None if known is None else self._patched_rows(known, records, pairs,
                                                                          keep)  # fmt: skip
                if patched is None and known is not None and known.records is records and \
                        known.pairs is pairs and keep.narrows(Filter(known.text)):  # fmt: skip
                    made = known  # typing on: the rows shown are fewer, never others
                made = patched or made.narrowed(keep)
                shown[path] = made
            rows += made.shown()
        self._whole_rows, self._shown_rows = whole, shown
        return rows

    def _made_rows(self, known: NoteRows | None, path: str, records: list[Record],
                   pairs: NotePairs, keep: Filter) -> NoteRows:  # fmt: skip
        """The note's rows: ``known`` patched, or made afresh."""
        patched = None if known is None else self._patched_rows(known, records, pairs, keep)
        return patched or NoteRows.made(path, records, keep, self.twins, pairs)

    def _patched_rows(self, known: NoteRows, records: list[Record],
                      pairs: NotePairs, keep: Filter) -> NoteRows | None:  # fmt: skip
        """``known`` if they are still the note's rows, else patched (None: cannot be)."""
        if known.text != keep.text:
            return None
        if known.records is records and known.pairs is pairs:
            return known
        return known.patched(records, keep, self.twins, pairs, self.by_id)

    def show_bars(self) -> None:
        shown = sum(r.record is not None for r in self.rows) if self.filter else None
        note = f"filter: {self.filter.text}" if self.filter else ""
        tabs = [(TITLES[v], self.counts[v], v == self.view) for v in VIEWS]
        self.screen_stack[0].query_one("#tabs", TabBar).show_state(
            tabs, shown, len(self.selected), note
        )
        self.screen_stack[0].query_one("#keys", KeyBar).show_keys(keys.footer_keys(self.view))

    def current_row(self) -> Row | None:
        return self.task_list.current

    def current_record(self) -> Record | None:
        row = self.current_row()
        if row is None or row.record is None:
            self.notify("no task here", severity="warning")
            return None
        return row.record

    @on(TaskList.Highlighted)
    def show_detail(self) -> None:
        if not self.screen_stack:  # a highlight still in the queue as the app closes
            return
        row = self.current_row()
        twin = self.by_id.get(row.twin) if row is not None and row.twin else None
        note = ""
        if row is not None and row.record is not None and self.view == "inbox" and \
                row.record["path"] in self.pairs.pending_notes():  # fmt: skip
            note = "Still looking for near-duplicates in this note (it has many tasks)."
        elif row is not None and row.record is not None and self.view == "inbox":
            note = self._tracked_note(row.record)
        self.screen_stack[0].query_one("#detail", Details).show(
            self.vault, row, twin, "" if row is None else note
        )

    def _tracked_note(self, record: Record) -> str:
        """Where the proposal is tracked already (``✓ done in 1-1 Alon.md:53``), if it is."""
        matches = self.elsewhere.get(record["id"], [])
        lines = []
        for match in matches:
            other = match.record
            state = "✓ done" if other["status_type"] == "DONE" else "○ open"
            lines.append(f"{state} in {other['path'].rsplit('/', 1)[-1]}:{other['line']} "
                         f"({match.score:.0f}%): {other['description']}")  # fmt: skip
        if lines:
            lines.append("t rejects this one as tracked there.")
        return "\n".join(lines)

    # -- writing ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key acts only on the screens it is for (and only on the task screens)."""
        for key in keys.KEYS:
            if key.action.partition("(")[0] == action:
                return self.view in key.views
        return True

    def _write(self, made: Batch, records: list[Record], redoing: bool = False) -> Outcome | None:
        if len(records) > IN_BACKGROUND:
            self._write_in_background(made, records, redoing)
            return None
        try:
            outcome, handed = write(self.vault, self.db, self.statuses, made, records,
                                    held=self._held(records))  # fmt: skip
        except TasksyncError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return None
        self._written(made, outcome, redoing, handed)
        return outcome

    def _held(self, records: list[Record]) -> Held:
        """The records held of these records' notes, and the hashes they were read at."""
        paths = {r["path"] for r in records}
        return {p: (self._hashes.get(p), self.by_path.get(p, [])) for p in paths}

    def _written(self, made: Batch, outcome: Outcome, redoing: bool,
                 handed: Handed | None = None) -> None:  # fmt: skip
        for error in outcome.errors:
            self.notify(_worded(error), severity="error", timeout=10)
        if outcome.changes:
            taken = {c.task_id for c in outcome.changes}
            count = len(taken)
            whole = count == len(made.ids) or made.all_or_nothing  # a merge: written whole
            what = made.what if whole else f"{count:,} of {made.what}"
            # What u undoes and U redoes is what was written: a task refused (changed in the
            # note meanwhile) is not written by a redo either.
            self.history.did(made if whole else _only(made, taken, self.by_id), redoing, handed)
            if redoing:
                self._redo_after = self._newest_batch()
            again = "redone" if redoing else "u undoes"
            self.notify(f"{made.verb.capitalize()} {what} — {again}")
        self.reload(handed)
        if not outcome.changes and not outcome.errors:
            self.notify(f"Nothing to change: {self._as_it_is(made)}", severity="warning")

    def _as_it_is(self, made: Batch) -> str:
        """Why a batch changed nothing: its task is so already — or, answered in another
        editor meanwhile, is something else now (said as the note holds it)."""
        record = self.by_id.get(made.ids[0]) if len(made.ids) == 1 else None
        kind, verb = record["status_type"] if record else None, made.verb.removesuffix("ed")
        if kind is None or verb not in ALREADY or kind == _MADE_BY.get(verb):
            return f"{made.what} already {made.verb}"
        return f"{made.what} is {STATUS_WORDS.get(kind, kind.lower())} in the note now"

    def _write_in_background(self, made: Batch, records: list[Record], redoing: bool) -> None:
        notes = len({r["path"] for r in records})
        counter = Counter()
        title = (f"{made.verb.capitalize()}: {len(records):,} tasks in {notes:,} "
                 f"note{'s' if notes != 1 else ''}…")  # fmt: skip

        held = self._held(records)

        def run() -> tuple[Outcome, Handed | None]:
            return write(self.vault, self.db, self.statuses, made, records, counter, held)

        def done(result: tuple[Outcome, Handed | None]) -> None:
            self._written(made, result[0], redoing, result[1])

        self._in_background(title, len(records), counter, run, done)

    def _in_background(self, title: str, total: int | None, counter: Counter | None,
                       run: Callable[[], T], done: Callable[[T], None]) -> None:  # fmt: skip
        """Run ``run`` (a batch) in a worker thread behind a progress dialog, then ``done``
        with its result here. Every key waits meanwhile: the dialog takes them."""
        progress = ProgressScreen(title, total)
        self._open(progress)

        def tick() -> None:
            if counter is None or total is None:
                return
            stage = ("writing the notes" if counter.count < total
                     else "reading the written notes into the index")  # fmt: skip
            progress.advance(counter.count, stage)

        timer = self.set_interval(0.1, tick)

        def finish(result: T | None, error: str | None) -> None:
            timer.stop()
            while progress in self.screen_stack and self.screen is not progress:
                self.pop_screen()  # whatever opened over it (dismiss closes the top screen)
            if self.screen is progress:
                progress.dismiss(None)
            if result is None:
                self.notify(error or "not written", severity="error", timeout=10)
                self.reload()
            else:
                done(result)
            _freeze_heap()  # thousands of records made again

        def work() -> None:
            try:
                result = run()
            except TasksyncError as exc:
                self.call_from_thread(finish, None, str(exc))
                return
            self.call_from_thread(finish, result, None)

        self.run_worker(work, thread=True, group="write", exit_on_error=False)

    def _triage_tags(self) -> tuple[str, ...]:
        return load_triage_tags(self.vault)

    def _accepting(self) -> Edit:
        tags, statuses = self._triage_tags(), self.statuses
        return lambda task: (edits.accepted_line(task, statuses, tags),)

    def _rejecting(self) -> Edit:
        tags, statuses, today = self._triage_tags(), self.statuses, self.today
        return lambda task: (edits.rejected_line(task, today, statuses, tags),)

    def _completing(self) -> Edit:
        tags, statuses, today = self._triage_tags(), self.statuses, self.today

        def complete(task: Task) -> tuple[str, ...]:
            if task.status_type is StatusType.PROPOSED:  # done is an answer too: the tag goes
                task = edits.remove_tags(task, tags, statuses)
            return edits.complete(task, today, statuses)

        return complete

    def action_accept(self) -> None:
        record = self.current_record()
        if record:
            self._write(batch("accepted", [record], self._accepting()), [record])

    def action_reject(self) -> None:
        record = self.current_record()
        if record:
            self._write(batch("rejected", [record], self._rejecting()), [record])

    def action_done(self) -> None:
        record = self.current_record()
        if record:
            self._write(batch("done", [record], self._completing()), [record])

    def action_merge(self) -> None:
        record = self.current_record()
        if record is None:
            return
        twin = self.by_id.get(self.twins.get(record["id"], ""))
        if twin is None:
            pending = record["path"] in self.pairs.pending_notes()
            self.notify(
                "still looking for near-duplicates in this note: try again in a moment"
                if pending
                else "this task has no near-duplicate",
                severity="warning",
            )
            return

        def merge(choice: MergeChoice | None) -> None:
            if choice is None:
                return
            due = choice.reject["due"] if choice.take_due else None
            shown_due, statuses = choice.keep["due"], self.statuses

            def keep(task: Task) -> tuple[str, ...]:
                if due is None:
                    return (task.raw,)
                now = task.due.isoformat() if task.due else None
                if now != shown_due:  # set in the note since the dialog showed the task
                    raise edits.CannotEdit(
                        f"its due date changed in the note meanwhile (now {now or 'none'}): "
                        f"taking the twin's {due} would overwrite it")  # fmt: skip
                return (edits.set_date(task, "due", date.fromisoformat(due), statuses).raw,)

            made = Batch("merged", (choice.keep["id"], choice.reject["id"]),
                         {choice.keep["id"]: keep, choice.reject["id"]: self._rejecting()},
                         f"{quoted(choice.keep)} (rejected {quoted(choice.reject)})",
                         all_or_nothing=True)  # fmt: skip
            self._write(made, [choice.keep, choice.reject])

        self._open(MergeScreen(record, twin), merge)

    def action_reject_tracked(self) -> None:
        record = self.current_record()
        if record is None:
            return
        matches = self.elsewhere.get(record["id"])
        if not matches:
            self.notify("still looking for this task in the other notes: try again in a moment"
                        if self.finding_elsewhere
                        else "no task of another note says the same as this one",
                        severity="warning")  # fmt: skip
            return
        link = note_link(matches[0].record, self.by_path)
        tags, statuses, today = self._triage_tags(), self.statuses, self.today
        made = batch("rejected as tracked", [record],
                     lambda task: (tracked_line(task, link, today, statuses, tags),))  # fmt: skip
        self._write(made, [record])

    def action_agenda(self) -> None:
        record = self.current_record()
        if record is None:
            return
        person = record.get("person") or record["owner"]
        if not person:
            self.notify("this task has no owner", severity="warning")
            return
        from tasksync.query.agenda import agenda, agenda_markdown, default_since, find_person
        from tasksync.read.vault import read_note

        vault = self.vault

        def note_lines(path: str) -> list[str] | None:
            try:
                return read_note(vault / path).text.split("\n")
            except OSError:
                return None

        who = find_person(self.people, person, self._people_rows or [])
        since = default_since(note_lines(who.note) if who.note else None, self.today)
        result = agenda(who, self.people, self.records, since, note_lines)
        self._open(AgendaScreen(agenda_markdown(vault, result)))

    def action_select(self) -> None:
        row = self.current_row()
        if row is None or row.record is None:
            return
        self.selected ^= {row.key}
        self.task_list.step(1)
        self.task_list.refresh()
        self.show_bars()

    def _many(self, verb: str, edit: Edit) -> None:
        chosen = [r.record for r in self.rows if r.record and r.key in self.selected]
        done_elsewhere = [r for r in chosen if _done(self.elsewhere.get(r["id"], []))]
        if chosen and not (verb == "accepted" and done_elsewhere):
            self._write(batch(verb, chosen, edit), chosen)
            return
        shown = chosen or [r.record for r in self.rows
                           if r.record and r.record["status_type"] == "PROPOSED"]  # fmt: skip
        if not shown:
            self.notify("no proposed tasks shown", severity="warning")
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._write(batch(verb, shown, edit), shown)

        which = "selected" if chosen else "proposed tasks shown"
        question = f"{verb.removesuffix('ed').capitalize()} all {len(shown):,} {which}?"
        if self.filter and not chosen:
            question += f" (filter: {self.filter.text})"
        done_elsewhere = [r for r in shown if _done(self.elsewhere.get(r["id"], []))]
        if verb == "accepted" and done_elsewhere:
            count = len(done_elsewhere)
            question += (f" {count:,} of them {'is' if count == 1 else 'are'} already done in "
                         "another note (✓; t rejects one as tracked there).")  # fmt: skip
        self._open(ConfirmScreen(question), confirmed)

    def action_accept_many(self) -> None:
        self._many("accepted", self._accepting())

    def action_reject_many(self) -> None:
        self._many("rejected", self._rejecting())

    def action_edit(self) -> None:
        record = self.current_record()
        if record is not None:
            self._open(EditScreen(record, self.today, self._save_edit))

    def _save_edit(self, dialog: EditScreen, changes: Changes) -> None:
        edit, seen = changes.edit(self.statuses), dialog.record["raw"]

        def as_seen(task: Task) -> tuple[str, ...]:
            # The dialog's values go onto the line it shows, not onto one changed meanwhile
            # (a due date set in Obsidian would be overwritten): that is shown, then saved onto.
            if task.raw != seen:
                raise edits.CannotEdit(f"the task {REFUSED} and cannot be found for sure")
            return edit(task)

        made = batch("edited", [dialog.record], as_seen)
        try:
            outcome, handed = write(self.vault, self.db, self.statuses, made, [dialog.record],
                                    held=self._held([dialog.record]))  # fmt: skip
        except TasksyncError as exc:
            dialog.show_error(f"Not written: {exc}")
            return
        if outcome.changes:
            dialog.dismiss(None)
            self._written(made, outcome, False, handed)
            return
        held_before = set(self.by_id)
        self.reload()
        # The task by its id; or, reworded past recognition, the new task on its line — not
        # another task that moved up into it (its own line deleted in Obsidian).
        line = dialog.record["line"]
        now = self.by_id.get(dialog.record["id"]) or next(
            (r for r in self.by_path.get(dialog.record["path"], [])
             if r["line"] == line and r["id"] not in held_before), None)  # fmt: skip
        if now is not None:
            dialog.retarget(now)
        said = " ".join(_worded(e, in_dialog=now is not None) for e in outcome.errors)
        if said and now is None:
            said += " The task is no longer in the note: esc closes this dialog."
        dialog.show_error(said or "Nothing to change.")

    def action_undo(self) -> None:
        def run() -> UndoOutcome:
            with Store(self.db) as store:
                return undo_last(self.vault, store, self.statuses)

        last = self.history.done[-1] if self.history.done else None
        # the journal tells how big: the batch may be another session's (or the CLI's)
        if last is not None and len(last.ids) > IN_BACKGROUND:
            self._in_background(f"Undoing: {last.verb} {last.what}…", None, None, run,
                                self._undone)  # fmt: skip
            return
        with Store(self.db) as store:
            size = store.undo_size()
        if size > IN_BACKGROUND:
            self._in_background(f"Undoing the last batch ({size} changes)…", None, None, run,
                                self._undone)  # fmt: skip
            return
        try:
            outcome = run()
        except TasksyncError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self._undone(outcome)

    def _undone(self, outcome: UndoOutcome) -> None:
        for problem in outcome.problems:
            self.notify(problem, severity="error", timeout=10)
        handed = None
        if outcome.command is None:
            self.notify("nothing to undo", severity="warning")
        elif not outcome.reverted and outcome.still_open:  # a note it could not write
            self.notify(f"Nothing undone of `{outcome.command}`: {still_open(outcome)}",
                        severity="warning", timeout=10)  # fmt: skip
        elif not outcome.reverted and outcome.problems:  # its lines changed since: theirs
            self.history.closed(outcome.command)
            self.notify(f"Nothing undone of `{outcome.command}`: {nothing_undone(outcome)}",
                        severity="warning", timeout=10)  # fmt: skip
        else:
            reverted = self.history.undid(outcome.command, {c.task_id for c in outcome.reverted})
            self._redo_after = self._newest_batch()
            if reverted is not None:
                self.notify(f"Undid: {reverted.verb} {reverted.what} — U redoes")
                # written back line for line over what the index took of the batch: the
                # index takes the undo over too (the hashes tell, in reload)
                forward = self.history.handed.get(id(reverted))
                if forward is not None and not outcome.problems:
                    handed = forward.undone(outcome.reverted)
            else:
                self.notify(f"Undid `{outcome.command}`: {len(outcome.reverted)} line(s)")
        self.reload(handed)

    def _newest_batch(self) -> int:
        with Store(self.db) as store:
            return store.newest_batch()

    def action_redo(self) -> None:
        if self.history.undone and self._newest_batch() != self._redo_after:
            self.history.closed_redo()  # a change since (here or by any tasksync): forgotten
            self.notify("nothing to redo: the vault was changed since the undo",
                        severity="warning")  # fmt: skip
            return
        again = self.history.redo()
        if again is None:
            self.notify("nothing to redo", severity="warning")
            return
        records = [self.by_id[key] for key in again.ids if key in self.by_id]
        if len(records) != len(again.ids):
            self.notify(f"cannot redo {again.verb} {again.what}: its tasks changed since",
                        severity="error", timeout=10)  # fmt: skip
            return
        self._write(again, records, redoing=True)

    # -- finding and moving ----------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter.text
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        if Filter(event.value).text != self.filter.text:
            self.filter = Filter(event.value)
            selected = len(self.selected)
            self.refresh_rows()
            if len(self.selected) < selected:  # A / R act on what is shown: say what went
                hidden = selected - len(self.selected)
                what = ("1 selected task hidden by the filter is" if hidden == 1
                        else f"{hidden:,} selected tasks hidden by the filter are")  # fmt: skip
                self.notify(f"{what} no longer selected", severity="warning")

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.task_list.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.filter = Filter()
        self.refresh_rows()
        self.task_list.focus()

    def action_view(self, view: str) -> None:
        if view == self.view:
            return
        row = self.current_row()
        if row is not None:
            self.cursor_keys[self.view] = row.key
        self.view = view
        self.selected.clear()
        self.refresh_rows(self.cursor_keys.get(view), keep=False)

    def _step_view(self, by: int) -> None:
        if isinstance(self.screen, ModalScreen):  # in a dialog, tab moves between its fields
            (self.screen.focus_next if by > 0 else self.screen.focus_previous)()
            return
        self.action_view(VIEWS[(VIEWS.index(self.view) + by) % len(VIEWS)])
        self.task_list.focus()

    def action_next_view(self) -> None:
        self._step_view(1)

    def action_previous_view(self) -> None:
        self._step_view(-1)

    def action_cursor(self, step: int) -> None:
        self.task_list.step(step)

    def action_first(self) -> None:
        self.task_list.action_edge(0)

    def action_last(self) -> None:
        self.task_list.action_edge(1)

    def action_toggle_details(self) -> None:
        details = self.query_one("#detail", Details)
        details.display = not details.display

    def action_scroll_details(self, direction: int) -> None:
        details = self.query_one("#detail", Details)
        details.scroll_relative(y=direction * max(1, details.size.height - 2), animate=False)

    def action_help(self) -> None:
        self._open(HelpScreen())

    def _open(self, dialog: ModalScreen[R], done: Callable[[R | None], None] | None = None) -> None:
        """A dialog opens clear of the toasts of the keys before it: at 80×24 they covered
        its bottom rows, where its buttons and question end."""
        self.clear_notifications()
        self.push_screen(dialog, done)

    def action_command_palette(self) -> None:
        if isinstance(self.screen, ProgressScreen):
            return  # every key waits while a batch is written, ctrl+p too
        super().action_command_palette()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette: the actions of the current screen, then Textual's own."""
        if screen is self.screen_stack[0]:
            for key in keys.KEYS:
                if self.view in key.views and key.action not in keys.NOT_IN_PALETTE:
                    # The palette lists by name and highlights the first: those that change
                    # notes say so, and come last (ctrl+p, enter must not write).
                    writes = key.action.split("(")[0] in keys.WRITING
                    label = key.label[:1].upper() + key.label[1:]
                    yield SystemCommand(f"Write: {key.label}" if writes else label,
                                        f"{key.help} — key: {key.shown}",
                                        partial(self.run_action, key.action))  # fmt: skip
        yield from super().get_system_commands(screen)

    def action_open_note(self) -> None:
        record = self.current_record()
        if record is None:
            return
        editor = os.environ.get("EDITOR")
        path = self.vault / record["path"]
        if editor:
            with self.suspend():
                subprocess.run([*shlex.split(editor), f"+{record['line']}", str(path)], check=False)
            self.reload()
            return
        uri = (f"obsidian://open?vault={quote(self.vault.resolve().name, safe='')}"
               f"&file={quote(record['path'], safe='')}")  # fmt: skip
        opener = "xdg-open" if os.name == "posix" else "open"
        try:
            subprocess.Popen([opener, uri], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.notify(f"opening {uri}")
        except OSError:
            self.notify(f"set $EDITOR, or open {uri}", severity="warning", timeout=8)

    @work(exclusive=True, group="watch")
    async def watch_vault(self) -> None:
        """Notes changed elsewhere (Obsidian, an editor) appear without a restart."""
        from watchfiles import awatch

        async for changes in awatch(self.vault, debounce=300, recursive=True,
                                    watch_filter=worth_a_look):  # fmt: skip
            self.reload()
            if a_folder_appeared(changes):
                await asyncio.sleep(0.3)
                self.reload()


def _freeze_heap() -> None:
    """Leave what the app holds now out of the garbage collector's full passes: with
    10,000 tasks and their pairs' edges one took 55-150 ms, in the middle of a key. What is
    replaced later is freed as before (by reference count)."""
    gc.collect(1)
    gc.freeze()


def _done(matches: list[Match]) -> bool:
    return any(m.record["status_type"] == "DONE" for m in matches)


def _worded(error: str, in_dialog: bool = False) -> str:
    """The write layer's refusal, in the TUI's words (it speaks of commands and scans)."""
    if REFUSED not in error:
        return error
    where = error.split(": the task", 1)[0]
    said = (
        # the dialog names the note above its fields: not again here, where room is short
        f"Not written: this task changed in the note since it was listed "
        f"({'' if in_dialog else f'{where}: '}reworded, moved or duplicated in another editor)."
    )
    if in_dialog:
        said += (" Your values are kept, and the task is shown as the note holds it now: "
                 "enter saves them onto it, esc cancels.")  # fmt: skip
    return said


def _only(made: Batch, taken: set[str], records: dict[str, Record]) -> Batch:
    """The batch as far as it was written: the tasks ``taken``."""
    ids = tuple(key for key in made.ids if key in taken)
    what = quoted(records[ids[0]]) if len(ids) == 1 and ids[0] in records else f"{len(ids):,} tasks"
    return dataclasses.replace(made, ids=ids, what=what)


def make_app(vault: Path, db: Path, today: date | None = None, watch: bool = True) -> TasksyncApp:
    return TasksyncApp(vault, db, today, watch)


__all__ = ["TasksyncApp", "make_app"]
