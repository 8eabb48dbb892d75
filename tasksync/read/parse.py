"""Task lines -> ``Task``s (or, for the index, their plain fields).

The grammar's own terminals cut the lines into pieces (``LineLexer``); the LALR tables Lark
builds from the grammar are run on them by ``tasksync.read.lalr``, and as each line is reduced
``_build`` reads its fields off the end, as the Obsidian Tasks plugin does. No tree is kept.
Lark's own parser over the same grammar (``_parser``) is the reference the tests hold it to.
The common line (prose, then fields and tags apart by spaces) is read by ``FastLine`` with
the same terminals and no LALR loop, in half the time; tests hold it to the tables' path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lark import Lark

from tasksync.config import global_filter_of
from tasksync.errors import TaskSyntaxError
from tasksync.model import Priority, Segment, StatusTable, Task
from tasksync.read.grammars import grammar_text
from tasksync.read.lalr import GrammarMismatch, LeanLALR
from tasksync.read.rule_text import rule_text
from tasksync.read.signifiers import (
    PARSE_ORDER,
    SIGNIFIERS,
    VS16_SPELLINGS,
    signifier_spellings,
)
from tasksync.read.tables import load as load_tables
from tasksync.read.tables import terminal_order

# JavaScript's \s: what the plugin's trim() and regexes treat as white space.
JS_WS = "\t\n\u000b\u000c\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # noqa: E501
_WS_CLASS = "[" + re.escape(JS_WS) + "]"
_WS_RUN = re.compile(_WS_CLASS + "+")

# The one prefilter for candidate lines: the plugin's taskRegex, up to the checkbox.
TASK_PREFIX = re.compile(
    r"[" + re.escape(JS_WS) + r">]*(?:[-*+]|[0-9]+[.)]) +\[[^\n\r\u2028\u2029]\]"
)

# The plugin's hashTags regex, `(^|\s)#[^ !@#$%^&*(),.?":{}|<>]+`, with the `(^|\s)` checked
# by hand: a pattern that starts with a literal `#` lets the regex engine skip ahead fast.
_TAG_AFTER_HASH = re.compile(r"#[^ !@#$%^&*(),.?\":{}|<>]+")
_NAME_WORD = r"[^\W_](?:[\w'\u2019-]|\.(?=\w))*"
# An owner runs from its `@` to the end of the description part; names hold no `@`.
_OWNER_AT = re.compile(
    r"@(?P<name>" + _NAME_WORD + r"(?: " + _NAME_WORD + r"){0,3})" + _WS_CLASS + "*$"
)
_MAX_OWNER_WORDS = 4

_FIELD_OF_TERMINAL = {
    "PRIORITY": "priority", "DONE": "done", "CANCELLED": "cancelled", "DUE": "due",
    "SCHEDULED": "scheduled", "START": "start", "CREATED": "created", "RECURRENCE": "recurrence",
    "ON_COMPLETION": "on_completion", "ID": "id", "DEPENDS_ON": "depends_on", "TAG": "tag",
}  # fmt: skip

_PRIORITY_OF_SPELLING: dict[str, Priority] = {
    spelled + vs16: Priority(sig.level)
    for sig in SIGNIFIERS
    if sig.level
    for spelled in signifier_spellings(sig)
    for vs16 in ("", *VS16_SPELLINGS)
}
_DATAVIEW_PRIORITY = re.compile(r"[\[(] *priority:: *([a-z]+)")


def _value_pattern(field: str) -> re.Pattern[str]:
    """Group 1: the value after the emoji (any spelling); group 2: the Dataview value."""
    spelled = sorted({sp for sig in SIGNIFIERS if sig.field == field
                      for sp in signifier_spellings(sig)}, key=len, reverse=True)  # fmt: skip
    emoji = "|".join(map(re.escape, spelled))
    vs16 = "|".join(map(re.escape, VS16_SPELLINGS))
    return re.compile(rf"(?:{emoji})(?:{vs16})? *(.*)|[\[(] *[A-Za-z]+:: *(.*?) *[\])](?: *,)?$")


_VALUE = {field: _value_pattern(field) for field in {s.field for s in SIGNIFIERS if not s.level}}
_DATE_FIELDS = frozenset(("due", "scheduled", "start", "created", "done", "cancelled"))
_MAX_PASSES = 21  # the plugin's do/while with maxRuns = 20
_NOT_IN_TAG = re.compile(r'[ !@#$%^&*(),.?":{}|<>]')
_ORDER = {kind: i for i, kind in enumerate(PARSE_ORDER)}
_TAG_ORDER = _ORDER["tag"]
_BLANKABLE = frozenset(("TEXT", "OTHER"))


class LineLexer:
    """The grammar's own terminals, matched with one compiled alternation.

    Lark's contextual lexer knows the same two contexts (a line's start expects LIST_ITEM;
    after it come the body pieces and the newline), but tries terminal after terminal in
    Python; one alternation in Lark's own priority order, where a list item can only match
    at a line's start, lexes the same tokens several times faster. Tests check both lexers
    agree.
    """

    def __init__(self, terminals: Sequence[tuple[str, str]]) -> None:
        """``terminals``: (name, regex) in Lark's order of preference."""
        item = dict(terminals)["LIST_ITEM"]
        body = [(name, rx) for name, rx in terminals if name != "LIST_ITEM"]
        # The two contexts in one pattern: a list item only where a line starts.
        self._lines = re.compile(f"(?P<LIST_ITEM>(?<![^\\n]){item})|{_alternation(body)}")

    def pieces(self, lines: list[str]) -> list[tuple[str, str]]:
        """The tokens of ``lines`` (parsed as one text) as plain (terminal name, text) pairs.
        OTHER and _NL match any character, so the tokens cover the text."""
        text = "\n".join(lines)
        return [(m.lastgroup, m.group()) for m in self._lines.finditer(text)]  # type: ignore[misc]


