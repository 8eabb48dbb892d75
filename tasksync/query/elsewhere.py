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
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
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


def _analyse(description: str) -> tuple[tuple[str, ...], str]:
    """A description's content words, normalised, each once in the order they first come
    (the order a set of them is built in), and its verb: its first word, normalised (an
    action item's action)."""
    split = utils.default_process(repaired(description)).split()
    words: dict[str, None] = {}
    for word in split:
        if len(word) < 2 or word.isdigit() or word in STOP_WORDS or word in _MORE_STOP:
            continue
        words[_stem(word)] = None
    return tuple(words), _stem(split[0]) if split else ""


# Remembered for the TUI, which matches again after every change (most descriptions the same
# as last time); a command's one pass over the vault analyses each description once, as is.
_analysed = lru_cache(maxsize=1 << 17)(_analyse)


def verb_of(description: str) -> str:
    """The first word of a description (an action item's verb), normalised."""
    return _analysed(description or "")[1]


def words_of(description: str) -> frozenset[str]:
    """The content words of a description, normalised."""
    return frozenset(_analysed(description or "")[0])


def day_of(path: str) -> str | None:
    """The date a note's path carries (the last one: the file name's before its folders')."""
    found = _DAY.findall(path)
    return found[-1] if found else None


class _Owners:
    def __init__(self, people: People | None) -> None:
        self.people = people
        names = people.names.values() if people is not None else ()
        self.known = frozenset(v.casefold() for v in names)

    def relation(self, a: Record, b: Record) -> int:
        return self.between(self.person_of(a), self.person_of(b))

    def between(self, pa: str | None, pb: str | None) -> int:
        """1: the same person; -1: two different people both known (a person note, or me);
        0: nothing to say (an owner missing or unknown)."""
        if not pa or not pb:
            return 0
        if pa == pb:
            return 1
        if self._known(pa) and self._known(pb):
            return -1
        return 0

    def person_of(self, record: Record) -> str | None:
        person = record.get("person")
        if person is None and self.people is not None:
            person = self.people.resolve(record["owner"])
        person = person or record["owner"]
        return person.casefold().lstrip("@") if person else None

    def _known(self, person: str) -> bool:
        if person in self.known:
            return True
        return self.people is not None and self.people.is_me(person)


def _hint(a: str | int | None, b: str | int | None, bonus: float, penalty: float) -> float:
    """``bonus`` when both are known and equal, ``-penalty`` when both are known and differ."""
    if not a or not b:
        return 0.0
    return bonus if a == b else -penalty


def _number(numbers: dict[str, int], value: str | None) -> int:
    """``value``'s number in ``numbers`` (a new one when it is new); 0 for none."""
    if not value:
        return 0
    number = numbers.get(value)
    if number is None:
        number = numbers[value] = len(numbers) + 1
    return number


_OTHER, _TARGET, _PROPOSED = 0, 1, 2  # a task's kind
_SCORED_KEPT = 50_000  # the word sets and texts of the tasks last scored


