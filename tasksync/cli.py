"""The ``tasksync`` command: argument parsing and printing only."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import platformdirs
from rich.console import Console

from tasksync import __version__
from tasksync.config import load_status_table
from tasksync.errors import TasksyncError
from tasksync.reader import read_vault
from tasksync.render import print_tasks, task_json
from tasksync.select import DEFAULT_STATUSES, STATUS_CHOICES, Selection
from tasksync.vault import check_vault


def default_db_path(vault: Path) -> Path:
    """A per-vault index file in the user's data folder, never inside the vault."""
    real = os.path.realpath(vault)
    digest = hashlib.sha256(real.encode()).hexdigest()[:12]
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(real).name) or "vault"
    return platformdirs.user_data_path("tasksync") / f"{name}-{digest}.sqlite"


@dataclass
class AppContext:
    vault: Path
    db: Path

    def warn(self, message: str) -> None:
        click.echo(f"warning: {message}", err=True)


class TasksyncGroup(click.Group):
    """Turns expected failures into one line on stderr and a non-zero exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TasksyncError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.EXIT_CODE)
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
@click.version_option(__version__, prog_name="tasksync")
@click.pass_context
def cli(ctx: click.Context, vault: Path, db: Path | None) -> None:
    """Track the tasks of an Obsidian vault, in the Obsidian Tasks syntax.

    The Markdown notes are the source of truth: tasksync reads every task line of the
    vault (emoji or Dataview fields, mis-encoded emoji included).
    """
    ctx.obj = AppContext(vault=vault, db=db or default_db_path(vault))


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
    vault = check_vault(app.vault)
    selection = Selection(statuses or DEFAULT_STATUSES, owner, tag, path_text)
    items = list(selection.apply(read_vault(vault, load_status_table(vault), app.warn)))
    if as_json:
        click.echo(json.dumps([task_json(i) for i in items], ensure_ascii=False, indent=2))
    else:
        print_tasks(items, Console())


def main() -> None:
    try:
        cli(prog_name="tasksync")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
