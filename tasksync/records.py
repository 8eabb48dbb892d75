"""A task as a record: the JSON contract of ``list --json``, which is also the index's row."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any, TextIO

from tasksync.model import Task

Record = dict[str, Any]

RECORD_KEYS: tuple[str, ...] = (
    "id", "path", "line", "status", "status_type", "description", "owner", "tags", "priority",
    "due", "scheduled", "start", "created", "done", "cancelled", "recurrence", "task_id",
    "depends_on", "on_completion", "block_link", "heading", "problems", "raw",
)  # fmt: skip
LIST_KEYS = frozenset(("tags", "depends_on", "problems"))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def task_record(task_key: str, path: str, line: int, heading: str | None, task: Task) -> Record:
    return {
        "id": task_key,
        "path": path,
        "line": line,
        "status": task.status,
        "status_type": task.status_type.value,
        "description": task.description,
        "owner": task.owner,
        "tags": list(task.tags),
        "priority": task.priority.value,
        "due": _iso(task.due),
        "scheduled": _iso(task.scheduled),
        "start": _iso(task.start),
        "created": _iso(task.created),
        "done": _iso(task.done),
        "cancelled": _iso(task.cancelled),
        "recurrence": task.recurrence,
        "task_id": task.task_id,
        "depends_on": list(task.depends_on),
        "on_completion": task.on_completion,
        "block_link": task.block_link,
        "heading": heading,
        "problems": list(task.problems),
        "raw": task.raw,
    }


def _json_list(values: list[str]) -> str:
    return json.dumps(values, ensure_ascii=False) if values else "[]"


def record_row(record: Record) -> tuple[Any, ...]:
    """The record as a row of the index's ``tasks`` table: its fields (lists as JSON text),
    then the whole record as JSON, made once here so that listing is a string join."""
    fields = tuple(_json_list(record[k]) if k in LIST_KEYS else record[k] for k in RECORD_KEYS)
    return (*fields, json.dumps(record, ensure_ascii=False))


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
