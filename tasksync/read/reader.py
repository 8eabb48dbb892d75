"""One note file -> its facts and task records; the unit of work of a scan."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tasksync.config import global_filter_of
from tasksync.ids import IdParts, Known, carry_ids, task_ids
from tasksync.model import StatusTable
from tasksync.read.notes import frontmatter, task_lines
from tasksync.read.parse import parse_task_records
from tasksync.read.records import DESCRIPTION, HEADING, ID, LINE, RAW, TASK_ID, fields_row
from tasksync.read.vault import NoteFile, decode


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
    person: str | None = None  # the note is a person's (frontmatter `type: person`)
    aliases: list[str] = field(default_factory=list)
    new: bool = False  # not in the index before: it has no rows to compare with


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_note_file(note: NoteFile, statuses: StatusTable, known_hash: str | None = None,
                   previous: Sequence[tuple[Any, ...]] | None = None) -> NoteScan:  # fmt: skip
    """Read and parse one note. When its bytes hash to ``known_hash``, nothing is parsed.

    ``previous`` (the note's task rows in the index, in order) spares re-parsing the lines
    of a changed note that did not change — typically all but one — and gives each task the
    id it had (see ``ids.carry_ids``): a task keeps its id when it is edited or moves.
    """
    try:
        with open(note.path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return NoteScan(note.rel, note.mtime_ns, note.size, "", unreadable=True,
                        warning=f"skipped {note.rel}: {exc.strerror or exc}")  # fmt: skip
    digest = content_hash(data)
    if digest == known_hash:
        return NoteScan(note.rel, note.mtime_ns, len(data), digest, unchanged=True)
    text = decode(data)
    lines = text.text.split("\n")
    person, aliases = _person(lines, note.rel)
    global_filter = global_filter_of(statuses)
    found = list(task_lines(lines, global_filter))
    known = {row[RAW]: row for row in previous or ()}
    parsed = iter(parse_task_records([line for _, _, line in found if line not in known],
                                    global_filter))  # fmt: skip
    rows: list[list[Any]] = []
    status_types: dict[str, str] = {}
    for index, heading, line in found:
        if line in known:
            row = list(known[line])
            row[LINE], row[HEADING] = index + 1, heading
        else:
            fields = next(parsed)
            status = fields["status"]
            status_type = status_types.get(status)
            if status_type is None:
                status_type = status_types[status] = statuses[status].type.value
            row = fields_row(note.rel, index + 1, heading, status_type, line, fields)
        rows.append(row)
    keys = [IdParts(row[TASK_ID], row[DESCRIPTION]) for row in rows]
    if previous:
        olds = [Known(r[ID], r[RAW], r[TASK_ID], r[DESCRIPTION], r[LINE]) for r in previous]
        news = [(row[RAW], k) for row, k in zip(rows, keys, strict=True)]
        ids = carry_ids(note.rel, olds, news, lines=[row[LINE] for row in rows])
    else:
        ids = task_ids(note.rel, keys)
    for row, key in zip(rows, ids, strict=True):
        row[ID] = key
    warnings = [] if text.is_utf8 else [f"{note.rel} is not UTF-8; read as {text.encoding}"]
    if len(lines) == 1 and "\r" in text.text:
        warnings.append(_carriage_returns_only(note.rel, text.text, global_filter))
    return NoteScan(
        note.rel, note.mtime_ns, len(data), digest, text.encoding, text.bom, text.newline,
        text.final_newline, [tuple(row) for row in rows], "; ".join(warnings) or None,
        person=person, aliases=aliases, new=known_hash is None,
    )  # fmt: skip


def _carriage_returns_only(rel: str, text: str, global_filter: str) -> str:
    """Lines ended by CR alone (classic Mac OS) are one line to the Tasks plugin, which
    splits on LF, and to tasksync: the tasks such a note seems to hold are not read."""
    seeming = sum(1 for _ in task_lines(text.split("\r"), global_filter))
    return (
        f"{rel}: its lines end in CR alone (classic Mac OS), so it reads as one line and "
        f"its {seeming} task line(s) are not read; save it with LF line endings"
    )


def _person(lines: list[str], rel: str) -> tuple[str | None, list[str]]:
    """A person note's name (frontmatter `name`, else the file name) and aliases."""
    if not lines or not lines[0].startswith("---"):
        return None, []
    meta = frontmatter(lines)
    if str(meta.get("type", "")).strip().lower() != "person":
        return None, []
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        name = rel.rsplit("/", 1)[-1].removesuffix(".md")
    aliases = meta.get("aliases", [])
    return name, [aliases] if isinstance(aliases, str) and aliases else list(aliases or [])
