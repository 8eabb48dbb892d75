"""The ``tasksync`` command: argument parsing and printing only."""

from __future__ import annotations

import heapq
import importlib
import json
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from datetime import date
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import click

from tasksync import __version__
from tasksync.app import AppContext, default_db_path, not_a_note
from tasksync.cli.render import (
    FORMATS,
    LEGEND,
    LEGEND_SHORT,
    OPEN_TYPES,
    SORTS,
    line,
    printable,
    sort_key,
    table,
)
from tasksync.dates import parse_day
from tasksync.errors import TasksyncError
from tasksync.index.select import DEFAULT_STATUSES, STATUS_CHOICES, Selection
from tasksync.index.store import REBUILD_HINT, is_damage
from tasksync.query.people import People
from tasksync.read.prose import repaired
from tasksync.read.records import Record, write_json_array
from tasksync.read.vault import check_vault

# Commands defined in other modules, imported only when used (start-up stays fast: a
# `tasksync scan` does not load icalendar, rapidfuzz or the query grammar).
LAZY_COMMANDS = {
    **dict.fromkeys(("accept", "reject", "done", "set", "merge", "repair", "undo", "log", "add"),
                    "tasksync.cli.changes"),
    **dict.fromkeys(("ics", "dupes"), "tasksync.cli.exports"),
    **dict.fromkeys(("query", "followups", "config"), "tasksync.cli.queries"),
    **dict.fromkeys(("caldav", "watch"), "tasksync.cli.remote"),
    "agenda": "tasksync.cli.agenda",
}  # fmt: skip


GLOBAL_OPTIONS = ("--vault", "--db", "--today")
COMMAND_GROUPS = (
    ("See your tasks", ("list", "show", "query", "followups", "agenda")),
    ("Triage proposed action items", ("tui", "accept", "reject", "dupes", "merge")),
    ("Change tasks (written into the notes)", ("add", "done", "set", "repair", "undo", "log")),
    ("Calendars", ("ics", "caldav", "watch")),
    ("The index and settings", ("scan", "config")),
)


