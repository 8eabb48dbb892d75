"""The vault read directly: every task of every note, with its location and stable id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tasksync.ids import task_ids
from tasksync.model import StatusTable, Task
from tasksync.notes import scan_text
from tasksync.vault import NoteFile, iter_notes, read_note


@dataclass(frozen=True, slots=True)
class LocatedTask:
    id: str
    path: str  # vault-relative, "/"-separated
    line: int  # 1-based
    heading: str | None
    task: Task


def read_note_tasks(
    note: NoteFile, statuses: StatusTable, warn: Callable[[str], None]
) -> list[LocatedTask]:
    try:
        text = read_note(note.path)
    except OSError as exc:
        warn(f"skipped {note.rel}: {exc.strerror or exc}")
        return []
    if not text.is_utf8:
        warn(f"{note.rel} is not UTF-8; read as {text.encoding}")
    found = scan_text(text.text, statuses)
    ids = task_ids(note.rel, [f.task for f in found])
    return [
        LocatedTask(i, note.rel, f.line, f.heading, f.task)
        for i, f in zip(ids, found, strict=False)
    ]


def read_vault(root: Path, statuses: StatusTable, warn: Callable[[str], None]) -> list[LocatedTask]:
    tasks: list[LocatedTask] = []
    for note in iter_notes(root):
        tasks.extend(read_note_tasks(note, statuses, warn))
    return tasks
