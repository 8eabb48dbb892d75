"""Stable task ids: the same task keeps its id when lines move or its fields change."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple, Protocol

ID_LENGTH = 12  # hex digits; short unique prefixes are accepted wherever an id is


class Identified(Protocol):
    """What an id is made of (a ``Task`` has both)."""

    @property
    def task_id(self) -> str | None: ...

    @property
    def description(self) -> str: ...


class IdParts(NamedTuple):
    task_id: str | None
    description: str


def id_key(path: str, task: Identified) -> str:
    """What a task's id is made of, but for its rank among the note's tasks with the same."""
    if task.task_id:
        return f"{path}\0id\0{task.task_id}"
    return f"{path}\0text\0{task.description.casefold()}"  # already white-space collapsed


def task_ids(path: str, tasks: Sequence[Identified]) -> list[str]:
    """One id per task of one note, in order.

    Derived from the note's path and the task's 🆔 when it has one, else its description
    (without status, dates, priority, owner or tags) and how many tasks above it in the same
    note have the same description.
    """
    seen: Counter[str] = Counter()
    ids = []
    for task in tasks:
        key = id_key(path, task)
        digest = hashlib.blake2b(f"{key}\0{seen[key]}".encode(), digest_size=16).hexdigest()
        seen[key] += 1
        ids.append(digest[:ID_LENGTH])
    return ids
