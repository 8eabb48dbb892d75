"""The filter instructions, one parser each, tried in the plugin's order (its FilterParser): the
first that claims a line reads it, or names what is wrong with it. Filters run over records."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from tasksync.query.explain import Explanation, Statement
from tasksync.read.records import Record

Predicate = Callable[[Record], bool]
Dependencies = tuple[frozenset[str], frozenset[str]]  # open tasks' 🆔, the 🆔 they depend on

DONE_TYPES = frozenset(("DONE", "CANCELLED", "NON_TASK"))
STATUS_TYPES = ("TODO", "PROPOSED", "IN_PROGRESS", "ON_HOLD", "DONE", "CANCELLED", "NON_TASK")
PRIORITY_ORDER = {"lowest": 0, "low": 1, "normal": 2, "none": 2, "medium": 3, "high": 4,
                  "highest": 5}  # fmt: skip


class QueryError(ValueError):
    """A line the query language does not understand; ``column`` is 1-based."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.column = column


@dataclass
class Context:
    today: date
    me: frozenset[str] = frozenset()  # case-folded person names that are "me"
    status_names: dict[str, str] = field(default_factory=dict)
    # The 🆔 of the tasks not done, and the 🆔 those tasks depend on (for is blocked / is
    # blocking): read from the index when a filter first asks, not for every query.
    dependencies: Callable[[], Dependencies] = lambda: (frozenset(), frozenset())
    # The person a name given in a query means (an alias, a unique first name): People.resolve
    person_of: Callable[[str], str | None] = lambda name: name

    @cached_property
    def _dependencies(self) -> Dependencies:
        return self.dependencies()

    @property
    def open_ids(self) -> frozenset[str]:
        return self._dependencies[0]

    @property
    def depended_on(self) -> frozenset[str]:
        return self._dependencies[1]


@dataclass(frozen=True)
class Filter:
    statement: Statement
    test: Predicate
    explanation: Explanation
    # A condition on the index's tasks table that every task the filter takes meets (it may
    # take more): what SQLite can rule out before a record is made. Values are inlined, so
    # only constants and ISO dates go in.
    narrow: str | None = None

    @property
    def text(self) -> str:
        return self.statement.text

    def __call__(self, record: Record) -> bool:
        return self.test(record)

    def _explains_only_itself(self) -> bool:
        return not self.explanation.children and self.explanation.description == self.text

    def render(self, indent: str = "") -> str:
        """The plugin's explanation of the filter (explainFilterIndented)."""
        shown = self.statement.render(indent)
        if self._explains_only_itself():
            return shown + "\n"
        return f"{shown} =>\n{self.explanation.render(indent + '  ')}\n"

    def as_operand(self) -> Explanation:
        """Its explanation inside a Boolean combination."""
        if self._explains_only_itself():
            return self.explanation
        return Explanation(self.text + " =>", [self.explanation])


def make_filter(text: str, test: Predicate, explanation: str | Explanation | None = None,
                narrow: str | None = None) -> Filter:  # fmt: skip
    if not isinstance(explanation, Explanation):
        explanation = Explanation(explanation or text)
    return Filter(Statement(text, text), test, explanation, narrow)


# A parser reads the instruction it claims (None: not its instruction); it gets the line as
# written and in lower case, and the context.
Parser = Callable[[str, str, Context], "Filter | None"]


def parse_filter(text: str, ctx: Context, column: int = 1) -> Filter:
    """One filter instruction -> a Filter; QueryError when no filter reads it."""
    from tasksync.query.filter_order import PARSERS  # the parsers import this module

    line = text.strip()
    low = line.lower()
    try:
        for parser in PARSERS:
            found = parser(line, low, ctx)
            if found is not None:
                return found
    except QueryError as exc:
        raise QueryError(str(exc), column + exc.column - 1) from None
    raise QueryError(f"do not understand query: {line}", column)


def instructions(*named: tuple[str, Predicate, str | None],
                 narrow: dict[str, str] | None = None) -> Parser:  # fmt: skip
    """Fixed instructions (`done`, `is recurring` …): each one, any case, and what it means
    (and, in ``narrow``, their conditions on the index's table, by instruction)."""
    table = {text.lower(): (text, test, explanation) for text, test, explanation in named}
    conditions = {text.lower(): condition for text, condition in (narrow or {}).items()}

    def parse(line: str, low: str, ctx: Context) -> Filter | None:
        found = table.get(" ".join(low.split()))
        if found is None:
            return None
        _, test, explanation = found
        return make_filter(line, test, explanation, conditions.get(" ".join(low.split())))

    return parse


def _is_done(record: Record) -> bool:
    return record["status_type"] in DONE_TYPES


def _status_type(line: str, low: str, ctx: Context) -> Filter | None:
    match = re.fullmatch(r"status\.type (is|is not) (\S+)", " ".join(low.split()))
    if not low.startswith("status.type"):
        return None
    if match is None or match[2].upper() not in STATUS_TYPES:
        raise QueryError(
            f"invalid status.type instruction: '{line}' (allowed: is, is not, and "
            f"{' '.join(STATUS_TYPES)})"
        )
    wanted, negate = match[2].upper(), match[1] == "is not"
    condition = f"status_type {'!=' if negate else '='} '{wanted}'"  # one of STATUS_TYPES
    return make_filter(line, lambda r: (r["status_type"] == wanted) != negate, narrow=condition)


