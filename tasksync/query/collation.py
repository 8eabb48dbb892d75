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

Key = tuple[str, str, str, str]
# Each piece of the primary key is a class mark, then its value, so that comparing the
# strings compares the pieces as tuples of (class, value) would: marks sort below every
# value that can follow a letter, a number's length comes before its digits, and a
# punctuation rank is two characters wide.
_PUNCT, _NUMBER, _LETTER = "\x00", "\x01", "\x02"


def _number(digits: str) -> str:
    digits = digits.lstrip("0") or "0"
    return f"{_NUMBER}{chr(len(digits))}{digits}"


@lru_cache(maxsize=65536)
def locale_key(text: str) -> Key:
    """A sort key: ``sorted(texts, key=locale_key)`` is the plugin's order; two texts have
    the same key only when they are the same text. Four strings: an answer of 500,000 tasks
    keeps one per note path (a tuple per character took 3 KB a path)."""
    primary: list[str] = []
    accents: list[str] = []
    cases: list[str] = []
    for piece in _PIECES.findall(text):
        if piece[0].isdigit() and piece.isascii():
            primary.append(_number(piece))
            continue
        char = piece
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        if base.isalpha():
            primary.append(_LETTER + base.casefold())
            accents.append("1" if len(decomposed) > 1 else "0")
            cases.append("1" if base != base.casefold() else "0")
        elif base.isdigit():
            primary.append(_number(str(unicodedata.digit(base, 0))))
        else:
            rank = _RANK.get(char, len(_RANK) + ord(char))
            primary.append(f"{_PUNCT}{chr(rank >> 15)}{chr(rank & 0x7FFF)}")
    return "".join(primary), "".join(accents), "".join(cases), text
