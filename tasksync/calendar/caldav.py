"""Two-way sync of the vault's tasks with a CalDAV calendar (VTODOs), on the `caldav` library.

Push: open tasks with a due date (all open ones with ``all_open``) go up as VTODOs with the
UIDs and fields of `tasksync ics --todo` (near-duplicates of one note as one, as there); only
what changed since the last sync is sent; a task done, cancelled or deleted in the vault is
updated or removed on the server.
Pull: a VTODO completed on the server becomes `[x] ✅ <its completion date>`, cancelled becomes
`[-] ❌`, a changed DUE becomes the 📅 date — all through write-back (atomic, journaled).
A task changed on both sides since the last sync is a conflict: the vault wins unless
``prefer="server"``; each conflict is reported. The state of the last sync lives in the index.
"""

from __future__ import annotations

import base64
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from tasksync.calendar.ics import task_uid, to_calendar, uid_namespace
from tasksync.errors import TasksyncError
from tasksync.index.store import CaldavState, Store
from tasksync.index.sync import sync
from tasksync.model import StatusTable, StatusType, Task
from tasksync.query.dupes import merged
from tasksync.query.people import People
from tasksync.read.records import Record
from tasksync.write import edits
from tasksync.write.actions import run_batch, target_of

OPEN = frozenset(("TODO", "IN_PROGRESS", "ON_HOLD"))


class CalDavError(TasksyncError):
    EXIT_CODE = 7


HIDDEN = "***"
# What a message may hold that gives access to the server: credential headers (to the end of
# their line), Basic/Bearer tokens, the user:password@ of a URL, password-like parameters.
_CREDENTIAL_HEADER = re.compile(r"(?i)\b((?:proxy-)?authorization|(?:set-)?cookie)\b[^\S\r\n]*"
                                r"['\"]?[^\S\r\n]*[:=][^\r\n]*")  # fmt: skip
_TOKEN = re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9+/._~-]+=*")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s?#]*@")
_PASSWORD_PARAMETER = re.compile(
    r"(?i)\b(password|passwd|pwd|access_token|api_?key|secret)(\s*[=:]\s*)[^\s&,;'\"]+"
)


