"""`tasksync tui`: triage proposed tasks, follow open ones. Every change goes through the
write-back layer (edits + writeback); the app never writes a note itself."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from tasksync.app import load_people
from tasksync.config import load_status_table, load_triage_tags
from tasksync.dates import parse_day
from tasksync.errors import TasksyncError
from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.model import Priority, StatusTable, Task
from tasksync.query.people import People
from tasksync.read.notes import frontmatter_end
from tasksync.read.records import Record
from tasksync.read.vault import read_note
from tasksync.tui.views import TITLES, VIEWS, Row, followup_rows, inbox_rows, open_rows, overdue
from tasksync.write import edits
from tasksync.write.actions import Outcome, run_batch, targets_of, undo_last

FIRST_PAINT = 300  # rows shown at once; the rest are added in batches right after
BATCH = 1000
_PRIORITY = {"highest": "🔺", "high": "⏫", "medium": "🔼", "normal": "", "low": "🔽",
             "lowest": "⏬"}  # fmt: skip


@dataclass
class EditValues:
    due: date | str | None  # "" = unchanged
    priority: Priority | None
    owner: str | None  # "" = unchanged, "none" = remove


class EditScreen(ModalScreen[EditValues | None]):
    """Due, priority and owner of one task, checked before anything is written."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, record: Record, today: date) -> None:
        super().__init__()
        self.record, self.today = record, today

    def compose(self) -> ComposeResult:
        with Vertical(id="edit"):
            yield Label(f"Edit: {self.record['description'][:70]}")
            yield Input(self.record["due"] or "", placeholder="due: 2026-12-01, today, fri, "
                        "+3d, next week, none", id="due")  # fmt: skip
            yield Input(self.record["priority"], placeholder="priority: highest high medium "
                        "normal low lowest", id="priority")  # fmt: skip
            yield Input(self.record["owner"] or "", placeholder="owner (empty: none)", id="owner")
            yield Label("", id="error")
            with Horizontal():
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        due_text = self.query_one("#due", Input).value.strip()
        priority_text = self.query_one("#priority", Input).value.strip().lower() or "normal"
        owner_text = self.query_one("#owner", Input).value.strip().lstrip("@")
        try:
            due: date | str | None = (
                None if due_text.lower() in ("", "none") else parse_day(due_text, self.today)
            )
        except TasksyncError as exc:
            self.query_one("#error", Label).update(Text(str(exc), style="red"))
            return
        if priority_text not in {p.value for p in Priority}:
            self.query_one("#error", Label).update(
                Text(f"not a priority: {priority_text}", style="red"))  # fmt: skip
            return
        self.dismiss(EditValues(due, Priority(priority_text), owner_text or "none"))


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question)
            yield Label("y: yes   n: no")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


HELP = """\
tasksync — keys

  ↑/↓ or j/k  move            tab    next screen (Inbox, Open, Follow-ups)
  a  accept (proposed → to do) r      reject (proposed → cancelled)
  d  done                      e      edit due / priority / owner
  m  merge: keep this task, reject its duplicates
  space  select                A / R  accept / reject the selected (or all shown)
  u  undo the last change      /      filter: words, @owner, #tag
  o  open the note             q      quit

Every change is written into the Markdown notes (atomically, undoably).
Press any key to close."""


