"""VTODOs created on the server become task lines at the end of the inbox note.

Each import is announced in the sync state (kind ``importing``, with the line to be written)
before the inbox is written. A sync killed between writing the inbox and saving what it
imported leaves those announcements (the lines are written in the batch of what the sync
pulls: one sync, one batch for `undo`): the next sync finds their lines in the inbox and takes
them for the VTODOs, instead of importing them a second time (and sending the second copies
back as new tasks)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tasksync.calendar.ics import NO_DESCRIPTION, plain_text
from tasksync.calendar.vtodo import ServerItem
from tasksync.index.store import Store, SyncState
from tasksync.model import LineChange, Priority
from tasksync.read.parse import parse_task_records
from tasksync.read.records import Record
from tasksync.read.vault import is_note_path, note_encoding
from tasksync.write.new_text import refusal_in

DEFAULT_INBOX = "Inbox.md"
IMPORTING = "importing"

_FIELD_KEYS = ("due", "scheduled", "start", "created", "done", "cancelled", "recurrence",
               "task_id", "depends_on", "on_completion", "block_link")  # fmt: skip


def announce_imports(vault: Path, store: Store, account: str, items: list[ServerItem],
                     inbox: str, today: date, notices: list[str], errors: list[str],
                     global_filter: str = "") -> list[tuple[ServerItem, str]]:  # fmt: skip
    """The inbox lines for ``items`` (those the inbox can take), each announced in the sync
    state before the sync writes them, in the batch of what it pulls."""
    if not items:
        return []
    if not is_note_path(inbox):  # its lines would never be read: imported on every sync
        errors.append(f"the inbox {inbox} is not a note tasksync reads (a .md file inside the "
                      "vault, outside dot-folders): the server's "
                      f"{len(items)} new task(s) are not imported")  # fmt: skip
        return []
    encoding = note_encoding(vault, inbox)
    taken = []
    for item in items:  # one a note cannot take must not hold back the others
        line = new_line(item, today, notices, global_filter)
        why = refusal_in(encoding, None, (line,))
        if why is None:
            taken.append((item, line))
        else:
            errors.append(f"the server's task {item.summary!r} is not imported into {inbox}: "
                          f"{why} (rename it there)")  # fmt: skip
    store.save_sync_states(account, [
        SyncState(item.uid, "", {"path": inbox, "line": line, "fields": item.base(),
                                 "created": today.isoformat(),
                                 "description": _description(line)}, IMPORTING)
        for item, line in taken
    ])  # fmt: skip
    return taken


def record_imports(store: Store, account: str, inbox: str,
                   announced: list[tuple[ServerItem, str]],
                   changes: list[LineChange]) -> set[str]:  # fmt: skip
    """Each announced item takes the task of the line written for it (``changes``: the
    batch's); one not written is forgotten, to be imported again. The tasks imported."""
    added = [c for c in changes if c.path == inbox and not c.before]
    by_line = {r["line"]: r for r in store.records(path_equals=inbox)}
    states, imported = [], set()
    for (item, _line), change in zip(announced, added, strict=False):
        record = by_line.get(change.line)
        if record is not None:
            states.append(SyncState(item.uid, record["id"], item.base()))
            imported.add(item.uid)
    store.save_sync_states(account, states)
    store.drop_sync_states(account, [item.uid for item, _ in announced
                                     if item.uid not in imported])  # fmt: skip
    return {state.task for state in states}


def settle_imports(store: Store, account: str, states: dict[str, SyncState],
                   records: dict[str, Record]) -> None:  # fmt: skip
    """Imports announced by a sync that did not live to record them: each takes the inbox
    line written for it (as written, or else, edited since, the line of its description
    created that day), or is forgotten, so that its VTODO is imported again. ``states`` is
    brought up to date."""
    pending = [s for s in states.values() if s.kind == IMPORTING]
    if not pending:
        return
    taken = {s.task for s in states.values() if s.kind != IMPORTING}
    paths = {str((s.base or {}).get("path")) for s in pending}
    in_inbox = [r for r in records.values() if r["path"] in paths and r["id"] not in taken]
    settled, forgotten = [], []
    for state in pending:
        base = state.base or {}
        mine = [r for r in in_inbox if r["path"] == base.get("path") and r["id"] not in taken]
        record = next((r for r in mine if r["raw"] == base.get("line")), None) or next(
            (r for r in mine if (r["description"], r["created"])
             == (base.get("description"), base.get("created"))), None
        )  # fmt: skip
        if record is None:  # never written, or deleted since: the VTODO is new again
            forgotten.append(state.uid)
            del states[state.uid]
            continue
        taken.add(record["id"])
        states[state.uid] = SyncState(state.uid, record["id"], base.get("fields"))
        settled.append(states[state.uid])
    store.save_sync_states(account, settled)
    store.drop_sync_states(account, forgotten)


def _description(line: str) -> str:
    return str(parse_task_records([line])[0]["description"])


def new_line(item: ServerItem, today: date, notices: list[str], global_filter: str = "") -> str:
    """The inbox line of a server's new task — with the global filter, as the plugin's
    "Create task" writes it: without it, the line would be no task, and imported again on
    every sync."""
    box = {"open": " ", "in-progress": "/", "done": "x", "cancelled": "-"}[item.status]
    words = " ".join(plain_text(item.summary).split()) or NO_DESCRIPTION
    [read] = parse_task_records([f"- [ ] {words}"])
    if any(read.get(key) for key in _FIELD_KEYS) or read.get("priority", Priority.NORMAL) \
            is not Priority.NORMAL:  # fmt: skip
        # A title holding a field's emoji (📅 2027-01-01, 🔁 every day, ⏫) would become that
        # field of the task — a second due date, a recurrence: its words only are imported.
        notices.append(f"{words!r} from the server holds Tasks fields; imported as "
                       f"{read['plugin_description']!r}")  # fmt: skip
        words = read["plugin_description"] or NO_DESCRIPTION
    if global_filter and global_filter not in words.split():
        words = f"{global_filter} {words}"
    line = f"- [{box}] {words}"
    if item.due:
        line += f" 📅 {item.due.isoformat()}"
    line += f" ➕ {today.isoformat()}"
    if item.status == "done":
        line += f" ✅ {(item.completed or today).isoformat()}"
    if item.status == "cancelled":
        line += f" ❌ {today.isoformat()}"
    return line
