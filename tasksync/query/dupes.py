"""Near-duplicate tasks: the same action item proposed twice in one note, worded differently.

Within one note and one owner, tasks are paired by iterated mutual best match: two tasks pair
when each is the other's most similar remaining task (rapidfuzz token-set ratio on the
normalised descriptions), the similarity reaches ``THRESHOLD`` and they share at least
``MIN_SHARED_WORDS`` content words; paired tasks leave the pool and the next round runs on the
rest. One-to-one, so a task is in at most one pair. Words alone cannot tell "Send the Q3 deck"
from "Send the Q4 deck": two tasks that each name a number, a month or a weekday and do not
name the same ones are two items, and so are a task and its negation ("Do not send …").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, utils

from tasksync.read.records import Record

THRESHOLD = 72.0
# Short tasks share a word or two by chance ("Water the seedlings" / "Pot on the tomato
# seedlings" score 81): a pair must also share this many content words.
MIN_SHARED_WORDS = 3
STOP_WORDS = frozenset((
    "the", "a", "an", "and", "or", "to", "of", "for", "with", "on", "in", "at", "by", "from",
    "into", "about", "this", "that", "is", "are", "be", "as", "it", "its", "their", "his",
    "her", "our", "your", "my", "we", "they", "he", "she",
))  # fmt: skip


# (Not "may": far more often "may need" than the month.)
_CALENDAR_WORDS = frozenset((
    "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri",
))  # fmt: skip
_NEGATIONS = frozenset((
    "not", "never", "dont", "doesnt", "didnt", "cant", "cannot", "wont", "shouldnt", "isnt",
    "arent", "wasnt", "mustnt", "neednt",
))  # fmt: skip
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in text.split() if len(w) > 2 and w not in STOP_WORDS)


def _marks(description: str) -> tuple[frozenset[str], bool]:
    """What tells items apart that alike words do not: the numbers, months and weekdays the
    task names, and whether it is said in the negative."""
    words = [w.replace("'", "").replace("’", "") for w in _WORD.findall(description.casefold())]
    named = frozenset(w for w in words if w in _CALENDAR_WORDS or any(c.isdigit() for c in w))
    return named, any(w in _NEGATIONS for w in words)


def _told_apart(one: tuple[frozenset[str], bool], other: tuple[frozenset[str], bool]) -> bool:
    return (bool(one[0]) and bool(other[0]) and one[0] != other[0]) or one[1] != other[1]


def _pairs(records: list[Record], threshold: float) -> list[tuple[int, int]]:
    texts = [utils.default_process(r["description"]) for r in records]
    words = [_content_words(t) for t in texts]
    marks = [_marks(r["description"]) for r in records]
    dues = [r["due"] for r in records]
    count = len(texts)

    def similarity(i: int, j: int) -> float:
        if i == j or len(words[i] & words[j]) < MIN_SHARED_WORDS:
            return -1.0
        if _told_apart(marks[i], marks[j]):
            return -1.0
        if dues[i] and dues[j] and dues[i] != dues[j]:
            return -1.0  # due on different days: two items, however alike their words
        return float(fuzz.token_set_ratio(texts[i], texts[j]))

    score = [[similarity(i, j) for j in range(count)] for i in range(count)]
    pool = set(range(count))
    found: list[tuple[int, int]] = []
    while len(pool) > 1:
        best = {i: max((j for j in pool if j != i), key=lambda j: (score[i][j], -j)) for i in pool}
        mutual = [(i, j) for i, j in best.items()
                  if i < j and best[j] == i and score[i][j] >= threshold]  # fmt: skip
        if not mutual:
            break
        for i, j in mutual:
            found.append((i, j))
            pool -= {i, j}
    return sorted(found)


def duplicate_groups(records: Iterable[Record], threshold: float = THRESHOLD) -> list[list[Record]]:
    """Groups (pairs) of near-duplicate tasks, each in note order, in note order. Owners are
    compared as people when the records carry a ``person`` (see people.py)."""
    by_note_owner: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for record in records:
        owner = (record.get("person") or record["owner"] or "").casefold()
        by_note_owner[(record["path"], owner)].append(record)
    groups = []
    for members in by_note_owner.values():
        members.sort(key=lambda r: r["line"])
        groups += [[members[i], members[j]] for i, j in _pairs(members, threshold)]
    groups.sort(key=lambda g: (g[0]["path"], g[0]["line"]))
    return groups


def merged(records: list[Record]) -> tuple[list[Record], int]:
    """One record per near-duplicate group: the one with a due date (the first if several).
    Tasks due on different days are never merged."""
    dropped: set[str] = set()
    for group in duplicate_groups(records):
        if len({r["due"] for r in group if r["due"]}) > 1:
            continue
        keep = next((r for r in group if r["due"]), group[0])
        dropped |= {r["id"] for r in group if r is not keep}
    return [r for r in records if r["id"] not in dropped], len(dropped)
