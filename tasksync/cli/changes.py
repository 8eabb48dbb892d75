"""The commands that change notes: accept, reject, done, set, repair, undo, log."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tasksync.app import AppContext
from tasksync.cli.capture import quick_line
from tasksync.cli.render import printable
from tasksync.config import load_triage_tags, load_vault_config
from tasksync.dates import parse_day
from tasksync.errors import UsageError
from tasksync.index.select import Selection
from tasksync.index.store import IdError
from tasksync.model import (
    ALREADY,
    STATUS_WORDS,
    LineChange,
    Priority,
    Task,
)
from tasksync.read.vault import is_note_path
from tasksync.write import edits
from tasksync.write.actions import (
    Outcome,
    append_lines,
    nothing_undone,
    run_batch,
    selected_targets,
    still_open,
    targets_by_id,
    undo_last,
)
from tasksync.write.writeback import Edits, Target

_PAST = {"accept": "accepted", "reject": "rejected", "done": "completed", "set": "changed",
         "repair": "repaired", "merge": "rejected as duplicates"}  # fmt: skip


def task_label(task_id: str, description: str, where: str = "") -> str:
    """How a task is named wherever it is printed: short id, short description, place."""
    words = printable(" ".join(description.split())) or "(no description)"
    words = words if len(words) <= 60 else words[:59] + "…"
    return f"{task_id[:8]}  {words}" + (f"  ({printable(where)})" if where else "")


class _Spool:
    """The lines a batch prints, kept until it is over: a batch never waits on the reader of
    its output (`| less`) nor stops half-way when the reader goes away (`| head`); memory
    holds at most a megabyte of them (150,000 changed tasks print 15 MB)."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed by print()
            max_size=1 << 20, mode="w+", encoding="utf-8", errors="surrogateescape"
        )
        self.lost = 0  # lines that could not be kept (no room for the temporary file)

    def add(self, line: str) -> None:
        if not self.lost:
            try:
                self._file.write(line + "\n")
                return
            except OSError:
                pass
        self.lost += 1  # never a reason to stop the batch

    def print(self) -> None:
        self._file.seek(0)
        while chunk := self._file.read(1 << 16):
            click.echo(chunk, nl=False)
        self._file.close()
        if self.lost:
            click.echo(f"… and {self.lost} more (no room to list them)")


def _labels(
    spool: _Spool, targets: list[Target], changed: set[str]
) -> Callable[[LineChange], None]:
    """Each changed task (id, description, path:line), spooled as its note is written."""
    labels = {t.id: t.label for t in targets}

    def add(change: LineChange) -> None:
        if change.task_id:
            changed.add(change.task_id)
            spool.add(task_label(change.task_id, labels.get(change.task_id, ""),
                                 f"{change.path}:{change.line}"))  # fmt: skip

    return add


def _report(verb: str, outcome: Outcome, dry_run: bool,
            not_proposed: tuple[Sequence[str], Sequence[str]] = ((), ())) -> None:  # fmt: skip
    """The diffs of a dry run, then one summary line; errors on stderr (with the tasks
    accept or reject could not change, and why: ``not_proposed``), exit 1 if any."""
    refused, past = not_proposed
    if dry_run:
        for diff in outcome.diffs:
            click.echo("\n".join(printable(line, tabs=True) for line in diff.split("\n")))
    count, notes = outcome.changed, outcome.notes
    done = f"would be {_PAST[verb]}" if dry_run else _PAST[verb]
    summary = f"{count} task{'s' if count != 1 else ''} {done} in {notes} note{'s' * (notes != 1)}"
    already = outcome.unchanged - len(refused)
    if already:
        summary += f"; {already} already so"
    if refused:
        summary += f"; {len(refused)} not proposed, left as they are"
    click.echo(summary)
    for note in past:
        click.echo(printable(note), err=True)
    for error in [*outcome.errors, *refused]:
        click.echo(f"error: {printable(error)}", err=True)
    if outcome.errors or refused:
        sys.exit(1)


