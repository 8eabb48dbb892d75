"""A ```tasks block -> a Query: each line read in the plugin's order (its Query.parseLine):
preset, short/full mode, explain, ignore global query, limit, sort by, group by, view,
hide/show, comment, and last the filters. Placeholders (`{{query.file.path}}`,
`{{preset.NAME}}`) are expanded first; `\\` at a line's end continues it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from tasksync.query.explain import Statement
from tasksync.query.filters import Context, Filter, QueryError, parse_filter
from tasksync.query.grouping import Grouper, parse_grouper
from tasksync.query.sorting import Sorter, parse_sorter

_LIMIT = re.compile(r"limit (groups )?(to )?(\d+)( tasks?)?", re.IGNORECASE)
_PRESET = re.compile(r"preset\s+(.*)", re.IGNORECASE)
_HIDE_SHOW = re.compile(r"(hide|show)\s+(.*)", re.IGNORECASE)
_VIEW = re.compile(r"view\b", re.IGNORECASE)
_SHOWN_OR_HIDDEN = frozenset((
    "tree", "tags", "task count", "group count", "backlink", "backlinks", "nested backlink",
    "nested backlinks", "edit button", "postpone button", "urgency", "toolbar", "id",
    "depends on", "priority", "cancelled date", "created date", "start date", "scheduled date",
    "due date", "done date", "recurrence rule", "on completion",
))  # fmt: skip
_PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
_MUSTACHE_COMMENT = re.compile(r"\{\{!.*?\}\}")
_MAX_PRESET_DEPTH = 10


@dataclass
class Query:
    source: str
    filters: list[Filter] = field(default_factory=list)
    sorters: list[Sorter] = field(default_factory=list)
    groupers: list[Grouper] = field(default_factory=list)
    layout: list[Statement] = field(default_factory=list)
    limit: int | None = None
    limit_groups: int | None = None
    explain: bool = False
    ignore_global_query: bool = False

    def then(self, other: Query) -> Query:
        """This query with ``other`` after it (the plugin's Query.append: filters, sorting,
        grouping and layout add up; a later limit wins)."""
        return Query(
            f"{self.source}\n{other.source}",
            [*self.filters, *other.filters], [*self.sorters, *other.sorters],
            [*self.groupers, *other.groupers], [*self.layout, *other.layout],
            other.limit if other.limit is not None else self.limit,
            other.limit_groups if other.limit_groups is not None else self.limit_groups,
            self.explain or other.explain, self.ignore_global_query or other.ignore_global_query,
        )  # fmt: skip


@dataclass(frozen=True)
class Source:
    """What placeholders and presets refer to: the note that holds the block, the presets."""

    note: str | None = None
    presets: Mapping[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, str]:
        if self.note is None:
            return {}
        note = self.note
        name = note.rsplit("/", 1)[-1]
        return {
            "query.file.path": note,
            "query.file.pathWithoutExtension": note.removesuffix(".md"),
            "query.file.filename": name,
            "query.file.filenameWithoutExtension": name.removesuffix(".md"),
            "query.file.folder": note.rsplit("/", 1)[0] + "/" if "/" in note else "/",
            "query.file.root": note.split("/", 1)[0] + "/" if "/" in note else "/",
        }


def statements(text: str) -> Iterator[Statement]:
    """Each instruction (blank lines and comments too): `\\` continues a line, its spaces and
    the next line's leading ones becoming one space; `\\\\` at the end is a backslash."""
    raw: list[str] = []
    joined, start = "", 0
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not raw:
            start = number
        raw.append(line)
        continues = line.endswith("\\") and not line.endswith("\\\\")
        piece = re.sub(r"\s*\\$", "", line) if continues else line
        joined = f"{joined} {piece.lstrip()}" if len(raw) > 1 else piece
        if continues:
            continue
        if joined.endswith("\\\\"):
            joined = joined[:-1]
        yield Statement("\n".join(raw).strip(), joined.strip(), start)
        raw, joined = [], ""
    if raw:
        yield Statement("\n".join(raw).strip(), joined.strip(), start)


