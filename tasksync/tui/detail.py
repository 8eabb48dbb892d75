"""The details pane: the highlighted task's line, note, summary and fields. It scrolls (mouse
wheel, or `[` and `]`) when it holds more than it can show."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tasksync.read.notes import frontmatter_end
from tasksync.read.records import Record
from tasksync.read.vault import decode
from tasksync.tui.views import Row

FIELDS = ("id", "status_type", "owner", "person", "priority", "due", "scheduled", "start",
          "created", "done", "cancelled", "recurrence", "task_id", "depends_on", "tags",
          "problems")  # fmt: skip
SUMMARY_BYTES = 256 * 1024  # a summary is near the top: a huge note is not read whole


class Details(VerticalScroll, can_focus=False):
    shown: Text | None = None  # what the pane holds: the same again is not redrawn

    def compose(self) -> ComposeResult:
        yield Static(id="detail-text")

    def show(self, vault: Path, row: Row | None, twin: Record | None, note: str = "") -> None:
        text = Text()
        if row is None or row.record is None:
            text.append(row.heading if row else note)
        else:
            _describe(text, vault, row, twin)
            if note:
                text.append(f"\n{note}\n", style="yellow")
        if text == self.shown:
            return  # shown already (the app shows a row's details with the rows it made)
        self.shown = text
        self.query_one("#detail-text", Static).update(text)
        self.scroll_home(animate=False)


def _describe(text: Text, vault: Path, row: Row, twin: Record | None) -> None:
    record = row.record
    assert record is not None
    text.append(record["raw"].strip() + "\n\n", style="bold")
    text.append(f"{record['path']}:{record['line']}\n", style="cyan")
    if record["heading"]:
        text.append(f"under: {record['heading']}\n")
    if twin is not None:
        relation = "looks like a duplicate of" if row.under_twin else "has a near-duplicate"
        text.append(f"\n{relation}: ", style="yellow")
        text.append(f"{twin['description']}", style="yellow italic")
        text.append(f" (line {twin['line']}) — m merges, keeping this one\n", style="yellow")
    summary = summary_of(vault / record["path"])
    if summary:
        text.append(f"\n{summary}\n", style="italic")
    text.append("\n")
    for key in FIELDS:
        value = record.get(key)
        if value in (None, [], ""):
            continue
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        text.append(f"{key:>12}  ", style="dim")
        text.append(shown + "\n", style="red" if key == "problems" else "")


_SUMMARIES: dict[tuple[Path, int, int], str] = {}


def summary_of(path: Path) -> str:
    """The note's summary paragraph (cached while the note is unchanged)."""
    try:
        info = path.stat()
    except OSError:
        return ""
    key = (path, info.st_mtime_ns, info.st_size)
    if key not in _SUMMARIES:
        if len(_SUMMARIES) > 256:
            _SUMMARIES.clear()
        _SUMMARIES[key] = _read_summary(path)
    return _SUMMARIES[key]


def _read_summary(path: Path) -> str:
    """Under a `Summary` heading, else the note's first paragraph of prose."""
    try:
        with path.open("rb") as handle:
            data = handle.read(SUMMARY_BYTES)
        if len(data) == SUMMARY_BYTES:
            data = data[: data.rfind(b"\n") + 1]  # whole lines only
        lines = decode(data).text.split("\n")
    except (OSError, UnicodeError):
        return ""
    lines = [line.removesuffix("\r") for line in lines]
    body = lines[frontmatter_end(lines) :]
    headings = [i for i, line in enumerate(body) if line.startswith("#")]
    start = next(
        (i + 1 for i in headings if body[i].lstrip("#").strip().lower() == "summary"), None
    )
    paragraph: list[str] = []
    for line in body[start:] if start is not None else body:
        words = line.strip()
        if not words:
            if paragraph:
                break
            continue
        if words.startswith(("#", "- ", "* ", "|", ">", "```", "**", "---", "<!--", "%%", "!")):
            if paragraph:
                break
            continue  # headings, lists, tables, quotes, code, comments: not prose
        paragraph.append(words)
    summary = " ".join(paragraph)
    return summary[:600] + ("…" if len(summary) > 600 else "")
