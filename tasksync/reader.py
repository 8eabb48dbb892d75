"""One note file -> its facts and task records; the unit of work of a scan."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from tasksync.ids import task_ids
from tasksync.model import StatusTable
from tasksync.notes import scan_text
from tasksync.records import record_row, task_record
from tasksync.vault import NoteFile, decode


@dataclass(slots=True)
class NoteScan:
    rel: str
    mtime_ns: int
    size: int
    hash: str
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    final_newline: bool = True
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # ready for the tasks table
    warning: str | None = None
    unreadable: bool = False
    unchanged: bool = False  # same bytes as when last indexed: not parsed again


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_note_file(
    note: NoteFile, statuses: StatusTable, known_hash: str | None = None
) -> NoteScan:
    """Read and parse one note. When its bytes hash to ``known_hash``, nothing is parsed."""
    try:
        data = note.path.read_bytes()
    except OSError as exc:
        return NoteScan(note.rel, note.mtime_ns, note.size, "", unreadable=True,
                        warning=f"skipped {note.rel}: {exc.strerror or exc}")  # fmt: skip
    digest = content_hash(data)
    if digest == known_hash:
        return NoteScan(note.rel, note.mtime_ns, len(data), digest, unchanged=True)
    text = decode(data)
    found = scan_text(text.text, statuses)
    ids = task_ids(note.rel, [f.task for f in found])
    return NoteScan(
        note.rel, note.mtime_ns, len(data), digest, text.encoding, text.bom, text.newline,
        text.final_newline,
        [record_row(task_record(key, note.rel, f.line, f.heading, f.task))
         for key, f in zip(ids, found, strict=True)],
        None if text.is_utf8 else f"{note.rel} is not UTF-8; read as {text.encoding}",
    )  # fmt: skip
