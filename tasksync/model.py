"""Task values: what one task line says. No I/O here."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


class StatusType(enum.Enum):
    TODO = "TODO"
    PROPOSED = "PROPOSED"
    IN_PROGRESS = "IN_PROGRESS"
    ON_HOLD = "ON_HOLD"
    DONE = "DONE"
    CANCELLED = "CANCELLED"
    NON_TASK = "NON_TASK"

    @property
    def is_open(self) -> bool:
        """Not done, in the plugin's sense (`not done`), with proposed counted as open."""
        return self in (StatusType.TODO, StatusType.PROPOSED, StatusType.IN_PROGRESS,
                        StatusType.ON_HOLD)  # fmt: skip


# A status type in words ("it is a to-do"), as messages say it.
STATUS_WORDS = {"TODO": "a to-do", "PROPOSED": "proposed", "IN_PROGRESS": "in progress",
                "ON_HOLD": "on hold", "DONE": "done", "CANCELLED": "cancelled",
                "NON_TASK": "not a task"}  # fmt: skip

# What accept and reject find a task already past, so that leaving it is no fault.
ALREADY = {"accept": frozenset(("TODO", "IN_PROGRESS", "ON_HOLD", "DONE")),
           "reject": frozenset(("CANCELLED",))}  # fmt: skip


class Priority(enum.Enum):
    HIGHEST = "highest"
    HIGH = "high"
    MEDIUM = "medium"
    NORMAL = "normal"
    LOW = "low"
    LOWEST = "lowest"


@dataclass(frozen=True, slots=True)
class Status:
    symbol: str
    name: str
    type: StatusType
    next_symbol: str = ""  # the plugin's nextStatusSymbol ("": its default for the type)


@dataclass(frozen=True, slots=True)
class ChangeRules:
    """The plugin's settings for what a status change writes besides the status (its
    data.json keys: setDoneDate, setCancelledDate, setCreatedDate, recurrenceOnNextLine,
    taskFormat, removeScheduledDateOnRecurrence)."""

    done_date: bool = True  # ✅ today on completion
    cancelled_date: bool = True  # ❌ today on cancelling
    created_date: bool = False  # ➕ today on a recurring task's next occurrence
    next_below: bool = False  # the next occurrence below the completed line, not above
    dataview: bool = False  # new fields as `[key:: value]` (taskFormat: the plugin reads those)
    drop_scheduled: bool = False  # the next occurrence loses ⏳ when it has 🛫 or 📅


class StatusTable:
    """Checkbox character -> status; unknown characters are kept and typed TODO (as the plugin).
    It carries the vault's ``ChangeRules`` too, to wherever a status is changed."""

    DEFAULT: tuple[Status, ...] = (
        Status(" ", "Todo", StatusType.TODO, "x"),
        Status("x", "Done", StatusType.DONE, " "),
        Status("/", "In Progress", StatusType.IN_PROGRESS, "x"),
        Status("-", "Cancelled", StatusType.CANCELLED, " "),
        Status("?", "Proposed", StatusType.PROPOSED, " "),
    )

    def __init__(self, statuses: tuple[Status, ...] | None = None,
                 rules: ChangeRules | None = None, defaults: bool = True) -> None:  # fmt: skip
        """``statuses`` added to (or put in the place of) the defaults; without ``defaults``
        (the plugin's own set: it knows nothing else) only `?` Proposed is kept of them."""
        self.rules = rules or ChangeRules()
        kept = self.DEFAULT if defaults else [s for s in self.DEFAULT if s.symbol == "?"]
        self._by_symbol: dict[str, Status] = {s.symbol: s for s in kept}
        for status in statuses or ():
            self._by_symbol[status.symbol] = status

    def __getitem__(self, symbol: str) -> Status:
        found = self._by_symbol.get(symbol)
        return found if found is not None else Status(symbol, "Unknown", StatusType.TODO, "x")

    def recurrence_symbol(self, done: str) -> str:
        """The status of a recurring task's next occurrence, as the plugin's
        getNextRecurrenceStatusOrCreate gives it: along the next-status chain from the done
        status ``done``, the first TODO status, else the first IN_PROGRESS one, else `' '`."""
        chain = [self[self[done].next_symbol or " "]]
        for _ in range(len(self._by_symbol)):
            chain.append(self[chain[-1].next_symbol or " "])
        for wanted in (StatusType.TODO, StatusType.IN_PROGRESS):
            found = next((s for s in chain if s.type is wanted), None)
            if found is not None:
                return found.symbol
        return " "

    def as_mapping(self) -> Mapping[str, Status]:
        return dict(self._by_symbol)

    def symbol_for(self, status_type: StatusType) -> str:
        for status in self._by_symbol.values():
            if status.type is status_type:
                return status.symbol
        raise KeyError(status_type)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the line's characters, and what it is (a field name, "text", "tag", …)."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Task:
    """One task line. ``segments`` partition the line exactly; everything else is read from them."""

    segments: tuple[Segment, ...]
    status: str
    status_type: StatusType
    description: str
    owner: str | None = None
    tags: tuple[str, ...] = ()
    priority: Priority = Priority.NORMAL
    due: date | None = None
    scheduled: date | None = None
    start: date | None = None
    created: date | None = None
    done: date | None = None
    cancelled: date | None = None
    recurrence: str | None = None
    task_id: str | None = None
    depends_on: tuple[str, ...] = ()
    on_completion: str | None = None
    block_link: str | None = None
    problems: tuple[str, ...] = field(default=())

    def render(self) -> str:
        """The line as Markdown. For a task read from a file, the line exactly as it was."""
        return "".join(s.text for s in self.segments)

    @property
    def raw(self) -> str:
        return self.render()

    @property
    def indentation(self) -> str:
        prefix = self.segments[0].text
        return prefix[: len(prefix) - len(prefix.lstrip("\t \u00a0>"))]


DATE_FIELDS: tuple[str, ...] = ("due", "scheduled", "start", "created", "done", "cancelled")


@dataclass(frozen=True, slots=True)
class LineChange:
    """One edit of a note as journaled: the lines at ``line`` before, and what replaced them."""

    path: str
    line: int  # 1-based, where ``before`` stood
    before: tuple[str, ...]
    after: tuple[str, ...]
    task_id: str = ""

    def __reduce__(
        self,
    ) -> tuple[type[LineChange], tuple[str, int, tuple[str, ...], tuple[str, ...], str]]:
        # twice as fast to pickle as a frozen dataclass is by default (a batch's plans
        # come from the planning process: write/planner.py)
        return LineChange, (self.path, self.line, self.before, self.after, self.task_id)
