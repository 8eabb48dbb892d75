"""The dialogs over the task list: help, a yes/no question, merge, and a batch's progress.
Each shows its own keys, and the key that closes one is used up by it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, ProgressBar, Static

from tasksync.read.records import Record
from tasksync.tui.bars import KeyBar
from tasksync.tui.keys import help_groups, where
from tasksync.tui.modal import Dialog


class HelpScreen(Dialog[None]):
    """Every key, made from the app's key table. Any key closes it, and does nothing else;
    the arrows and page keys scroll it."""

    SCROLL_KEYS: ClassVar[dict[str, str]] = {
        "up": "scroll_up", "k": "scroll_up", "down": "scroll_down", "j": "scroll_down",
        "pageup": "scroll_page_up", "pagedown": "scroll_page_down",
    }  # fmt: skip

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(), id="help-text")
        yield KeyBar([("↑↓", "scroll"), ("any other key", "close")], always=1)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        scroll = self.SCROLL_KEYS.get(event.key)
        if scroll:
            getattr(self.query_one("#help", VerticalScroll), scroll)(animate=False)
            return
        self.dismiss(None)

    def on_click(self) -> None:
        self.dismiss(None)


def help_text() -> Text:
    text = Text()
    text.append("tasksync — keys\n", style="bold")
    for group, keys in help_groups():
        text.append(f"\n{group}\n", style="bold underline")
        for key in keys:
            text.append(f"  {key.shown:<12}", style="bold")
            text.append(key.help)
            screens = where(key)
            if screens:
                text.append(f"  ({screens})", style="dim")
            text.append("\n")
    text.append("\nEvery change is written into the Markdown notes, atomically, and u undoes it "
                "(as `tasksync undo`).", style="italic")  # fmt: skip
    return text


class AgendaScreen(Dialog[None]):
    """A person's 1:1 agenda (Markdown, as `tasksync agenda` prints it). The arrows and page
    keys scroll it; any other key closes it."""

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown

        with VerticalScroll(id="agenda"):
            yield Markdown(self.markdown, id="agenda-text")
        yield KeyBar([("↑↓", "scroll"), ("any other key", "close")], always=1)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        scroll = HelpScreen.SCROLL_KEYS.get(event.key)
        if scroll:
            getattr(self.query_one("#agenda", VerticalScroll), scroll)(animate=False)
            return
        self.dismiss(None)


class ConfirmScreen(Dialog[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Static(self.question, id="question")  # wrapped: the reason is at its end
        yield KeyBar([("y", "yes"), ("n / esc", "no")], always=2)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_key(self, event: events.Key) -> None:
        # a key that is not an answer does nothing (and reaches nothing under the dialog)
        if event.key not in ("y", "n", "escape"):
            event.stop()
            event.prevent_default()


@dataclass(frozen=True)
class MergeChoice:
    keep: Record
    reject: Record
    take_due: bool


class MergeScreen(Dialog[MergeChoice | None]):
    """Which task stays and which is rejected, before anything is written; the rejected
    task's due date can be taken over when the kept one has none."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "merge", "Merge"),
        Binding("s", "swap", "Swap"),
        Binding("t", "take_due", "Take its due date"),
        Binding("escape,n", "cancel", "Cancel"),
    ]

    def __init__(self, keep: Record, reject: Record) -> None:
        super().__init__()
        self.keep, self.reject, self.take_due = keep, reject, False

    def compose(self) -> ComposeResult:
        with Vertical(id="merge", classes="dialog"):
            yield Label("Merge near-duplicates", classes="title")
            yield Static(id="merge-text")
        yield KeyBar(id="merge-keys")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        text = Text()
        text.append("keep    ", style="bold green")
        text.append(f"{self.keep['description']}", style="bold")
        text.append(f"  (line {self.keep['line']}{_due(self.keep)})\n\n")
        text.append("reject  ", style="bold red")
        text.append(f"{self.reject['description']}")
        text.append(f"  (line {self.reject['line']}{_due(self.reject)})\n")
        if self._can_take_due():
            mark = "[x]" if self.take_due else "[ ]"
            text.append(f"\n{mark} take its due date {self.reject['due']} (t)\n")
        self.query_one("#merge-text", Static).update(text)
        keys = [("enter", "merge"), ("s", "swap")]
        if self._can_take_due():
            keys.append(("t", f"take due {self.reject['due']}"))
        self.query_one("#merge-keys", KeyBar).show_keys([*keys, ("esc", "cancel")], always=1)

    def _can_take_due(self) -> bool:
        return bool(self.reject["due"]) and not self.keep["due"]

    def action_swap(self) -> None:
        self.keep, self.reject, self.take_due = self.reject, self.keep, False
        self._show()

    def action_take_due(self) -> None:
        if self._can_take_due():
            self.take_due = not self.take_due
            self._show()

    def action_merge(self) -> None:
        self.dismiss(MergeChoice(self.keep, self.reject, self.take_due and self._can_take_due()))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_key(self, event: events.Key) -> None:
        if event.key not in ("enter", "y", "s", "t", "escape", "n"):
            event.stop()
            event.prevent_default()


def _due(record: Record) -> str:
    return f", due {record['due']}" if record["due"] else ", no due date"


class ProgressScreen(Dialog[None]):
    """A batch being written: how many tasks so far. It cannot be dismissed: it goes when
    the batch is in the notes (or refused)."""

    def __init__(self, title: str, total: int | None) -> None:
        super().__init__()
        self.title_text, self.total = title, total

    def compose(self) -> ComposeResult:
        with Vertical(id="progress", classes="dialog"):
            yield Label(self.title_text)
            yield ProgressBar(total=self.total, id="bar")
            yield Label("", id="stage")
        yield KeyBar([("", "writing into the notes: every key waits until this is done")],
                     always=1)  # fmt: skip

    def advance(self, done: int, stage: str) -> None:
        self.query_one("#bar", ProgressBar).update(progress=done)
        self.query_one("#stage", Label).update(stage)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
