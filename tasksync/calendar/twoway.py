"""Two-way sync of the vault's tasks with a CalDAV calendar (VTODOs).

Each task is merged field by field — status, due date, summary — against what both sides
agreed on at the last sync (the base, kept in the index per server and calendar): a field
changed on one side only takes that side's value; changed on both to the same value is no
conflict; changed on both to different values is a conflict, which the vault wins unless
``prefer="server"``. The first time a task and a VTODO meet (no base), the vault wins, except
that a completion, cancellation or start on the server is never thrown away.

What the server changed is written to the notes first, as one journaled batch (undoable); a
note that cannot be written keeps the server's version and makes the sync fail, so the next
one completes it. Then what the vault changed goes up, one VTODO at a time, the state saved
after each, so an interrupted sync resumes with no false conflicts. A VTODO deleted on the
server is reported and not sent again; one created there becomes a task line in the inbox
note; one the vault can no longer place is left on the server.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tasksync.calendar.caldav import CalDavError, short_reason
from tasksync.calendar.ics import (
    task_summary,
    task_uid,
    to_calendar,
    uid_namespace,
)
from tasksync.calendar.imports import (
    DEFAULT_INBOX,
    announce_imports,
    record_imports,
    settle_imports,
)
from tasksync.calendar.vtodo import (
    FIELDS,
    MARK,
    ServerItem,
    due_stamp,
    item_of,
    record_title,
    vault_fields,
)
from tasksync.config import global_filter_of
from tasksync.errors import TasksyncError, UsageError
from tasksync.index.store import Store, SyncState
from tasksync.index.sync import sync
from tasksync.model import StatusTable, StatusType, Task
from tasksync.query.dupes import duplicate_groups
from tasksync.query.people import People
from tasksync.read.records import Record
from tasksync.read.vault import note_encoding
from tasksync.write import edits
from tasksync.write.actions import run_batch, targets_of
from tasksync.write.new_text import refusal_in

OPEN = frozenset(("TODO", "IN_PROGRESS", "ON_HOLD"))
_STATUS_TYPE = {"open": StatusType.TODO, "in-progress": StatusType.IN_PROGRESS,
                "done": StatusType.DONE, "cancelled": StatusType.CANCELLED}  # fmt: skip


@dataclass
class SyncOutcome:
    pushed: int = 0
    removed: int = 0
    pulled: int = 0
    imported: int = 0
    conflicts: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Decision:
    """What one sync does with one task and its VTODO."""

    uid: str
    record: Record
    item: ServerItem | None
    base: dict[str, Any] | None
    pull: dict[str, Any] = field(default_factory=dict)  # field -> the server's value
    push: bool = False


def merge(decision: Decision, prefer: str) -> list[str]:
    """Fill in what to pull and whether to push; return the fields in conflict."""
    vault = vault_fields(decision.record)
    if decision.item is None:
        decision.push = True
        return []
    server, base, conflicts = decision.item.fields(), decision.base, []
    for name in FIELDS:
        mine, theirs = vault[name], server[name]
        if mine == theirs:
            continue
        if base is None:  # first meeting: the vault wins, but a phone's completion is kept
            if name == "status" and (mine == "open" or (theirs == "done" and mine != "cancelled")):
                decision.pull[name] = theirs
            else:
                if name == "status" and theirs == "done":  # cancelled here: said, not silent
                    conflicts.append(name)
                decision.push = True
            continue
        vault_changed, server_changed = mine != base.get(name), decision.item.changed(base, name)
        if not vault_changed and not server_changed:  # a UTC due read in another zone
            continue
        if vault_changed and server_changed:
            conflicts.append(name)
            server_changed = prefer == "server"
        if server_changed:
            decision.pull[name] = theirs
        else:
            decision.push = True
    return conflicts


def _server_edit(decision: Decision, statuses: StatusTable, today: date,
                 refused: dict[str, str],
                 encoding: str = "utf-8") -> Callable[[Task], tuple[str, ...]]:  # fmt: skip
    """What the server's values make of the task's line (in a note in ``encoding``)."""
    item = decision.item
    assert item is not None

    def change(task: Task) -> tuple[str, ...]:
        if "summary" in decision.pull:
            try:
                titled = edits.set_title(task, decision.pull["summary"], statuses)
                # a title the note cannot take must not hold back the rest (a completion)
                why = refusal_in(encoding, task.raw, (titled.raw,))
                if why is not None:
                    raise UsageError(why)
                task = titled
            except TasksyncError as exc:
                refused[decision.record["id"]] = (
                    f"{decision.record['path']}:{decision.record['line']}: the summary changed "
                    f"on the server is not written: {exc}")  # fmt: skip
        if "due" in decision.pull:
            due = decision.pull["due"]
            task = edits.set_date(task, "due", date.fromisoformat(due) if due else None,
                                  statuses)  # fmt: skip
        status = decision.pull.get("status")
        if status == "done" and task.status_type is not StatusType.DONE:
            return edits.complete(task, item.completed or today, statuses)
        if status is not None and status != "done":
            task = edits.change_status(task, _STATUS_TYPE[status], today, statuses)
        return (task.raw,)

    return change


def _listed(calendar: Any) -> dict[str, ServerItem]:
    try:
        todos = calendar.todos(include_completed=True)
    except Exception as exc:
        raise CalDavError(f"cannot list the calendar's tasks: {short_reason(exc)}") from None
    items = []
    for todo in todos:
        try:
            items.append(item_of(todo.icalendar_component, todo))
        except Exception as exc:  # nothing is synced: a task not read could look deleted
            raise CalDavError(f"cannot read the calendar's task {_named(todo)}: "
                              f"{short_reason(exc)}; nothing synced") from None  # fmt: skip
    return {item.uid: item for item in items}


def _named(todo: Any) -> str:
    """A server task as its app shows it: its title (or UID)."""
    try:
        component = todo.icalendar_component
        return repr(str(component.get("SUMMARY") or component.get("UID")))
    except Exception:
        return str(getattr(todo, "url", "?"))


def _twins(candidates: list[Record], people: People | None) -> dict[str, str]:
    """Near-duplicates shown as one VTODO: each hidden task's id -> the shown one's id."""
    shown = people.with_persons(candidates) if people else candidates
    hidden: dict[str, str] = {}
    for group in duplicate_groups(shown):
        if len({r["due"] for r in group if r["due"]}) > 1:
            continue
        keep = next((r for r in group if r["due"]), group[0])
        hidden.update({r["id"]: keep["id"] for r in group if r is not keep})
    return hidden


@dataclass
class _Run:
    """One sync's view: the index's records, the server's items and the last states."""

    vault: Path
    store: Store
    account: str
    namespace: Any
    records: dict[str, Record]
    states: dict[str, SyncState]
    remote: dict[str, ServerItem]

    def __post_init__(self) -> None:
        self.uid_of = {s.task: uid for uid, s in self.states.items() if s.kind != "hidden"}

    def uid_for(self, task: str) -> str:
        return self.uid_of.get(task) or task_uid(self.namespace, task)

    def label(self, record: Record) -> str:
        return f"{record['path']}:{record['line']} {record['description']!r}"


