"""The edit dialog: description, due date, priority and owner, each labelled. Only the
fields the user changed are rewritten; what they typed stays until the note holds it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.widgets import Input, Label, Static

from tasksync.dates import parse_day
from tasksync.errors import TasksyncError, UsageError
from tasksync.model import Priority, Segment, StatusTable, Task
from tasksync.read.parse import parse_task_line
from tasksync.read.records import Record
from tasksync.tui.bars import KeyBar
from tasksync.tui.modal import Dialog
from tasksync.write import edits

PRIORITIES = ", ".join(p.value for p in Priority)
DATE_WORDS = "2026-12-01, today, tomorrow, fri, next tuesday, in 3 days, +3d, next week"


@dataclass(frozen=True)
class Changes:
    """What the user changed (None: left as it was)."""

    description: str | None = None
    due: date | None = None
    due_removed: bool = False
    priority: Priority | None = None
    owner: str | None = None
    owner_removed: bool = False

    def __bool__(self) -> bool:
        return any(v not in (None, False) for v in vars(self).values())

    def edit(self, statuses: StatusTable) -> Callable[[Task], tuple[str, ...]]:
        """The edit run_batch applies to the task's line as it is now."""

        def change(task: Task) -> tuple[str, ...]:
            if self.description is not None:
                task = with_description(task, self.description, statuses)
            if self.due is not None or self.due_removed:
                task = edits.set_date(task, "due", self.due, statuses)
            if self.priority is not None:
                task = edits.set_priority(task, self.priority, statuses)
            if self.owner is not None or self.owner_removed:
                task = edits.set_owner(task, self.owner, statuses)
            return (task.raw,)

        return change


def read_changes(record: Record, description: str, due: str, priority: str, owner: str,
                 today: date) -> Changes:  # fmt: skip
    """The fields that differ from the record; UsageError names the first one that is wrong."""
    found: dict[str, object] = {}
    if " ".join(description.split()) != record["description"]:
        if not description.strip():
            raise UsageError("the description cannot be empty")
        found["description"] = description.strip()
    due_text = due.strip()
    if due_text.lower() in ("", "none"):
        found["due_removed"] = bool(record["due"])
    else:
        day = parse_day(due_text, today)
        if day.isoformat() != record["due"]:
            found["due"] = day
    level = priority.strip().lower() or "normal"
    if level not in {p.value for p in Priority}:
        raise UsageError(f"not a priority: {priority.strip()!r} (use {PRIORITIES})")
    if level != record["priority"]:
        found["priority"] = Priority(level)
    name = owner.strip().removeprefix("@").strip()
    if name != (record["owner"] or ""):
        found["owner"] = name or None
        found["owner_removed"] = not name
    return Changes(**found)  # type: ignore[arg-type]


def with_description(task: Task, description: str, statuses: StatusTable) -> Task:
    """The task with another description: the text between the checkbox and the owner (or
    the first field or tag) is replaced. Refused when the description has tags or fields
    inside it, or when the new one would not read back as typed."""
    for char in description:
        if unicodedata.category(char) == "Cc" or char in "\u2028\u2029":
            raise UsageError(f"the description holds a control character (U+{ord(char):04X})")
    segments = list(task.segments)
    start = next(i for i, s in enumerate(segments) if s.kind == "checkbox") + 1
    texts = [i for i in range(start, len(segments)) if segments[i].kind == "text"]
    first = texts[0] if texts and texts[0] == start else None
    later_words = [i for i in texts[1:] if segments[i].text.strip()]
    if first is None or later_words:
        raise UsageError("this task's description has tags or fields inside it: change it in "
                         "the note (o opens it)")  # fmt: skip
    old = segments[first].text
    lead, trail = old[: len(old) - len(old.lstrip())], old[len(old.rstrip()) :]
    segments[first] = Segment("text", f"{lead or ' '}{description}{trail}")
    edited = parse_task_line("".join(s.text for s in segments), statuses)
    unchanged = ("owner", "tags", "priority", "due", "scheduled", "start", "task_id")
    if edited.description != " ".join(description.split()) or any(
        getattr(edited, f) != getattr(task, f) for f in unchanged
    ):
        raise UsageError("that description would not read back as typed (a trailing field, "
                         "tag or @owner in it would be read as one): not written")  # fmt: skip
    return edited


Save = Callable[["EditScreen", Changes], None]
PREVIEW = 200  # characters of the task's line shown above the fields (they must stay in view)
PLACE = 60  # characters of the note's path shown above them: one line at 80 columns


