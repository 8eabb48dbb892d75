"""The one table of Obsidian Tasks signifiers and every spelling of them that we read.

The real emoji are listed once (``SIGNIFIERS``); every mis-encoded spelling is *derived*
from them by re-decoding their UTF-8 bytes the way broken pipelines do. The grammar's
terminals (``grammar/tasks.lark``) are generated from this module
(``python -m tasksync.read.signifiers --write-grammar``) and a test checks they agree.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

VS16 = "\ufe0f"

DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
TASK_ID = r"[a-zA-Z0-9_-]+"
ID_LIST = r"[a-zA-Z0-9_-]+(?: *, *[a-zA-Z0-9_-]+ *)*"
RULE = r"[a-zA-Z0-9,!][a-zA-Z0-9, !]*"  # as the plugin's `[a-zA-Z0-9, !]+$`, but not blanks alone
# The Dataview form's closing bracket follows the value: `[repeat:: ]` is read (as no rule).
DATAVIEW_RULE = r"[a-zA-Z0-9, !]+"
WORD = r"[a-zA-Z]+"
PRIORITY_WORD = r"highest|high|medium|low|lowest"
LEAD = r"[ \t]*"  # blanks before a field travel with it: one token instead of two
TAG_CHAR = r'[^ !@#$%^&*(),.?":{}|<>\r\n]'


@dataclass(frozen=True, slots=True)
class Signifier:
    """One field: the emoji the plugin writes, the ones it also reads, its value pattern."""

    field: str
    emoji: str
    also: tuple[str, ...] = ()
    value: str | None = None
    dataview_key: str | None = None
    level: str | None = None  # priority signifiers only
    dataview_value: str | None = None  # when the Dataview form's value pattern differs

    @property
    def terminal(self) -> str:
        return "PRIORITY" if self.level else self.field.upper()


SIGNIFIERS: tuple[Signifier, ...] = (
    Signifier("priority", "\U0001f53a", level="highest"),  # 🔺
    Signifier("priority", "\u23eb", level="high"),  # ⏫
    Signifier("priority", "\U0001f53c", level="medium"),  # 🔼
    Signifier("priority", "\U0001f53d", level="low"),  # 🔽
    Signifier("priority", "\u23ec", level="lowest"),  # ⏬
    Signifier("start", "\U0001f6eb", value=DATE, dataview_key="start"),  # 🛫
    Signifier("created", "\u2795", value=DATE, dataview_key="created"),  # ➕
    Signifier("scheduled", "\u23f3", ("\u231b",), DATE, "scheduled"),  # ⏳ ⌛
    Signifier("due", "\U0001f4c5", ("\U0001f4c6", "\U0001f5d3"), DATE, "due"),  # 📅 📆 🗓
    Signifier("done", "\u2705", value=DATE, dataview_key="completion"),  # ✅
    Signifier("cancelled", "\u274c", value=DATE, dataview_key="cancelled"),  # ❌
    Signifier(
        "recurrence", "\U0001f501", value=RULE, dataview_key="repeat", dataview_value=DATAVIEW_RULE
    ),  # 🔁
    Signifier("on_completion", "\U0001f3c1", value=WORD, dataview_key="onCompletion"),  # 🏁
    Signifier("depends_on", "\u26d4", value=ID_LIST, dataview_key="dependsOn"),  # ⛔
    Signifier("id", "\U0001f194", value=TASK_ID, dataview_key="id"),  # 🆔
)

# The order in which the plugin tries each field against the end of the line, per pass.
PARSE_ORDER: tuple[str, ...] = (
    "priority", "done", "cancelled", "due", "scheduled", "start", "created",
    "recurrence", "on_completion", "tag", "id", "depends_on",
)  # fmt: skip

FIELDS: tuple[str, ...] = tuple(dict.fromkeys(s.field for s in SIGNIFIERS))
EMOJI_OF_FIELD: dict[str, str] = {s.field: s.emoji for s in SIGNIFIERS if not s.level}
EMOJI_OF_PRIORITY: dict[str, str] = {s.level: s.emoji for s in SIGNIFIERS if s.level}
DATAVIEW_KEY_OF_FIELD: dict[str, str] = {
    s.field: s.dataview_key for s in SIGNIFIERS if s.dataview_key
}

_CP1252_UNDEFINED = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})

# Each family: how one UTF-8 byte comes out when the bytes are decoded the wrong way.
FAMILIES: dict[str, str] = {
    "cp1252": "Windows-1252, undefined bytes dropped",
    "cp1252-c1": "Windows-1252, undefined bytes kept as C1 controls",
    "latin-1": "ISO-8859-1 (every 0x80-0x9F byte a C1 control)",
    "mac-roman": "Mac Roman (0xF0 becomes U+F8FF)",
}


def _decode_byte(byte: int, family: str) -> str:
    raw = bytes([byte])
    if family == "mac-roman":
        return raw.decode("mac_roman")
    if family == "latin-1" or byte < 0x80:
        return raw.decode("latin-1")
    if byte in _CP1252_UNDEFINED:
        return "" if family == "cp1252" else chr(byte)
    return raw.decode("cp1252")


def _longest_first(text: str) -> tuple[int, str]:
    return (-len(text), text)


def misencode(text: str, family: str) -> str:
    """``text``'s UTF-8 bytes as a pipeline of the given ``family`` would have decoded them."""
    return "".join(_decode_byte(b, family) for b in text.encode("utf-8"))


