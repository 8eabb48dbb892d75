"""The task list: a virtual list that draws only the rows on screen, so that 10,000 rows
are shown, filtered and replaced in the time a screenful takes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import islice
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tasksync.tui.views import Row, overdue

PRIORITY = {"highest": "🔺", "high": "⏫", "medium": "🔼", "normal": "", "low": "🔽",
            "lowest": "⏬"}  # fmt: skip
OWNER_WIDTH = 14


class TaskList(ScrollView, can_focus=True):
    """Rows of tasks under headings; the cursor is on a row, and stays on its task when the
    rows are replaced (see ``show``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(0)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
        Binding("left,right", "nothing", show=False),  # the rows never scroll sideways
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "tasklist--cursor", "tasklist--heading", "tasklist--twin", "tasklist--overdue",
        "tasklist--owner", "tasklist--mark", "tasklist--empty",
    }  # fmt: skip
    DEFAULT_CSS = """
    TaskList { background: $surface; overflow-x: hidden; }
    TaskList > .tasklist--cursor { background: $accent 40%; text-style: bold; }
    TaskList:focus > .tasklist--cursor { background: $accent 70%; }
    TaskList > .tasklist--heading { color: $text-primary; text-style: bold underline; }
    TaskList > .tasklist--twin { color: $text-muted; }
    TaskList > .tasklist--overdue { color: $text-error; text-style: bold; }
    TaskList > .tasklist--owner { color: $text-secondary; }
    TaskList > .tasklist--mark { color: $text-accent; }
    TaskList > .tasklist--empty { color: $text-muted; text-style: italic; }
    """

    class Highlighted(Message):
        """The cursor is on another row (or the rows changed under it)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.cursor_row = 0
        self.selected: set[str] = set()
        self.today = date.today()
        self.empty_message = ""
        self.elsewhere: dict[str, str] = {}  # a proposal's id -> ✓ (done elsewhere) or ○ (open)

    # -- what the app uses -----------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def current(self) -> Row | None:
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    def show(self, rows: list[Row], key: str | None = None, keep: bool = True) -> None:
        """Replace the rows. The cursor goes to the task ``key`` if it is shown; else (with
        ``keep``) it stays on its task, or goes to that task's nearest neighbour still shown
        (the next one, else the one before); else to the first task."""
        old, current = self.rows, self.current
        self.rows = rows
        index = _Index(rows, self.cursor_row)
        if key is not None and key in index:
            row = index[key]
        elif keep and current is not None and current.key in index:
            row = index[current.key]
        elif keep and current is not None and current.record is not None:
            row = self._neighbour(old, index)
        else:
            row = self._first_task()
        self.virtual_size = Size(self._width(), len(rows))
        self.move_cursor(row=row)

    def move_cursor(self, row: int, scroll: bool = True) -> None:
        row = max(0, min(row, len(self.rows) - 1))
        self.cursor_row = row
        if scroll and self.rows:
            # the note's heading just above a task comes into view with it
            top = row - 1 if row and self.rows[row - 1].record is None else row
            self.scroll_to_region(Region(0, top, 1, row - top + 1), animate=False,
                                  immediate=True, force=True)  # fmt: skip
        self.refresh()
        self.post_message(self.Highlighted())

    # -- moving ----------------------------------------------------------------------------

    def _first_task(self) -> int:
        return next((i for i, r in enumerate(self.rows) if r.record is not None), 0)

    def _neighbour(self, old: Sequence[Row], index: _Index) -> int:
        at = min(self.cursor_row, len(old) - 1)
        after = (r for r in islice(old, at + 1, None) if r.record is not None and r.key in index)
        before = (r for r in reversed(old[:at]) if r.record is not None and r.key in index)
        for candidate in (next(after, None), next(before, None)):
            if candidate is not None:
                return index[candidate.key]
        return self._first_task()

    def step(self, by: int) -> None:
        """Move by ``by`` task rows (headings are passed over)."""
        row = self.cursor_row
        direction = 1 if by > 0 else -1
        for _ in range(abs(by)):
            following = row + direction
            while 0 <= following < len(self.rows) and self.rows[following].record is None:
                following += direction
            if not 0 <= following < len(self.rows):
                break
            row = following
        self.move_cursor(row=row)

    def action_move(self, by: int) -> None:
        self.step(by)

    def action_page(self, direction: int) -> None:
        self.step(direction * max(1, self.size.height - 1))

    def action_edge(self, end: int) -> None:
        tasks = [i for i, r in enumerate(self.rows) if r.record is not None]
        if tasks:
            self.move_cursor(row=tasks[-1] if end else tasks[0])
            if not end:
                self.scroll_home(animate=False, immediate=True)

    def action_nothing(self) -> None:
        return

    def on_click(self, event: events.Click) -> None:
        row = event.y + round(self.scroll_y)
        if 0 <= row < len(self.rows):
            self.move_cursor(row=row, scroll=False)

    def _width(self) -> int:
        """The columns a row has: the list's, less its scrollbar's (a row that counts them
        is cut short, without its …, under a horizontal scrollbar)."""
        return self.scrollable_content_region.width or self.size.width

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self._width(), len(self.rows))
        if self.rows:
            self.scroll_to_region(Region(0, self.cursor_row, 1, 1), animate=False,
                                  immediate=True, force=True)  # fmt: skip

    # -- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self._width()
        index = y + round(self.scroll_y)
        base = self.rich_style
        if not self.rows:
            if y == 1 and self.empty_message:
                style = base + self.get_component_rich_style("tasklist--empty")
                return Strip([Segment("  " + self.empty_message, style)]).crop_extend(
                    0, width, base
                )
            return Strip.blank(width, base)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        segments = self._row_segments(self.rows[index], width)
        fill = base
        if index == self.cursor_row:
            fill = base + self.get_component_rich_style("tasklist--cursor")
        line = [Segment(s.text, fill + s.style if s.style else fill) for s in segments]
        return Strip(line).crop_extend(0, width, fill)

    def _row_segments(self, row: Row, width: int) -> list[Segment]:
        """The row as segments, the description cut to the room left (with an ellipsis)."""

        def style(name: str) -> Style:  # its own colours only: the cursor's background shows
            return self.get_component_rich_style(name, partial=True)

        if row.record is None:
            return [Segment(_fit(row.heading, width), style("tasklist--heading"))]
        record = row.record
        mark = "●" if row.key in self.selected else ("↳" if row.under_twin else " ")
        owner = record.get("person") or record["owner"] or ""
        owner_width = OWNER_WIDTH if width >= 100 else 10
        owner = _fit(owner, owner_width)
        emoji = PRIORITY.get(record["priority"], "")
        late = overdue(record, self.today)
        room = width - (2 + 11 + 3 + owner_width + 1)
        tracked = self.elsewhere.get(record["id"]) if record["status_type"] == "PROPOSED" else None
        if tracked:
            room -= 2
        return [
            Segment(f"{mark} ", style("tasklist--mark")),
            Segment(f"{record['due'] or '':<10} ", style("tasklist--overdue") if late else None),
            Segment(emoji + " " * (3 - cell_len(emoji))),
            Segment(f"{owner:<{owner_width}} ", style("tasklist--owner")),
            *([Segment(f"{tracked} ", style("tasklist--mark"))] if tracked else []),
            Segment(
                _fit(record["description"], room),
                style("tasklist--twin") if row.under_twin else None,
            ),
        ]


class _Index:
    """Where each key is among the rows: looked for near the cursor first (a refresh moves
    the cursor's task by a row or two, if at all), the whole list indexed only when needed."""

    NEAR = 3

    def __init__(self, rows: Sequence[Row], near: int) -> None:
        self.rows, self.near = rows, near
        self._all: dict[str, int] | None = None

    def find(self, key: str) -> int | None:
        low, high = max(0, self.near - self.NEAR), min(len(self.rows), self.near + self.NEAR + 1)
        for at in range(low, high):
            if self.rows[at].key == key:
                return at
        if self._all is None:
            self._all = {row.key: i for i, row in enumerate(self.rows)}
        return self._all.get(key)

    def __contains__(self, key: str) -> bool:
        return self.find(key) is not None

    def __getitem__(self, key: str) -> int:
        found = self.find(key)
        if found is None:
            raise KeyError(key)
        return found


def _fit(text: str, room: int) -> str:
    if room <= 0:
        return ""
    return text if cell_len(text) <= room else text[: max(0, room - 1)] + "…"
