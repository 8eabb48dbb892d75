"""Prose mis-encoded on its way into a note (`Vallery‚Äôs`, `Borkerâ€™s`: UTF-8 read as Mac
Roman or Windows-1252), repaired for reading with ftfy. Only the encoding is repaired: curly
quotes, ligatures and widths stay as written."""

from __future__ import annotations

import re
from itertools import groupby

# A mis-encoded character shows as one of these followed by more of its bytes; text without
# them is left alone without loading ftfy (most text).
_SUSPECT = re.compile("[\u00c2-\u00f4\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                      "\u02dc\u2013-\u203a\u20ac\u2122\u221a\u2202\u2206\uf8ff]")  # fmt: skip
# Every character a Mac Roman reading of bytes can give.
_MAC_ROMAN = frozenset(bytes(range(256)).decode("mac_roman"))
# `”` is E2 80 9D, and Windows-1252 has no 0x9D: a pipeline drops it, leaving `â€` before a
# character that cannot go on a UTF-8 sequence (a space, the line's end). ftfy took such a
# space for the 0xA0 of a dagger (`“hi†then`); the byte is put back for it instead, the one
# lost from `”` (of the characters whose third byte cp1252 lacks, the one prose holds).
_CONTINUATIONS = "".join(
    bytes([b]).decode("cp1252", "replace").replace("\ufffd", chr(b)) for b in range(0x80, 0xC0)
)
_QUOTE_CUT_SHORT = re.compile(f"\u00e2\u20ac(?![{re.escape(_CONTINUATIONS)}])")


def repaired(text: str) -> str:
    """``text`` with mis-encoded characters made right; anything else unchanged."""
    if text.isascii() or not _SUSPECT.search(text):
        return text
    import ftfy

    whole = str(ftfy.fix_encoding(_QUOTE_CUT_SHORT.sub("\u00e2\u20ac\x9d", text)))
    # ftfy undoes a Mac Roman reading only where the text could be held in Mac Roman whole:
    # beside a real emoji (`🎉 Vallery‚Äôs`) each run between such characters is undone alone.
    return "".join(
        str(ftfy.fix_encoding(run)) if held and _SUSPECT.search(run) else run
        for held, run in (
            (held, "".join(chars)) for held, chars in groupby(whole, _MAC_ROMAN.__contains__)
        )
    )
