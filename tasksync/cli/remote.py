"""`tasksync caldav sync|push|pull` and `tasksync watch`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from tasksync.app import AppContext
from tasksync.calendar.caldav import (
    CalDavError,
    describe,
    open_calendar,
    password_for,
    redact,
    run_sync,
    secret_forms,
)
from tasksync.cli.exports import ICS_DEFAULT_STATUSES, build_calendar, export_time
from tasksync.config import load_vault_config
from tasksync.errors import UsageError
from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.write.files import atomic_write


def _caldav_settings(app: AppContext, url: str | None, calendar: str | None,
                     user: str | None) -> tuple[str, str, str | None]:  # fmt: skip
    configured = load_vault_config(app.vault).get("caldav", {})
    if not isinstance(configured, dict):
        raise UsageError("[caldav] in the config must be a table (url, calendar, user)")
    url = url or configured.get("url")
    calendar = calendar or configured.get("calendar") or "tasksync"
    user = user or configured.get("user")
    if not url:
        raise UsageError("which server? give --url or set [caldav] url in the config")
    return str(url), str(calendar), str(user) if user else None


def _sync_once(app: AppContext, url: str, calendar_name: str, user: str | None, *, push: bool,
               pull: bool, all_open: bool, prefer: str) -> list[str]:  # fmt: skip
    password = password_for(url, user)
    secrets = secret_forms(url, user, password)
    try:
        calendar = open_calendar(url, calendar_name, user, password)
        with Store(app.db) as store:
            outcome = run_sync(app.vault, store, app.statuses, calendar, now=export_time(),
                               push=push, pull=pull, all_open=all_open, prefer=prefer,
                               people=app.people(store))  # fmt: skip
    except CalDavError as exc:
        raise CalDavError(redact(str(exc), secrets)) from None
    for error in outcome.errors:
        click.echo(f"error: {redact(error, secrets)}", err=True)
    return [redact(line, secrets) for line in describe(outcome)]


def write_ics(app: AppContext, target: Path) -> int:
    """The default `tasksync ics` export, written atomically to ``target``."""
    with Store(app.db) as store:
        sync(app.vault, store, app.statuses)
        calendar, count, _ = build_calendar(app, store, ICS_DEFAULT_STATUSES)
    atomic_write(target, calendar.to_ical())
    return count


def register(cli: click.Group) -> None:
    @cli.group()
    def caldav() -> None:
        """Two-way sync with a CalDAV server (Radicale, Nextcloud, Fastmail, iCloud…).

        The password comes from $TASKSYNC_CALDAV_PASSWORD or the system keyring, never
        from a flag or the config. Settings may live in the config: [caldav] url, calendar,
        user.
        """

    def common(command: Any) -> Any:
        for option in reversed([
            click.option("--url", help="The server's CalDAV address."),
            click.option("--calendar", "calendar_name", metavar="NAME",
                         help="The calendar (created if missing). [default: tasksync]"),
            click.option("--user", help="The user name."),
            click.option("--all-open", is_flag=True, help="Also open tasks without a due date."),
            click.option("--prefer", type=click.Choice(["vault", "server"]), default="vault",
                         show_default=True, help="Who wins a conflict."),
        ]):  # fmt: skip
            command = option(command)
        return command

    for name, push, pull, doc in (
        ("sync", True, True, "Pull the server's changes into the notes, then push the vault's."),
        ("push", True, False, "Send the vault's tasks to the server (only what changed)."),
        ("pull", False, True, "Write the server's changes (done, cancelled, due) to the notes."),
    ):  # fmt: skip

        def make(push: bool = push, pull: bool = pull) -> Any:
            @click.pass_obj
            def command(app: AppContext, url: str | None, calendar_name: str | None,
                        user: str | None, all_open: bool, prefer: str) -> None:  # fmt: skip
                settings = _caldav_settings(app, url, calendar_name, user)
                for line in _sync_once(app, *settings, push=push, pull=pull, all_open=all_open,
                                       prefer=prefer):  # fmt: skip
                    click.echo(line)

            return command

        caldav.command(name=name, help=doc)(common(make()))

    @cli.command()
    @click.option("--ics", "ics_file", type=click.Path(path_type=Path, dir_okay=False),
                  help="Rewrite this .ics file (as `tasksync ics`) on changes.")  # fmt: skip
    @click.option("--caldav", "with_caldav", is_flag=True,
                  help="Sync with the CalDAV server of the config on changes.")  # fmt: skip
    @click.option("--debounce", default=1.0, show_default=True, help="Seconds to wait for quiet.")
    @click.pass_obj
    def watch(app: AppContext, ics_file: Path | None, with_caldav: bool, debounce: float) -> None:
        """Keep the index (and an .ics file, and a CalDAV calendar) current as notes change.

        Ctrl-C stops it.
        """
        from watchfiles import watch as watch_files

        settings = _caldav_settings(app, None, None, None) if with_caldav else None

        def refresh() -> None:
            if ics_file is not None:
                count = write_ics(app, ics_file)
                click.echo(f"{_stamp()} wrote {count} events to {ics_file}", err=True)
            else:
                with Store(app.db) as store:
                    sync(app.vault, store, app.statuses)
                click.echo(f"{_stamp()} index up to date", err=True)
            if settings is not None:
                for line in _sync_once(app, *settings, push=True, pull=True, all_open=False,
                                       prefer="vault"):  # fmt: skip
                    click.echo(f"{_stamp()} caldav: {line}", err=True)

        refresh()
        click.echo(f"watching {app.vault} (Ctrl-C stops)", err=True)
        try:
            for _ in watch_files(app.vault, debounce=int(debounce * 1000), step=100,
                                 watch_filter=lambda _c, p: p.endswith(".md")):  # fmt: skip
                try:
                    refresh()
                except UsageError:
                    raise
                except Exception as exc:
                    click.echo(f"{_stamp()} error: {redact(str(exc))}", err=True)
        except KeyboardInterrupt:
            pass
        click.echo("stopped", err=True)
        sys.stdout.flush()


def _stamp() -> str:
    return datetime.now(UTC).astimezone().strftime("%H:%M:%S")
