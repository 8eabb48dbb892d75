"""Tasks as a person reads them: a table that fits the terminal."""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tasksync.model import StatusType
from tasksync.read.records import Record

SHORT_ID = 8

_STATUS_STYLE = {
    StatusType.PROPOSED.value: "magenta",
    StatusType.IN_PROGRESS.value: "yellow",
    StatusType.DONE.value: "green",
    StatusType.CANCELLED.value: "dim",
}


def _where(record: Record) -> str:
    name = record["path"].rsplit("/", 1)[-1].removesuffix(".md")
    return f"{name}:{record['line']}"


PRIORITY_MARK = {"highest": "!!!", "high": "!!", "medium": "!", "normal": "", "low": "↓",
                 "lowest": "↓↓"}  # fmt: skip


def task_table(records: Iterable[Record], width: int) -> Table:
    """Fixed narrow columns, the description takes the rest; the note only when there is room."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
    for name in ("id", "st", "due", "pri"):
        table.add_column(name, no_wrap=True)
    table.add_column("description", overflow="fold")
    show_note = width >= 110
    if show_note:
        table.add_column("note", no_wrap=True, overflow="ellipsis", max_width=30)
    for r in records:
        description = Text(r["description"] or "(no description)")
        if r["owner"]:
            description.append(f" @{r['owner']}", style="cyan")
        if r["problems"]:
            description.append(f" ({'; '.join(r['problems'])})", style="red")
        cells = [
            Text(r["id"][:SHORT_ID]),
            Text(f"[{r['status']}]"),
            Text(r["due"] or ""),
            Text(PRIORITY_MARK[r["priority"]], style="bold"),
            description,
        ]
        if show_note:
            cells.append(Text(_where(r), style="dim"))
        table.add_row(*cells, style=_STATUS_STYLE.get(r["status_type"], ""))
    return table


def print_tasks(records: list[Record], console: Console) -> None:
    if not records:
        console.print("no tasks")
        return
    console.print(task_table(records, console.width))
    console.print(f"{len(records)} task{'s' if len(records) != 1 else ''}", style="dim")