def spellings(emoji: str) -> tuple[str, ...]:
    """The emoji itself and each distinct mis-encoding of it, longest first."""
    found = dict.fromkeys([emoji, *(misencode(emoji, f) for f in FAMILIES)])
    return tuple(sorted(found, key=_longest_first))


VS16_SPELLINGS: tuple[str, ...] = spellings(VS16)


def signifier_spellings(sig: Signifier) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for emoji in (sig.emoji, *sig.also):
        out.update(dict.fromkeys(spellings(emoji)))
    return tuple(sorted(out, key=_longest_first))


def canonical_spellings() -> dict[str, str]:
    """Every mis-encoded spelling (with and without VS16) -> the real emoji the plugin writes."""
    table: dict[str, str] = {}
    for sig in SIGNIFIERS:
        for emoji in (sig.emoji, *sig.also):
            for spelled in spellings(emoji):
                if spelled != emoji:
                    table[spelled] = emoji
    return table


def starters() -> str:
    """The first character of every spelling: where a signifier can begin."""
    chars = {s[0] for sig in SIGNIFIERS for s in signifier_spellings(sig)}
    return "".join(sorted(chars))


def field_starters(field: str) -> str:
    """The first character of every emoji spelling of ``field``."""
    sigs = [s for s in SIGNIFIERS if s.field == field]
    return "".join(sorted({sp[0] for sig in sigs for sp in signifier_spellings(sig)}))


def _regex_literal(text: str) -> str:
    """A regex fragment matching ``text``, readable where the characters are printable."""
    out = []
    for ch in re.escape(text):
        if ch.isprintable() and ch not in "\u00a0\uf8ff" and not 0x80 <= ord(ch) <= 0x9F:
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    return "".join(out)


def _alternation(texts: tuple[str, ...]) -> str:
    return "(?:" + "|".join(_regex_literal(t) for t in texts) + ")"


def emoji_pattern(field: str) -> str:
    """Regex source for the emoji form of ``field`` (any spelling, optional VS16, value)."""
    sigs = [s for s in SIGNIFIERS if s.field == field]
    symbols: tuple[str, ...] = tuple(
        sorted({sp for s in sigs for sp in signifier_spellings(s)}, key=_longest_first)
    )
    source = _alternation(symbols) + _alternation(VS16_SPELLINGS) + "?"
    value = sigs[0].value
    if value is not None:
        source += f" *(?:{value})"
    return source


def dataview_pattern(field: str) -> str:
    """Regex source for ``[key:: value]`` / ``(key:: value)`` with an optional trailing comma."""
    key = DATAVIEW_KEY_OF_FIELD.get(field, "priority")
    value = (
        PRIORITY_WORD
        if field == "priority"
        else next(s.dataview_value or s.value for s in SIGNIFIERS if s.field == field)
    )
    inner = f" *{key}:: *(?:{value}) *"
    return rf"(?:\[{inner}\]|\({inner}\))(?: *,)?"


def field_pattern(field: str) -> str:
    return f"{emoji_pattern(field)}|{dataview_pattern(field)}"


GRAMMAR_BEGIN = "// BEGIN GENERATED SIGNIFIERS"
GRAMMAR_END = "// END GENERATED SIGNIFIERS"


def grammar_block() -> str:
    """The generated terminal definitions of ``grammar/tasks.lark``."""
    lines = [
        GRAMMAR_BEGIN + " -- python -m tasksync.read.signifiers --write-grammar",
        "// Each field: the real emoji, the ones the plugin also reads, and their mis-encodings",
        "// (" + "; ".join(FAMILIES.values()) + "),",
        "// optionally followed by U+FE0F in any spelling, then the value; or the Dataview form.",
    ]
    for field in FIELDS:
        # The look-ahead on the first character is only there to fail fast where the field
        # cannot begin (most places): the lexer tries every field at every piece.
        first = _regex_literal(field_starters(field))
        lines.append(f"{field.upper()}.3: /{LEAD}(?=[{first}\\[(])(?:{field_pattern(field)})/")
    ahead = "|".join(field_pattern(f) for f in FIELDS)
    # A tag character that cannot begin a field needs no look-ahead (the fast path).
    plain_tag_char = TAG_CHAR[:-1] + "\\[" + _regex_literal(starters()) + "]"
    may_start = "[\\[" + _regex_literal(starters()) + "]"  # the other tag characters
    tag = f"{LEAD}#(?:{plain_tag_char}|(?={may_start})(?!{ahead}){TAG_CHAR})+"
    lines += [
        "// A tag stops where a whole field begins: the plugin reads fields off the end first.",
        f"TAG.2: /{tag}/",
        "// Prose: everything up to a character where a signifier, tag, field or link may begin.",
        f"TEXT.1: /[^#^\\[(\\r\\n{_regex_literal(starters())}]+/",
        GRAMMAR_END,
    ]
    return "\n".join(lines)


def grammar_source_path() -> Path:
    return Path(__file__).resolve().parents[2] / "grammar" / "tasks.lark"


def write_grammar(path: Path) -> bool:
    """Regenerate the block in ``path``; return True when the file changed."""
    text = path.read_text(encoding="utf-8")
    start = text.index(GRAMMAR_BEGIN)
    end = text.index(GRAMMAR_END) + len(GRAMMAR_END)
    new = text[:start] + grammar_block() + text[end:]
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


if __name__ == "__main__":  # pragma: no cover - developer tool
    if sys.argv[1:] == ["--write-grammar"]:
        changed = write_grammar(grammar_source_path())
        print("grammar/tasks.lark", "updated" if changed else "already up to date")
    else:
        print(grammar_block())
