"""Tasks as a person reads them: one line per task — a table that fits the terminal (never
wrapped), a tab-separated line for pipes, or the line as written. Fast at any size: plain
strings, colour as ANSI codes only on a terminal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from tasksync.model import StatusType
from tasksync.read.prose import repaired
from tasksync.read.records import Record

SHORT_ID = 8
PRIORITY_MARK = {"highest": "!!!", "high": "!!", "medium": "!", "normal": "", "low": "↓",
                 "lowest": "↓↓"}  # fmt: skip
LEGEND = "priority: !!! highest  !! high  ! medium  ↓ low  ↓↓ lowest"
LEGEND_SHORT = "!!! highest !! high ! medium ↓ low ↓↓ lowest"  # a narrow terminal's
OPEN_TYPES = frozenset(
    (StatusType.TODO.value, StatusType.IN_PROGRESS.value, StatusType.ON_HOLD.value,
     StatusType.PROPOSED.value)
)  # fmt: skip
_STATUS_ORDER = {t.value: n for n, t in enumerate((
    StatusType.IN_PROGRESS, StatusType.TODO, StatusType.PROPOSED, StatusType.ON_HOLD,
    StatusType.DONE, StatusType.CANCELLED, StatusType.NON_TASK))}  # fmt: skip
_PRIORITY_ORDER = {p: n for n, p in enumerate(("highest", "high", "medium", "normal", "low",
                                               "lowest"))}  # fmt: skip
_STATUS_COLOUR = {StatusType.PROPOSED.value: "35", StatusType.IN_PROGRESS.value: "33",
                  StatusType.DONE.value: "32", StatusType.CANCELLED.value: "2"}  # fmt: skip
SORTS = ("status", "due", "priority", "path")
FORMATS = ("table", "line", "json", "raw")


# What a note's text must not send to a terminal: C0 and C1 controls (escape sequences
# recolour, retitle or clear it; BEL rings) and the bidi controls that reorder what is shown.
_OTHER_UNSAFE = "\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x09{_OTHER_UNSAFE}]")
_UNSAFE_BUT_TABS = re.compile(f"[\x00-\x08{_OTHER_UNSAFE}]")


def printable(text: str, tabs: bool = False) -> str:
    """``text`` safe to print: control characters dropped (line breaks too: each task or
    message is one line; tabs too unless ``tabs``)."""
    if text.isprintable():
        return text
    return (_UNSAFE_BUT_TABS if tabs else _UNSAFE).sub("", text)


def sort_key(order: str) -> Callable[[Record], tuple[object, ...]]:
    """``status``: status, then due date, then priority; ``due``: due date first; ``priority``:
    priority first; ``path``: as the notes hold them."""

    def status(r: Record) -> int:
        return _STATUS_ORDER.get(r["status_type"], 9)

    def due(r: Record) -> tuple[bool, str]:
        return (r["due"] is None, r["due"] or "")

    def priority(r: Record) -> int:
        return _PRIORITY_ORDER[r["priority"]]

    def place(r: Record) -> tuple[str, int]:
        return (r["path"], r["line"])

    keys = {"status": (status, due, priority, place), "due": (due, status, priority, place),
            "priority": (priority, due, status, place), "path": (place,)}[order]  # fmt: skip
    return lambda r: tuple(k(r) for k in keys)


def is_overdue(record: Record, today: date) -> bool:
    return (
        bool(record["due"])
        and record["status_type"] in OPEN_TYPES
        and (record["due"] < today.isoformat())
    )


def _words(record: Record) -> str:
    text = repaired(record["description"] or "") or "(no description)"
    if record["owner"]:
        text += f" @{record['owner']}"
    if record["problems"]:
        text += f" ({'; '.join(record['problems'])})"
    return printable(" ".join(text.split()))


def line(record: Record) -> str:
    """Tab-separated, one line: id, status, due, priority, description, note:line."""
    return "\t".join((record["id"], f"[{record['status']}]", record["due"] or "-",
                      PRIORITY_MARK[record["priority"]] or "-", _words(record),
                      printable(f"{record['path']}:{record['line']}")))  # fmt: skip


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, room: int) -> str:
    """``text`` cut to ``room`` columns (with … when cut), padded to exactly that many."""
    if text.isascii():
        return text.ljust(room) if len(text) <= room else text[: room - 1] + "…"
    width = _width(text)
    if width <= room:
        return text + " " * (room - width)
    out, used = [], 0
    for char in text:
        if used + _width(char) > room - 1:
            break
        out.append(char)
        used += _width(char)
    return "".join(out) + "…" + " " * (room - 1 - used)


def table(records: Iterable[Record], width: int, today: date, colour: bool) -> Iterator[str]:
    """A header and one line per task, each exactly ``width`` columns at most."""
    show_note = width >= 110
    note_room = 30 if show_note else 0
    words_room = max(20, width - (SHORT_ID + 2 + 5 + 12 + 5) - (note_room + 1 if show_note else 0))

    def paint(text: str, code: str | None) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text

    header = (f"{'id':<{SHORT_ID}}  {'st':<4} {'due':<11} {'pri':<4} "
              f"{_fit('description', words_room)}")  # fmt: skip
    yield paint((header + (" note" if show_note else "")).rstrip(), "1")
    iso_today = today.isoformat()
    for r in records:
        due = _fit(r["due"] or "", 11)
        late = bool(r["due"]) and r["status_type"] in OPEN_TYPES and r["due"] < iso_today
        if r["due"] == iso_today and r["status_type"] in OPEN_TYPES:
            due = paint(due, "1;33")  # due today
        elif late:
            due = paint(due, "31")
        words = _fit(_words(r), words_room)
        words = paint(words, "31" if late else _STATUS_COLOUR.get(r["status_type"]))
        row = (f"{r['id'][:SHORT_ID]}  {_fit('[' + r['status'] + ']', 4)} {due} "
               f"{_fit(PRIORITY_MARK[r['priority']], 4)} {words}")  # fmt: skip
        if show_note:
            name = printable(r["path"].rsplit("/", 1)[-1].removesuffix(".md"))
            row += " " + paint(_fit(f"{name}:{r['line']}", note_room).rstrip(), "2")
        yield row.rstrip()