def secret_forms(url: str, user: str | None, password: str | None) -> tuple[str, ...]:
    """The password (given, or in the URL) as a message could show it: as it is, URL-quoted,
    and inside the Basic token of the user and it."""
    parts = urlsplit(url)
    found = set()
    for name, secret in ((user, password), (parts.username, parts.password)):
        if not secret:
            continue
        plain = unquote(secret)
        token = base64.b64encode(f"{unquote(name or '')}:{plain}".encode()).decode()
        found |= {secret, plain, quote(plain, safe=""), token, token.rstrip("=")}
    return tuple(sorted(found))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` as one line of plain characters, without credentials: the ``secrets`` (see
    ``secret_forms``), credential headers, Basic and Bearer tokens and a URL's user:password@."""
    known = _secrets_pattern(secrets)
    text = known.sub(HIDDEN, text) if known else text
    text = _CREDENTIAL_HEADER.sub(rf"\1: {HIDDEN}", text)
    text = _TOKEN.sub(rf"\1 {HIDDEN}", text)
    text = _USERINFO.sub(rf"\1{HIDDEN}@", text)
    text = _PASSWORD_PARAMETER.sub(rf"\1\2{HIDDEN}", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    text = " ".join(text.split())
    known = _secrets_pattern(" ".join(s.split()) for s in secrets)  # its blanks are one now
    return known.sub(HIDDEN, text) if known else text


def _secrets_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """The secrets, each where it stands as a word of its own: a password "x" is hidden in
    "x", not in "next"."""
    words = []
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        before = r"(?<![^\W_])" if secret[0].isalnum() else ""
        after = r"(?![^\W_])" if secret[-1].isalnum() else ""
        words.append(before + re.escape(secret) + after)
    return re.compile("|".join(words)) if words else None


@dataclass
class SyncOutcome:
    pushed: int = 0
    removed: int = 0
    pulled: int = 0
    conflicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ServerItem:
    uid: str
    href: str
    etag: str
    status: str
    due: date | None
    completed: date | None

    @property
    def fingerprint(self) -> str:
        return f"{self.status}|{self.due}|{self.completed}"


_FINGERPRINT_KEYS = ("status_type", "due", "done", "cancelled", "description", "priority",
                     "tags", "start")  # fmt: skip


def vault_fingerprint(record: Record) -> str:
    """What of a task the server shows: when it changes, the task is pushed again."""
    return "|".join(str(record[k]) for k in _FINGERPRINT_KEYS)


def password_for(url: str, user: str | None) -> str | None:
    """`$TASKSYNC_CALDAV_PASSWORD`, else the system keyring (when the keyring package is there)."""
    if os.environ.get("TASKSYNC_CALDAV_PASSWORD"):
        return os.environ["TASKSYNC_CALDAV_PASSWORD"]
    try:
        import keyring
    except ImportError:
        return None
    try:
        found = keyring.get_password("tasksync", f"{user or ''}@{url}")
    except Exception:
        return None
    return str(found) if found else None


def open_calendar(url: str, name: str, user: str | None, password: str | None) -> Any:
    """The named calendar on the server (created, for VTODOs, when missing)."""
    import caldav
    from caldav.lib import error as dav_error

    secrets = secret_forms(url, user, password)
    shown = redact(url, secrets)
    try:
        client = caldav.DAVClient(url=url, username=user, password=password, timeout=30,
                                  require_tls=False, enable_rfc6764=False)  # fmt: skip
        principal = client.principal()
        try:
            return principal.calendar(name=name)
        except dav_error.NotFoundError:
            return principal.make_calendar(name=name, supported_calendar_component_set=["VTODO"])
    except dav_error.AuthorizationError:
        raise CalDavError(f"the CalDAV server at {shown} refused the credentials") from None
    except dav_error.DAVError as exc:
        raise CalDavError(f"CalDAV error at {shown}: {_short(exc, secrets)}") from None
    except Exception as exc:  # network failures come as the HTTP library's own errors
        raise CalDavError(f"cannot reach the CalDAV server at {shown}: "
                          f"{_short(exc, secrets)}") from None  # fmt: skip


def _short(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """What went wrong, in one short line. Never the server's answer itself: an error page
    may echo the request, its Authorization header with it."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return f"{type(exc).__name__} ({_http_status(status)})"
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {redact(first, secrets)[:200]}"


def _http_status(status: int) -> str:
    """The status with the standard's own phrase (not the server's, which it may fill)."""
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    moment = value.dt if hasattr(value, "dt") else value
    if isinstance(moment, datetime):
        return (moment.astimezone(UTC) if moment.tzinfo else moment).date()
    return moment if isinstance(moment, date) else None


def _item_of(component: Any, href: str, etag: str) -> ServerItem:
    status = str(component.get("STATUS", "NEEDS-ACTION"))
    due, completed = _as_date(component.get("DUE")), _as_date(component.get("COMPLETED"))
    return ServerItem(str(component.get("UID")), href, etag, status, due, completed)


def _item(todo: Any) -> ServerItem:
    etag = str((getattr(todo, "props", None) or {}).get("{DAV:}getetag", ""))
    return _item_of(todo.icalendar_component, str(todo.url), etag)


def server_items(calendar: Any) -> dict[str, ServerItem]:
    items = [_item(todo) for todo in calendar.todos(include_completed=True)]
    return {item.uid: item for item in items}


def _listed(calendar: Any) -> dict[str, ServerItem]:
    try:
        return server_items(calendar)
    except Exception as exc:
        raise CalDavError(f"cannot list the calendar's tasks: {_short(exc)}") from None


def _server_edit(
    item: ServerItem, statuses: StatusTable, today: date
) -> Callable[[Task], tuple[str, ...]]:
    """What the server's version of a task makes of its line."""

    def change(task: Task) -> tuple[str, ...]:
        if item.status == "COMPLETED" and task.status_type is not StatusType.DONE:
            return edits.complete(task, item.completed or today, statuses)
        if item.status == "CANCELLED" and task.status_type is not StatusType.CANCELLED:
            return (edits.changed_status_line(task, StatusType.CANCELLED, today, statuses),)
        if item.status in ("NEEDS-ACTION", "IN-PROCESS") and not task.status_type.is_open:
            task = edits.change_status(task, StatusType.TODO, today, statuses)
        if item.due != task.due and (item.due or task.due):
            task = edits.set_date(task, "due", item.due, statuses)
        return (task.raw,)

    return change


def run_sync(vault: Path, store: Store, statuses: StatusTable, calendar: Any, *, now: datetime,
             push: bool = True, pull: bool = True, all_open: bool = False,
             prefer: str = "vault", people: People | None = None) -> SyncOutcome:  # fmt: skip
    """One sync. Pulls are written to the notes first (one journaled batch); then pushes go up
    one by one, the state recorded after each, so an interrupted sync resumes where it stopped."""
    sync(vault, store, statuses)
    vault_name = Path(os.path.realpath(vault)).name
    namespace = uid_namespace(vault_name)
    records = {task_uid(namespace, r["id"]): r for r in store.records()}
    state = store.caldav_states()
    remote = _listed(calendar)
    outcome = SyncOutcome()
    today = now.date()

    # 1. Pull: server changes since the last sync.
    pulls: list[tuple[Record, ServerItem]] = []
    for uid, item in remote.items():
        known = state.get(uid)
        record = records.get(uid)
        if known is None or record is None or item.fingerprint == known.server_fp:
            continue
        vault_changed = vault_fingerprint(record) != known.vault_fp
        if vault_changed and prefer != "server":
            outcome.conflicts.append(f"{record['path']}:{record['line']}: changed in the vault and "
                                     "on the server; the vault wins")  # fmt: skip
            continue
        if vault_changed:
            outcome.conflicts.append(f"{record['path']}:{record['line']}: changed in the vault and "
                                     "on the server; the server wins")  # fmt: skip
        pulls.append((record, item))
    if pull and pulls:
        for record, item in pulls:
            result = run_batch(vault, store, statuses, "caldav pull", [target_of(record)],
                               _server_edit(item, statuses, today), False)  # fmt: skip
            outcome.errors.extend(result.errors)
            outcome.pulled += len(result.changes)
        sync(vault, store, statuses)
        records = {task_uid(namespace, r["id"]): r for r in store.records()}
        remote = _listed(calendar)

    # 2. Push: vault changes since the last sync (and everything new).
    if not push:
        return outcome
    candidates = [
        r for r in records.values() if r["status_type"] in OPEN and (r["due"] or all_open)
    ]
    kept, _ = merged(people.with_persons(candidates) if people else candidates)
    wanted = {task_uid(namespace, r["id"]): r for r in kept}
    wanted.update({uid: r for uid, r in records.items() if uid in state})
    for uid, record in wanted.items():
        fingerprint = vault_fingerprint(record)
        known = state.get(uid)
        there = remote.get(uid)
        if (
            known
            and there
            and known.vault_fp == fingerprint
            and known.server_fp == there.fingerprint
        ):
            continue  # nothing changed on either side
        vtodo = to_calendar([record], vault_name=vault_name, now=now, todo=True, undated=True)
        try:
            saved = calendar.save_todo(vtodo.to_ical().decode("utf-8"))
        except Exception as exc:
            raise CalDavError(f"the server stopped answering while tasksync pushed "
                              f"({outcome.pushed} sent; the next sync sends the rest): "
                              f"{_short(exc)}") from None  # fmt: skip
        # What the server now holds is what we sent: its fingerprint needs no second request.
        sent = _item_of(next(iter(vtodo.walk("VTODO"))), str(saved.url), "")
        store.set_caldav_state(CaldavState(uid, record["id"], sent.href, sent.etag, fingerprint,
                                           sent.fingerprint))  # fmt: skip
        outcome.pushed += 1
    for uid in [u for u in state if u not in records]:  # deleted in the vault
        try:
            if uid in remote:
                calendar.todo_by_uid(uid).delete()
        except Exception as exc:
            raise CalDavError(f"the server stopped answering while tasksync removed tasks: "
                              f"{_short(exc)}") from None  # fmt: skip
        store.drop_caldav_state(uid)
        outcome.removed += 1
    return outcome


def describe(outcome: SyncOutcome) -> Iterable[str]:
    changes = f"change{'s' if outcome.pulled != 1 else ''}"
    yield (f"pushed {outcome.pushed}, removed {outcome.removed}, pulled {outcome.pulled} "
           f"{changes}; {len(outcome.conflicts)} conflict(s)")  # fmt: skip
    yield from (f"conflict: {c}" for c in outcome.conflicts)