class HelpScreen(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help")

    def on_key(self) -> None:
        self.dismiss(None)


class TasksyncApp(App[None]):
    """The triage app for one vault."""

    TITLE = "tasksync"
    CSS_PATH = "tasksync.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept"),
        Binding("r", "reject", "Reject"),
        Binding("d", "done", "Done"),
        Binding("e", "edit", "Edit"),
        Binding("m", "merge", "Merge"),
        Binding("space", "select", "Select"),
        Binding("A", "accept_many", "Accept sel."),
        Binding("R", "reject_many", "Reject sel."),
        Binding("u", "undo", "Undo"),
        Binding("slash", "filter", "Filter"),
        Binding("o", "open_note", "Open"),
        Binding("tab", "next_view", "Next screen", priority=True),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, vault: Path, db: Path, today: date | None = None,
                 watch: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.vault, self.db, self.fixed_today, self.watching = vault, db, today, watch
        self.view = "inbox"
        self.filter_text = ""
        self.records: list[Record] = []
        self.rows: list[Row] = []
        self.selected: set[str] = set()
        self.people = People.build([], ())
        self._generation = 0
        self.statuses: StatusTable = load_status_table(vault)

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
            yield Static(id="detail")
        yield Input(placeholder="filter: words, @owner, #tag — enter to apply, empty to clear",
                    id="filter")  # fmt: skip
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#tasks", DataTable)
        table.add_columns(" ", "due", "", "owner", "task")
        self.query_one("#filter", Input).display = False
        self.reload()
        table.focus()
        if self.watching:
            self.watch_vault()

    # -- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Bring the index up to date and show the current screen again, cursor kept."""
        with Store(self.db) as store:
            sync(self.vault, store, self.statuses)
            self.people = load_people(self.vault, store)
            self.records = self.people.with_persons(store.records())
        self.refresh_rows()

    def refresh_rows(self) -> None:
        table = self.query_one("#tasks", DataTable)
        current = self.current_key()
        index = table.cursor_row
        previous = self.rows
        if self.view == "inbox":
            self.rows = inbox_rows(self.records, self.filter_text)
        elif self.view == "open":
            self.rows = open_rows(self.records, self.filter_text)
        else:
            self.rows = followup_rows(self.records, self.people, self.filter_text)
        self.selected &= {r.key for r in self.rows}
        self._fill(table, previous)
        keys = [r.key for r in self.rows]
        if current in keys:
            table.move_cursor(row=keys.index(current))
        elif keys:  # the task now at the old place (or the next one: not a heading)
            start = min(index, len(keys) - 1)
            tasks = [i for i, r in enumerate(self.rows) if r.record is not None]
            after = [i for i in tasks if i >= start]
            table.move_cursor(row=after[0] if after else tasks[-1] if tasks else start)
        self._header()
        self.show_detail()

    def _fill(self, table: DataTable[Any], previous: list[Row]) -> None:
        """Show ``self.rows``. When rows only went away (an accept, a reject), remove just those
        and redraw the changed ones: with 10,000 tasks a full rebuild takes a second."""
        new_keys = [r.key for r in self.rows]
        old_keys = [r.key for r in previous]
        kept = set(new_keys)
        if table.row_count == len(previous) and [k for k in old_keys if k in kept] == new_keys:
            old = {r.key: r for r in previous}
            for key in old_keys:
                if key not in kept:
                    table.remove_row(key)
            for row in self.rows:
                if row != old[row.key]:
                    for column, cell in zip(table.ordered_columns, self._cells(row), strict=True):
                        table.update_cell(row.key, column.key, cell)
            return
        table.clear()
        self._generation += 1
        self._append_rows(table, 0, self._generation, FIRST_PAINT)

    def _append_rows(self, table: DataTable[Any], start: int, generation: int, count: int) -> None:
        """Add rows from ``start``; the rest follow in batches after the screen has painted, so
        the first screen of a 10,000-task inbox shows at once."""
        if generation != self._generation:
            return  # the list was rebuilt meanwhile
        for row in self.rows[start : start + count]:
            table.add_row(*self._cells(row), key=row.key)
        if start + count < len(self.rows):
            self.set_timer(0.01, lambda: self._append_rows(
                table, start + count, generation, BATCH))  # fmt: skip

    def _cells(self, row: Row) -> tuple[Text, ...]:
        if row.record is None:
            return (Text(""), Text(""), Text(""), Text(""),
                    Text(row.heading, style="bold underline"))  # fmt: skip
        r = row.record
        mark = "●" if row.key in self.selected else ("↳" if row.duplicate_of else "")
        due = Text(r["due"] or "", style="bold red" if overdue(r, self.today) else "")
        owner = r.get("person") or r["owner"] or ""
        owner = owner if len(owner) <= 14 else owner[:13] + "…"
        return (Text(mark, style="cyan"), due, Text(_PRIORITY[r["priority"]]),
                Text(owner, style="cyan"),
                Text(r["description"], style="dim" if row.duplicate_of else ""))  # fmt: skip

    def _header(self) -> None:
        counts = {
            "inbox": sum(r["status_type"] == "PROPOSED" for r in self.records),
            "open": len(open_rows(self.records)),
            "followups": len([r for r in followup_rows(self.records, self.people) if r.record]),
        }
        parts = [f"[{TITLES[v]} {counts[v]}]" if v == self.view else f"{TITLES[v]} {counts[v]}"
                 for v in VIEWS]  # fmt: skip
        shown = f" · filter: {self.filter_text}" if self.filter_text else ""
        self.sub_title = "  ".join(parts) + shown

    def current_row(self) -> Row | None:
        table = self.query_one("#tasks", DataTable)
        if not self.rows or not 0 <= table.cursor_row < min(len(self.rows), table.row_count):
            return None
        return self.rows[table.cursor_row]

    def current_key(self) -> str | None:
        row = self.current_row()
        return row.key if row else None

    def current_record(self) -> Record | None:
        row = self.current_row()
        if row is None or row.record is None:
            self.notify("no task here", severity="warning")
            return None
        return row.record

    @on(DataTable.RowHighlighted)
    def show_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        row = self.current_row()
        if row is None or row.record is None:
            detail.update(Text("no tasks" if not self.rows else row.heading if row else ""))
            return
        r = row.record
        text = Text()
        text.append(r["raw"].strip() + "\n\n", style="bold")
        text.append(f"{r['path']}:{r['line']}\n", style="cyan")
        if r["heading"]:
            text.append(f"under: {r['heading']}\n")
        summary = _summary(self.vault / r["path"])
        if summary:
            text.append(f"\n{summary}\n", style="italic")
        text.append("\n")
        for key in ("id", "status_type", "owner", "person", "priority", "due", "scheduled",
                    "start", "created", "done", "cancelled", "recurrence", "task_id",
                    "depends_on", "tags", "problems"):  # fmt: skip
            value = r.get(key)
            if value in (None, [], ""):
                continue
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            text.append(f"{key:>12}  ", style="dim")
            text.append(shown + "\n", style="red" if key == "problems" else "")
        if row.duplicate_of:
            text.append("\nlooks like a duplicate of the task above (m to merge)\n", style="yellow")
        detail.update(text)

    # -- actions ---------------------------------------------------------------------------

    def _apply(
        self, verb: str, records: list[Record], edit: Callable[[Task], tuple[str, ...]]
    ) -> None:
        if not records:
            self.notify("nothing to do", severity="warning")
            return
        try:
            with Store(self.db) as store:
                targets = targets_of(store, records)
                outcome: Outcome = run_batch(
                    self.vault, store, self.statuses, f"tui {verb}", targets, edit, False
                )
        except TasksyncError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        for error in outcome.errors:
            self.notify(error, severity="error", timeout=8)
        count = len(outcome.changes)
        if count:
            self.notify(f"{verb}: {count} task{'s' if count != 1 else ''}")
        elif not outcome.errors:
            self.notify(f"{verb}: nothing changed", severity="warning")
        self.selected.clear()
        self.reload()

    def _rejecting(self, tags: tuple[str, ...]) -> Callable[[Task], tuple[str, ...]]:
        def reject(task: Task) -> tuple[str, ...]:
            return (edits.rejected_line(task, self.today, self.statuses, tags),)

        return reject

    def action_accept(self) -> None:
        record = self.current_record()
        if record:
            tags = load_triage_tags(self.vault)
            self._apply(
                "accepted", [record], lambda t: (edits.accepted_line(t, self.statuses, tags),)
            )

    def action_reject(self) -> None:
        record = self.current_record()
        if record:
            tags = load_triage_tags(self.vault)
            self._apply("rejected", [record], self._rejecting(tags))

    def action_done(self) -> None:
        record = self.current_record()
        if record:
            self._apply("done", [record], lambda t: edits.complete(t, self.today, self.statuses))

    def action_merge(self) -> None:
        row = self.current_row()
        if row is None or row.record is None:
            self.notify("no task here", severity="warning")
            return
        keep = row.duplicate_of or row.key
        twins = [r.record for r in self.rows if r.record and r.duplicate_of == keep]
        if not twins:
            self.notify("this task has no duplicate", severity="warning")
            return
        tags = load_triage_tags(self.vault)
        self._apply("merged (duplicates rejected)", twins, self._rejecting(tags))

    def action_select(self) -> None:
        row = self.current_row()
        if row is None or row.record is None:
            return
        self.selected ^= {row.key}
        table = self.query_one("#tasks", DataTable)
        index = table.cursor_row
        table.update_cell(row.key, table.ordered_columns[0].key, self._cells(row)[0])
        if index + 1 < len(self.rows):
            table.move_cursor(row=index + 1)

    def _many(self, verb: str, make: Callable[[list[Record]], None]) -> None:
        chosen = [r.record for r in self.rows if r.record and r.key in self.selected]
        if chosen:
            make(chosen)
            return
        visible = [
            r.record for r in self.rows if r.record and r.record["status_type"] == "PROPOSED"
        ]
        if not visible:
            self.notify("no proposed tasks shown", severity="warning")
            return

        def confirmed(answer: bool | None) -> None:
            if answer:
                make(visible)

        self.push_screen(
            ConfirmScreen(f"{verb} all {len(visible)} proposed tasks shown?"), confirmed
        )

    def action_accept_many(self) -> None:
        tags = load_triage_tags(self.vault)

        def accepting(task: Task) -> tuple[str, ...]:
            return (edits.accepted_line(task, self.statuses, tags),)

        self._many("Accept", lambda records: self._apply("accepted", records, accepting))

    def action_reject_many(self) -> None:
        tags = load_triage_tags(self.vault)
        self._many(
            "Reject", lambda records: self._apply("rejected", records, self._rejecting(tags))
        )

    def action_edit(self) -> None:
        record = self.current_record()
        if record is None:
            return

        def save(values: EditValues | None) -> None:
            if values is None:
                return

            def change(task: Task) -> tuple[str, ...]:
                due = values.due if isinstance(values.due, date) else None
                task = edits.set_date(task, "due", due, self.statuses)
                if values.priority is not None:
                    task = edits.set_priority(task, values.priority, self.statuses)
                owner = None if values.owner in (None, "none") else values.owner
                task = edits.set_owner(task, owner, self.statuses)
                return (task.raw,)

            self._apply("edited", [record], change)

        self.push_screen(EditScreen(record, self.today), save)

    def action_undo(self) -> None:
        try:
            with Store(self.db) as store:
                outcome = undo_last(self.vault, store, self.statuses)
        except TasksyncError as exc:
            self.notify(str(exc), severity="error")
            return
        if outcome.command is None:
            self.notify("nothing to undo", severity="warning")
        else:
            self.notify(f"undid {outcome.command}: {len(outcome.reverted)} line(s)")
        for problem in outcome.problems:
            self.notify(problem, severity="error", timeout=8)
        self.reload()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    @on(Input.Submitted, "#filter")
    def _filter(self, event: Input.Submitted) -> None:
        self.filter_text = event.value.strip()
        event.input.display = False
        self.query_one("#tasks", DataTable).focus()
        self.refresh_rows()

    def action_next_view(self) -> None:
        if self.screen is not self.screen_stack[0] or self.query_one("#filter", Input).has_focus:
            self.screen.focus_next()  # in a dialog or the filter box, tab moves between fields
            return
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.selected.clear()
        self.refresh_rows()

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#tasks", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

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

        async for _changes in awatch(self.vault, debounce=300, recursive=True,
                                     watch_filter=lambda _c, p: p.endswith(".md")):  # fmt: skip
            self.reload()