class Matcher:
    """The vault's tasks, read once and kept as numbers: a task is its place in what was
    read (0, 1, …), its words are numbers in one array, its note, line, due day, verb and
    owner are numbers too (a vault of 500,000 tasks is a few arrays, not 500,000 records or
    word sets). ``proposals`` then answers per proposal.

    ``records`` may be read once (a stream from the index); those read are not kept. Each
    is a record with at least ``path``, ``line``, ``status_type``, ``description``,
    ``owner`` and ``due`` (and ``person`` if resolved). ``remember``: remember each
    description's words for the next matcher (the TUI's, after a change)."""

    def __init__(self, records: Iterable[Record], people: People | None = None,
                 remember: bool = True) -> None:  # fmt: skip
        self.owners = _Owners(people)
        analyse = _analysed if remember else _analyse
        vocabulary: dict[str, int] = {}
        self.word_at: array[int] = array("I")  # each task's words in turn, as numbers
        self.starts: array[int] = array("I", [0])  # where each task's words start
        self.kinds = bytearray()
        self.notes: array[int] = array("I")
        self.lines: array[int] = array("I")
        self.verbs: array[int] = array("I")
        self.dues: array[int] = array("I")
        self.persons: array[int] = array("I")  # the owner, resolved: 0 for none
        self.paths: list[str] = []  # a note's number -> its path
        self.days: list[str | None] = []  # a note's number -> the day its path carries
        notes: dict[str, int] = {}
        verbs: dict[str, int] = {}
        dues: dict[str, int] = {}
        persons: dict[str, int] = {}
        owners: dict[tuple[str | None, str | None], int] = {}  # (person, owner) -> number
        for record in records:
            words, verb = analyse(record["description"] or "")
            self.word_at.extend([vocabulary.setdefault(w, len(vocabulary)) for w in words])
            self.starts.append(len(self.word_at))
            kind = record["status_type"]
            self.kinds.append(_PROPOSED if kind == "PROPOSED" else
                              _TARGET if kind in TARGET_TYPES else _OTHER)  # fmt: skip
            path = record["path"]
            note = notes.get(path)
            if note is None:
                note = notes[path] = len(self.paths)
                self.paths.append(path)
                self.days.append(day_of(path))
            self.notes.append(note)
            self.lines.append(record["line"])
            self.verbs.append(_number(verbs, verb))
            self.dues.append(_number(dues, record["due"]))
            owner = (record.get("person"), record["owner"])
            person = owners.get(owner)
            if person is None:
                person = owners[owner] = _number(persons, self.owners.person_of(record))
            self.persons.append(person)
        self.people: list[str | None] = [None, *persons]  # a person's number -> its key
        self.words = list(vocabulary)  # a word's number -> the word
        df = Counter(self.word_at)  # in how many tasks each word is
        total = max(len(self.kinds), 1)
        self.idf = {self.words[w]: math.log((total + 1) / (n + 0.5)) for w, n in df.items()}
        cap = max(RARE_MIN, total // RARE_SHARE)
        self.rare = bytearray(len(self.words))
        for word, n in df.items():
            if n <= cap:
                self.rare[word] = 1
        del df
        self.postings = self._postings()
        self._scored: dict[int, tuple[frozenset[str], str, float]] = {}

    def _words(self, index: int) -> array[int]:
        return self.word_at[self.starts[index] : self.starts[index + 1]]

    def _rare_words(self, index: int) -> list[int]:
        rare = self.rare
        return [w for w in self._words(index) if rare[w]]

    def _postings(self) -> dict[int, array[int]]:
        """Rare word -> the tasks (not proposals) that have it, for the rare words of the
        proposals that can have a candidate (MIN_RARE_SHARED of them)."""
        wanted: set[int] = set()
        if any(self.rare):
            for index, kind in enumerate(self.kinds):
                if kind == _PROPOSED:
                    rare = self._rare_words(index)
                    if len(rare) >= MIN_RARE_SHARED:
                        wanted.update(rare)
        postings: dict[int, array[int]] = {}
        if not wanted:
            return postings
        for index, kind in enumerate(self.kinds):
            if kind == _TARGET:
                for word in self._words(index):
                    if word in wanted:
                        tasks = postings.get(word)
                        if tasks is None:
                            tasks = postings[word] = array("I")
                        tasks.append(index)
        return postings

    def _weight(self, words: Iterable[str]) -> float:
        return sum(self.idf.get(w, 0.0) for w in words)

    def _set(self, index: int) -> tuple[frozenset[str], str, float]:
        """A task's words as a set (built as ``_analyse`` found them: the same set, summed
        in the same order), as a text, and their weight."""
        found = self._scored.get(index)
        if found is None:
            if len(self._scored) >= _SCORED_KEPT:
                self._scored.clear()
            chosen = set()
            for word in self._words(index):
                chosen.add(self.words[word])
            words = frozenset(chosen)
            found = self._scored[index] = (words, " ".join(sorted(words)), self._weight(words))
        return found

    def score(self, i: int, j: int) -> float:
        """How surely task ``j`` says what task ``i`` says (0–100)."""
        (a, text_a, weight_a), (b, text_b, weight_b) = self._set(i), self._set(j)
        shared = a & b
        if len(shared) < MIN_SHARED:
            return 0.0
        smaller = min(weight_a, weight_b)
        containment = self._weight(shared) / smaller if smaller else 0.0
        ratio = fuzz.token_set_ratio(text_a, text_b) / 100
        score = 100 * (CONTAINMENT_SHARE * containment + (1 - CONTAINMENT_SHARE) * ratio)
        relation = self.owners.between(self.people[self.persons[i]], self.people[self.persons[j]])
        score += SAME_OWNER_BONUS if relation > 0 else -OTHER_OWNER_PENALTY if relation < 0 else 0
        score += _hint(self.dues[i], self.dues[j], SAME_DUE_BONUS, OTHER_DUE_PENALTY)
        score += _hint(self.verbs[i], self.verbs[j], SAME_VERB_BONUS, OTHER_VERB_PENALTY)
        score += _hint(self.days[self.notes[i]], self.days[self.notes[j]], SAME_DAY_BONUS,
                       OTHER_DAY_PENALTY)  # fmt: skip
        return max(0.0, min(100.0, score))

    def candidates(self, index: int) -> list[int]:
        """Tasks of other notes sharing at least MIN_RARE_SHARED rare words with this one."""
        rare = self._rare_words(index)
        if len(rare) < MIN_RARE_SHARED:
            return []
        note = self.notes[index]
        counts: Counter[int] = Counter()
        for word in rare:
            counts.update(self.postings.get(word, ()))
        return [j for j, n in counts.items()
                if n >= MIN_RARE_SHARED and self.notes[j] != note]  # fmt: skip

    def matches_of(self, index: int, threshold: float = THRESHOLD) -> list[tuple[int, float]]:
        """Task ``index``'s matches (each task's place and score), best first."""
        best: dict[int, tuple[tuple[float, int], int]] = {}  # per note: its best line
        for j in self.candidates(index):
            score = self.score(index, j)
            if score < threshold:
                continue
            note = self.notes[j]
            rank = (score, -self.lines[j])
            if note not in best or rank > best[note][0]:
                best[note] = (rank, j)
        found = [(j, rank[0]) for rank, j in best.values()]
        found.sort(key=lambda m: (-m[1], self.paths[self.notes[m[0]]], self.lines[m[0]]))
        return found

    def proposals(
        self, threshold: float = THRESHOLD
    ) -> Iterator[tuple[int, list[tuple[int, float]]]]:
        """Each proposed task with a match, in the order read, with its matches in other
        notes (their places and scores), best first: one proposal at a time."""
        for index, kind in enumerate(self.kinds):
            if kind == _PROPOSED:
                found = self.matches_of(index, threshold)
                if found:
                    yield index, found


def matches_elsewhere(records: Iterable[Record], people: People | None = None,
                      threshold: float = THRESHOLD) -> dict[str, list[Match]]:  # fmt: skip
    """Each proposed task's id -> its matches in other notes, best first (proposals without
    a match are left out). ``records`` are the vault's tasks, all of them (the weights of
    words are their rarity among them)."""
    records = list(records)
    matcher = Matcher(records, people)
    return {records[index]["id"]: [Match(records[j], score) for j, score in found]
            for index, found in matcher.proposals(threshold)}  # fmt: skip


def note_link(record: Record, note_paths: Iterable[str]) -> str:
    """An Obsidian link to ``record``'s note: ``[[name]]`` when no other note has that name,
    else ``[[folder/name]]``; to the task's own line when it has a block link."""
    path = record["path"].removesuffix(".md")
    name = path.rsplit("/", 1)[-1]
    same_name = sum(1 for p in note_paths if p.removesuffix(".md").rsplit("/", 1)[-1] == name)
    target = name if same_name <= 1 else path
    block = record.get("block_link")
    return f"[[{target}#{block}]]" if block else f"[[{target}]]"


_BLOCK_PART = re.compile(r"#\^[A-Za-z0-9-]+$")
# What a note's name may hold on disk but not in an Obsidian link (or not without opening a
# comment over the lines after it): the link would point elsewhere or hide the note's rest.
_LINK_BREAKERS = ("|", "[", "]", "#", "^", "%%", "<!--", "-->")


def _unlinkable(link: str) -> str | None:
    target = _BLOCK_PART.sub("", link[2:-2])
    for mark in _LINK_BREAKERS:
        if mark in target:
            return (f"no link can be written to the note {target!r}: its name holds {mark!r}, "
                    "which an Obsidian link cannot (rename the note, or `reject` the "
                    "duplicate instead)")  # fmt: skip
    return None


def tracked_line(task: Task, link: str, today: date, statuses: StatusTable,
                 triage_tags: tuple[str, ...]) -> str:  # fmt: skip
    """A proposal rejected as already tracked elsewhere: rejected as `reject` does ([-] and
    ❌ today, the triage tags gone), its words followed by ``(tracked in [[Note]])``."""
    refused = _unlinkable(link)
    if refused is not None:
        raise edits.CannotEdit(refused)
    rejected = edits.reject(task, today, statuses, triage_tags)
    if link in rejected.description:
        return rejected.raw
    words = f"{rejected.description} (tracked in {link})"
    return edits.set_description(rejected, words, statuses).raw
