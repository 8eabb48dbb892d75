"""Tasks -> iCalendar: all-day VEVENTs on the due date (every calendar app shows those), or
VTODOs for apps that show tasks. Pure: records in, ``icalendar.Calendar`` out; ``now`` given."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import time
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY
from icalendar import Calendar, Component, Event, Todo, vDDDTypes, vText

from tasksync import __version__
from tasksync.read.prose import repaired
from tasksync.read.records import Record
from tasksync.read.signifiers import canonical_spellings
from tasksync.write.recurrence import Rule, RuleError, parse_rule

PRODID = f"-//tasksync//tasksync {__version__}//EN"
ENTRY_FORMAT = 2  # raised when an entry's text changes: entries kept in the index are made anew
# RFC 5545 PRIORITY: 1 highest … 9 lowest, 0 undefined.
PRIORITY = {"highest": 1, "high": 3, "medium": 5, "normal": 0, "low": 7, "lowest": 9}
TODO_STATUS = {"TODO": "NEEDS-ACTION", "PROPOSED": "NEEDS-ACTION", "ON_HOLD": "NEEDS-ACTION",
               "IN_PROGRESS": "IN-PROCESS", "DONE": "COMPLETED", "CANCELLED": "CANCELLED",
               "NON_TASK": "CANCELLED"}  # fmt: skip
_FREQ = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY", YEARLY: "YEARLY"}
_REPAIRS = sorted(canonical_spellings().items(), key=lambda kv: -len(kv[0]))
_INVISIBLE = {"\ufe0f", "\u200d"}
# A terminal's colour codes (ESC [ … m and the like), pasted into a note with the text.
_TERMINAL_CODE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]")


def uid_namespace(vault_name: str) -> uuid.UUID:
    """One namespace per vault, so the same task id in two vaults gives two UIDs."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tasksync:vault:{vault_name}")


def task_uid(namespace: uuid.UUID, task_key: str) -> str:
    """Stable (the task id is), opaque (a hash: no host name, no personal data)."""
    return str(uuid.uuid5(namespace, task_key))


NO_DESCRIPTION = "(no description)"  # the title of a task with none (the same both ways)


def plain_text(text: str) -> str:
    """``text`` without control characters (NUL, BEL, ESC with the terminal codes it starts…):
    calendar apps show them as garbage, or refuse the file. Those that are white space (a tab,
    a vertical tab) become a space."""
    text = _TERMINAL_CODE.sub("", text)
    return "".join((" " if c.isspace() else "") if unicodedata.category(c) == "Cc" else c
                   for c in text)  # fmt: skip


def clean_summary(description: str) -> str:
    """The description without emoji (mis-encoded ones included), control characters, and
    with single spaces: a calendar event's title."""
    return task_summary(description, emoji=False)


def task_summary(description: str, emoji: bool = True) -> str:
    """The description as a task's title on a CalDAV server: repaired, without control or
    invisible characters, with single spaces — and its emoji (a phone shows them, and a
    title edited there keeps them); without, with ``emoji=False``. The same text gives the
    same title again (both sides of a sync compare titles this way)."""
    text = plain_text(description)
    for spelled, real in _REPAIRS:
        if spelled in text:
            text = text.replace(spelled, real)
    text = repaired(text)
    if not emoji:
        text = _without_emoji(text)
    kept = "".join(c for c in text if c not in _INVISIBLE)
    return " ".join(kept.split()) or NO_DESCRIPTION


# The characters below U+1F000 shown as emoji by default (Unicode's Emoji_Presentation);
# the other symbols (° № ★ © ™ ✓) are text unless U+FE0F follows them.
_EMOJI_BMP = frozenset("⌚⌛⏩⏪⏫⏬⏰⏳◽◾☔☕♈♉♊♋♌♍♎♏♐♑♒♓"
                       "♿⚓⚡⚪⚫⚽⚾⛄⛅⛎⛔⛪⛲⛳⛵⛺⛽"
                       "✅✊✋✨❌❎❓❔❕❗➕➖➗➰➿⬛⬜⭐⭕")  # fmt: skip
