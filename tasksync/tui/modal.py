"""The base of the TUI's dialogs: dismissed once, whatever keys follow."""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal screen that answers once. Keys that arrive together (a double tap, key
    repeat, a busy app) reach it before it is gone: the second dismiss would answer again
    (a second write) or pop a screen that is no longer there (Textual's ScreenStackError)."""

    closed = False

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if self.closed:
            return AwaitComplete.nothing()  # type: ignore[no-untyped-call, no-any-return]
        self.closed = True
        return super().dismiss(result)
