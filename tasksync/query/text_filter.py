"""Text filters: `<field> includes|does not include TEXT` (any case) and `<field> regex
matches|regex does not match /pattern/flags` (a JavaScript regex), as the plugin's TextField.
A field with several values (tags) matches when any of them does."""

from __future__ import annotations

import re
from collections.abc import Callable

from tasksync.query.explain import Explanation
from tasksync.query.filters import Context, Filter, Parser, Predicate, QueryError, make_filter
from tasksync.query.js_regex import RegexError, parse_js_regex
from tasksync.read.prose import repaired
from tasksync.read.records import Record

Values = Callable[[Record], list[str]]


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] + "/" if "/" in path else "/"


def _root(path: str) -> str:
    return path.split("/", 1)[0] + "/" if "/" in path else "/"


def _one(value: str | None) -> list[str]:
    return [value or ""]  # the plugin reads a missing value as the empty text


def text_field(names: str, values: Callable[[Record, Context], list[str]],
               includes: str = "includes|does not include") -> Parser:  # fmt: skip
    """The filters of one text field; ``names`` is a regex of the words that name it."""
    pattern = re.compile(rf"({names}) ({includes}|regex matches|regex does not match) (.*)",
                         re.IGNORECASE | re.DOTALL)  # fmt: skip

    def parse(line: str, low: str, ctx: Context) -> Filter | None:
        match = pattern.fullmatch(line)
        if match is None:
            return None
        how, value = match[2].lower(), match[3]
        negate = "not" in how

        def get(record: Record) -> list[str]:
            return values(record, ctx)

        if "regex" in how:
            return _regex_filter(line, match.start(3) + 1, value, get, negate)
        needle = value.lower()
        found: Predicate = lambda r: any(needle in v.lower() for v in get(r))  # noqa: E731
        return make_filter(line, (lambda r: not found(r)) if negate else found)

    return parse


def _regex_filter(line: str, column: int, value: str, values: Values, negate: bool) -> Filter:
    try:
        regex = parse_js_regex(value)
    except RegexError as exc:
        message = f'Error: Parsing regular expression. The error message was: "{exc}"'
        raise QueryError(message, column) from None
    if regex is None:
        raise QueryError(f"Invalid instruction: '{line}': regular expressions must look like "
                         "/pattern/ or /pattern/flags", column)  # fmt: skip
    found: Predicate = lambda r: any(regex.matches(v) for v in values(r))  # noqa: E731
    # The plugin lines the regex it uses up under the one in the instruction.
    intro = "using regex: ".ljust(line.index("/") - 2)
    explanation = Explanation(intro + regex.describe())
    return make_filter(line, (lambda r: not found(r)) if negate else found, explanation)


def _tags(line: str, low: str, ctx: Context) -> Filter | None:
    words = " ".join(low.split())
    if words in ("has tags", "has tag", "no tags", "no tag"):
        want = words.startswith("has")
        return make_filter(line, lambda r: bool(r["tags"]) == want)
    return _TAG_TEXT(line, low, ctx)


_TAG_TEXT = text_field("tags|tag", lambda r, _: list(r["tags"]),
                       "includes|include|does not include|do not include")  # fmt: skip


def _description(record: Record, _: Context) -> list[str]:
    """The plugin's description: with its tags, without the global filter; and, where its
    prose was mis-encoded, as tasksync shows it repaired (`Vallery’s` for `Vallery‚Äôs`):
    what the user reads is what a search finds."""
    plugin = record.get("plugin_description")
    text = plugin if plugin is not None else record["description"]
    shown = repaired(text)
    return [text] if shown == text else [text, shown]


TEXT_PARSERS: dict[str, Parser] = {
    "path": text_field("path", lambda r, _: [r["path"]]),
    "folder": text_field("folder", lambda r, _: [_folder(r["path"])]),
    "root": text_field("root", lambda r, _: [_root(r["path"])]),
    "description": text_field("description", _description),
    "tags": _tags,
    "heading": text_field("heading", lambda r, _: _one(r["heading"])),
    "filename": text_field("filename", lambda r, _: [r["path"].rsplit("/", 1)[-1]]),
    "recurrence": text_field("recurrence", lambda r, _: _one(r.get("recurrence_text"))),
    "id": text_field("id", lambda r, _: _one(r["task_id"])),
    "status.name": text_field(
        r"status\.name", lambda r, ctx: [ctx.status_names.get(r["status"], "Unknown")]
    ),
    "owner": text_field("owner", lambda r, _: [v for v in (r.get("person"), r["owner"]) if v]),
}