_VS16 = "\ufe0f"


def _without_emoji(text: str) -> str:
    """``text`` without its emoji: those shown as emoji by default, the symbols U+FE0F makes
    emoji (☀️), and the U+FE0F; other symbols (18°C, № 5, ★) stay."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char == _VS16 or text[index + 1 : index + 2] == _VS16 or char in _EMOJI_BMP:
            continue
        if ord(char) >= 0x1F000 and unicodedata.category(char) in ("So", "Sk"):
            continue
        out.append(char)
    return "".join(out)


_OPEN = ("TODO", "IN_PROGRESS", "PROPOSED")


def rrule_of(text: str | None, due: date, start: date | None = None) -> dict[str, object] | None:
    """The RRULE of a task's series, for an entry whose first date is ``due`` (or ``start``,
    a VTODO's DTSTART before its due date), only where RFC 5545 expands it to the dates the
    plugin gives; None for the others: `when done`, hours, month-end dates the plugin moves
    to the month's last day, a due date that is no date of the rule (postponed), values out
    of RFC 5545's ranges."""
    if not text:
        return None
    try:
        rule: Rule = parse_rule(text)
    except RuleError:
        return None
    if rule.when_done or rule.freq not in _FREQ:
        return None  # depends on when it is done; hours, minutes: a task's dates have no time
    if (
        start is not None
        and start != due
        and not (rule.plain and (rule.freq in (DAILY, WEEKLY) or max(start.day, due.day) <= 28))
    ):
        return None  # RFC 5545 repeats DTSTART, the plugin the due date: alike only then
    if rule.count == 1:
        return None  # no next date
    if rule.count:  # the plugin counts again from each new due date: it never ends
        rule = dataclasses.replace(rule, count=None)
    try:
        if not _expands_as_the_plugin(rule, due):
            return None
    except (ValueError, OverflowError):  # out of range (the 32nd), or past the year 9999
        return None
    recur: dict[str, object] = {"freq": _FREQ[rule.freq]}
    if rule.interval != 1:
        recur["interval"] = rule.interval
    if rule.weekdays:
        recur["byday"] = [f"{d.n or ''}{str(d)[:2]}" for d in rule.weekdays]
    if rule.monthdays:
        recur["bymonthday"] = list(rule.monthdays)
    if rule.months:
        recur["bymonth"] = list(rule.months)
    if rule.weeknos:
        recur["byweekno"] = list(rule.weeknos)
    if rule.until:
        recur["until"] = rule.until
    return recur


def _expands_as_the_plugin(rule: Rule, due: date) -> bool:
    """Whether the RRULE from ``due`` holds ``due`` and its next dates are the plugin's."""
    if any(not (-31 <= d <= 31 and d) for d in rule.monthdays) \
            or any(not (-53 <= w <= 53 and w) for w in rule.weeknos) \
            or (rule.freq in (DAILY, WEEKLY) and any(d.n for d in rule.weekdays)):  # fmt: skip
        return False
    expanded = rule.rfc_dates(due)
    day = due
    for _ in range(_CHECKED):
        if next(expanded, None) != day:
            return False
        following = rule.next_after(day)
        if following is None:
            return next(expanded, None) is None
        day = following
    return True


_CHECKED = 13  # dates compared: a year of months, and the 29th of February's next one


def _description(record: Record, vault_name: str) -> str:
    lines = []
    if record["owner"]:
        lines.append(f"Owner: {plain_text(record['owner'])}")
    if record["priority"] != "normal":
        lines.append(f"Priority: {record['priority']}")
    if record["tags"]:
        lines.append(f"Tags: {' '.join(plain_text(t) for t in record['tags'])}")
    lines.append(f"Note: {plain_text(record['path'])}:{record['line']}")
    link = (
        f"obsidian://open?vault={quote(vault_name, safe='')}&file={quote(record['path'], safe='')}"
    )
    lines.append(link)
    return "\n".join(lines)


