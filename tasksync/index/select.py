"""The filters of ``list`` (and later ``ics``): status, owner, tag, path."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tasksync.model import StatusType
from tasksync.read.records import Record

STATUS_CHOICES: dict[str, tuple[StatusType, ...]] = {
    "proposed": (StatusType.PROPOSED,),
    "todo": (StatusType.TODO,),
    "in-progress": (StatusType.IN_PROGRESS,),
    "on-hold": (StatusType.ON_HOLD,),
    "done": (StatusType.DONE,),
    "cancelled": (StatusType.CANCELLED,),
    "non-task": (StatusType.NON_TASK,),
    "open": (StatusType.TODO, StatusType.IN_PROGRESS, StatusType.ON_HOLD),
    "all": tuple(StatusType),
}
DEFAULT_STATUSES = ("proposed", "todo", "in-progress")


@dataclass(frozen=True)
class Selection:
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    owner: str | None = None
    tag: str | None = None
    path: str | None = None

    def status_types(self) -> list[str]:
        """The status types asked for (``status_type`` values of the records)."""
        wanted = {t.value for name in self.statuses for t in STATUS_CHOICES[name]}
        return sorted(wanted)

    def matches(self, record: Record) -> bool:
        """Owner and tag; status and path are matched by the index query."""
        if self.owner is not None:
            wanted = self.owner.lstrip("@").casefold()
            names = {v.casefold() for v in (record.get("person"), record["owner"]) if v}
            if wanted not in names:
                return False
        if self.tag is not None:
            wanted = "#" + self.tag.lstrip("#").casefold()
            tags = [t.casefold() for t in record["tags"]]
            if not any(t == wanted or t.startswith(wanted + "/") for t in tags):
                return False
        return True

    def apply(self, records: Iterable[Record]) -> Iterator[Record]:
        return (r for r in records if self.matches(r))
