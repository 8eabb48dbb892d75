"""What a VTODO on the server says, in the terms the sync merges: a status, a due date, a
summary — dates as the user's local dates, however the server wrote them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from tasksync.calendar.ics import task_summary
from tasksync.read.parse import parse_task_line
from tasksync.read.records import Record
from tasksync.write.edits import title_of

# The fields both sides have, merged one by one.
FIELDS = ("status", "due", "summary")
_VAULT_STATUS = {
    "TODO": "open", "PROPOSED": "open", "ON_HOLD": "open", "IN_PROGRESS": "in-progress",
    "DONE": "done", "CANCELLED": "cancelled", "NON_TASK": "cancelled",
}  # fmt: skip


@dataclass(frozen=True)
class ServerItem:
    uid: str
    status: str  # open, in-progress, done, cancelled
    due: date | None
    summary: str
    completed: date | None  # the local day it was completed, when it says
    raw: Any = None  # the caldav object, to delete it
    ours: bool = False  # sent by tasksync (not made on the phone)
    due_at: str | None = None  # its due as written (``due_stamp``): the same in every zone

    def fields(self) -> dict[str, Any]:
        summary = task_summary(self.summary)  # as the vault's side is read: compared with it
        return {"status": self.status, "due": _iso(self.due), "summary": summary}

    def base(self) -> dict[str, Any]:
        """What a sync keeps of it to merge on next time: its fields, and its due as written."""
        return {**self.fields(), "due_at": self.due_at}

    def changed(self, base: dict[str, Any], name: str) -> bool:
        """Whether field ``name`` changed on the server since ``base``. A due in UTC is a
        day of the zone the sync runs in: its day differs from one zone to the next while the
        phone changed nothing, so the due as written is compared where the base kept it."""
        if name == "due" and base.get("due_at") is not None and self.due_at is not None:
            return bool(self.due_at != base["due_at"])
        return bool(self.fields()[name] != base.get(name))

    def changed_since(self, base: dict[str, Any]) -> bool:
        return any(self.changed(base, name) for name in FIELDS)


def vault_fields(record: Record) -> dict[str, Any]:
    return {
        "status": _VAULT_STATUS[record["status_type"]],
        "due": record["due"],
        "summary": task_summary(record_title(record)),
    }


def record_title(record: Record) -> str:
    """The task's title (``edits.title_of``): its words, and the tags among them."""
    if not record["tags"]:
        return str(record["description"])  # the same words, without reading the line again
    return _title_of_line(str(record["raw"]), frozenset(record["tags"]))


@lru_cache(maxsize=4096)
def _title_of_line(raw: str, tags: frozenset[str]) -> str:
    # The index's tags are the line's but for the global filter: that one is not shown.
    return title_of(parse_task_line(raw), lambda tag: tag in tags)


def local_date(value: Any) -> date | None:
    """A DATE as it is; a DATE-TIME with a TZID as the day in that zone (the day the phone
    showed whoever set it: every machine reads the same, wherever it syncs from); a UTC or
    floating one as the user's local day."""
    if value is None:
        return None
    moment = value.dt if hasattr(value, "dt") else value
    if isinstance(moment, datetime):
        if moment.tzinfo is None or not _is_utc(moment):
            return moment.date()
        return moment.astimezone().date()
    return moment if isinstance(moment, date) else None


def _is_utc(moment: datetime) -> bool:
    zone = moment.tzinfo
    try:  # the zone's own name, not the moment's ("GMT" is London's in winter)
        name = zone.tzname(None) if zone is not None else None
    except Exception:  # a zone a client defines in the calendar (dateutil's tzical) has none
        name = None
    names = (getattr(zone, "key", None), getattr(zone, "zone", None), name)
    return zone is UTC or any(n in ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z") for n in names)


def _status(component: Any) -> str:
    status = str(component.get("STATUS", "NEEDS-ACTION")).upper()
    try:
        percent = int(str(component.get("PERCENT-COMPLETE", "0")))
    except ValueError:
        percent = 0
    if status == "COMPLETED" or (percent >= 100 and status != "CANCELLED"):
        return "done"  # several task apps mark done with PERCENT-COMPLETE:100 alone
    if "STATUS" not in component and "COMPLETED" in component:
        return "done"  # or with a COMPLETED date alone
    if status == "CANCELLED":
        return "cancelled"
    if status == "IN-PROCESS":
        return "in-progress"
    return "open"


MARK = "X-TASKSYNC-TASK"  # on every VTODO tasksync sends: the task's id


def item_of(component: Any, raw: Any = None) -> ServerItem:
    summary = " ".join(str(component.get("SUMMARY", "")).split())
    ours = MARK in component or "obsidian://open?vault=" in str(component.get("DESCRIPTION", ""))
    return ServerItem(str(component.get("UID")), _status(component), _due(component), summary,
                      local_date(component.get("COMPLETED")), raw, ours,
                      due_stamp(component))  # fmt: skip


def due_stamp(component: Any) -> str | None:
    """The VTODO's due as written — a date, a time with its offset, a floating time, or a
    start and a duration — whatever the zone it is read in."""
    due = component.get("DUE")
    if due is not None:
        return str(getattr(due, "dt", due).isoformat())
    start, duration = component.get("DTSTART"), component.get("DURATION")
    if start is None or duration is None:
        return None
    return f"{start.dt.isoformat()}+{duration.to_ical().decode()}"


def _due(component: Any) -> date | None:
    """DUE; or, as RFC 5545 has it, DTSTART + DURATION (task apps give a time-boxed task a
    start and a duration instead of a due time)."""
    if component.get("DUE") is not None:
        return local_date(component.get("DUE"))
    start, duration = component.get("DTSTART"), component.get("DURATION")
    if start is None or duration is None:
        return None
    try:
        return local_date(start.dt + duration.dt)
    except (AttributeError, TypeError, OverflowError):
        return None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