def _batch_state(batch: dict[str, Any]) -> str:
    notes = []
    if batch["state"] == "pending":
        notes.append("in progress")
    elif batch["state"] == "interrupted":
        notes.append("interrupted")
    restored, changes = batch["restored"], batch["changes"]
    if batch["undone"] and not restored:
        notes.append("closed, nothing undone")
    elif batch["undone"] and restored >= changes:
        notes.append("undone")
    elif restored or batch["undone_changes"]:  # lines changed since were left as they were
        notes.append(f"{restored} of {changes} line(s) undone")
    return f" ({', '.join(notes)})" if notes else ""


def _not_proposed(verb: str, targets: list[Target], outcome: Outcome,
                  changed: set[str]) -> tuple[list[str], list[str]]:  # fmt: skip
    """The tasks ``accept`` or ``reject`` left as they were as they are not proposed: those
    it could not do (a to-do rejected, a cancelled task accepted: errors), and those past it
    already (a done task accepted: said, not an error)."""
    refused: list[str] = []
    past: list[str] = []
    if verb not in ALREADY or not outcome.unchanged:
        return refused, past
    from tasksync.read.parse import parse_line

    for target in targets:
        if target.id in changed:
            continue
        task = parse_line(outcome.left.get(target.id, target.raw))  # the line as found
        kind = task.status_type.value if task else "NON_TASK"
        if kind == "PROPOSED":
            continue
        it_is = STATUS_WORDS.get(kind, kind.lower())
        said = f"{task_label(target.id, target.label)}: not proposed: it is {it_is}"
        if kind in ALREADY[verb]:
            past.append(said)
        else:
            refused.append(f"{said}; not {_PAST[verb]}")
    return refused, past


DEFAULT_INBOX = "Inbox.md"
_TASK_LINE_MARK = "\ue000"  # private use: no one types it