def run_sync(vault: Path, store: Store, statuses: StatusTable, calendar: Any, *, account: str,
             now: datetime, today: date, push: bool = True, pull: bool = True,
             all_open: bool = False, prefer: str = "vault", people: People | None = None,
             inbox: str = DEFAULT_INBOX) -> SyncOutcome:  # fmt: skip
    """One sync with ``calendar`` (see the module's docstring)."""
    sync(vault, store, statuses)
    vault_name = Path(os.path.realpath(vault)).name
    records = {r["id"]: r for r in store.records()}
    states = store.sync_states(account)
    settle_imports(store, account, states, records)  # a sync killed in the middle of one
    remote = _listed(calendar)
    _adopt_recased(store, account, states, remote)
    run = _Run(vault, store, account, uid_namespace(store.vault_key() or vault_name), records,
               states, remote)  # fmt: skip
    outcome = SyncOutcome()
    decisions, imports, forget, deletions, marks = _decide(run, all_open, people, outcome)
    conflicting: dict[str, list[str]] = {}
    for decision in decisions:
        fields = merge(decision, prefer)
        if fields:
            conflicting[decision.uid] = fields
        if decision.pull.get("status") == "done" and _completed_in_the_vault(run, decision):
            decision.pull.clear()  # the same completion on both sides: the next one goes up
            decision.push = True
    # Push only: nothing of the server is written into the notes, and a task changed there is
    # not pushed over (its state is not saved either): the next sync merges it.
    held = {d.uid for d in decisions if d.pull} if not pull else set()
    if held:
        outcome.notices.append(f"{len(held)} task(s) changed on the server are left as they "
                               "are: `tasksync caldav sync` merges them")  # fmt: skip
    for uid, fields in conflicting.items():
        if uid in held:
            continue
        record = next(d.record for d in decisions if d.uid == uid)
        winner = "the server" if prefer == "server" else "the vault"
        outcome.conflicts.append(f"{run.label(record)}: {', '.join(fields)} changed in the vault "
                                 f"and on the server; {winner} wins")  # fmt: skip
    before_pull = set(run.records)
    failed = held
    if pull:
        announced = announce_imports(vault, store, account, imports, inbox, today,
                                     outcome.notices, outcome.errors,
                                     global_filter_of(statuses))  # fmt: skip
        failed, imported = _pull(run, statuses, today, decisions, outcome, (inbox, announced))
        outcome.imported += len(imported)
        before_pull |= imported  # the server's tasks already: not born to be sent
    decisions += _born(run, before_pull, decisions, all_open, people)
    store.replace_sync_states(account, forget, marks)
    # What needs no push is agreed now: its state is saved before any request can fail.
    settled = [d for d in decisions if d.uid not in failed and not d.push]
    store.save_sync_states(account, [_agreed(run, d) for d in settled])
    if push:
        pushes = [d for d in decisions if d.push and d.uid not in failed]
        try:
            _push(run, calendar, vault_name, now, pushes, outcome)
            _delete(run, deletions, outcome)
        except CalDavError as exc:  # what was pulled is written and journaled: say so
            raise CalDavError(f"{exc} (before that: {describe(outcome)[0]})") from None
    return outcome


