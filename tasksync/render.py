"""Tasks as the user sees them: the JSON contract of ``list --json`` and a readable table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tasksync.model import StatusType
from tasksync.reader import LocatedTask

SHORT_ID = 8

_STATUS_STYLE = {
    StatusType.PROPOSED: "magenta",
    StatusType.IN_PROGRESS: "yellow",
    StatusType.DONE: "green",
    StatusType.CANCELLED: "dim",
}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def task_json(item: LocatedTask) -> dict[str, Any]:
    t = item.task
    return {
        "id": item.id,
        "path": item.path,
        "line": item.line,
        "status": t.status,
        "status_type": t.status_type.value,
        "description": t.description,
        "owner": t.owner,
        "tags": list(t.tags),
        "priority": t.priority.value,
        "due": _iso(t.due),
        "scheduled": _iso(t.scheduled),
        "start": _iso(t.start),
        "created": _iso(t.created),
        "done": _iso(t.done),
        "cancelled": _iso(t.cancelled),
        "recurrence": t.recurrence,
        "task_id": t.task_id,
        "depends_on": list(t.depends_on),
        "on_completion": t.on_completion,
        "block_link": t.block_link,
        "heading": item.heading,
        "problems": list(t.problems),
        "raw": t.raw,
    }


def _where(item: LocatedTask) -> str:
    name = item.path.rsplit("/", 1)[-1].removesuffix(".md")
    return f"{name}:{item.line}"


PRIORITY_MARK = {"highest": "!!!", "high": "!!", "medium": "!", "normal": "", "low": "↓",
                 "lowest": "↓↓"}  # fmt: skip


def task_table(items: Iterable[LocatedTask], width: int) -> Table:
    """Fixed narrow columns, the description takes the rest; the note only when there is room."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
    for name in ("id", "st", "due", "pri"):
        table.add_column(name, no_wrap=True)
    table.add_column("description", overflow="fold")
    show_note = width >= 110
    if show_note:
        table.add_column("note", no_wrap=True, overflow="ellipsis", max_width=30)
    for item in items:
        t = item.task
        description = Text(t.description or "(no description)")
        if t.owner:
            description.append(f" @{t.owner}", style="cyan")
        if t.problems:
            description.append(f" ({'; '.join(t.problems)})", style="red")
        cells = [
            Text(item.id[:SHORT_ID]),
            Text(f"[{t.status}]"),
            Text(_iso(t.due) or ""),
            Text(PRIORITY_MARK[t.priority.value], style="bold"),
            description,
        ]
        if show_note:
            cells.append(Text(_where(item), style="dim"))
        table.add_row(*cells, style=_STATUS_STYLE.get(t.status_type, ""))
    return table


def print_tasks(items: list[LocatedTask], console: Console) -> None:
    if not items:
        console.print("no tasks")
        return
    console.print(task_table(items, console.width))
    console.print(f"{len(items)} task{'s' if len(items) != 1 else ''}", style="dim")
