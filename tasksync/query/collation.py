"""Text in the order the plugin puts it: JavaScript's ``localeCompare`` with
``{numeric: true}`` (ICU's collation, as in an English-speaking Obsidian), closely enough for
headings, descriptions and tags: blanks and punctuation before digits before letters; numbers
by value (`Task 2` before `Task 10`); a letter with its accented forms (`éclair` among the
e's); then, on a tie, unaccented first, then lower case first (`zebra` before `Zebra`)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# ICU's order of the ASCII characters that are neither digits nor letters.
_PUNCTUATION = "\t\n\v\f\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_RANK = {char: rank for rank, char in enumerate(_PUNCTUATION)}
_PIECES = re.compile(r"[0-9]+|.", re.DOTALL)

Key = tuple[tuple[tuple[int, object], ...], tuple[int, ...], tuple[int, ...], str]


@lru_cache(maxsize=65536)
def locale_key(text: str) -> Key:
    """A sort key: ``sorted(texts, key=locale_key)`` is the plugin's order; two texts have
    the same key only when they are the same text."""
    primary: list[tuple[int, object]] = []
    accents: list[int] = []
    cases: list[int] = []
    for piece in _PIECES.findall(text):
        if piece[0].isdigit() and piece.isascii():
            primary.append((1, int(piece)))
            continue
        char = piece
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        if base.isalpha():
            primary.append((2, base.casefold()))
            accents.append(len(decomposed) > 1)
            cases.append(base != base.casefold())
        elif base.isdigit():
            primary.append((1, unicodedata.digit(base, 0)))
        else:
            primary.append((0, _RANK.get(char, len(_RANK) + ord(char))))
    return tuple(primary), tuple(accents), tuple(cases), text
