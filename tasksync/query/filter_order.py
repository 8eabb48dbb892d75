"""Which filter reads a line: the first, in the plugin's order (its FilterParser's field list),
whose instruction it is. The order matters only where two could claim a line: a Boolean
combination is tried after the text fields, so `description includes (draft)` is a text filter,
and before the last ones, so `id includes (x)` is (as in the plugin) a malformed Boolean."""

from __future__ import annotations

from tasksync.query.boolean import boolean_filter, looks_boolean
from tasksync.query.date_filter import DATE_PARSERS
from tasksync.query.filters import (
    SIMPLE,
    Context,
    Filter,
    Parser,
    parse_filter,
    recurring_filters,
    status_filters,
)
from tasksync.query.text_filter import TEXT_PARSERS


def _boolean(line: str, low: str, ctx: Context) -> Filter | None:
    if not looks_boolean(line):
        return None
    return boolean_filter(line, ctx, lambda text, at: parse_filter(text, ctx, at + 1))


PARSERS: list[Parser] = [
    status_filters(),
    recurring_filters(),
    SIMPLE["priority"],
    *DATE_PARSERS,
    TEXT_PARSERS["path"],
    TEXT_PARSERS["folder"],
    TEXT_PARSERS["root"],
    SIMPLE["backlink"],
    TEXT_PARSERS["description"],
    TEXT_PARSERS["tags"],
    TEXT_PARSERS["heading"],
    SIMPLE["exclude sub-items"],
    _boolean,
    TEXT_PARSERS["filename"],
    TEXT_PARSERS["recurrence"],
    SIMPLE["function"],
    TEXT_PARSERS["id"],
    SIMPLE["dependencies"],
    TEXT_PARSERS["status.name"],
    SIMPLE["status.type"],
    SIMPLE["owner"],  # tasksync's: owner is NAME, owner is me
    TEXT_PARSERS["owner"],  # tasksync's: owner includes TEXT
]