def expand(text: str, source: Source) -> str:
    """The line with its placeholders filled in; QueryError for one that cannot be."""
    text = _MUSTACHE_COMMENT.sub("", text)
    if "{{" not in text:
        return text
    values = source.values()

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name.startswith("preset."):
            preset = source.presets.get(name[len("preset.") :])
            if preset is None:
                raise QueryError(f"Cannot find preset {name[len('preset.') :]!r}")
            return preset
        if name in values:
            return values[name]
        if name.startswith("query.") and source.note is None:
            raise QueryError('The query looks like it contains a placeholder, with "{{" and "}}" '
                             "but no file path has been supplied (use --note)")  # fmt: skip
        raise QueryError(f"There was an error expanding one or more placeholders: "
                         f"Unknown property: {name}")  # fmt: skip

    return _PLACEHOLDER.sub(value, text)


def parse_query(text: str, ctx: Context, source: Source | None = None) -> Query:
    """Every line of a tasks block; QueryError names the line and column of the first problem."""
    query = Query(text)
    source = source or Source()
    for statement in statements(text):
        try:
            _add_statement(query, statement, ctx, source, 0)
        except QueryError as exc:
            raise QueryError(f"line {statement.line}, column {exc.column}: {exc}",
                             exc.column) from None  # fmt: skip
    return query


def _add_statement(query: Query, statement: Statement, ctx: Context, source: Source,
                   depth: int) -> None:  # fmt: skip
    text = expand(statement.text, source).strip()
    if "\n" in text:  # a placeholder of many lines (a preset's): each line an instruction
        if depth >= _MAX_PRESET_DEPTH:
            raise QueryError("a preset includes itself")
        for line in statements(text):
            _add_statement(query, Statement(statement.raw, line.text, statement.line), ctx,
                           source, depth + 1)  # fmt: skip
        return
    if not text or text.startswith("#"):
        return
    statement = Statement(statement.raw, text, statement.line)
    preset = _PRESET.fullmatch(text)
    if preset:
        _add_preset(query, preset[1].strip(), ctx, source, depth)
        return
    low = text.lower()
    if low.startswith(("short", "full")):
        query.layout.append(statement)
    elif low.startswith("explain"):
        query.explain = True
    elif low.startswith("ignore global query"):
        query.ignore_global_query = True
    elif low.startswith("limit"):
        _add_limit(query, text)
    elif (sorter := parse_sorter(statement)) is not None:
        query.sorters.append(sorter)
    elif (grouper := parse_grouper(statement)) is not None:
        query.groupers.append(grouper)
    elif _VIEW.match(text):
        query.layout.append(statement)
    elif hide_show := _HIDE_SHOW.fullmatch(text):
        if " ".join(hide_show[2].lower().split()) not in _SHOWN_OR_HIDDEN:
            raise QueryError(f"do not understand hide/show option: {hide_show[2]}",
                             hide_show.start(2) + 1)  # fmt: skip
        query.layout.append(statement)
    else:
        found = parse_filter(text, ctx)
        query.filters.append(Filter(statement, found.test, found.explanation, found.narrow))


def _add_limit(query: Query, text: str) -> None:
    match = _LIMIT.match(text)
    if match is None:
        raise QueryError("do not understand query limit")
    if match[1]:
        query.limit_groups = int(match[3])
    else:
        query.limit = int(match[3])


def _add_preset(query: Query, name: str, ctx: Context, source: Source, depth: int) -> None:
    """`preset NAME`: the preset's instructions, read as if written here."""
    instructions = source.presets.get(name)
    if instructions is None:
        known = ", ".join(sorted(source.presets)) or "none"
        raise QueryError(f"Cannot find preset {name!r} (the presets are: {known})", 8)
    if depth >= _MAX_PRESET_DEPTH:
        raise QueryError(f"preset {name!r} includes itself")
    for statement in statements(instructions):
        _add_statement(query, statement, ctx, source, depth + 1)
