"""The ``tasksync`` command: argument parsing and printing only."""

from __future__ import annotations

import importlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from tasksync import __version__
from tasksync.app import AppContext, default_db_path
from tasksync.errors import TasksyncError
from tasksync.index.select import DEFAULT_STATUSES, STATUS_CHOICES, Selection
from tasksync.query.people import People
from tasksync.read.records import write_json_array
from tasksync.read.vault import check_vault

# Commands defined in other modules, imported only when used (start-up stays fast: a
# `tasksync scan` does not load icalendar, rapidfuzz or the query grammar).
LAZY_COMMANDS = {
    **dict.fromkeys(("accept", "reject", "done", "set", "merge", "repair", "undo", "log"),
                    "tasksync.cli.changes"),
    **dict.fromkeys(("ics", "dupes"), "tasksync.cli.exports"),
    **dict.fromkeys(("query", "followups", "config"), "tasksync.cli.queries"),
    **dict.fromkeys(("caldav", "watch"), "tasksync.cli.remote"),
}  # fmt: skip


class TasksyncGroup(click.Group):
    """Turns expected failures into one line on stderr and a non-zero exit status; loads the
    modules of its commands on first use."""

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
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.EXIT_CODE)
        except sqlite3.DatabaseError as exc:
            app = ctx.obj
            where = f"the index {app.db}" if isinstance(app, AppContext) else "the index"
            if _cannot_write(exc):
                click.echo(f"error: cannot write {where}: {exc}", err=True)
            else:
                click.echo(f"error: {where} is damaged ({exc}); `tasksync scan --rebuild` "
                           "makes it anew, keeping the undo journal", err=True)  # fmt: skip
            ctx.exit(4)
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (e.g. `| head`): stop quietly
            ctx.exit(0)
        except OSError as exc:
            click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get("TASKSYNC_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc} "
                       "(set TASKSYNC_DEBUG=1 for details)", err=True)  # fmt: skip
            ctx.exit(70)


def _cannot_write(exc: sqlite3.DatabaseError) -> bool:
    """A full disk or a read-only file, not a damaged index."""
    words = ("readonly", "read-only", "disk", "full", "unable to open", "locked", "I/O")
    return isinstance(exc, sqlite3.OperationalError) and any(w in str(exc) for w in words)


@click.group(cls=TasksyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--vault",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="TASKSYNC_VAULT",
    default=".",
    show_default="$TASKSYNC_VAULT, else the current folder",
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
def cli(ctx: click.Context, vault: Path, db: Path | None, today: str | None) -> None:
    """Track the tasks of an Obsidian vault, in the Obsidian Tasks syntax.

    The Markdown notes are the source of truth: tasksync reads every task line of the
    vault (emoji or Dataview fields, mis-encoded emoji included).
    """
    try:
        fixed_today = date.fromisoformat(today) if today else None
    except ValueError:
        raise click.BadParameter(f"not a date: {today!r}", param_hint="--today") from None
    ctx.obj = AppContext(vault=vault, db=db or default_db_path(vault), fixed_today=fixed_today)


@cli.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(list(STATUS_CHOICES)),
    help=f"Show tasks of this status (repeatable). [default: {', '.join(DEFAULT_STATUSES)}]",
)
@click.option("--owner", metavar="NAME", help="Only tasks owned by NAME (the @Name on the line).")
@click.option("--tag", metavar="TAG", help="Only tasks with this tag (or a tag nested below it).")
@click.option(
    "--path", "path_text", metavar="TEXT", help="Only tasks whose note path contains TEXT."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (stable keys).")
@click.pass_obj
def list_tasks(
    app: AppContext,
    statuses: tuple[str, ...],
    owner: str | None,
    tag: str | None,
    path_text: str | None,
    as_json: bool,
) -> None:
    """List the vault's tasks.

    \b
    Examples:
      tasksync list                      open and proposed tasks
      tasksync list --status all --json  everything, for scripts
      tasksync list --owner Alon --tag work
    """
    store, _ = app.synced_store()
    with store:
        people = app.people(store)
        wanted = people.resolve(owner) if owner else None
        selection = Selection(statuses or DEFAULT_STATUSES, wanted, tag, path_text)
        if as_json:
            rows = store.records_as_json(selection.status_types(), path_text)
            # Written directly: click.echo would scan megabytes for ANSI codes to strip.
            write_json_array(_with_person(rows, people, selection), sys.stdout)
            return
        records = people.with_persons(store.records(selection.status_types(), path_text))
        records = list(selection.apply(records))
    from rich.console import Console

    from tasksync.cli.render import print_tasks

    print_tasks(records, Console())


def _with_person(rows: list[tuple[str | None, str, str]], people: People,
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
    """Show every field of one task. ID may be any unique prefix of the task's id."""
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
        click.echo(f"{key:<{width}}  {'' if shown is None else shown}")


@cli.command()
@click.option("--no-watch", is_flag=True, help="Do not follow changes made to the notes.")
@click.pass_obj
def tui(app: AppContext, no_watch: bool) -> None:
    """Triage proposed tasks and follow open ones, in a terminal app.

    Screens: Inbox (proposed, duplicates together), Open (by due date), Follow-ups
    (owned by others). Press ? for the keys; every change is written to the notes.
    """
    from tasksync.tui.app import make_app

    store, _ = app.synced_store()
    store.close()
    make_app(check_vault(app.vault), app.db, app.fixed_today, watch=not no_watch).run()


@cli.command()
@click.option(
    "--rebuild",
    is_flag=True,
    help="Read every note again into a new index (keeps the undo journal).",
)
@click.pass_obj
def scan(app: AppContext, rebuild: bool) -> None:
    """Bring the index up to date with the vault, and summarise it.

    Only notes that are new or changed (size or modification time, confirmed by
    content hash) are read. Every other command does this first, too.
    """
    if rebuild:
        with app.open_store() as store:
            store.drop_cache()
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


def main() -> None:
    try:
        cli(prog_name="tasksync")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
