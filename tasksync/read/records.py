"""A task as a record: the JSON contract of ``list --json``, which is also the index's row.

Beside tasksync's clean ``description`` and the rule as written (``recurrence``), a record
keeps the plugin's own wording of both: ``plugin_description`` (the text with its tags,
without the global filter: what `description includes` reads) and ``recurrence_text``
(rrule's `every week on Sunday`: what `recurrence includes` reads)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from tasksync.model import DATE_FIELDS, Priority

Record = dict[str, Any]

RECORD_KEYS: tuple[str, ...] = (
    "id", "path", "line", "status", "status_type", "description", "plugin_description",
    "owner", "tags", "priority", "due", "scheduled", "start", "created", "done", "cancelled",
    "recurrence", "recurrence_text", "task_id", "depends_on", "on_completion", "block_link",
    "heading", "problems", "raw",
)  # fmt: skip
LIST_KEYS = frozenset(("tags", "depends_on", "problems"))


COLUMN = {key: index for index, key in enumerate(RECORD_KEYS)}
ID, LINE, DESCRIPTION, TASK_ID, HEADING, RAW = (
    COLUMN[k] for k in ("id", "line", "description", "task_id", "heading", "raw")
)
_PRIORITY_VALUE = {p: p.value for p in Priority}  # an Enum's .value is a slow descriptor


def _json_list(values: tuple[str, ...]) -> str:
    if not values:
        return "[]"
    plain = "".join(values)
    if plain.isprintable() and '"' not in plain and "\\" not in plain:
        return '["' + '","'.join(values) + '"]'  # nothing to escape: as json.dumps, but faster
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def fields_row(path: str, line: int, heading: str | None, status_type: str, raw: str,
               fields: dict[str, Any]) -> list[Any]:  # fmt: skip
    """A row of the index's ``tasks`` table (RECORD_KEYS order, lists as JSON text) from what
    the parser read off a line; the id is left empty, as it depends on the note's other tasks."""
    get = fields.get
    priority = _PRIORITY_VALUE[get("priority", Priority.NORMAL)]
    row = [
        "", path, line, fields["status"], status_type, fields["description"],
        fields["plugin_description"], fields["owner"], _json_list(fields["tags"]), priority,
        None, None, None, None, None, None, get("recurrence"), get("recurrence_text"),
        get("task_id"), _json_list(get("depends_on", ())),
        get("on_completion"), fields["block_link"], heading, _json_list(fields["problems"]), raw,
    ]  # fmt: skip
    for key in DATE_FIELDS:
        if key in fields:
            row[COLUMN[key]] = fields[key].isoformat()
    return row


_LIST_POSITIONS = tuple(i for i, k in enumerate(RECORD_KEYS) if k in LIST_KEYS)


def tuple_record(row: tuple[Any, ...]) -> Record:
    """A record from the index's row in RECORD_KEYS order (the fast path: no dict per row
    from the database, JSON read only where a list is not empty)."""
    record = dict(zip(RECORD_KEYS, row, strict=True))
    for position in _LIST_POSITIONS:
        text = row[position]
        record[RECORD_KEYS[position]] = json.loads(text) if text != "[]" else []
    return record


def row_record(row: dict[str, Any]) -> Record:
    return {
        k: (json.loads(row[k]) if row[k] != "[]" else []) if k in LIST_KEYS else row[k]
        for k in RECORD_KEYS
    }


def write_json_array(objects: Iterable[str], out: TextIO) -> None:
    """Write a JSON array of objects already in JSON, one per line (readable, and fast:
    no 100 MB string is built for 50,000 tasks)."""
    out.write("[")
    separator = "\n"
    for text in objects:
        out.write(separator)
        out.write(text)
        separator = ",\n"
    out.write("\n]\n" if separator != "\n" else "]\n")