def _adopt_recased(store: Store, account: str, states: dict[str, SyncState],
                   remote: dict[str, ServerItem]) -> None:  # fmt: skip
    """A server task known by a UID in other case (an app that writes UUIDs in capitals, as
    it may: they are compared without case) is known by its UID as the server has it now."""
    ours = {uid.casefold(): uid for uid in states}
    renamed: dict[str, str] = {}
    for uid in remote:
        known = ours.get(uid.casefold())
        if uid not in states and known is not None and known not in remote:
            renamed[known] = uid
    if not renamed:
        return
    for old, new in renamed.items():
        state = states.pop(old)
        states[new] = SyncState(new, state.task, state.base, state.kind)
    for uid, state in states.items():  # a hidden twin names the UID that shows it
        shown = state.base.get("by") if state.kind == "hidden" and state.base else None
        if shown in renamed:
            states[uid] = SyncState(uid, state.task, {**(state.base or {}), "by": renamed[shown]},
                                    state.kind)  # fmt: skip
    store.replace_sync_states(account, list(renamed),
                              [states[new] for new in renamed.values()]
                              + [s for s in states.values() if s.kind == "hidden"])  # fmt: skip


def _follow_moved(run: _Run, candidates: list[Record]) -> None:
    """Tasks moved to another note (a task's id holds its note's path): a server task whose
    task is gone from the vault goes on with the one task, synced with nothing yet, that has
    its title — so a completion made on the phone meanwhile comes into the moved line, and
    the line is not sent as a new task beside the old one. Only when both are one of a kind."""
    gone: dict[str, list[str]] = {}
    for uid, state in run.states.items():
        if (state.kind == "synced" and state.task not in run.records and state.base
                and uid in run.remote):  # fmt: skip
            gone.setdefault(str(state.base.get("summary")), []).append(uid)
    if not gone:
        return
    unsent: dict[str, list[Record]] = {}
    for record in candidates:
        if record["id"] not in run.uid_of:
            unsent.setdefault(vault_fields(record)["summary"], []).append(record)
    for summary, uids in gone.items():
        found = unsent.get(summary, [])
        if len(uids) == 1 and len(found) == 1:
            state, task = run.states[uids[0]], found[0]["id"]
            run.states[uids[0]] = SyncState(state.uid, task, state.base, state.kind)
            run.uid_of[task] = state.uid


