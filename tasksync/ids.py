"""Stable task ids: the same task keeps its id when lines move or its fields change."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, deque
from collections.abc import Callable, Sequence
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


class Known(NamedTuple):
    """A task of a note as the index had it: its id and what it was made of."""

    id: str
    raw: str
    task_id: str | None
    description: str
    line: int = 0  # 1-based, where the index had it (0: not known)


_WORD = re.compile(r"\w+")
SIMILAR = 70.0  # rapidfuzz ratio from which a reworded task is taken for the same task
MAX_COMPARISONS = 250_000  # beyond, a note rewritten wholesale: reworded tasks are not sought


def carry_ids(path: str, old: Sequence[Known], new: Sequence[tuple[str, IdParts]],
              taken: Callable[[str], bool] = lambda _key: False,
              lines: Sequence[int] = ()) -> list[str]:  # fmt: skip
    """Ids for a note's tasks as they are now (``new``: raw line and id parts, in order),
    carried over from the same note's tasks as the index had them (``old``, in order): a task
    keeps its id when its line moved, its fields changed, or its description was reworded.

    Matched in rounds, each taking only what the earlier ones left: the same line at the same
    place; the same line; the same 🆔; the same description; then a similar description (the
    best match of each other). Places (``lines``: where the new tasks stand; ``Known.line``) tell
    identical lines (twins) apart. A task
    matched in no round gets the id its content gives (``task_ids``), or — when that is taken
    by another task here or, per ``taken``, elsewhere in the index — one derived from it.
    """
    result: list[str | None] = [None] * len(new)
    taken_old: set[int] = set()

    def pair(old_key: Callable[[Known], object],
             new_key: Callable[[int, str, IdParts], object]) -> None:  # fmt: skip
        if None not in result or len(taken_old) == len(old):
            return  # every task placed, or nothing left to place it on
        waiting: dict[object, deque[int]] = {}
        for position, known in enumerate(old):
            key = old_key(known)
            if position not in taken_old and key is not None:
                waiting.setdefault(key, deque()).append(position)
        for index, (raw, parts) in enumerate(new):
            key = new_key(lines[index] if lines else 0, raw, parts)
            if result[index] is None and key is not None and waiting.get(key):
                position = waiting[key].popleft()
                result[index] = old[position].id
                taken_old.add(position)

    def placed(text: str, line: int) -> tuple[str, int] | None:
        return (text, line) if line else None

    pair(lambda known: placed(known.raw, known.line),
         lambda line, raw, _parts: placed(raw, line))  # fmt: skip
    pair(lambda known: known.raw, lambda _line, raw, _parts: raw)
    pair(lambda known: known.task_id or None, lambda _line, _raw, parts: parts.task_id or None)
    pair(lambda known: None if known.task_id else known.description.casefold(),
         lambda _line, _raw, parts: None if parts.task_id
         else parts.description.casefold())  # fmt: skip
    free = [position for position in range(len(old)) if position not in taken_old]
    _pair_similar(old, new, free, result, lines)
    if None not in result:
        return [key for key in result if key is not None]
    natural = task_ids(path, [parts for _, parts in new])
    used = {key for key in result if key is not None}
    ids = []
    for key, fallback in zip(result, natural, strict=True):
        if key is None:
            key = fallback
            salt = 0
            while key in used or taken(key):
                salt += 1
                key = hashlib.blake2b(f"{fallback}\0{salt}".encode(), digest_size=16).hexdigest()
                key = key[:ID_LENGTH]
            used.add(key)
        ids.append(key)
    return ids


def _pair_similar(old: Sequence[Known], new: Sequence[tuple[str, IdParts]], free: list[int],
                  result: list[str | None], lines: Sequence[int] = ()) -> None:  # fmt: skip
    """Reworded tasks: pairs whose descriptions are each other's best match, above SIMILAR.
    A short description ("Dentist") is too short for a ratio to mean much: words added to it
    or taken from it ("Dentist: bring the x-rays") count as a rewording only on the line
    where it stood."""
    waiting = [i for i, key in enumerate(result) if key is None]
    if not waiting or not free or len(waiting) * len(free) > MAX_COMPARISONS:
        return
    from rapidfuzz import fuzz

    def similarity(i: int, j: int) -> float:
        a, b = new[i][1].description.casefold(), old[j].description.casefold()
        # a few words added or taken away ("Call Bob" -> "Call Bob about the shed") count as
        # a rewording, once there is enough text for that to mean something
        score = fuzz.ratio(a, b)
        if min(len(a), len(b)) >= 8:
            return max(score, fuzz.token_set_ratio(a, b))
        same_line = bool(lines) and old[j].line == lines[i]
        return max(score, SIMILAR) if same_line and _words_kept(a, b) else score

    scores = {
        (i, j): similarity(i, j)
        for i in waiting
        for j in free
        if not new[i][1].task_id and not old[j].task_id
    }
    for (i, j), score in sorted(scores.items(), key=lambda item: -item[1]):
        if score < SIMILAR:
            break
        if result[i] is not None or j not in free:
            continue
        best_for_old = max((s for (a, b), s in scores.items() if b == j and result[a] is None),
                           default=0.0)  # fmt: skip
        if score >= best_for_old:
            result[i] = old[j].id
            free.remove(j)


def _words_kept(a: str, b: str) -> bool:
    """Whether every word of one description is in the other (words added or taken away)."""
    words_a, words_b = set(_WORD.findall(a)), set(_WORD.findall(b))
    return bool(words_a and words_b) and (words_a <= words_b or words_b <= words_a)
