"""One text line -> ``Task``: the Lark grammar cuts the line into pieces, and the transformer,
applied during the parse, reads the fields off the end as the Obsidian Tasks plugin does."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

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

HASHTAGS = re.compile(r"(?:^|(?<=" + _WS_CLASS + r"))#[^ !@#$%^&*(),.?\":{}|<>]+")
_NAME_WORD = r"[^\W_](?:[\w'\u2019-]|\.(?=\w))*"
OWNER = re.compile(
    r"(?:^|(?<="
    + _WS_CLASS
    + r"))@(?P<name>"
    + _NAME_WORD
    + r"(?: "
    + _NAME_WORD
    + r"){0,3})"
    + _WS_CLASS
    + "*$"
)
_MAX_OWNER_WORDS = 4

_FIELD_OF_TERMINAL = {
    "PRIORITY": "priority", "DONE": "done", "CANCELLED": "cancelled", "DUE": "due",
    "SCHEDULED": "scheduled", "START": "start", "CREATED": "created", "RECURRENCE": "recurrence",
    "ON_COMPLETION": "on_completion", "ID": "id", "DEPENDS_ON": "depends_on", "TAG": "tag",
}  # fmt: skip

_PRIORITY_OF_SPELLING: dict[str, Priority] = {
    spelled: Priority(sig.level)
    for sig in SIGNIFIERS
    if sig.level
    for spelled in signifier_spellings(sig)
}
_VALUE_AFTER_KEY = re.compile(r"[\[(] *[A-Za-z]+:: *(.*?) *[\])](?: *,)?$")
_DATAVIEW_PRIORITY = re.compile(r"[\[(] *priority:: *([a-z]+)")
_MAX_PASSES = 21  # the plugin's do/while with maxRuns = 20


def _priority_of(text: str) -> Priority:
    if text[0] in "[(":
        match = _DATAVIEW_PRIORITY.match(text)
        return Priority(match.group(1)) if match else Priority.NORMAL
    for vs16 in VS16_SPELLINGS:
        if text.endswith(vs16) and text[: -len(vs16)] in _PRIORITY_OF_SPELLING:
            return _PRIORITY_OF_SPELLING[text[: -len(vs16)]]
    return _PRIORITY_OF_SPELLING[text]


_SPELLINGS_OF_FIELD: dict[str, tuple[str, ...]] = {
    field: tuple(sorted({sp for sig in SIGNIFIERS if sig.field == field
                         for sp in signifier_spellings(sig)}, key=len, reverse=True))
    for field in {sig.field for sig in SIGNIFIERS}
}  # fmt: skip


def _value_of(field: str, text: str) -> str:
    """The value of a field piece: what follows the signifier (or the Dataview key)."""
    if text[0] in "[(":
        match = _VALUE_AFTER_KEY.match(text)
        if match:
            return match.group(1)
    for spelled in _SPELLINGS_OF_FIELD[field]:
        if text.startswith(spelled):
            rest = text[len(spelled) :]
            for vs16 in VS16_SPELLINGS:
                if rest.startswith(vs16):
                    rest = rest[len(vs16) :]
                    break
            return rest.strip(" ")
    raise AssertionError(f"unlexed {field} piece {text!r}")  # pragma: no cover


def _is_blank(text: str) -> bool:
    return not text.strip(JS_WS)


class _ToTask(Transformer[Token, dict[str, Any]]):
    """Builds the ``Task`` as Lark reduces the line; no parse tree is kept."""

    def __init__(self) -> None:
        super().__init__(visit_tokens=False)

    def body(self, pieces: list[Token]) -> list[Token]:
        return pieces

    def start(self, children: list[Any]) -> dict[str, Any]:
        indent, marker, gap, checkbox, pieces = children
        prefix = (indent or "") + marker + gap
        return _build(prefix, str(checkbox), pieces)


def _build(prefix: str, checkbox: str, pieces: list[Token]) -> dict[str, Any]:
    texts = [str(p) for p in pieces]
    kinds = [p.type for p in pieces]
    blank = [_is_blank(t) for t in texts]
    content_before = [False] * len(texts)  # is there non-blank text before piece i?
    seen = False
    for i, is_blank in enumerate(blank):
        content_before[i] = seen
        seen = seen or not is_blank

    def trimmed(end: int) -> int:
        while end and blank[end - 1]:
            end -= 1
        return end

    end = trimmed(len(pieces))
    piece_kind: dict[int, str] = {}
    if (end >= 2 and kinds[end - 1] == "BLOCK_LINK" and texts[end - 2].endswith(" ")
            and content_before[end - 1]):  # fmt: skip
        piece_kind[end - 1] = "block_link"
        end = trimmed(end - 1)

    found: dict[str, int] = {}
    trailing_tags: list[int] = []
    for _ in range(_MAX_PASSES):
        matched = False
        for kind in PARSE_ORDER:
            end = trimmed(end)
            if not end:
                break
            last = end - 1
            if _FIELD_OF_TERMINAL.get(kinds[last]) != kind:
                continue
            if kind == "tag" and content_before[last] and texts[last - 1][-1] not in JS_WS:
                continue
            piece_kind[last] = kind
            if kind == "tag":
                trailing_tags.insert(0, last)
            else:
                found[kind] = last  # overwritten going leftwards: the leftmost one wins
            end = last
            matched = True
        if not matched:
            break

    remaining = "".join(texts[:end])
    segments = [Segment("prefix", prefix), Segment("checkbox", checkbox)]
    owner, description, inline_tags = _split_remaining(remaining, segments)
    for i in range(end, len(pieces)):
        segments.append(Segment(piece_kind.get(i, "text"), texts[i]))

    values, problems = _read_fields({k: texts[i] for k, i in found.items()})
    block = piece_kind.get(len(pieces) - 1) == "block_link" or None
    return dict(
        segments=tuple(_merge_text(segments)),
        status=checkbox[1:-1],
        description=description,
        owner=owner,
        tags=(*inline_tags, *(texts[i] for i in trailing_tags)),
        block_link=texts[-1] if block else None,
        problems=tuple(problems),
        **values,
    )


def _split_remaining(remaining: str, segments: list[Segment]) -> tuple[str | None, str, list[str]]:
    """Cut the description part into text, inline tags and the owner; return what they say."""
    spans: list[tuple[int, int, str]] = []
    owner = None
    if "@" in remaining:
        match = OWNER.search(remaining)
        if (
            match
            and len(match["name"].split(" ")) <= _MAX_OWNER_WORDS
            and all(word[0].isupper() for word in match["name"].split(" ")[1:])
        ):
            owner = match["name"]
            spans.append((match.start(), match.start("name") + len(owner), "owner"))
    tags = []
    if "#" in remaining:
        for match in HASHTAGS.finditer(remaining):
            spans.append((match.start(), match.end(), "tag"))
            tags.append(match.group())
    spans.sort()
    pos = 0
    words = []
    for start, stop, kind in spans:
        if start > pos:
            segments.append(Segment("text", remaining[pos:start]))
            words.append(remaining[pos:start])
        segments.append(Segment(kind, remaining[start:stop]))
        pos = stop
    if pos < len(remaining):
        segments.append(Segment("text", remaining[pos:]))
        words.append(remaining[pos:])
    description = _WS_RUN.sub(" ", " ".join(words)).strip(" ")
    return owner, description, tags


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


def _read_fields(raw: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for kind, text in raw.items():
        if kind == "priority":
            values["priority"] = _priority_of(text)
            continue
        value = _value_of(kind, text)
        if kind in ("due", "scheduled", "start", "created", "done", "cancelled"):
            try:
                values[kind] = date.fromisoformat(value)
            except ValueError:
                problems.append(f"invalid {kind} date {value}")
        elif kind == "recurrence":
            values["recurrence"] = value.strip()
        elif kind == "id":
            values["task_id"] = value
        elif kind == "depends_on":
            values["depends_on"] = tuple(v for v in value.replace(" ", "").split(",") if v)
        elif kind == "on_completion":
            action = value.lower()
            if action in ("keep", "delete"):
                values["on_completion"] = action
            elif action != "ignore":
                problems.append(f"unknown on-completion action {value} (ignored)")
    return values, problems


def _grammar_text() -> str:
    packaged = resources.files("tasksync") / "grammar" / "tasks.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source_tree = Path(__file__).resolve().parent.parent / "grammar" / "tasks.lark"
    return source_tree.read_text(encoding="utf-8")


@cache
def _parser() -> Lark:
    return Lark(
        _grammar_text(),
        parser="lalr",
        lexer="contextual",
        transformer=_ToTask(),
        maybe_placeholders=True,
    )


_DEFAULT_STATUSES = StatusTable()


def parse_line(line: str, statuses: StatusTable = _DEFAULT_STATUSES) -> Task | None:
    """The task on ``line`` (without its line ending), or None when the line holds no task."""
    if TASK_PREFIX.match(line) is None:
        return None
    return parse_task_line(line, statuses)


def parse_task_line(line: str, statuses: StatusTable = _DEFAULT_STATUSES) -> Task:
    """Parse a line already known to match ``TASK_PREFIX``."""
    try:
        fields: dict[str, Any] = _parser().parse(line)  # type: ignore[assignment]
    except LarkError as exc:  # pragma: no cover - every prefixed line is a task by construction
        raise TaskSyntaxError(f"cannot read task line {line!r}: {exc}") from None
    return Task(status_type=statuses[fields["status"]].type, **fields)