class _TextCommand(click.Command):
    """`add "- [x] Paid rent"`: an argument that is a task line begins with `-`, and is no
    option (click would read `-` and ` [x] …` as short options, the `h` of `thing` as help);
    nor is words after a dash (`- buy milk`) or a negative number (`-5 degrees`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from tasksync.read.parse import TASK_PREFIX

        valued = {name for param in self.params if isinstance(param, click.Option)
                  and not param.is_flag for name in param.opts}  # fmt: skip
        marked: list[str] = []
        for arg in args:
            if arg == "--":
                marked += args[len(marked) :]
                break
            a_value = bool(marked) and marked[-1] in valued  # `--note "1. [x] Plan.md"`
            words = arg[:1] == "-" and (arg[1:2].isspace() or arg[1:2].isdigit())
            task_like = (TASK_PREFIX.match(arg) or words) and not a_value
            marked.append(_TASK_LINE_MARK + arg if task_like else arg)
        return super().parse_args(ctx, marked)


def _command_line(verb: str) -> str:
    """How the user asked for this batch, from the command name on (for ``log``)."""
    args = sys.argv[1:]
    name = "set" if verb == "set" else verb
    return " ".join(args[args.index(name) :]) if name in args else verb


def _targets(app: AppContext, store: Any, ids: tuple[str, ...], all_proposed: bool,
             owner: str | None, tag: str | None, path: str | None) -> list[Target]:  # fmt: skip
    if ids and all_proposed:
        raise UsageError("give task ids or --all-proposed, not both")
    if all_proposed:
        return selected_targets(store, Selection(("proposed",), owner, tag, path))
    if owner or tag or path:
        raise UsageError("--owner, --tag and --path go with --all-proposed")
    if not ids:
        raise UsageError("which tasks? give their ids (see `tasksync list`) or --all-proposed")
    return targets_by_id(store, ids)


def _batch(app: AppContext, verb: str, targets_of: Callable[[Any], list[Target]],
           edit: Edits, dry_run: bool, by_id: bool = True,
           all_or_nothing: bool = False, keep_first: bool = False) -> None:  # fmt: skip
    """Run one batch. Ids are taken as the user last saw them listed — in the index before it
    is brought up to date — so that an id whose task an editor has since made ambiguous (a
    twin line deleted) is refused at the write instead of landing on its twin. With
    ``keep_first``, the first target is only checked (a merge's KEEP), not counted among the
    tasks left as they were."""
    store = app.open_store()
    with store:
        targets = None
        if by_id:
            try:
                targets = targets_of(store)
            except IdError:
                targets = None  # not known before: perhaps new in the notes
        app.bring_up_to_date(store)
        if targets is None:
            targets = targets_of(store)
        changed: set[str] = set()
        spool = _Spool()
        sink = None if dry_run else _labels(spool, targets, changed)
        outcome = run_batch(app.vault, store, app.statuses, _command_line(verb), targets, edit,
                            dry_run, app.warn, sink, plan_elsewhere=True,
                            all_or_nothing=all_or_nothing)  # fmt: skip
    if keep_first and targets and outcome.left.pop(targets[0].id, None) is not None:
        outcome.unchanged -= 1
    for message in outcome.recovered:
        app.warn(message)
    spool.print()
    changed.update(c.task_id for c in outcome.changes)
    _report(verb, outcome, dry_run, _not_proposed(verb, targets, outcome, changed))


def _triage_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.argument("ids", nargs=-1, metavar="[ID]..."),
        click.option("--all-proposed", is_flag=True, help="Every proposed task (see filters)."),
        click.option("--owner", metavar="NAME", help="With --all-proposed: only this owner's."),
        click.option("--tag", metavar="TAG", help="With --all-proposed: only with this tag."),
        click.option("--path", "path_text", metavar="TEXT",
                     help="With --all-proposed: only in notes whose path contains TEXT."),
        click.option("--dry-run", is_flag=True, help="Print the diff; write nothing."),
    ]):  # fmt: skip
        command = option(command)
    return command


def register(cli: click.Group) -> None:
    @cli.command()
    @_triage_options
    @click.pass_obj
    def accept(app: AppContext, ids: tuple[str, ...], all_proposed: bool, owner: str | None,
               tag: str | None, path_text: str | None, dry_run: bool) -> None:  # fmt: skip
        """Accept proposed tasks: [?] becomes [ ] and the #proposed tag goes.

        \b
        Examples:
          tasksync accept 5fbd6a7 36efa8
          tasksync accept --all-proposed --owner Myself --dry-run
        """
        statuses, tags = app.statuses, load_triage_tags(app.vault)
        _batch(app, "accept",
               lambda store: _targets(app, store, ids, all_proposed, owner, tag, path_text),
               lambda task: (edits.accepted_line(task, statuses, tags),), dry_run,
               by_id=not all_proposed)  # fmt: skip

    @cli.command()
    @_triage_options
    @click.pass_obj
    def reject(app: AppContext, ids: tuple[str, ...], all_proposed: bool, owner: str | None,
               tag: str | None, path_text: str | None, dry_run: bool) -> None:  # fmt: skip
        """Reject proposed tasks: [?] becomes [-] with ❌ today; the line stays.

        \b
        Examples:
          tasksync reject 0275c61
          tasksync reject --all-proposed --path "Meetings/2025-10-28" --dry-run
        """
        statuses, today, tags = app.statuses, app.today, load_triage_tags(app.vault)
        _batch(app, "reject",
               lambda store: _targets(app, store, ids, all_proposed, owner, tag, path_text),
               lambda task: (edits.rejected_line(task, today, statuses, tags),),
               dry_run, by_id=not all_proposed)  # fmt: skip

    @cli.command()
    @click.argument("ids", nargs=-1, required=True, metavar="ID...")
    @click.option("--dry-run", is_flag=True, help="Print the diff; write nothing.")
    @click.pass_obj
    def done(app: AppContext, ids: tuple[str, ...], dry_run: bool) -> None:
        """Complete tasks: [x] with ✅ today.

        A recurring task (🔁) gets its next occurrence on a new line above it, as the Tasks
        plugin writes it; 🏁 delete removes the completed line.

        \b
        Examples:
          tasksync done a33a934
          tasksync done a33a934 efdfa2c --today 2026-11-30
        """
        statuses, today = app.statuses, app.today

        _batch(app, "done", lambda store: targets_by_id(store, ids),
               lambda task: edits.complete(task, today, statuses), dry_run)  # fmt: skip

    @cli.command("set")
    @click.argument("task_id", metavar="ID")
    @click.option("--due", metavar="DATE|none", help="YYYY-MM-DD, today, tomorrow, +3d …")
    @click.option("--scheduled", metavar="DATE|none")
    @click.option("--start", metavar="DATE|none")
    @click.option("--priority", type=click.Choice([*(p.value for p in Priority), "none"]))
    @click.option("--owner", metavar="NAME|none")
    @click.option("--status", "status_symbol", metavar="CHAR",
                  help="The checkbox character; as in Obsidian, a done one adds ✅ today (and a "
                       "recurring task's next occurrence), a cancelled one ❌ today.")  # fmt: skip
    @click.option("--dry-run", is_flag=True, help="Print the diff; write nothing.")
    @click.pass_obj
    def set_(app: AppContext, task_id: str, due: str | None, scheduled: str | None,
             start: str | None, priority: str | None, owner: str | None,
             status_symbol: str | None, dry_run: bool) -> None:  # fmt: skip
        """Change fields of one task in place, in the line's own format (`none` removes).

        \b
        Examples:
          tasksync set a33a934 --due tomorrow --priority high
          tasksync set a33a934 --owner "Dana Whitfield" --scheduled +3d
          tasksync set a33a934 --due none
        """
        statuses, today = app.statuses, app.today
        dates = {"due": due, "scheduled": scheduled, "start": start}
        parsed = {k: None if v.lower() == "none" else parse_day(v, today)
                  for k, v in dates.items() if v is not None}  # fmt: skip
        if status_symbol is not None and len(status_symbol) != 1:
            raise UsageError("--status takes one character, e.g. x, /, - or ' '")
        if not parsed and priority is None and owner is None and status_symbol is None:
            raise UsageError("nothing to set: give --due, --priority, --owner, --status …")

        def change(task: Task) -> tuple[str, ...]:
            for field_name, value in parsed.items():
                task = edits.set_date(task, field_name, value, statuses)
            if priority is not None:
                level = Priority.NORMAL if priority == "none" else Priority(priority)
                task = edits.set_priority(task, level, statuses)
            if owner is not None:
                task = edits.set_owner(task, None if owner.lower() == "none" else owner, statuses)
            if status_symbol is not None:
                return edits.status_set(task, status_symbol, today, statuses)
            return (task.raw,)

        _batch(app, "set", lambda store: targets_by_id(store, (task_id,)), change, dry_run)

    @cli.command()
    @click.argument("keep", metavar="KEEP_ID")
    @click.argument("duplicates", nargs=-1, required=True, metavar="DUP_ID...")
    @click.option("--dry-run", is_flag=True, help="Print the diff; write nothing.")
    @click.pass_obj
    def merge(app: AppContext, keep: str, duplicates: tuple[str, ...], dry_run: bool) -> None:
        """Keep one task and reject its duplicates (as `m` in the TUI).

        The duplicates become [-] with ❌ today and lose their triage tags; KEEP is not
        changed. KEEP may stand in another note (see `tasksync dupes --elsewhere`): a
        duplicate of another note then also says where the item lives, as
        `(tracked in [[Note]])` after its words. See `tasksync dupes` for the pairs
        tasksync finds.

        \b
        Examples:
          tasksync merge e2ab33b8 5fbd6a7
          tasksync merge e2ab33b8 5fbd6a7 --dry-run
          tasksync merge 8d9307f1 6411a0ea      KEEP ticked in a transcript
        """
        from tasksync.query.elsewhere import note_link, tracked_line

        statuses, today, tags = app.statuses, app.today, load_triage_tags(app.vault)
        links: dict[str, str] = {}  # a duplicate of another note -> the link to KEEP's

        def duplicates_of(store: Any) -> list[Target]:
            """The duplicates, and KEEP: a target too, not changed, so that the merge is
            written only if KEEP is still where its link says (not deleted, moved to another
            note or rejected since the index last saw it)."""
            kept = store.resolve_id(keep)
            targets = targets_by_id(store, duplicates)
            if any(t.id == kept for t in targets):
                raise UsageError("KEEP_ID is also given as a duplicate")
            kept_record = store.record(kept)
            links.clear()
            links[kept] = ""
            elsewhere = [t for t in targets if t.path != kept_record["path"]]
            if elsewhere:
                link = note_link(kept_record, store.note_states())
                links.update((t.id, link) for t in elsewhere)
            return [*targets_by_id(store, (kept,)), *targets]

        def kept_as_it_is(task: Task) -> tuple[str, ...]:
            if task.status_type.value == "CANCELLED":
                raise edits.CannotEdit(f"the task to keep, {task.description!r}, is cancelled: "
                                       "merged into it, the item would live nowhere")  # fmt: skip
            return (task.raw,)

        def proposed(task: Task) -> bool:
            """Whether to reject it: a proposal (a rejected one is so already); anything else
            given as a duplicate is a mistake, and the merge is refused."""
            kind = task.status_type.value
            if kind not in ("PROPOSED", "CANCELLED"):
                raise edits.CannotEdit(f"{task.description!r} is not proposed: it is "
                                       f"{STATUS_WORDS.get(kind, kind.lower())}; a merge "
                                       "rejects proposed duplicates only")  # fmt: skip
            return kind == "PROPOSED"

        def reject(task: Task) -> tuple[str, ...]:
            if not proposed(task):
                return (task.raw,)
            return (edits.rejected_line(task, today, statuses, tags),)

        def tracked(link: str) -> Callable[[Task], tuple[str, ...]]:
            def edit(task: Task) -> tuple[str, ...]:
                if not proposed(task):
                    return (task.raw,)
                return (tracked_line(task, link, today, statuses, tags),)

            return edit

        class PerDuplicate(dict[str, Callable[[Task], tuple[str, ...]]]):
            """The edit of each duplicate, known once the ids are resolved."""

            def __missing__(self, key: str) -> Callable[[Task], tuple[str, ...]]:
                if key in links:
                    return tracked(links[key]) if links[key] else kept_as_it_is
                return reject

        _batch(
            app,
            "merge",
            duplicates_of,
            PerDuplicate(),
            dry_run,
            all_or_nothing=True,
            keep_first=True,
        )

    @cli.command()
    @click.option("--text", "with_text", is_flag=True,
                  help="Also repair mis-encoded words (Vallery‚Äôs -> Vallery’s).")  # fmt: skip
    @click.option("--dry-run", is_flag=True, help="Print the diff; write nothing.")
    @click.pass_obj
    def repair(app: AppContext, with_text: bool, dry_run: bool) -> None:
        """Rewrite mis-encoded signifiers (ðŸ“… …) in task lines as the real emoji.

        With --text, mis-encoded words in the tasks' descriptions are repaired too (only the
        encoding: curly quotes stay curly). Look at the diff with --dry-run first.

        \b
        Examples:
          tasksync repair --dry-run
          tasksync repair --text --dry-run
          tasksync repair --text
        """
        statuses = app.statuses

        def fixed(task: Task) -> tuple[str, ...]:
            task = edits.repair(task, statuses)
            return ((edits.repair_text(task, statuses) if with_text else task).raw,)

        def mis_encoded(store: Any) -> list[Target]:
            found = selected_targets(store, Selection(("all",)))
            return [t for t in found if not t.raw.isascii()]

        _batch(app, "repair", mis_encoded, fixed, dry_run, by_id=False)

    @cli.command(cls=_TextCommand)
    @click.argument("text", nargs=-1, required=True)
    @click.option("--note", "note_path", metavar="PATH",
                  help="The note to add it to (vault-relative). [default: the `inbox` setting, "
                       "else Inbox.md]")  # fmt: skip
    @click.option("--proposed", is_flag=True, help="Add it as proposed: [?] and #proposed.")
    @click.pass_obj
    def add(app: AppContext, text: tuple[str, ...], note_path: str | None,
            proposed: bool) -> None:  # fmt: skip
        """Capture a task: a new line at the end of the inbox note, with ➕ today.

        Dates after 📅 ⏳ 🛫 may be words, read as `set` reads them (fri, next tuesday,
        tomorrow, +3d …). The note is made when missing; `tasksync undo` takes it back.

        \b
        Examples:
          tasksync add "Call Bob @Bob 📅 fri #work"
          tasksync add Water the seedlings ⏳ tomorrow
          tasksync add --note "Projects/Shed.md" "Order timber 📅 next tuesday ⏫"
        """
        text = tuple(piece.removeprefix(_TASK_LINE_MARK) for piece in text)
        line = quick_line(" ".join(text), app.today, proposed, app.statuses,
                          load_triage_tags(app.vault))  # fmt: skip
        rel = note_path or str(load_vault_config(app.vault).get("inbox") or DEFAULT_INBOX)
        if not is_note_path(rel) or "\\" in rel:
            raise UsageError(f"cannot add to {rel}: tasksync reads only .md notes inside the "
                             "vault, outside dot-folders")  # fmt: skip
        store = app.open_store()
        with store:
            app.bring_up_to_date(store)
            outcome = append_lines(app.vault, store, app.statuses, f"add {line}", rel, (line,),
                                   app.warn)  # fmt: skip
            # the index holds a symlink's target, and its emoji as they read in the note
            real = os.path.relpath(os.path.realpath(app.vault / rel), os.path.realpath(app.vault))
            added = {r["line"]: r for r in store.records(path_equals=Path(real).as_posix())}
        for error in outcome.errors:
            click.echo(f"error: {printable(error)}", err=True)
        if outcome.errors:
            sys.exit(1)
        for change in outcome.changes:
            record = added.get(change.line)
            if record is not None and edits.with_real_emoji(record["raw"]) == change.after[0]:
                click.echo(task_label(record["id"], record["description"] or "",
                                      f"{rel}:{change.line}"))  # fmt: skip
            else:  # the index could not take it yet: no id to show, the line is written
                click.echo(f"added  {printable(change.after[0])}  ({printable(rel)}:"
                           f"{change.line})")  # fmt: skip

    @cli.command()
    @click.pass_obj
    def undo(app: AppContext) -> None:
        """Revert the last batch of changes (see `tasksync log`).

        A note that still holds exactly what the batch wrote gets its bytes back whole; lines
        you changed since are left and named.

        \b
        Examples:
          tasksync undo
          tasksync log && tasksync undo && tasksync undo
        """
        store, _ = app.synced_store()
        with store:
            spool = _Spool()
            outcome = undo_last(app.vault, store, app.statuses, app.warn,
                                lambda c: spool.add(printable(f"{c.path}:{c.line}")))  # fmt: skip
        spool.print()
        if outcome.command is None:
            click.echo("nothing to undo")
            return
        if outcome.restored or not outcome.problems:
            click.echo(f"undid `{outcome.command}`: {outcome.restored} line(s) restored")
        elif not outcome.still_open:
            click.echo(f"nothing undone of `{outcome.command}`: {nothing_undone(outcome)}")
        else:
            click.echo(f"nothing undone of `{outcome.command}`: {still_open(outcome)}")
        if outcome.restored and outcome.still_open:
            click.echo(still_open(outcome))
        for problem in outcome.problems:
            click.echo(f"error: {printable(problem)}", err=True)
        if outcome.problems:
            sys.exit(1)

    @cli.command()
    @click.option(
        "-n",
        "limit",
        default=20,
        show_default=True,
        type=click.IntRange(min=1),
        help="How many batches.",
    )
    @click.pass_obj
    def log(app: AppContext, limit: int) -> None:
        """The recent batches of changes tasksync wrote (newest first).

        \b
        Examples:
          tasksync log
          tasksync log -n 5
        """
        store, _ = app.synced_store()
        with store:
            batches = store.batches(limit)
        if not batches:
            click.echo("no changes yet")
        for b in batches:
            click.echo(f"{b['id']:>4}  {_local_time(b['time'])}  {b['changes']:>4} line(s)  "
                       f"{b['command']}{_batch_state(b)}")  # fmt: skip


def _local_time(stamp: str) -> str:
    """A batch's time (kept in UTC) where the user is: its date is the one its ✅ got."""
    try:
        return datetime.fromisoformat(stamp).astimezone().isoformat(timespec="seconds")
    except (ValueError, OverflowError, OSError):
        return stamp
