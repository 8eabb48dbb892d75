"""Note text -> the task lines Obsidian would list, with line numbers and headings.

Emulates Obsidian's notion of a list item closely enough for the Tasks plugin: YAML
frontmatter, fenced code (``` and ~~~, any length, also inside quotes and lists), and
``<!-- -->`` / ``%% %%`` comments hold no tasks; ``- [[Link]]`` is no checkbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tasksync.config import global_filter_of
from tasksync.model import StatusTable, Task
from tasksync.read.parse import JS_WS, TASK_PREFIX, parse_task_lines

_FENCE_OPEN = re.compile(
    r"(?P<prefix>[" + re.escape(JS_WS) + r">]*(?:(?:[-*+]|[0-9]+[.)])[ \t]+)?)"
    r"(?P<fence>`{3,}|~{3,})(?P<info>.*)$"
)
_FENCE_CLOSE = re.compile(r"[ \t>]*(?P<fence>`{3,}|~{3,})[ \t]*$")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
_FRONTMATTER_END = ("---", "...")
_COMMENTS = (("<!--", "-->"), ("%%", "%%"))
_CLOSER_OF = dict(_COMMENTS)
# One pass over the line: each comment, from its opener to the first closer after it, or an
# opener with no closer after it (searching the line again from each comment's end, for every
# kind of opener, made a long line of comments quadratic).
# The plugin tests the global filter on the text after the checkbox, trimmed, without the
# block link (its blockLinkRegex).
_BLOCK_LINK_END = re.compile(r" \^[a-zA-Z0-9-]+$")
_CLOSED = "|".join(f"{re.escape(opener)}.*?{re.escape(closer)}" for opener, closer in _COMMENTS)
_OPENERS = "|".join(re.escape(opener) for opener, _ in _COMMENTS)
_COMMENT = re.compile(f"{_CLOSED}|(?P<unclosed>{_OPENERS})", re.DOTALL)


@dataclass(frozen=True, slots=True)
class NoteTask:
    line: int  # 1-based
    heading: str | None
    task: Task


@dataclass(slots=True)
class _Fence:
    char: str
    length: int
    quote_depth: int


def _quote_depth(line: str) -> int:
    prefix = line[: len(line) - len(line.lstrip(JS_WS + ">"))]
    return prefix.count(">")


def comment_left_open(text: str) -> str | None:
    """The closing marker of a comment that ``text`` opens and does not close, if any."""
    for match in _COMMENT.finditer(text):
        if match["unclosed"] is not None:
            return _CLOSER_OF[match["unclosed"]]
    return None


def frontmatter_end(lines: list[str]) -> int:
    """Index of the first line after the YAML frontmatter (0 when there is none)."""
    if not lines or lines[0].rstrip("\r").rstrip(" \t") != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r").rstrip(" \t") in _FRONTMATTER_END:
            return index + 1
    return 0


def has_global_filter(line: str, prefix_end: int, global_filter: str) -> bool:
    """Whether the text after the checkbox (``line[prefix_end:]``) holds the global filter, a
    case-sensitive substring: a checkbox line without it is no task for the plugin."""
    if global_filter not in line:
        return False  # the common quick answer: not even the checkbox holds it
    body = line[prefix_end:].strip(JS_WS)
    return global_filter in _BLOCK_LINK_END.sub("", body).strip(JS_WS)


def task_lines(lines: list[str], global_filter: str = "") -> Iterator[tuple[int, str | None, str]]:
    """(0-based index, heading, line) for every line Obsidian would see as a checkbox item
    (and, with a global filter, only those whose text holds it)."""
    heading: str | None = None
    fence: _Fence | None = None
    comment_close: str | None = None
    for index in range(frontmatter_end(lines), len(lines)):
        line = lines[index]
        if line.endswith("\r"):
            line = line[:-1]
        if comment_close is not None:
            at = line.find(comment_close)
            if at >= 0:
                comment_close = comment_left_open(line[at + len(comment_close) :])
            continue
        if fence is not None:
            if _quote_depth(line) < fence.quote_depth:
                fence = None  # the quote that held the fence has ended
            else:
                close = _FENCE_CLOSE.match(line) if fence.char in line else None
                if (
                    close
                    and close["fence"][0] == fence.char
                    and len(close["fence"]) >= fence.length
                ):
                    fence = None
                continue
        if "`" in line or "~" in line:
            opened = _FENCE_OPEN.match(line)
            if opened and not (opened["fence"][0] == "`" and "`" in opened["info"]):
                fence = _Fence(
                    opened["fence"][0], len(opened["fence"]), opened["prefix"].count(">")
                )
                continue
        if line.startswith("#") or line.startswith(" #"):
            match = _HEADING.match(line)
            if match:
                heading = (match["text"] or "").strip()
        elif (
            "[" in line
            and (prefix := TASK_PREFIX.match(line))
            and (not global_filter or has_global_filter(line, prefix.end(), global_filter))
        ):
            yield index, heading, line
        if "%%" in line or "<!--" in line:
            comment_close = comment_left_open(line)


def scan_lines(lines: list[str], statuses: StatusTable) -> list[NoteTask]:
    """The tasks in a note given as its lines (split on ``\\n`` only)."""
    found = list(task_lines(lines, global_filter_of(statuses)))
    tasks = parse_task_lines([line for _, _, line in found], statuses)
    return [
        NoteTask(index + 1, heading, task)
        for (index, heading, _), task in zip(found, tasks, strict=True)
    ]


def scan_text(text: str, statuses: StatusTable | None = None) -> list[NoteTask]:
    """The tasks in a note's text (BOM already removed)."""
    return scan_lines(text.split("\n"), statuses or StatusTable())


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def frontmatter(lines: list[str]) -> dict[str, str | list[str]]:
    """The top-level keys of the note's YAML frontmatter: scalars and lists of scalars (block
    `- item` or inline `[a, b]`); enough for `type`, `name` and `aliases`."""
    end = frontmatter_end(lines)
    found: dict[str, str | list[str]] = {}
    key: str | None = None
    for raw in lines[1 : end - 1] if end else ():
        line = raw.rstrip("\r")
        item = re.match(r"\s*- (.*)", line)
        if item and key is not None:
            current = found.get(key)
            found[key] = [*(current if isinstance(current, list) else []), _scalar(item.group(1))]
            continue
        pair = re.match(r"([A-Za-z_][\w-]*):\s*(.*)", line)
        if not pair:
            continue
        key, value = pair.group(1), pair.group(2).strip()
        if value.startswith("[") and value.endswith("]"):
            found[key] = [_scalar(v) for v in value[1:-1].split(",") if v.strip()]
        else:
            found[key] = _scalar(value) if value else []
    return found