def hoist_global_options(args: list[str]) -> list[str]:
    """``--vault``, ``--db`` and ``--today`` given after the command, moved before it (so
    `tasksync done ID --today 2026-01-01` works as `tasksync --today 2026-01-01 done ID`)."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if "=" in arg:
                front.append(arg)
            else:
                front += args[index : index + 2]
                index += 1
        else:
            rest.append(arg)
        index += 1
    return front + rest


INTERRUPTED = "interrupted: what was done so far is kept (see `tasksync log`)"


_PATH_OPTIONS = frozenset(("--vault", "--db"))  # a folder's name need not be UTF-8


def _not_utf8(args: list[str]) -> str | None:
    """The first argument holding bytes that are not UTF-8 (text, an owner, a note's name:
    none could be written into a note or matched in it), but for the vault's and index's
    paths; None when there is none."""
    for index, arg in enumerate(args):
        if (index and args[index - 1] in _PATH_OPTIONS) or arg.split("=")[0] in _PATH_OPTIONS:
            continue
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return None


class TasksyncGroup(click.Group):
    """Turns expected failures into one line on stderr and a non-zero exit status; loads the
    modules of its commands on first use; takes the global options after the command too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        undecodable = _not_utf8(args)
        if undecodable is not None:
            raise click.UsageError(f"{undecodable!r} is not valid UTF-8 (the terminal's "
                                   "encoding?): notes are read and written in UTF-8")  # fmt: skip
        try:
            return super().parse_args(ctx, hoist_global_options(args))
        except KeyboardInterrupt:  # else click's "Aborted!" and 1: an interruption as later
            click.echo(INTERRUPTED, err=True)
            ctx.exit(130)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands in the README's groups (a command in no group is listed last)."""
        names = self.list_commands(ctx)
        listed: set[str] = set()
        for title, group in COMMAND_GROUPS:
            rows = []
            for name in group:
                command = self.get_command(ctx, name) if name in names else None
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(formatter.width - 20)))
                    listed.add(name)
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        rest = [(n, c.get_short_help_str()) for n in names if n not in listed
                and (c := self.get_command(ctx, n)) is not None]  # fmt: skip
        if rest:
            with formatter.section("Other commands"):
                formatter.write_dl(rest)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            importlib.import_module(LAZY_COMMANDS[cmd_name]).register(self)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in sorted(set(LAZY_COMMANDS.values())):
            if not all(name in self.commands for name, m in LAZY_COMMANDS.items() if m == module):
                importlib.import_module(module).register(self)
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TasksyncError as exc:
            click.echo(f"error: {printable(str(exc))}", err=True)
            ctx.exit(exc.EXIT_CODE)
        except sqlite3.DatabaseError as exc:
            app = ctx.obj
            where = f"the index {app.db}" if isinstance(app, AppContext) else "the index"
            if is_damage(exc):
                click.echo(f"error: {where} is damaged ({exc}); {REBUILD_HINT}", err=True)
            else:
                click.echo(f"error: cannot write {where}: {exc}", err=True)
            ctx.exit(4)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`): stop quietly
            ctx.exit(0)
        except OSError as exc:
            click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo(INTERRUPTED, err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get("TASKSYNC_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} "
                       "(set TASKSYNC_DEBUG=1 for details)", err=True)  # fmt: skip
            ctx.exit(70)


@click.group(cls=TasksyncGroup, no_args_is_help=True,
             context_settings={"help_option_names": ["-h", "--help"]})  # fmt: skip
@click.option(
    "--vault",
    type=click.Path(path_type=Path),  # not a folder: "no such vault" (exit 3), as the README says
    metavar="DIRECTORY",
    envvar="TASKSYNC_VAULT",
    show_default="$TASKSYNC_VAULT, else the folder holding .obsidian here or above",
    help="The Obsidian vault (a folder of Markdown notes).",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="TASKSYNC_DB",
    help="The index file. [default: $TASKSYNC_DB, else one per vault in the user data folder]",
)
@click.option(
    "--today",
    metavar="DATE",
    envvar="TASKSYNC_TODAY",
    help="Take DATE (YYYY-MM-DD) as today, for reproducible runs. [env: TASKSYNC_TODAY]",
)
@click.version_option(__version__, prog_name="tasksync")
@click.pass_context
def cli(ctx: click.Context, vault: Path | None, db: Path | None, today: str | None) -> None:
    """Track the tasks of an Obsidian vault, in the Obsidian Tasks syntax.

    The Markdown notes are the source of truth: tasksync reads every task line of the
    vault (emoji or Dataview fields, mis-encoded emoji included).
    """
    try:
        fixed_today = date.fromisoformat(today) if today else None
    except ValueError:
        raise click.BadParameter(f"not a date: {today!r}", param_hint="--today") from None
    notice = None
    if vault is None:
        vault, notice = find_vault(Path.cwd())
    if db is not None:
        not_a_note(vault, db, "--db")
    ctx.obj = AppContext(vault=vault, db=db or default_db_path(vault), fixed_today=fixed_today,
                         notice=notice)  # fmt: skip


def find_vault(here: Path) -> tuple[Path, str | None]:
    """The vault a command run in ``here`` means: the nearest folder holding `.obsidian`,
    here or above (as git finds `.git`); else ``here``, with a word to say so."""
    for folder in (here, *here.parents):
        if (folder / ".obsidian").is_dir():
            return folder, None
    return here, (f"no Obsidian vault (a folder holding .obsidian) here or above; using {here} "
                  "(give --vault or set $TASKSYNC_VAULT)")  # fmt: skip


@cli.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(list(STATUS_CHOICES)),
    help=f"Show tasks of this status (repeatable; open = to-do, in progress, on hold). "
    f"[default: {', '.join(DEFAULT_STATUSES)}]",
)
@click.option("--owner", metavar="NAME", help="Only tasks owned by NAME (the @Name on the line).")
@click.option("--tag", metavar="TAG", help="Only tasks with this tag (or a tag nested below it).")
@click.option(
    "--path", "path_text", metavar="TEXT", help="Only tasks whose note path contains TEXT."
)
@click.option("--overdue", is_flag=True,
              help="Only tasks due before today that are open or proposed.")  # fmt: skip
@click.option("--due-before", metavar="DATE", help="Only tasks due before DATE (tomorrow, +7d …).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N tasks.")
@click.option("--sort", "order", type=click.Choice(SORTS),
              help="Order: status (then due, priority), due, priority, or path (as in the "
                   "notes). [default: status on a terminal, else path]")  # fmt: skip
@click.option("--format", "shape", type=click.Choice(FORMATS),
              help="table (on a terminal), line (one tab-separated line per task, id first: "
                   "the default in a pipe), json, or raw (each task line as written).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.pass_obj
def list_tasks(app: AppContext, statuses: tuple[str, ...], owner: str | None, tag: str | None,
               path_text: str | None, overdue: bool, due_before: str | None, limit: int | None,
               order: str | None, shape: str | None, as_json: bool) -> None:  # fmt: skip
    """List the vault's tasks.

    \b
    Examples:
      tasksync list                        open and proposed tasks
      tasksync list --overdue              what is late
      tasksync list --status all --json    everything, for scripts
      tasksync list | grep -i compost      one line per task, id first
      tasksync list --owner Alon --tag work --sort due --limit 20
    """
    shape = "json" if as_json else shape or ("table" if sys.stdout.isatty() else "line")
    before = parse_day(due_before, app.today).isoformat() if due_before else None
    if overdue:
        before = min(before or "9999", app.today.isoformat())
    store, _ = app.synced_store()
    with store:
        people = app.people(store)
        wanted = people.resolve(owner) if owner else None
        selection = Selection(statuses or DEFAULT_STATUSES, wanted, tag, path_text)
        plain = shape == "json" and not (overdue or before or limit or order)
        if plain:
            rows = store.records_as_json(selection.status_types(), path_text)
            # Written directly: click.echo would scan megabytes for ANSI codes to strip.
            write_json_array(_with_person(rows, people, selection), sys.stdout)
            return

        def wanted_task(record: Record) -> bool:
            _person(people, record)
            return (selection.matches(record)
                    and (not before or bool(record["due"] and record["due"] < before))
                    and (not overdue or record["status_type"] in OPEN_TYPES))  # fmt: skip

        placed = ((place, record) for place, record in
                  store.selected_places(selection.status_types(), path_text)
                  if wanted_task(record))  # fmt: skip
        order = order or ("status" if shape == "table" else "path")
        key = sort_key(order)
        if order == "path":
            found: Iterator[Record] = (record for _, record in placed)
        elif limit:  # as sorted()[:limit], holding `limit` tasks
            found = iter(heapq.nsmallest(limit, (r for _, r in placed), key=key))
        else:  # a sort key and a place per task, the records read again a page at a time
            from tasksync.query.engine import Placed  # here: it loads the query grammar

            keys, places = [], []
            for place, record in placed:
                keys.append(key(record))
                places.append(place)
            ranked = sorted(range(len(keys)), key=keys.__getitem__)
            del keys
            found = iter(Placed(store, [places[i] for i in ranked], partial(_person, people)))
        _print_list(islice(found, limit) if limit else found, shape, app)


def _print_list(found: Iterator[Record], shape: str, app: AppContext) -> None:
    """The tasks as ``shape`` says, each printed as it comes (the table's columns are set by
    the terminal's width): a vault of any size streams through."""
    out = sys.stdout
    if shape == "json":
        write_json_array((json.dumps(r, ensure_ascii=False) for r in found), out)
    elif shape == "raw":
        out.writelines(r["raw"] + "\n" for r in found)
    elif shape == "line":
        out.writelines(line(r) + "\n" for r in found)
    else:
        width = shutil.get_terminal_size((100, 24)).columns
        colour = out.isatty() and "NO_COLOR" not in os.environ
        seen = {"tasks": 0, "marked": 0}  # how many, how many with a priority mark

        def counted() -> Iterator[Record]:
            for record in found:
                seen["tasks"] += 1
                seen["marked"] += record["priority"] != "normal"
                yield record

        rows = table(counted(), width, app.today, colour)
        header, first = next(rows), next(rows, None)
        if first is None:
            out.write("no tasks\n")
            return
        out.writelines((header + "\n", first + "\n"))
        out.writelines(row + "\n" for row in rows)
        count = f"{seen['tasks']} task{'s' if seen['tasks'] != 1 else ''}"
        legend = LEGEND if len(count) + 3 + len(LEGEND) <= width else LEGEND_SHORT
        out.write(f"{count}{'   ' + legend if seen['marked'] else ''}\n")


def _person(people: People, record: Record) -> Record:
    record["person"] = people.resolve(record["owner"])
    return record


def _with_person(rows: Iterable[tuple[str | None, str, str]], people: People,
                 selection: Selection) -> Iterator[str]:  # fmt: skip
    """The stored JSON of each selected task, with its resolved ``person`` added."""
    for owner, tags, text in rows:
        person = people.resolve(owner)
        if selection.matches({"owner": owner, "person": person, "tags": json.loads(tags)}):
            yield f'{text[:-1]},"person":{json.dumps(person, ensure_ascii=False)}}}'


@cli.command()
@click.argument("task_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the task as a JSON object.")
@click.pass_obj
def show(app: AppContext, task_id: str, as_json: bool) -> None:
    """Show every field of one task. ID may be any unique prefix of the task's id.

    \b
    Examples:
      tasksync show e2ab3
      tasksync show e2ab33b8 --json
    """
    store, _ = app.synced_store()
    with store:
        record = store.record(store.resolve_id(task_id))
        record["person"] = app.people(store).resolve(record["owner"])
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    width = max(len(k) for k in record)
    for key, value in record.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        if key == "description" and isinstance(shown, str):
            shown = repaired(shown)
        click.echo(f"{key:<{width}}  {'' if shown is None else printable(str(shown))}")


@cli.command()
@click.option("--no-watch", is_flag=True, help="Do not follow changes made to the notes.")
@click.pass_obj
def tui(app: AppContext, no_watch: bool) -> None:
    """Triage proposed tasks and follow open ones, in a terminal app.

    Screens: Inbox (proposed, duplicates together), Open (by due date), Follow-ups
    (owned by others). Press ? for the keys; every change is written to the notes.

    \b
    Examples:
      tasksync tui
      tasksync --vault ~/Notes tui --no-watch
    """
    from tasksync.tui.app import make_app

    store, _ = app.synced_store()
    store.close()
    make_app(check_vault(app.vault), app.db, app.fixed_today, watch=not no_watch).run()


@cli.command()
@click.option(
    "--rebuild",
    is_flag=True,
    help="Read every note again into a new index (keeps the undo journal; a damaged index "
    "is made anew with what of it reads back, the damaged file kept aside).",
)
@click.pass_obj
def scan(app: AppContext, rebuild: bool) -> None:
    """Bring the index up to date with the vault, and summarise it.

    Only notes that are new or changed (size or modification time, confirmed by
    content hash) are read. Every other command does this first, too.

    \b
    Examples:
      tasksync scan
      tasksync scan --rebuild     a damaged index, made anew (its undo journal kept if readable)
    """
    if rebuild:
        _rebuild(app)
    store, report = app.synced_store()
    with store:
        counts, problems = store.counts()
    total = sum(counts.values())
    by_status = ", ".join(
        f"{counts[t.value]} {name}"
        for name, (t,) in ((n, ts) for n, ts in STATUS_CHOICES.items() if len(ts) == 1)
        if counts.get(t.value)
    )
    changed = f"{report.parsed} read" + (f", {report.deleted} removed" if report.deleted else "")
    click.echo(
        f"{report.notes} notes ({changed}) · {total} tasks"
        + (f": {by_status}" if by_status else "")
        + f" · {problems} with problems · {report.seconds:.2f} s"
    )


def _rebuild(app: AppContext) -> None:
    """Empty the index's cache, or make a damaged index anew (see ``index.salvage``); no
    batch may write the index meanwhile (it would write to the file being replaced)."""
    from tasksync.index.salvage import rebuild
    from tasksync.write.lock import vault_lock

    with vault_lock(check_vault(app.vault), "rebuilding the index", app.warn):
        rebuilt = rebuild(app.db)
    if rebuilt is None:
        return
    if not rebuilt.lost:
        app.warn("the index was damaged: made anew, with its undo journal and CalDAV sync state")
        return
    app.warn(
        f"the index was damaged: made anew without {' and '.join(rebuilt.lost)} (they "
        f"could not be read); the damaged file is kept as {rebuilt.damaged_copy}"
    )


def main() -> None:
    try:
        cli(prog_name="tasksync")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