_BLANKS = "[ \t]*"


def _alternation(named: list[tuple[str, str]]) -> str:
    """The terminals as one alternation, in priority order.

    Those that begin with blanks (fields, tags, links) come first in that order; they share
    one possessive blank run, and a guard: after the blanks they can only begin where prose
    (TEXT) stops. Neither changes what matches, only how fast a mismatch is known.
    """
    plain = "|".join(f"(?P<{name}>{rx})" for name, rx in named)
    led = [(name, rx[len(_BLANKS) :]) for name, rx in named if rx.startswith(_BLANKS)]
    text = dict(named).get("TEXT", "")
    if not led or named[: len(led)] != [(n, _BLANKS + rx) for n, rx in led]:
        return plain
    if not (text.startswith("[^") and text.endswith("]+")):
        return plain
    first = f"(?=[{text[2:-2]}])"
    blank_led = "|".join(f"(?P<{name}>{rx})" for name, rx in led)
    rest = "|".join(f"(?P<{name}>{rx})" for name, rx in named[len(led) :])
    return f"{_BLANKS}+{first}(?:{blank_led})|{rest}"


class FastLine:
    """The common line, read without the LALR loop: prose, then fields and tags apart by
    spaces, then perhaps a block link (`- [?] Call Bob @Bob 📅 2026-01-05 ⏫ #task ^a1`).
    The prose holds no field, tag or link (the line is the grammar's when one stands there).

    It matches the grammar's own terminals, in the lexer's order and each taken as the lexer
    takes it, so it cuts such a line into the very pieces the lexer does; on them every piece
    after the prose is a field, tag or link that ``_build`` reads off the end (no pass limit
    reached, no tag glued to anything). Any other line gets None, and the full path. Tests
    hold the two paths equal on every line.
    """

    def __init__(self, terminals: Sequence[tuple[str, str]]) -> None:
        named = dict(terminals)
        text = named["TEXT"]  # a negated class, `[^...]+`
        if not (text.startswith("[^") and text.endswith("]+")):
            raise ValueError(f"TEXT is no longer a negated class: {text}")
        led = [(name, rx[len(_BLANKS) :]) for name, rx in terminals if name in _FIELD_OF_TERMINAL]
        alternation = "|".join(f"(?P<{name}>{rx})" for name, rx in led)
        # The prose: TEXT, and any character TEXT stops at where no field, tag or link
        # begins (the lexer makes it an OTHER: `(`, `‚` of `‚Äôs`), so that every piece of
        # it is words; runs of ASCII first, which sre scans far faster.
        starts = "|".join(rx[len(_BLANKS) :] for name, rx in terminals
                          if name in _FIELD_OF_TERMINAL or name == "BLOCK_LINK")  # fmt: skip
        prose = rf"(?:[^{text[2:-2]}\x80-\U0010ffff]++|{text[:-2]}]|(?!{starts}).)*+"
        self._head = re.compile(f"({named['LIST_ITEM']})({prose})")
        # A piece ends at a space, or at the end of the line, or has taken a space itself
        # (a recurrence rule's value runs on over spaces).
        self._piece = re.compile(f" *+(?>{alternation})(?:(?<= )|(?= |$))")
        block = named["BLOCK_LINK"][len(_BLANKS) :]
        self._tail = re.compile(f"(?: *+(?P<block>{block}))? *$")

    def fields(self, line: str, plugin_wording: bool = False,
               with_segments: bool = False) -> dict[str, Any] | None:  # fmt: skip
        """What ``_build`` reads off ``line``, or None: not a common line."""
        head = self._head.match(line)
        if head is None:
            return None
        remaining = head.group(2)
        pos = head.end()
        if pos < len(line) and line[pos - 1] != " ":
            return None  # a piece glued to the prose (or to the checkbox)
        if not remaining.strip(JS_WS):
            return None
        pieces: list[tuple[str, str, int]] = []  # (terminal, its text, the blanks before it)
        match = self._piece.match(line, pos)
        while match is not None:
            kind = match.lastgroup
            assert kind is not None
            pieces.append((kind, match.group(kind), match.start(kind) - pos))
            pos = match.end()
            match = self._piece.match(line, pos)
        tail = self._tail.match(line, pos)
        if tail is None or len(pieces) >= _MAX_PASSES:
            return None
        owner, description, tags, spans = _describe(remaining)
        found: dict[str, str] = {}
        trailing: list[str] = []
        for kind, text, _ in reversed(pieces):  # right to left: the leftmost of a kind wins
            if kind == "TAG":
                tag = text.strip(JS_WS)
                if tag == "#":
                    return None
                trailing.append(tag)
            else:
                found[_FIELD_OF_TERMINAL[kind]] = text
        trailing.reverse()
        item = head.group(1)
        fields: dict[str, Any] = {
            "status": item[-2],
            "description": description,
            "owner": owner,
            "tags": tuple(tags + trailing),
            "block_link": tail["block"],
        }
        if with_segments:
            fields["segments"] = self._segments(item, remaining, spans, pieces, line, pos, tail)
        if plugin_wording:
            fields["plugin_description"] = _plugin_description(remaining, trailing)
        fields["problems"] = tuple(_read_fields(found, fields, plugin_wording))
        return fields

    @staticmethod
    def _segments(item: str, remaining: str, spans: list[Span],
                  pieces: list[tuple[str, str, int]], line: str, pos: int,
                  tail: re.Match[str]) -> tuple[Segment, ...]:  # fmt: skip
        """The segments ``_segments`` makes of the same pieces."""
        trail: list[tuple[str, str]] = []
        for kind, text, blanks in pieces:
            if blanks:
                trail.append(("text", " " * blanks))
            trail.append((_FIELD_OF_TERMINAL[kind], text))
        if tail["block"] is not None:
            start = tail.start("block")
            trail += [("text", line[pos:start]), ("block_link", tail["block"])]
            pos = tail.end("block")
        trail.append(("text", line[pos:]))
        segments = _description_segments(item[:-3], item[-3:], remaining, spans)
        segments += [Segment(kind, text) for kind, text in trail]
        return tuple(_merge_text(segments))