def _decide(run: _Run, all_open: bool, people: People | None, outcome: SyncOutcome) -> tuple[
    list[Decision], list[ServerItem], list[str], list[str], list[SyncState]
]:  # fmt: skip
    """What to merge, import, forget and delete, and the entries to mark."""
    decisions: list[Decision] = []
    forget: list[str] = []
    deletions: list[str] = []
    marks: list[SyncState] = []
    candidates = [r for r in run.records.values()
                  if r["status_type"] in OPEN and (r["due"] or all_open)]  # fmt: skip
    _follow_moved(run, candidates)
    hidden = _twins(candidates, people)
    # a twin stays hidden while the task that shows it is synced (even once that is done)
    still_hidden = {
        s.task for s in run.states.values()
        if s.kind == "hidden" and s.base and str(s.base.get("by")) in run.states
    }  # fmt: skip
    for task, shown in hidden.items():
        marks.append(SyncState(run.uid_for(task), task, {"by": run.uid_for(shown)}, "hidden"))
    wanted = {run.uid_for(r["id"]): r for r in candidates
              if r["id"] not in hidden and r["id"] not in still_hidden}  # fmt: skip
    for uid, state in run.states.items():
        if state.kind in ("hidden", "deleted", "left"):
            continue
        record, item = run.records.get(state.task), run.remote.get(uid)
        if record is None:
            if item is None:
                forget.append(uid)
            elif state.base is not None and item.changed_since(state.base):
                outcome.notices.append(f"{item.summary!r} is gone from the vault but was changed "
                                       "on the server since; left on the server")  # fmt: skip
                marks.append(SyncState(uid, state.task, state.base, "left"))
            else:
                deletions.append(uid)  # deleted in the vault
            continue
        if item is None and state.base is not None:
            outcome.notices.append(f"{run.label(record)}: deleted on the server; not sent again "
                                   "(complete or delete it in the note)")  # fmt: skip
            marks.append(SyncState(uid, state.task, state.base, "deleted"))
            continue
        decisions.append(Decision(uid, record, item, state.base))
    for uid, record in wanted.items():
        if uid not in run.states:
            decisions.append(Decision(uid, record, run.remote.get(uid), None))
    known = set(run.states) | set(wanted)
    unknown = [item for uid, item in run.remote.items() if uid not in known]
    derived = ({task_uid(run.namespace, task).casefold(): task for task in run.records}
               if unknown else {})  # fmt: skip
    imports: list[ServerItem] = []
    for item in unknown:
        known_task = derived.get(item.uid.casefold())
        if known_task is not None:  # a task of the vault met again (its sync state was lost)
            decisions.append(Decision(item.uid, run.records[known_task], item, None))
        elif item.ours:  # sent once, but its task cannot be placed any more: never deleted
            outcome.notices.append(
                f"{item.summary!r} on the server was sent by tasksync but its task is not "
                "found in the vault; left on the server"
            )
            marks.append(SyncState(item.uid, "", item.base(), "left"))
        else:
            imports.append(item)  # created on the server
    imports = _met_again(run, decisions, imports)
    return decisions, imports, forget, deletions, marks


