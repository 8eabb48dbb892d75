"""The one-line bars: the screens and their counts on top, the keys at the bottom."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

KEY_GAP = "  "


class KeyBar(Static):
    """The keys of what is on screen: as many as fit, most needed first; the last ones
    (help and quit) are always shown."""

    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; width: 1fr; background: $panel; color: $text-muted; }
    """

    def __init__(self, keys: list[tuple[str, str]] | None = None, always: int = 2,
                 id: str | None = None) -> None:  # fmt: skip
        super().__init__(id=id)
        self.keys = keys or []
        self.always = always

    def show_keys(self, keys: list[tuple[str, str]], always: int = 2) -> None:
        self.keys, self.always = keys, always
        self.refresh()

    def render(self) -> Text:
        width = self.size.width or 80
        fixed = self.keys[len(self.keys) - self.always :] if self.always else []
        optional = self.keys[: len(self.keys) - self.always] if self.always else self.keys
        room = width - 1 - sum(len(k) + len(label) + 1 + len(KEY_GAP) for k, label in fixed)
        chosen = []
        for key, label in optional:
            cost = len(key) + len(label) + 1 + len(KEY_GAP)
            if cost > room:
                break
            chosen.append((key, label))
            room -= cost
        text = Text(" ", no_wrap=True)
        for index, (key, label) in enumerate([*chosen, *fixed]):
            if index:
                text.append(KEY_GAP)
            text.append(key, style="bold")
            text.append(f" {label}")
        return text


class TabBar(Static):
    """The screens with their counts, the current one marked; then the filter's count
    (`n of N`) and the selection."""

    DEFAULT_CSS = """
    TabBar { dock: top; height: 1; width: 1fr; background: $panel; }
    """

    def show_state(self, tabs: list[tuple[str, int, bool]], shown: int | None,
                   selected: int, note: str = "") -> None:  # fmt: skip
        text = Text(" ", no_wrap=True, overflow="ellipsis")
        for index, (title, count, current) in enumerate(tabs):
            if index:
                text.append(" │ ", style="dim")
            label = f"{index + 1} {title} {count:,}"
            text.append(label, style="bold reverse" if current else "")
        current_count = next(count for _, count, current in tabs if current)
        counts = []
        if shown is not None:
            counts.append(f"{shown:,} of {current_count:,}")
        if selected:
            counts.append(f"{selected:,} selected")
        if note:  # first: once its box is closed, only this shows it; shortened to fit,
            # never the counts (how many are selected decides what A does)
            room = (self.size.width or self.app.size.width) - text.cell_len - 3
            room -= sum(len(count) + 3 for count in counts)
            if len(note) > room:
                note = note[: max(room - 1, 0)].rstrip() + "…" if room > 1 else ""
        extra = [note, *counts] if note else counts
        if extra:
            text.append("   " + " · ".join(extra), style="bold")
        self.update(text)