def query_blocks(lines: list[str]) -> list[tuple[int, str]]:
    """Every ```tasks block of a note that Obsidian would run: (1-based line of its opening
    fence, its text). Not one inside another code block (a note documenting a query) or a
    comment, which Obsidian shows as text or hides."""
    blocks: list[tuple[int, str]] = []
    fence: _Fence | None = None
    reading: tuple[int, list[str]] | None = None  # the query block being read
    comment_close: str | None = None
    for index in range(frontmatter_end(lines), len(lines)):
        line = lines[index].removesuffix("\r")
        if comment_close is not None:
            at = line.find(comment_close)
            if at >= 0:
                comment_close = comment_left_open(line[at + len(comment_close) :])
            continue
        if fence is not None:
            close = _FENCE_CLOSE.match(line) if fence.char in line else None
            ended = _quote_depth(line) < fence.quote_depth  # the quote that held it ended
            if ended or (close and close["fence"][0] == fence.char
                         and len(close["fence"]) >= fence.length):  # fmt: skip
                if reading is not None:
                    blocks.append((reading[0], "\n".join(reading[1])))
                fence = reading = None
                if not ended:
                    continue
            else:
                if reading is not None:
                    reading[1].append(re.sub(r"^\s*(> ?)+", "", line))
                continue
        if "`" in line or "~" in line:
            opened = _FENCE_OPEN.match(line)
            if opened and not (opened["fence"][0] == "`" and "`" in opened["info"]):
                fence = _Fence(opened["fence"][0], len(opened["fence"]),
                               opened["prefix"].count(">"))  # fmt: skip
                if opened["info"].strip() == "tasks":
                    reading = (index + 1, [])
                continue
        if "%%" in line or "<!--" in line:
            comment_close = comment_left_open(line)
    if reading is not None:  # open to the note's end: Obsidian runs it all the same
        blocks.append((reading[0], "\n".join(reading[1])))
    return blocks