def _met_again(run: _Run, decisions: list[Decision],
               imports: list[ServerItem]) -> list[ServerItem]:  # fmt: skip
    """The server's new tasks that are a task of the vault not sent yet, alike in title and
    due date, one of a kind on both sides (a phone's task imported before the index was
    lost, whose UID the vault cannot derive): they go on together, rather than the task
    sent as a second one and the phone's imported again. The others are imports."""
    unsent: dict[tuple[str, Any], list[int]] = {}
    for at, decision in enumerate(decisions):
        if decision.item is None and decision.base is None:
            fields = vault_fields(decision.record)
            unsent.setdefault((fields["summary"], fields["due"]), []).append(at)
    if not unsent:
        return imports
    alike: dict[tuple[str, Any], list[ServerItem]] = {}
    for item in imports:
        fields = item.fields()
        alike.setdefault((fields["summary"], fields["due"]), []).append(item)
    left = []
    for key, items in alike.items():
        places = unsent.get(key, [])
        if len(items) == 1 and len(places) == 1:
            record = decisions[places[0]].record
            decisions[places[0]] = Decision(items[0].uid, record, items[0], None)
            run.uid_of[record["id"]] = items[0].uid
        else:
            left += items
    return left


def _born(run: _Run, before: set[str], decisions: list[Decision], all_open: bool,
          people: People | None) -> list[Decision]:  # fmt: skip
    """The tasks the pull itself made (the next occurrence of a recurring task completed on
    the phone, when the completed one keeps its server task): sent in this sync, not the
    next one."""

    def wanted(record: Record) -> bool:
        return record["status_type"] in OPEN and bool(record["due"] or all_open)

    fresh = [r for task, r in run.records.items() if task not in before and wanted(r)]
    if not fresh:
        return []
    hidden = _twins([r for r in run.records.values() if wanted(r)], people)
    taken = {d.uid for d in decisions} | set(run.states) | set(run.remote)
    born = []
    for record in fresh:
        uid = run.uid_for(record["id"])
        if record["id"] not in hidden and uid not in taken:
            born.append(Decision(uid, record, None, None, push=True))
    return born


def _completed_in_the_vault(run: _Run, decision: Decision) -> bool:
    """Whether the occurrence of a recurring task the phone completed was completed in the
    vault too: the task moved on to its next date, and the note holds the done line of the
    date both sides had agreed on (completing again would complete the next one)."""
    record, base = decision.record, decision.base
    if not record["recurrence"] or base is None or record["due"] == base.get("due"):
        return False
    return any(r["status_type"] == "DONE" and r["path"] == record["path"]
               and r["description"] == record["description"] and r["due"] == base.get("due")
               for r in run.records.values())  # fmt: skip


def _agreed(run: _Run, decision: Decision) -> SyncState:
    record = run.records.get(decision.record["id"])
    if record is None and decision.pull and decision.item is not None:
        # the pull took its line away (a completion of a `🏁 delete` task): done on both
        # sides, it is left on the server as it is, without a word
        return SyncState(decision.uid, decision.record["id"], decision.item.base(), "left")
    record = record or decision.record
    due_at = decision.item.due_at if decision.item is not None else None
    return SyncState(decision.uid, record["id"], {**vault_fields(record), "due_at": due_at})


