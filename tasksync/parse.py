"""One text line -> ``Task``: the Lark grammar cuts the line into pieces, and the transformer,
applied during the parse, reads the fields off the end as the Obsidian Tasks plugin does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.common import LexerConf
from lark.exceptions import LarkError
from lark.lexer import Lexer

from tasksync.errors import TaskSyntaxError
from tasksync.model import Priority, Segment, StatusTable, Task
from tasksync.signifiers import (
    PARSE_ORDER,
    SIGNIFIERS,
    VS16_SPELLINGS,
    signifier_spellings,
)

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
_ORDER = {kind: i for i, kind in enumerate(PARSE_ORDER)}
_BLANKABLE = frozenset(("TEXT", "OTHER"))


class _ToTask(Transformer[Token, Any]):
    """Builds each task's fields as Lark reduces its line; no parse tree is kept."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)

    def task_line(self, children: list[Token]) -> dict[str, Any]:
        item = children[0].value
        return _build(item[:-3], item[-3:], [p.value for p in children[1:]],
                      [p.type for p in children[1:]])  # fmt: skip

    def start(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return lines


class LineLexer(Lexer):
    """The grammar's own terminals, matched with one compiled alternation per context.

    Lark's contextual lexer knows the same two contexts (a line's start expects LIST_ITEM;
    after it come the body pieces and the newline), but tries terminal after terminal in
    Python; one alternation, in Lark's own priority order, lexes the same tokens in about
    half the time. A test checks both lexers agree.
    """

    def __init__(self, conf: LexerConf) -> None:
        terminals = sorted(
            conf.terminals,
            key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
        )
        by_name = {t.name: t for t in terminals}
        self._item = re.compile(by_name["LIST_ITEM"].pattern.to_regexp())
        self._body = re.compile("|".join(
            f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals if t.name != "LIST_ITEM"
        ))  # fmt: skip

    def lex(self, text: str) -> Iterator[Token]:  # type: ignore[override]
        pos, end = 0, len(text)
        item, body = self._item.match, self._body.match
        while pos < end:
            match = item(text, pos)
            if match is None:
                raise TaskSyntaxError(f"not a task line: {text[pos:].partition(chr(10))[0]!r}")
            yield Token("LIST_ITEM", match.group())
            pos = match.end()
            while pos < end:
                match = body(text, pos)
                assert match is not None  # OTHER and _NL match every character
                kind = match.lastgroup
                assert kind is not None
                yield Token(kind, match.group())
                pos = match.end()
                if kind == "_NL":
                    break


def _build(prefix: str, checkbox: str, texts: list[str], kinds: list[str]) -> dict[str, Any]:
    """Read the fields off the end of the body, pass by pass, as the plugin's deserialize()."""
    count = len(texts)

    def is_blank(i: int) -> bool:
        return kinds[i] in _BLANKABLE and not texts[i].strip(JS_WS)

    first = 0  # the first non-blank piece: where the plugin's trimmed body begins
    while first < count and is_blank(first):
        first += 1

    def trimmed(end: int) -> int:
        while end > first and is_blank(end - 1):
            end -= 1
        return end

    leads: dict[int, int] = {}

    def lead(i: int) -> int:
        """How many blanks piece i carries before its own text (field, tag, link tokens)."""
        if i not in leads:
            text = texts[i]
            leads[i] = len(text) - len(text.lstrip(" \t")) if text[0] in " \t" else 0
        return leads[i]

    def char_before(i: int) -> str:
        own = lead(i)
        return texts[i][own - 1] if own else texts[i - 1][-1] if i else ""

    end = trimmed(count)
    trail: dict[int, str] = {}  # piece index -> what it is, for the pieces read as metadata
    last = end - 1
    if last > first and kinds[last] == "BLOCK_LINK" and char_before(last) == " ":
        trail[last] = "block_link"
        end = trimmed(last)

    # Only the last piece can match, so a pass is a walk through PARSE_ORDER: a piece whose
    # kind comes later in the order than the last match is read in the same pass, else in the
    # next one. The plugin stops after 21 passes, or when no field matches the end.
    found: dict[str, int] = {}
    trailing_tags: list[int] = []
    passes, next_in_pass = 1, 0
    while end > first:
        last = end - 1
        kind = _FIELD_OF_TERMINAL.get(kinds[last])
        if kind is None or (kind == "tag" and last > first and char_before(last) not in JS_WS):
            break
        order = _ORDER[kind]
        if order < next_in_pass:
            passes += 1
            if passes > _MAX_PASSES:
                break
        next_in_pass = order + 1
        if kind == "tag":
            trailing_tags.insert(0, last)
        else:
            found[kind] = last  # overwritten going leftwards: the leftmost one wins
        trail[last] = kind
        end = trimmed(last)

    segments = [Segment("prefix", prefix), Segment("checkbox", checkbox)]
    owner, description, inline_tags = _split_remaining("".join(texts[:end]), segments)
    for i in range(end, count):
        own = lead(i) if i in trail else 0
        if own:
            segments.append(Segment("text", texts[i][:own]))
        segments.append(Segment(trail.get(i, "text"), texts[i][own:]))

    fields: dict[str, Any] = {
        "segments": tuple(_merge_text(segments)),
        "status": checkbox[1:-1],
        "description": description,
        "owner": owner,
        "tags": (*inline_tags, *(texts[i][lead(i) :] for i in trailing_tags)),
        "block_link": texts[-1][lead(count - 1) :]
        if trail.get(count - 1) == "block_link"
        else None,
    }
    problems = _read_fields({k: texts[i][lead(i) :] for k, i in found.items()}, fields)
    fields["problems"] = tuple(problems)
    return fields


def _split_remaining(remaining: str, segments: list[Segment]) -> tuple[str | None, str, list[str]]:
    """Cut the description part into text, inline tags and the owner; return what they say."""
    if "@" not in remaining and "#" not in remaining:
        segments.append(Segment("text", remaining))
        return None, _WS_RUN.sub(" ", remaining).strip(" "), []
    spans: list[tuple[int, int, str]] = []
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
    for start, stop, kind in spans:
        if start > pos:
            segments.append(Segment("text", remaining[pos:start]))
            words.append(remaining[pos:start])
        segments.append(Segment(kind, remaining[start:stop]))
        pos = stop
    segments.append(Segment("text", remaining[pos:]))
    words.append(remaining[pos:])
    return owner, _WS_RUN.sub(" ", " ".join(words)).strip(" "), tags


def hashtags(text: str) -> list[str]:
    """The tags in ``text``, as the plugin's hashTags regex finds them."""
    found = []
    for match in _TAG_AFTER_HASH.finditer(text):
        start = match.start()
        if start == 0 or text[start - 1] in JS_WS:
            found.append(match.group())
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


def _read_fields(raw: dict[str, str], fields: dict[str, Any]) -> list[str]:
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
            fields["recurrence"] = value.strip()
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
    return problems


def _grammar_text() -> str:
    packaged = resources.files("tasksync") / "grammar" / "tasks.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source_tree = Path(__file__).resolve().parent.parent / "grammar" / "tasks.lark"
    return source_tree.read_text(encoding="utf-8")


@cache
def _parser(lexer: str = "line") -> Lark:
    return Lark(
        _grammar_text(),
        parser="lalr",
        lexer=LineLexer if lexer == "line" else lexer,
        transformer=_ToTask(),
    )


def warm_up() -> None:
    """Build the parser now (it is built on first use otherwise)."""
    _parser()


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
    if not lines:
        return []
    try:
        parsed: list[dict[str, Any]] = _parser().parse("\n".join(lines))  # type: ignore[assignment]
    except (LarkError, TaskSyntaxError) as exc:  # pragma: no cover - prefixed lines always parse
        raise TaskSyntaxError(f"cannot read task lines: {exc}") from None
    return [Task(status_type=statuses[f["status"]].type, **f) for f in parsed]
