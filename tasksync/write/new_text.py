"""Whether lines about to be written would read back as meant, and leave the rest of the
note as it reads now: no comment opened over the lines after them, no character the note's
encoding cannot hold (and that would come back as other characters)."""

from __future__ import annotations

from tasksync.read.notes import comment_left_open
from tasksync.read.signifiers import SIGNIFIERS, VS16
from tasksync.read.vault import C1_UNDEFINED_IN_CP1252, NoteText

# Emoji a legacy-encoded note takes in UTF-8: the reader knows their mis-encoded spellings.
_SIGNIFIER_CHARS = frozenset(
    {VS16} | {char for sig in SIGNIFIERS for emoji in (sig.emoji, *sig.also) for char in emoji}
)
_C1 = C1_UNDEFINED_IN_CP1252
_ENCODING_NAMES = {"cp1252": "Windows-1252", "latin-1": "Latin-1"}


def refusal(text: NoteText, before: str | None, after: tuple[str, ...]) -> str | None:
    """Why ``after`` (the lines replacing the line ``before``, or added when None) must not be
    written into a note read as ``text``; None when they may."""
    return refusal_in(text.encoding, before, after)


def refusal_in(encoding: str, before: str | None, after: tuple[str, ...]) -> str | None:
    """``refusal``, for a note in ``encoding``."""
    opened = _opened(before) if before is not None else None
    for index, line in enumerate(after):
        now = _opened(line)
        if now is not None and not (index == len(after) - 1 and now == opened):
            mark = "%%" if now == "%%" else "<!--"
            return (f"the text opens a comment ({mark} without its closing {now}) that would "
                    "hide the lines after it")  # fmt: skip
    if before is not None and encoding in _ENCODING_NAMES and _spoils_utf8(encoding, before, after):
        return (
            f"the line reads right as UTF-8, as Obsidian reads it, but the note holds bytes "
            f"that are not UTF-8 and is read as {_ENCODING_NAMES[encoding]}: rewritten, the "
            "line would not read right in Obsidian any more; save the note as UTF-8 first"
        )
    char = _unholdable(encoding, after, before or "")
    if char is not None:
        name = _ENCODING_NAMES.get(encoding, encoding)
        return (f"the note is {name} text, which cannot hold {char!r} (it would read back as "
                "other characters): save the note as UTF-8 first")  # fmt: skip
    return None


def _spoils_utf8(encoding: str, before: str, after: tuple[str, ...]) -> bool:
    """Whether ``before``, a line of a note read as ``encoding``, is UTF-8 in its bytes (so it
    reads right in Obsidian, which reads UTF-8) and ``after`` would not be."""
    from tasksync.write.writeback import encode_as  # (it imports this module)

    def utf8(data: bytes) -> bool:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    old = encode_as(before, encoding)
    return (
        not old.isascii()
        and utf8(old)
        and not all(utf8(encode_as(line, encoding)) for line in after)
    )


def _opened(line: str) -> str | None:
    """``comment_left_open``, answered at once for the lines with no comment mark (most)."""
    return comment_left_open(line) if "%%" in line or "<!--" in line else None


def _unholdable(encoding: str, lines: tuple[str, ...], before: str) -> str | None:
    """A character of ``lines`` the encoding cannot hold, other than a signifier, or one
    whose bytes ``before`` already holds (mis-encoded: `ðŸ˜€` repaired to 😀 keeps them)."""
    if encoding in ("utf-8", "utf-16"):
        return None
    for line in lines:
        try:
            line.encode(encoding)
            continue
        except UnicodeEncodeError:
            pass
        for char in line:
            if char in _SIGNIFIER_CHARS or (encoding == "cp1252" and char in _C1):
                continue
            try:
                char.encode(encoding)
            except UnicodeEncodeError:
                if not before or _as_read(char, encoding) not in before:
                    return char
    return None


def _as_read(char: str, encoding: str) -> str:
    """How ``char``, written as its UTF-8 bytes, reads in a note in ``encoding``."""
    errors = "tasksync-c1" if encoding == "cp1252" else "strict"
    return char.encode("utf-8").decode(encoding, errors)