def _task_line(pieces: list[tuple[str, str]]) -> dict[str, Any]:
    kinds, texts = zip(*pieces, strict=True)
    item = texts[0]
    return _build(item[:-3], item[-3:], texts[1:], kinds[1:])


def _task_line_fields(pieces: list[tuple[str, str]]) -> dict[str, Any]:
    kinds, texts = zip(*pieces, strict=True)
    item = texts[0]
    return _build(item[:-3], item[-3:], texts[1:], kinds[1:], with_segments=False)


def _task_line_record(pieces: list[tuple[str, str]]) -> dict[str, Any]:
    kinds, texts = zip(*pieces, strict=True)
    item = texts[0]
    return _build(item[:-3], item[-3:], texts[1:], kinds[1:], False, plugin_wording=True)


def _lead(text: str) -> int:
    """How many blanks a field, tag or link piece carries before its own text."""
    return len(text) - len(text.lstrip(" \t")) if text[0] in " \t" else 0


def _build(prefix: str, checkbox: str, texts: Sequence[str], kinds: Sequence[str],
           with_segments: bool = True, plugin_wording: bool = False) -> dict[str, Any]:  # fmt: skip
    """Read the fields off the end of the body, pass by pass, as the plugin's deserialize().
    With ``plugin_wording``, also the plugin's own wording of the description and the rule."""
    count = len(texts)
    first = 0  # the first non-blank piece: where the plugin's trimmed body begins
    while first < count and kinds[first] in _BLANKABLE and not texts[first].strip(JS_WS):
        first += 1
    end = count
    while end > first and kinds[end - 1] in _BLANKABLE and not texts[end - 1].strip(JS_WS):
        end -= 1

    trail: dict[int, str] = {}  # piece index -> what it is, for the pieces read as metadata
    last = end - 1
    block_link = None
    if last > first and kinds[last] == "BLOCK_LINK" and _char_before(texts, last) == " ":
        trail[last] = "block_link"
        block_link = texts[last].lstrip(" \t")
        end = last
        while end > first and kinds[end - 1] in _BLANKABLE and not texts[end - 1].strip(JS_WS):
            end -= 1

    # Only the last piece can match, so a pass is a walk through PARSE_ORDER: a piece whose
    # kind comes later in the order than the last match is read in the same pass, else in the
    # next one. The plugin stops after 21 passes, or when no field matches the end.
    found: dict[str, int] = {}
    trailing_tags: list[int] = []
    tag_text: dict[int, str] = {}  # a trailing tag that took the pieces after it in
    passes, next_in_pass = 1, 0
    while end > first:
        last = end - 1
        field_kind = _FIELD_OF_TERMINAL.get(kinds[last])
        kind = field_kind or "tag"
        if field_kind is None:  # words; unless a tag runs into them (`#tag📅2026-01-05💡`)
            glued = None if " " in texts[last] else _glued_to_a_tag(texts, kinds, last, first)
            if glued is None:
                break
        elif kind == "tag":
            lone_hash = texts[last].strip(JS_WS) == "#"  # `#<TAB>`: trimmed, no tag
            if lone_hash or (last > first and _char_before(texts, last) not in JS_WS):
                break
            glued = None
        else:  # a field, unless the walk tries the tags before it comes to it, and a tag
            # runs into it (`#work📅2026-01-05`, `#team🆔ab12`: no blank between)
            glued = (_glued_to_a_tag(texts, kinds, last, first)
                     if _tags_first(next_in_pass, _ORDER[kind]) else None)  # fmt: skip
        if glued is not None:
            kind = "tag"
            tag_text[glued] = "".join(texts[glued : last + 1])
            for piece in range(glued + 1, last + 1):
                trail[piece] = "tag"
            last = glued
        order = _ORDER[kind]
        if order < next_in_pass:
            passes += 1
            if passes > _MAX_PASSES:
                break
        next_in_pass = order + 1
        if kind == "tag":
            trailing_tags.append(last)
        else:
            found[kind] = last  # overwritten going leftwards: the leftmost one wins
        trail[last] = kind
        end = last
        while end > first and kinds[end - 1] in _BLANKABLE and not texts[end - 1].strip(JS_WS):
            end -= 1

    remaining = "".join(texts[:end]) if end != 1 else texts[0]
    owner, description, inline_tags, spans = _describe(remaining)
    trailing = [tag_text.get(i, texts[i]).strip(JS_WS) for i in reversed(trailing_tags)]
    fields: dict[str, Any] = {
        "status": checkbox[1:-1],
        "description": description,
        "owner": owner,
        "tags": tuple(inline_tags + trailing),
        "block_link": block_link,
    }
    if with_segments:
        fields["segments"] = _segments(prefix, checkbox, remaining, spans, texts, end, trail)
    if plugin_wording:
        fields["plugin_description"] = _plugin_description(remaining, trailing)
    raw = {k: texts[i].lstrip(" \t") for k, i in found.items()}
    problems = _read_fields(raw, fields, plugin_wording)
    fields["problems"] = tuple(problems)
    return fields


