"""Proposals already tracked elsewhere: for each proposed task, the tasks of *other* notes
(open or done) that say the same thing — a meeting note's `[?]` items against its
transcript's ticked action items, worded differently.

The approach is the duplicate matcher's (dupes.py), made to work across a whole vault:

* Text: mojibake repaired, then rapidfuzz's normalisation (lower case, punctuation out),
  stop words out, a plural ``s`` off (``notes`` / ``note``); numbers are left out (dates in
  the text are a hint at best).
* Weight: a word is worth its rarity in the vault (inverse document frequency over every
  task): two tasks sharing ``kushal`` and ``nscale`` say far more than two sharing ``send``.
* Candidates: a match must share at least ``MIN_RARE_SHARED`` *rare* words — words in at
  most ``max(RARE_MIN, tasks / RARE_SHARE)`` tasks. Candidates come from an inverted index
  of those words only, so a vault of 50,000 tasks costs a few postings per proposal, never
  proposals × tasks (a vault whose every word is common gives no candidates at all).
* Score (0–100): how much of the shorter task's weight the other one holds (weighted
  containment: a transcript's terse line inside a proposal's long one), blended with
  rapidfuzz's token-set ratio; owners resolved to people and due dates adjust it — hints,
  not requirements: transcripts rarely carry the proposal's date, and `@Myself` in one
  note is `@Jason Vallery` in the other. The same person, due day, leading verb (the
  action) or note date (a meeting note and its transcript) adds a little; two different
  known people (person notes, or me), due days, verbs or note dates take off more.
* Per other note, only its best line is kept; a match needs ``THRESHOLD``.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, utils

from tasksync.model import StatusTable, Task
from tasksync.query.dupes import STOP_WORDS
from tasksync.query.people import People
from tasksync.read.prose import repaired
from tasksync.read.records import Record
from tasksync.write import edits

THRESHOLD = 60.0
TARGET_TYPES = frozenset(("TODO", "IN_PROGRESS", "ON_HOLD", "DONE"))
MIN_RARE_SHARED = 2
MIN_SHARED = 3
RARE_MIN = 40
RARE_SHARE = 200
CONTAINMENT_SHARE = 0.7  # the rest is the token-set ratio
SAME_OWNER_BONUS = 4.0
OTHER_OWNER_PENALTY = 12.0
SAME_DUE_BONUS = 4.0
OTHER_DUE_PENALTY = 12.0  # due on different days: likely two items (within a note, always)
# The action: "Mount the first two probes" is not "Order two more probes".
SAME_VERB_BONUS = 4.0
OTHER_VERB_PENALTY = 6.0
# Notes dated the same day (a meeting note and its transcript) or not.
SAME_DAY_BONUS = 4.0
OTHER_DAY_PENALTY = 6.0
_DAY = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")
_MORE_STOP = frozenset(("will", "any", "all", "via", "after", "before", "including", "not"))


@dataclass(frozen=True, slots=True)
class Match:
    record: Record  # the task in the other note
    score: float

    def as_json(self) -> dict[str, object]:
        r = self.record
        return {"id": r["id"], "path": r["path"], "line": r["line"], "status": r["status"],
                "score": round(self.score, 1)}  # fmt: skip


def _stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 17)
def verb_of(description: str) -> str:
    """The first word of a description (an action item's verb), normalised."""
    words = utils.default_process(repaired(description or "")).split()
    return _stem(words[0]) if words else ""


def day_of(path: str) -> str | None:
    """The date a note's path carries (the last one: the file name's before its folders')."""
    found = _DAY.findall(path)
    return found[-1] if found else None


@lru_cache(maxsize=1 << 17)
def words_of(description: str) -> frozenset[str]:
    """The content words of a description, normalised (remembered: the TUI matches again
    after every change, and most descriptions are the same as last time)."""
    text = utils.default_process(repaired(description or ""))
    out = set()
    for word in text.split():
        if len(word) < 2 or word.isdigit() or word in STOP_WORDS or word in _MORE_STOP:
            continue
        out.add(_stem(word))
    return frozenset(out)


def _text(description: str) -> str:
    return " ".join(sorted(words_of(description)))


class _Owners:
    def __init__(self, people: People | None) -> None:
        self.people = people
        names = people.names.values() if people is not None else ()
        self.known = frozenset(v.casefold() for v in names)

    def relation(self, a: Record, b: Record) -> int:
        """1: the same person; -1: two different people both known (a person note, or me);
        0: nothing to say (an owner missing or unknown)."""
        pa, pb = self._person(a), self._person(b)
        if not pa or not pb:
            return 0
        if pa == pb:
            return 1
        if self._known(pa) and self._known(pb):
            return -1
        return 0

    def _person(self, record: Record) -> str | None:
        person = record.get("person")
        if person is None and self.people is not None:
            person = self.people.resolve(record["owner"])
        person = person or record["owner"]
        return person.casefold().lstrip("@") if person else None

    def _known(self, person: str) -> bool:
        if person in self.known:
            return True
        return self.people is not None and self.people.is_me(person)


def _hint(a: str | None, b: str | None, bonus: float, penalty: float) -> float:
    """``bonus`` when both are known and equal, ``-penalty`` when both are known and differ."""
    if not a or not b:
        return 0.0
    return bonus if a == b else -penalty


class Matcher:
    """The vault's tasks, indexed once; ``matches`` then answers per proposal."""

    def __init__(self, records: Iterable[Record], people: People | None = None) -> None:
        self.records = list(records)
        self.owners = _Owners(people)
        self.words = [words_of(r["description"] or "") for r in self.records]
        self.verbs = [verb_of(r["description"] or "") for r in self.records]
        days: dict[str, str | None] = {}
        self.days = [days.setdefault(r["path"], day_of(r["path"])) if r["path"] not in days
                     else days[r["path"]] for r in self.records]  # fmt: skip
        df: Counter[str] = Counter()
        for words in self.words:
            df.update(words)
        total = max(len(self.records), 1)
        self.idf = {w: math.log((total + 1) / (n + 0.5)) for w, n in df.items()}
        cap = max(RARE_MIN, total // RARE_SHARE)
        self.rare = frozenset(w for w, n in df.items() if n <= cap)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for index, record in enumerate(self.records):
            if record["status_type"] in TARGET_TYPES:
                for word in self.words[index] & self.rare:
                    self.postings[word].append(index)
        self._texts: dict[int, str] = {}

    def _weight(self, words: Iterable[str]) -> float:
        return sum(self.idf.get(w, 0.0) for w in words)

    def _text(self, index: int) -> str:
        text = self._texts.get(index)
        if text is None:
            text = self._texts[index] = " ".join(sorted(self.words[index]))
        return text

    def score(self, i: int, j: int) -> float:
        """How surely task ``j`` says what task ``i`` says (0–100)."""
        a, b = self.words[i], self.words[j]
        shared = a & b
        if len(shared) < MIN_SHARED:
            return 0.0
        smaller = min(self._weight(a), self._weight(b))
        containment = self._weight(shared) / smaller if smaller else 0.0
        ratio = fuzz.token_set_ratio(self._text(i), self._text(j)) / 100
        score = 100 * (CONTAINMENT_SHARE * containment + (1 - CONTAINMENT_SHARE) * ratio)
        relation = self.owners.relation(self.records[i], self.records[j])
        score += SAME_OWNER_BONUS if relation > 0 else -OTHER_OWNER_PENALTY if relation < 0 else 0
        score += _hint(self.records[i]["due"], self.records[j]["due"], SAME_DUE_BONUS,
                       OTHER_DUE_PENALTY)  # fmt: skip
        score += _hint(self.verbs[i], self.verbs[j], SAME_VERB_BONUS, OTHER_VERB_PENALTY)
        score += _hint(self.days[i], self.days[j], SAME_DAY_BONUS, OTHER_DAY_PENALTY)
        return max(0.0, min(100.0, score))

    def candidates(self, index: int) -> list[int]:
        """Tasks of other notes sharing at least MIN_RARE_SHARED rare words with this one."""
        path = self.records[index]["path"]
        counts: Counter[int] = Counter()
        for word in self.words[index] & self.rare:
            counts.update(self.postings.get(word, ()))
        return [j for j, n in counts.items()
                if n >= MIN_RARE_SHARED and self.records[j]["path"] != path]  # fmt: skip

    def matches_of(self, index: int, threshold: float = THRESHOLD) -> list[Match]:
        best: dict[str, tuple[tuple[float, int], int]] = {}  # per note: its best line
        for j in self.candidates(index):
            score = self.score(index, j)
            if score < threshold:
                continue
            path = self.records[j]["path"]
            rank = (score, -self.records[j]["line"])
            if path not in best or rank > best[path][0]:
                best[path] = (rank, j)
        found = [Match(self.records[j], rank[0]) for rank, j in best.values()]
        found.sort(key=lambda m: (-m.score, m.record["path"], m.record["line"]))
        return found


def matches_elsewhere(records: Iterable[Record], people: People | None = None,
                      threshold: float = THRESHOLD) -> dict[str, list[Match]]:  # fmt: skip
    """Each proposed task's id -> its matches in other notes, best first (proposals without
    a match are left out). ``records`` are the vault's tasks, all of them (the weights of
    words are their rarity among them)."""
    matcher = Matcher(records, people)
    found: dict[str, list[Match]] = {}
    for index, record in enumerate(matcher.records):
        if record["status_type"] != "PROPOSED":
            continue
        matches = matcher.matches_of(index, threshold)
        if matches:
            found[record["id"]] = matches
    return found


def note_link(record: Record, note_paths: Iterable[str]) -> str:
    """An Obsidian link to ``record``'s note: ``[[name]]`` when no other note has that name,
    else ``[[folder/name]]``; to the task's own line when it has a block link."""
    path = record["path"].removesuffix(".md")
    name = path.rsplit("/", 1)[-1]
    same_name = sum(1 for p in note_paths if p.removesuffix(".md").rsplit("/", 1)[-1] == name)
    target = name if same_name <= 1 else path
    block = record.get("block_link")
    return f"[[{target}#{block}]]" if block else f"[[{target}]]"


def tracked_line(task: Task, link: str, today: date, statuses: StatusTable,
                 triage_tags: tuple[str, ...]) -> str:  # fmt: skip
    """A proposal rejected as already tracked elsewhere: rejected as `reject` does ([-] and
    ❌ today, the triage tags gone), its words followed by ``(tracked in [[Note]])``."""
    rejected = edits.reject(task, today, statuses, triage_tags)
    if link in rejected.description:
        return rejected.raw
    words = f"{rejected.description} (tracked in {link})"
    return edits.set_description(rejected, words, statuses).raw