def _pull(run: _Run, statuses: StatusTable, today: date, decisions: list[Decision],
          outcome: SyncOutcome, imports: tuple[str, list[tuple[ServerItem, str]]],
          ) -> tuple[set[str], set[str]]:  # fmt: skip
    """Write the server's values into the notes, and the ``imports`` (the inbox, its new
    lines) at the inbox's end, in one batch; the UIDs that failed, the tasks imported."""
    pulls = [d for d in decisions if d.pull]
    inbox, announced = imports
    if not pulls and not announced:
        return set(), set()
    refused: dict[str, str] = {}
    encodings = {d.record["path"]: note_encoding(run.vault, d.record["path"])
                 for d in pulls if "summary" in d.pull}  # fmt: skip
    changes = {d.record["id"]: _server_edit(d, statuses, today, refused,
                                            encodings.get(d.record["path"], "utf-8"))
               for d in pulls}  # fmt: skip
    targets = targets_of(run.store, [d.record for d in pulls])
    lines = tuple(line for _, line in announced)
    result = run_batch(run.vault, run.store, statuses, "caldav pull", targets, changes, False,
                       append=(inbox, lines) if lines else None)  # fmt: skip
    imported = record_imports(run.store, run.account, inbox, announced, result.changes)
    outcome.pulled += len({c.task_id for c in result.changes if c.before})
    outcome.errors += result.errors
    outcome.notices += refused.values()
    run.records = {r["id"]: r for r in run.store.records()}
    removed = {change.task_id for change in result.changes if not change.after}
    written = {change.task_id for change in result.changes}
    failed = set()
    for decision in pulls:
        record = run.records.get(decision.record["id"])
        if record is None and decision.record["id"] in removed:
            continue  # the pull took its line away (`🏁 delete`): agreed (``_agreed``)
        now = vault_fields(record) if record else {}
        wanted = {k: v for k, v in decision.pull.items()
                  if k != "summary" or decision.record["id"] not in refused}  # fmt: skip
        if (wanted.get("status") == "done" and decision.record["recurrence"]
                and now.get("status") != "done"):  # fmt: skip
            # A recurring task completed: its done line stands, and its next occurrence holds
            # the task (and the server's task): that moves on to it, pushed below.
            wanted = {k: v for k, v in wanted.items() if k not in ("status", "due")}
            if decision.record["id"] not in written:  # its note refused the done line
                failed.add(decision.uid)
                continue
        if record is None or any(now.get(k) != v for k, v in wanted.items()):
            failed.add(decision.uid)  # the server keeps its version: the next sync retries
            continue
        decision.record = record
        assert decision.item is not None
        if _differs(record, decision.item, decision.base):
            decision.push = True  # the vault won a field too: the merged task goes up
    # What was pulled is taken: the server's task as it is now becomes the base, so that a
    # push that does not happen in this run (`caldav pull`, the server gone, a kill) is sent
    # by the next sync, and the server's change is not pulled a second time (a recurring
    # task's completion would complete its next occurrence).
    run.store.save_sync_states(run.account, [
        SyncState(d.uid, d.record["id"], d.item.base())
        for d in pulls if d.uid not in failed and d.push and d.item is not None
    ])  # fmt: skip
    return failed, imported


def _push(run: _Run, calendar: Any, vault_name: str, now: datetime, decisions: list[Decision],
          outcome: SyncOutcome) -> None:  # fmt: skip
    for decision in decisions:
        record = run.records.get(decision.record["id"], decision.record)
        vtodo = to_calendar([record], vault_name=vault_name, now=now, todo=True, undated=True,
                            uid_key=run.store.vault_key())  # fmt: skip
        component = next(iter(vtodo.walk("VTODO")))
        component.pop("UID")
        component.add("uid", decision.uid)
        component.add(MARK, record["id"])
        component.pop("SUMMARY")
        component.add("summary", task_summary(record_title(record)))  # its emoji too
        item = decision.item
        try:
            if item is not None and item.raw is not None:
                # The phone's copy, as listed: only the fields the sync carries change (what
                # the phone added stays), and only if no one changed it since (If-Match).
                server = item.raw.icalendar_component
                same_day = item.due is not None and item.due.isoformat() == record["due"]
                _carry_fields(server, component, _timed_due(server) if same_day else ())
                item.raw.save(precondition="etag", increase_seqno=False)
                due_at = due_stamp(server)
            else:
                calendar.save_todo(vtodo.to_ical().decode("utf-8"))
                due_at = due_stamp(component)
        except Exception as exc:
            if _refused(exc):  # this one task: the others still go
                outcome.errors.append(f"{run.label(record)}: the server refused it "
                                      f"({short_reason(exc)}); not sent")  # fmt: skip
                continue
            if not _changed_meanwhile(exc):
                raise CalDavError(f"the server stopped answering while tasksync pushed "
                                  f"({outcome.pushed} sent; the next sync sends the rest): "
                                  f"{short_reason(exc)}") from None  # fmt: skip
            outcome.notices.append(f"{run.label(record)}: changed on the server while tasksync "
                                   "synced; not sent (the next sync merges it)")  # fmt: skip
            continue
        base = {**vault_fields(record), "due_at": due_at}
        run.store.save_sync_states(run.account, [SyncState(decision.uid, record["id"], base)])
        outcome.pushed += 1