def _tags_first(next_in_pass: int, order: int) -> bool:
    """Whether the walk through PARSE_ORDER, at ``next_in_pass``, tries the tags regex before
    the regex of the field in place ``order`` (in this pass, or in the next one)."""
    if order < _TAG_ORDER:
        return order < next_in_pass <= _TAG_ORDER
    return next_in_pass <= _TAG_ORDER or next_in_pass > order


def _glued_to_a_tag(texts: Sequence[str], kinds: Sequence[str], last: int,
                    first: int) -> int | None:  # fmt: skip
    """The index of the tag piece the pieces up to ``last`` run on from without a blank
    (tag characters only), as the plugin's tags-from-end regex would read them; else None.
    The tag may be a lone `#` the lexer left on its own, a field's emoji right after it
    (`#🔺urgent`: the plugin's tags take emoji)."""
    index = last
    while index > first:
        if _NOT_IN_TAG.search(texts[index]):
            return None
        index -= 1
        if kinds[index] == "TAG" or (kinds[index] == "OTHER" and texts[index] == "#"):
            whole = "".join(texts[index : last + 1]).lstrip(" \t")
            if _NOT_IN_TAG.search(whole[1:]) or (index > first and _char_before(texts, index)
                                                  not in JS_WS):  # fmt: skip
                return None
            return index
    return None