# Input's own keys (backspace, the arrows, ctrl+u …) and what each does.
_EDITING_KEYS = {key.strip(): binding.action for binding in Input.BINDINGS
                 if isinstance(binding, Binding) for key in binding.key.split(",")}  # fmt: skip


class Field(Input):
    """A field whose editing keys act in the order typed. Textual runs them as bindings, once
    the key has bubbled up to the app: in a burst of keys (key repeat, a busy app, a paste of
    keys by tmux) the letters typed after them were inserted first — "tab ctrl+u high" left
    the field empty, and saved that."""

    async def _on_key(self, event: events.Key) -> None:
        action = _EDITING_KEYS.get(event.key)
        if action is None:
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        await self.run_action(action)


class EditScreen(Dialog[None]):
    """Asks for the values, checks them, and hands them to ``save``, which writes them and
    closes the dialog — or, when the note refuses them, says why and leaves them here."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, record: Record, today: date, save: Save) -> None:
        super().__init__()
        self.record, self.today, self.save = record, today, save

    def compose(self) -> ComposeResult:
        record = self.record
        with Vertical(id="edit", classes="dialog"):
            yield Label("Edit task", classes="title")
            yield Static(self._where(), id="edit-task")
            with Grid(id="edit-fields"):
                yield Label("Description", classes="field")
                # No select-all on focus: a key typed on arriving (or a fast End) would
                # replace the whole description instead of adding to it.
                yield Field(record["description"], id="description", compact=True,
                            select_on_focus=False)  # fmt: skip
                yield Label("Due", classes="field")
                yield Field(record["due"] or "", placeholder=DATE_WORDS, id="due", compact=True)
                yield Label("", classes="field")
                yield Label("", id="due-preview")
                yield Label("Priority", classes="field")
                yield Field(record["priority"], placeholder=PRIORITIES, id="priority",
                            compact=True, select_on_focus=False)  # fmt: skip
                yield Label("Owner", classes="field")
                yield Field(record["owner"] or "", placeholder="a name (empty: none)", id="owner",
                            compact=True, select_on_focus=False)  # fmt: skip
            yield Static("", id="error")
        yield KeyBar([("enter", "save"), ("tab", "next field"), ("esc", "cancel")], always=3)

    def _where(self) -> Text:
        path = self.record["path"]
        if len(path) > PLACE:  # the note's name whole, its folders shortened from the left
            path = "…" + path[-(PLACE - 1) :]
        text = Text(f"{path}:{self.record['line']}\n", style="dim")
        line = self.record["raw"].strip()
        text.append(line if len(line) <= PREVIEW else line[: PREVIEW - 1] + "…")
        return text

    def on_mount(self) -> None:
        self.query_one("#description", Input).cursor_position = 0
        self.query_one("#due", Input).focus()
        self._preview(self.query_one("#due", Input).value)

    @on(Input.Changed, "#due")
    def _due_changed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    def _preview(self, value: str) -> None:
        preview = self.query_one("#due-preview", Label)
        words = value.strip()
        if words.lower() in ("", "none"):
            preview.update(Text("no due date", style="dim"))
            return
        try:
            day = parse_day(words, self.today)
        except TasksyncError:
            preview.update(Text(f"{words} → not a date yet", style="yellow"))
            return
        preview.update(Text(f"{words} → {day.isoformat()} ({day:%A})", style="green"))

    def show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(Text(message, style="bold red"))

    def retarget(self, record: Record) -> None:
        """The task as the note holds it now (after a refusal): its line is shown, and each
        field the user had not changed follows it (saved onto it, an untouched field would
        put back what the note no longer holds)."""
        for name in ("description", "due", "priority", "owner"):
            field = self.query_one(f"#{name}", Input)
            if " ".join(field.value.split()) == (self.record[name] or ""):
                field.value = record[name] or ""
        self.record = record
        self.query_one("#edit-task", Static).update(self._where())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submit(self) -> None:
        if self.closed:  # an enter that came with the one that saved: saved once
            return
        description, due, priority, owner = (
            self.query_one(f"#{name}", Input).value
            for name in ("description", "due", "priority", "owner"))  # fmt: skip
        try:
            changes = read_changes(self.record, description, due, priority, owner, self.today)
        except TasksyncError as exc:
            self.show_error(str(exc))
            return
        if not changes:
            self.dismiss(None)
            return
        self.save(self, changes)