# What a push changes of the server's copy of a task: the fields the sync carries both ways
# (summary, dates, status) and its mark; all else is the phone's (notes, alarms, location).
# DURATION goes with DTSTART: the due time it gives is the DUE the sync carries (a VTODO with
# both DUE and DURATION is refused).
_CARRIED = ("SUMMARY", "DUE", "DTSTART", "DURATION", "STATUS", "COMPLETED", "PERCENT-COMPLETE",
            "DTSTAMP", MARK)  # fmt: skip


def _differs(record: Record, item: ServerItem, base: dict[str, Any] | None) -> bool:
    """Whether the task in the vault and on the server differ (after a pull: the vault won a
    field too). A due neither side changed since ``base`` does not, whatever day a UTC due
    is in this zone."""
    mine, theirs = vault_fields(record), item.fields()
    return any(mine[name] != theirs[name] and not (
        name == "due" and base is not None and mine["due"] == base.get("due")
        and not item.changed(base, "due")) for name in FIELDS)  # fmt: skip


def _carry_fields(server: Any, ours: Any, kept: tuple[str, ...] = ()) -> None:
    for name in _CARRIED:
        if name in kept:
            continue
        server.pop(name, None)
        if name in ours:
            server[name] = ours[name]


def _timed_due(server: Any) -> tuple[str, ...]:
    """The properties that give the server's due date a time of day (a time the phone set):
    kept by a push that leaves the due day as it is — the vault has days only."""
    due = server.get("DUE")
    if due is not None:
        return ("DUE",) if isinstance(due.dt, datetime) else ()
    start, duration = server.get("DTSTART"), server.get("DURATION")
    if start is not None and duration is not None and isinstance(start.dt, datetime):
        return ("DUE", "DTSTART", "DURATION")
    return ()


# Answers about the request, not the account or the calendar (401, 403, 404: every request
# would get them) nor a change meanwhile (412, 423).
_ABOUT_THE_REQUEST = frozenset((400, 409, 411, 413, 415, 422))


def _refused(exc: Exception) -> bool:
    """The server refused this one task (too big, or a content it does not take)."""
    return getattr(exc, "status", None) in _ABOUT_THE_REQUEST


def _changed_meanwhile(exc: Exception) -> bool:
    """A 412 (the copy changed since it was listed) or 423 (locked by a client now)."""
    from caldav.lib.error import ETagMismatchError

    return isinstance(exc, ETagMismatchError) or any(
        code in str(exc) for code in ("412", "423", "Precondition Failed", "Locked")
    )


def _delete(run: _Run, uids: list[str], outcome: SyncOutcome) -> None:
    for uid in uids:
        item = run.remote.get(uid)
        try:
            if item is not None and item.raw is not None:
                item.raw.delete(if_match=True, precondition="etag")
        except Exception as exc:
            if not _changed_meanwhile(exc):
                raise CalDavError(f"the server stopped answering while tasksync removed tasks: "
                                  f"{short_reason(exc)}") from None  # fmt: skip
            assert item is not None
            outcome.notices.append(f"{item.summary!r} was changed on the server while its task "
                                   "was deleted in the vault; left on the server")  # fmt: skip
            run.store.save_sync_states(run.account, [SyncState(uid, "", None, "left")])
            continue
        run.store.drop_sync_states(run.account, [uid])
        outcome.removed += 1


def describe(outcome: SyncOutcome) -> list[str]:
    changes = f"change{'s' if outcome.pulled != 1 else ''}"
    summary = (f"pushed {outcome.pushed}, removed {outcome.removed}, pulled {outcome.pulled} "
               f"{changes}; {len(outcome.conflicts)} conflict(s)")  # fmt: skip
    if outcome.imported:
        summary += f"; imported {outcome.imported} new task(s)"
    lines = [summary]
    lines += [f"conflict: {c}" for c in outcome.conflicts]
    lines += [f"note: {n}" for n in outcome.notices]
    return lines