def _plugin_description(remaining: str, trailing_tags: list[str]) -> str:
    """The plugin's description: the text before the fields, trimmed, with the tags read
    among the fields put back at its end (one space apart)."""
    text = remaining.strip(JS_WS)
    if not trailing_tags:
        return text
    tags = " ".join(trailing_tags)
    return f"{text} {tags}" if text else tags


def _char_before(texts: Sequence[str], i: int) -> str:
    """The character before piece i's own text (after the blanks it carries)."""
    text = texts[i]
    if text[0] in " \t":
        return text[len(text) - len(text.lstrip(" \t")) - 1]
    return texts[i - 1][-1] if i else ""


Span = tuple[int, int, str]  # (start, stop, kind) in the description part


def _segments(prefix: str, checkbox: str, remaining: str, spans: list[Span], texts: Sequence[str],
              end: int, trail: dict[int, str]) -> tuple[Segment, ...]:  # fmt: skip
    """The line cut into segments: prefix, checkbox, the description part (text, owner and
    tags), then the trailing pieces (fields, tags, block link, and the blanks between)."""
    segments = _description_segments(prefix, checkbox, remaining, spans)
    for i in range(end, len(texts)):
        own = _lead(texts[i]) if i in trail else 0
        if own:
            segments.append(Segment("text", texts[i][:own]))
        segments.append(Segment(trail.get(i, "text"), texts[i][own:]))
    return tuple(_merge_text(segments))