_PRIORITY = re.compile(r"priority(\s+is)?(\s+(above|below|not))?(\s+(lowest|low|none|medium|"
                       r"high|highest))", re.IGNORECASE)  # fmt: skip


def _priority(line: str, low: str, ctx: Context) -> Filter | None:
    if not low.startswith("priority"):
        return None
    match = _PRIORITY.fullmatch(line)
    if match is None:
        hint = " (normal priority is `none` in a query)" if "normal" in low else ""
        raise QueryError(f"do not understand query filter (priority): {line}{hint}")
    how, level = (match[3] or "").lower(), PRIORITY_ORDER[match[5].lower()]
    tests: dict[str, Predicate] = {
        "above": lambda r: PRIORITY_ORDER[r["priority"]] > level,
        "below": lambda r: PRIORITY_ORDER[r["priority"]] < level,
        "not": lambda r: PRIORITY_ORDER[r["priority"]] != level,
        "": lambda r: PRIORITY_ORDER[r["priority"]] == level,
    }
    words = " ".join(w for w in ("priority is", how, match[5].lower()) if w)
    return make_filter(line, tests[how], words)


def _exclude_sub_items(line: str, low: str, ctx: Context) -> Filter | None:
    if " ".join(low.split()) != "exclude sub-items":
        return None
    return make_filter(line, lambda r: _top_level(r["raw"]))


_INDENTATION = re.compile(r"[\s>]*")


def _top_level(raw: str) -> bool:
    """As the plugin's ExcludeSubItemsField: no indentation, or after its last quote mark at
    most one space (` > - [ ]` is a top-level task in a quote)."""
    indentation = _INDENTATION.match(raw)
    text = indentation.group() if indentation else ""
    if not text:
        return True
    mark = text.rfind(">")
    return mark >= 0 and text[mark + 1 :] in ("", " ")


def _owner(line: str, low: str, ctx: Context) -> Filter | None:
    """tasksync's extension: `owner is NAME`, `owner is me`, `owner is not …`."""
    match = re.fullmatch(r"owner is (not )?(.+)", " ".join(low.split()))
    if match is None:
        return None
    name, negate = match[2].strip().lstrip("@"), bool(match[1])
    if name == "me":
        return make_filter(line, lambda r: _owned_by_me(r, ctx) != negate)
    wanted = {name, (ctx.person_of(name) or name).casefold()}
    return make_filter(line, lambda r: bool(wanted & {v.casefold() for v in _owners(r)}) != negate)


def _owners(record: Record) -> list[str]:
    return [v for v in (record.get("person"), record["owner"]) if v]


def _owned_by_me(record: Record, ctx: Context) -> bool:
    return any(v.casefold() in ctx.me for v in _owners(record))


def _javascript(line: str, low: str, ctx: Context) -> Filter | None:
    if not low.startswith("filter by function"):
        return None
    raise QueryError("filter by function needs JavaScript, which tasksync does not run")


def _backlink(line: str, low: str, ctx: Context) -> Filter | None:
    if not low.startswith("backlink "):
        return None
    raise QueryError("backlink field does not support filtering")


def _blocked(record: Record, ctx: Context) -> bool:
    return not _is_done(record) and any(d in ctx.open_ids for d in record["depends_on"])


def _blocking(record: Record, ctx: Context) -> bool:
    return (not _is_done(record) and bool(record["task_id"])
            and record["task_id"] in ctx.depended_on)  # fmt: skip


_DONE_SQL = f"status_type IN ({', '.join(repr(kind) for kind in sorted(DONE_TYPES))})"


def status_filters() -> Parser:
    return instructions(
        ("done", _is_done, "status type is DONE or CANCELLED or NON_TASK"),
        ("not done", lambda r: not _is_done(r), "status type is TODO or IN_PROGRESS or ON_HOLD"),
        narrow={"done": _DONE_SQL, "not done": f"NOT {_DONE_SQL}"},
    )


def recurring_filters() -> Parser:
    return instructions(
        ("is recurring", lambda r: bool(r["recurrence"]), None),
        ("is not recurring", lambda r: not r["recurrence"], None),
    )


def _dependencies(line: str, low: str, ctx: Context) -> Filter | None:
    tests: dict[str, Predicate] = {
        "has id": lambda r: bool(r["task_id"]),
        "no id": lambda r: not r["task_id"],
        "has depends on": lambda r: bool(r["depends_on"]),
        "no depends on": lambda r: not r["depends_on"],
        "is blocking": lambda r: _blocking(r, ctx),
        "is not blocking": lambda r: not _blocking(r, ctx),
        "is blocked": lambda r: _blocked(r, ctx),
        "is not blocked": lambda r: not _blocked(r, ctx),
    }
    test = tests.get(" ".join(low.split()))
    return make_filter(line, test) if test else None


SIMPLE = {
    "status.type": _status_type,
    "priority": _priority,
    "exclude sub-items": _exclude_sub_items,
    "owner": _owner,
    "function": _javascript,
    "backlink": _backlink,
    "dependencies": _dependencies,
}
