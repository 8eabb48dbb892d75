"""The filters of ``list`` (and later ``ics``): status, owner, tag, path."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tasksync.model import StatusType
from tasksync.reader import LocatedTask

STATUS_CHOICES: dict[str, tuple[StatusType, ...]] = {
    "proposed": (StatusType.PROPOSED,),
    "todo": (StatusType.TODO,),
    "in-progress": (StatusType.IN_PROGRESS,),
    "on-hold": (StatusType.ON_HOLD,),
    "done": (StatusType.DONE,),
    "cancelled": (StatusType.CANCELLED,),
    "non-task": (StatusType.NON_TASK,),
    "all": tuple(StatusType),
}
DEFAULT_STATUSES = ("proposed", "todo", "in-progress")


@dataclass(frozen=True)
class Selection:
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    owner: str | None = None
    tag: str | None = None
    path: str | None = None

    def status_types(self) -> frozenset[StatusType]:
        return frozenset(t for name in self.statuses for t in STATUS_CHOICES[name])

    def matches(self, item: LocatedTask, types: frozenset[StatusType]) -> bool:
        task = item.task
        if task.status_type not in types:
            return False
        if self.owner is not None:
            wanted = self.owner.lstrip("@").casefold()
            if task.owner is None or task.owner.casefold() != wanted:
                return False
        if self.tag is not None:
            wanted = "#" + self.tag.lstrip("#").casefold()
            if not any(t.casefold() == wanted or t.casefold().startswith(wanted + "/")
                       for t in task.tags):  # fmt: skip
                return False
        return self.path is None or self.path.casefold() in item.path.casefold()

    def apply(self, items: Iterable[LocatedTask]) -> Iterator[LocatedTask]:
        types = self.status_types()
        return (item for item in items if self.matches(item, types))