def _description_segments(prefix: str, checkbox: str, remaining: str,
                          spans: list[Span]) -> list[Segment]:  # fmt: skip
    """Prefix, checkbox, and the description part cut into text, owner and tags."""
    segments = [Segment("prefix", prefix), Segment("checkbox", checkbox)]
    pos = 0
    for start, stop, kind in spans:
        if start > pos:
            segments.append(Segment("text", remaining[pos:start]))
        segments.append(Segment(kind, remaining[start:stop]))
        pos = stop
    segments.append(Segment("text", remaining[pos:]))
    return segments


def _collapse(text: str) -> str:
    """White-space runs (JavaScript's) as one space, trimmed."""
    if text.isascii() and text.isprintable():  # then its only white space is " "
        return " ".join(text.split())
    return _WS_RUN.sub(" ", text).strip(" ")


def _describe(remaining: str) -> tuple[str | None, str, list[str], list[Span]]:
    """Cut the description part into text, inline tags and the owner: (owner, description,
    tags, where the owner and tags stand)."""
    if "@" not in remaining and "#" not in remaining:
        return None, _collapse(remaining), [], []
    spans: list[Span] = []
    owner = None
    at = remaining.rfind("@")
    match = _OWNER_AT.match(remaining, at) if at >= 0 else None
    if match and (at == 0 or remaining[at - 1] in JS_WS):
        words = match["name"].split(" ")
        if len(words) <= _MAX_OWNER_WORDS and all(w[0].isupper() for w in words[1:]):
            owner = match["name"]
            spans.append((at, at + 1 + len(owner), "owner"))
    tags = hashtags(remaining)
    pos = 0
    for tag in tags:
        start = remaining.index(tag, pos)
        pos = start + len(tag)
        spans.append((start, pos, "tag"))
    spans.sort()
    pos = 0
    words = []
    for start, stop, _ in spans:
        if start > pos:
            words.append(remaining[pos:start])
        pos = stop
    words.append(remaining[pos:])
    return owner, _collapse(" ".join(words)), tags, spans


def hashtags(text: str) -> list[str]:
    """The tags in ``text``, as the plugin's hashTags regex finds them (and trims them: a tab
    or a no-break space may end one)."""
    found = []
    taken = 0  # where the last tag's match ended: the blank it took can start no other one
    for match in _TAG_AFTER_HASH.finditer(text):
        start = match.start()
        if start == 0 or (text[start - 1] in JS_WS and start - 1 >= taken):
            taken = match.end()
            tag = match.group().rstrip(JS_WS)
            if tag != "#" or text[match.end() :].strip(JS_WS):  # the plugin trims the line
                found.append(tag)
    return found