def _common(component: Component, record: Record, namespace: uuid.UUID, vault_name: str,
            now: datetime | None) -> None:  # fmt: skip
    component.add("uid", task_uid(namespace, record["id"]))
    if now is not None:
        component.add("dtstamp", now)
    component.add("summary", clean_summary(record["description"]))
    component.add("description", _description(record, vault_name))
    categories = [plain_text(t).lstrip("#") for t in record["tags"]]
    if any(categories):
        component.add("categories", [c for c in categories if c])
    component.add("priority", PRIORITY[record["priority"]])


def _header(vault_name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    # TEXT values: icalendar escapes `,` `;` `\\` only in the properties it knows the type of
    calendar.add("x-wr-calname", vText(plain_text(vault_name)))
    calendar.add("name", vText(plain_text(vault_name)))
    return calendar


def _exported(record: Record, todo: bool, undated: bool) -> bool:
    return bool(record["due"]) or (todo and undated)


def component_of(record: Record, *, namespace: uuid.UUID, vault_name: str, now: datetime | None,
                 todo: bool, with_rrule: bool) -> Component:  # fmt: skip
    """One task's VEVENT (or VTODO); without DTSTAMP when ``now`` is None."""
    due = date.fromisoformat(record["due"]) if record["due"] else None
    component: Component
    if todo:
        component = Todo()
        _common(component, record, namespace, vault_name, now)
        begins = record["start"] or record["scheduled"]
        if due is not None:
            component.add("due", due)
            if begins and date.fromisoformat(begins) < due:
                component.add("dtstart", date.fromisoformat(begins))
        component.add("status", TODO_STATUS[record["status_type"]])
        if record["status_type"] == "DONE" and record["done"]:
            done = date.fromisoformat(record["done"])
            component.add("completed", completed_at(done))
    else:
        assert due is not None
        component = Event()
        _common(component, record, namespace, vault_name, now)
        component.add("dtstart", due)
        if due < date.max:  # else no DTEND: RFC 5545 takes an all-day event to last one day
            component.add("dtend", due + timedelta(days=1))
        component.add("transp", "TRANSPARENT")
    recur = None
    if with_rrule and due and record["status_type"] in _OPEN:  # a done one's series goes on
        begins = component.get("dtstart")
        recur = rrule_of(record["recurrence"], due, begins.dt if begins else None)
        if todo and begins is None:
            recur = None  # RFC 5545 repeats a VTODO from its DTSTART, which it has not
    if recur:
        component.add("rrule", recur)
    return component


def to_calendar(records: Iterable[Record], *, vault_name: str, now: datetime,
                todo: bool = False, with_rrule: bool = False, undated: bool = False,
                uid_key: str | None = None) -> Calendar:  # fmt: skip
    """One all-day VEVENT (or with ``todo`` one VTODO) per record with a due date (VTODOs of
    undated records too, when ``todo`` and ``undated``). UIDs are made in the namespace of
    ``uid_key`` (the vault's lasting key, which outlives a renamed vault folder)."""
    calendar = _header(vault_name)
    namespace = uid_namespace(uid_key or vault_name)
    for record in records:
        if _exported(record, todo, undated):
            calendar.add_component(component_of(record, namespace=namespace,
                                                vault_name=vault_name, now=now, todo=todo,
                                                with_rrule=with_rrule))  # fmt: skip
    return calendar


class TextCache(Protocol):
    """Where the text of entries made before is kept (the index)."""

    def ics_texts(self, keys: list[str]) -> dict[str, bytes]: ...

    def save_ics_texts(self, texts: dict[str, bytes], used: int) -> None: ...


Entry = tuple[bytes, bytes]  # an entry's text before its DTSTAMP line, and after it


def calendar_entries(records: Iterable[Record], *, vault_name: str, todo: bool = False,
                     with_rrule: bool = False, uid_key: str | None = None,
                     cache: TextCache) -> list[Entry]:  # fmt: skip
    """The text of each record's entry (VEVENT, or VTODO with ``todo``), cut where its DTSTAMP
    goes (``assembled`` puts in the export's). An entry's text is taken from ``cache`` when
    its task has not changed since it was made: icalendar builds only the others (most of
    the time of an export)."""
    namespace = uid_namespace(uid_key or vault_name)
    chosen = [r for r in records if _exported(r, todo, False)]
    options = json.dumps([vault_name, str(namespace), todo, with_rrule, PRODID, _zone(),
                          ENTRY_FORMAT])  # fmt: skip
    keys = [_text_key(r, options) for r in chosen]
    known = cache.ics_texts(keys) if keys else {}
    made: dict[str, bytes] = {}
    order = tuple(getattr(Todo if todo else Event, "canonical_order", None) or ())
    entries = []
    for record, key in zip(chosen, keys, strict=True):
        text = known.get(key) or made.get(key)
        if text is None:
            text = made[key] = component_of(record, namespace=namespace, vault_name=vault_name,
                                             now=None, todo=todo,
                                             with_rrule=with_rrule).to_ical()  # fmt: skip
        at = _stamp_place(text, order)
        entries.append((text[:at], text[at:]))
    if made:
        cache.save_ics_texts(made, len(keys))
    return entries


_FOOTER = b"END:VCALENDAR\r\n"


def assembled(entries: Iterable[Entry], *, vault_name: str, now: datetime) -> bytes:
    """The calendar of these entries, each stamped ``now``."""
    return b"".join([calendar_head(vault_name), *stamped(entries, now), _FOOTER])


def calendar_head(vault_name: str) -> bytes:
    """A calendar's text up to its first entry (``_FOOTER`` ends it)."""
    head: bytes = _header(vault_name).to_ical()
    assert head.endswith(_FOOTER)
    return head[: -len(_FOOTER)]


def calendar_foot() -> bytes:
    return _FOOTER


def stamped(entries: Iterable[Entry], now: datetime) -> Iterator[bytes]:
    """Each entry's text, with its DTSTAMP ``now``."""
    stamp = b"DTSTAMP:" + vDDDTypes(now).to_ical() + b"\r\n"
    for before, after in entries:
        yield before + stamp + after


def _stamp_place(text: bytes, order: tuple[str, ...]) -> int:
    """Where DTSTAMP goes in an entry's text, as icalendar places it: the component's
    canonical properties first, in their order, then the others by name."""
    before = {name.encode() for name in order[: order.index("DTSTAMP")]} if order else set()
    position = text.index(b"\r\n") + 2  # after BEGIN:…
    while True:
        end = text.index(b"\r\n", position) + 2
        line = text[position:end]
        if not line.startswith(b" "):
            name = line.split(b":", 1)[0].split(b";", 1)[0]
            if order and name not in before:
                return position
            if not order and (name == b"END" or name > b"DTSTAMP"):
                return position
        position = end


def completed_at(day: date) -> datetime:
    """A ✅ day as COMPLETED (a UTC time, RFC 5545): noon of that day where the user is, so
    that a calendar app shows the same day in the user's zone (midnight UTC was the day
    before west of UTC). Noon is never skipped by a daylight-saving change."""
    noon = datetime(day.year, day.month, day.day, 12)
    try:
        return noon.astimezone().astimezone(UTC)
    except (OverflowError, ValueError, OSError):  # the calendar's first or last day
        return noon.replace(tzinfo=UTC)


def _zone() -> str:
    """The user's zone as far as an entry depends on it (COMPLETED): part of its cache key."""
    return f"{os.environ.get('TZ', '')}|{time.tzname}|{time.timezone}|{time.altzone}"


def _text_key(record: Record, options: str) -> str:
    text = json.dumps(record, sort_keys=True, ensure_ascii=False) + options
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