_SUMMARIES: dict[tuple[Path, int], str] = {}


def _summary(path: Path) -> str:
    """The note's summary paragraph (cached while the note is unchanged)."""
    try:
        key = (path, path.stat().st_mtime_ns)
    except OSError:
        return ""
    if key not in _SUMMARIES:
        _SUMMARIES[key] = _read_summary(path)
    return _SUMMARIES[key]


def _read_summary(path: Path) -> str:
    """The note's summary paragraph: under a `Summary` heading, else its first paragraph."""
    try:
        lines = read_note(path).text.split("\n")
    except OSError:
        return ""
    body = lines[frontmatter_end(lines) :]
    headings = [i for i, line in enumerate(body) if line.startswith("#")]
    start = next(
        (i + 1 for i in headings if body[i].lstrip("#").strip().lower() == "summary"), None
    )
    candidates = body[start:] if start is not None else body
    paragraph: list[str] = []
    for line in candidates:
        text = line.strip()
        if not text:
            if paragraph:
                break
            continue
        if text.startswith(("#", "- ", "* ", "|", ">", "```", "**", "---", "<!--", "%%", "!")):
            if paragraph:
                break
            continue  # headings, lists, tables, quotes, code, comments: not prose
        if text.startswith("#"):
            break
        paragraph.append(text)
    summary = " ".join(paragraph)
    return summary[:600] + ("…" if len(summary) > 600 else "")


def make_app(vault: Path, db: Path, today: date | None = None, watch: bool = True) -> TasksyncApp:
    return TasksyncApp(vault, db, today, watch)


__all__ = ["TasksyncApp", "make_app"]