def _merge_text(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for seg in segments:
        if not seg.text:
            continue
        if merged and seg.kind == "text" and merged[-1].kind == "text":
            merged[-1] = Segment("text", merged[-1].text + seg.text)
        else:
            merged.append(seg)
    return merged


def _read_fields(raw: dict[str, str], fields: dict[str, Any], plugin_wording: bool) -> list[str]:
    """Put the value of each field piece into ``fields``; return the problems met."""
    problems: list[str] = []
    for kind, text in raw.items():
        if kind == "priority":
            dataview = _DATAVIEW_PRIORITY.match(text) if text[0] in "[(" else None
            fields["priority"] = (
                Priority(dataview.group(1)) if dataview else _PRIORITY_OF_SPELLING[text]
            )
            continue
        match = _VALUE[kind].match(text)
        assert match is not None, text  # the grammar lexed it with the same spellings
        value = match.group(1) if match.group(1) is not None else match.group(2)
        if kind in _DATE_FIELDS:
            try:
                fields[kind] = date.fromisoformat(value)
            except ValueError:
                problems.append(f"invalid {kind} date {value}")
        elif kind == "recurrence":
            rule = value.strip()
            wording = rule_text(rule)
            if wording is None:  # the plugin drops a rule rrule.js cannot read
                problems.append(
                    f"invalid recurrence rule {rule}" if rule else "empty recurrence rule"
                )
                continue
            fields["recurrence"] = rule
            if plugin_wording:
                fields["recurrence_text"] = wording
        elif kind == "id":
            fields["task_id"] = value.strip(" ")
        elif kind == "depends_on":
            fields["depends_on"] = tuple(v for v in value.replace(" ", "").split(",") if v)
        else:  # on_completion
            action = value.strip(" ").lower()
            if action in ("keep", "delete"):
                fields["on_completion"] = action
            elif action != "ignore":
                problems.append(f"unknown on-completion action {value.strip(' ')} (ignored)")
    if "recurrence" in fields:
        reference = next((k for k in ("due", "scheduled", "start") if k in raw), None)
        if reference is not None and reference not in fields:  # present, and no date
            del fields["recurrence"]
            fields.pop("recurrence_text", None)
            problems.append(f"recurrence dropped: its reference date ({reference}) is invalid")
    return problems


_HANDLERS = {"task": _task_line, "fields": _task_line_fields, "record": _task_line_record}


@cache
def _lean(made: str = "task") -> tuple[LineLexer, LeanLALR]:
    """The grammar's tables (see ``tasksync.read.tables``), run by the lean driver on the line
    lexer's pairs, with the task-line handler that builds what is ``made``: Tasks' fields with
    their segments ("task"), just the fields ("fields"), or those and the plugin's wording of
    the description and the rule ("record", for the index)."""
    tables = load_tables(grammar_text("tasks.lark"), _tables_cache())
    handlers = {"task_line": _HANDLERS[made], "start": lambda lines: lines}
    return LineLexer(tables.terminals), LeanLALR(tables, handlers)


@cache
def fast_line() -> FastLine:
    """The fast path, over the same grammar's terminals."""
    return FastLine(load_tables(grammar_text("tasks.lark"), _tables_cache()).terminals)


# Its regexes take some 25 ms to compile and it saves some 30 µs a line: a process builds
# it once it has read this many lines (a scan of one changed note reads a line or two).
FAST_PATH_AFTER = 1000
_lines_read = 0


def _tables_cache() -> Path | None:
    import platformdirs

    try:
        return platformdirs.user_cache_path("tasksync") / "tasks-grammar.tables"
    except OSError:  # pragma: no cover - no home folder
        return None


@cache
def _parser(lexer: str = "line") -> Lark:
    """Lark's own parser over the same grammar: the reference the tests hold ours to
    (``lexer``: "line" for ours wrapped as a Lark lexer, or one of Lark's own)."""
    from lark import Lark, Token, Transformer
    from lark.lexer import Lexer

    class ToTask(Transformer[Token, Any]):
        def __init__(self) -> None:
            super().__init__(visit_tokens=False)

        def task_line(self, children: list[Token]) -> dict[str, Any]:
            return _task_line([(p.type, p.value) for p in children])

        def start(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return lines

    class LarkLineLexer(Lexer):
        def __init__(self, conf: Any) -> None:
            terminals = sorted(conf.terminals, key=terminal_order)
            self.lexer = LineLexer([(t.name, t.pattern.to_regexp()) for t in terminals])

        def lex(self, text: str) -> Iterator[Token]:  # type: ignore[override]
            for kind, value in self.lexer.pieces(text.split("\n")):
                yield Token(kind, value)

    chosen: Any = LarkLineLexer if lexer == "line" else lexer
    return Lark(grammar_text("tasks.lark"), parser="lalr", lexer=chosen, transformer=ToTask())


def warm_up() -> None:
    """Build the parser now (it is built on first use otherwise)."""
    _lean("task")
    _lean("record")
    fast_line()


_DEFAULT_STATUSES = StatusTable()


def parse_line(line: str, statuses: StatusTable = _DEFAULT_STATUSES) -> Task | None:
    """The task on ``line`` (without its line ending), or None when the line holds no task."""
    if TASK_PREFIX.match(line) is None or "\n" in line:
        return None
    return parse_task_lines([line], statuses)[0]


def parse_task_line(line: str, statuses: StatusTable = _DEFAULT_STATUSES) -> Task:
    """Parse a line already known to match ``TASK_PREFIX``."""
    return parse_task_lines([line], statuses)[0]


def parse_task_lines(lines: list[str], statuses: StatusTable = _DEFAULT_STATUSES) -> list[Task]:
    """Parse lines already known to match ``TASK_PREFIX`` (none holding a newline), together."""
    parsed = _parse(lines, "task", global_filter_of(statuses))
    return [Task(status_type=statuses[f["status"]].type, **f) for f in parsed]


def parse_task_fields(lines: list[str], global_filter: str = "") -> list[dict[str, Any]]:
    """What ``parse_task_lines`` reads, as plain fields (no ``Task``, no segments)."""
    return _parse(lines, "fields", global_filter)


def parse_task_records(lines: list[str], global_filter: str = "") -> list[dict[str, Any]]:
    """The fields, and the plugin's wording of the description and the recurrence rule
    (``plugin_description``, ``recurrence_text``): for the index, which needs the values and
    not the means to edit the line."""
    return _parse(lines, "record", global_filter)


def _parse(lines: list[str], made: str, global_filter: str,
           fast: bool | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The lines' fields: the common lines by ``FastLine`` (with ``fast``; by default once
    it pays), and the others by the grammar's tables."""
    global _lines_read
    if not lines:
        return []
    lexer, lalr = _lean(made)
    parsed: list[dict[str, Any]]
    if fast is None:
        _lines_read += len(lines)
        fast = _lines_read >= FAST_PATH_AFTER or fast_line.cache_info().currsize > 0
    if fast:
        wording, segments, common = made == "record", made == "task", fast_line()
        read = [common.fields(line, wording, segments) for line in lines]
        rest = [line for line, fields in zip(lines, read, strict=True) if fields is None]
        if rest:
            slow = iter(_lalr_parse(lexer, lalr, rest))
            read = [fields if fields is not None else next(slow) for fields in read]
        parsed = read  # type: ignore[assignment]
    else:
        parsed = _lalr_parse(lexer, lalr, lines)
    if global_filter:
        for fields in parsed:
            _without_global_filter(fields, global_filter)
    return parsed


def _lalr_parse(lexer: LineLexer, lalr: LeanLALR, lines: list[str]) -> list[dict[str, Any]]:
    try:
        parsed: list[dict[str, Any]] = lalr.parse(lexer.pieces(lines))
    except (TaskSyntaxError, GrammarMismatch) as exc:  # pragma: no cover - prefixed lines parse
        raise TaskSyntaxError(f"cannot read task lines: {exc}") from None
    return parsed


def _without_global_filter(fields: dict[str, Any], global_filter: str) -> None:
    """As the plugin: the filter is no tag of the task, and the description instructions read
    the description without (the first occurrence of) it."""
    if global_filter in fields["tags"]:
        fields["tags"] = tuple(tag for tag in fields["tags"] if tag != global_filter)
    if "plugin_description" in fields:
        text = fields["plugin_description"]
        fields["plugin_description"] = text.replace(global_filter, "", 1).strip(JS_WS)
