"""`tasksync caldav sync|push|pull` and `tasksync watch`."""

from __future__ import annotations

import os
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from tasksync.app import AppContext, not_a_note
from tasksync.calendar.caldav import CalDavError, open_calendar, password_for, redact, secret_forms
from tasksync.calendar.imports import DEFAULT_INBOX
from tasksync.calendar.twoway import describe, run_sync
from tasksync.cli.exports import (
    ICS_DEFAULT_STATUSES,
    CalendarMemo,
    build_calendar,
    export_time,
    remembered_calendar,
)
from tasksync.cli.render import printable
from tasksync.config import load_vault_config
from tasksync.errors import UsageError
from tasksync.index.store import Store
from tasksync.index.watching import a_folder_appeared, worth_a_look
from tasksync.write.files import NoReader, write_export
from tasksync.write.lock import vault_lock


@dataclass(frozen=True)
class CaldavSettings:
    url: str
    calendar: str | None  # None: the URL names the calendar, else the default one
    user: str | None
    inbox: str
    poll: float


def _caldav_settings(app: AppContext, url: str | None, calendar: str | None,
                     user: str | None) -> CaldavSettings:  # fmt: skip
    configured = load_vault_config(app.vault).get("caldav", {})
    if not isinstance(configured, dict):
        raise UsageError("[caldav] in the config must be a table (url, calendar, user, inbox)")
    url = url or configured.get("url")
    calendar = calendar or configured.get("calendar")
    user = user or configured.get("user")
    if not url:
        raise UsageError("which server? give --url or set [caldav] url in the config")
    try:
        poll = float(configured.get("poll", DEFAULT_POLL_S))
    except (TypeError, ValueError):
        raise UsageError("[caldav] poll must be a number of seconds") from None
    return CaldavSettings(str(url), str(calendar) if calendar else None,
                          str(user) if user else None,
                          str(configured.get("inbox") or DEFAULT_INBOX), poll)  # fmt: skip


def _sync_once(app: AppContext, settings: CaldavSettings, *, push: bool, pull: bool,
               all_open: bool, prefer: str) -> tuple[list[str], list[str]]:  # fmt: skip
    """One sync: the lines that describe it, and the errors (each a line)."""
    password = password_for(settings.url, settings.user)
    secrets = secret_forms(settings.url, settings.user, password)
    try:
        calendar = open_calendar(settings.url, settings.calendar, settings.user, password)
        # One sync of the vault at a time (watch --caldav and a sync by hand): two would both
        # list the server before either records what it imports, and import it twice.
        with vault_lock(app.vault, "caldav sync", app.warn, kind="caldav"), Store(app.db) as store:
            store.claim_vault(app.vault)
            outcome = run_sync(app.vault, store, app.statuses, calendar,
                               account=str(calendar.url), now=export_time(), today=app.today,
                               push=push, pull=pull, all_open=all_open, prefer=prefer,
                               people=app.people(store), inbox=settings.inbox)  # fmt: skip
    except CalDavError as exc:
        raise CalDavError(redact(str(exc), secrets)) from None
    errors = [redact(error, secrets) for error in outcome.errors]
    return [redact(line, secrets) for line in describe(outcome)], errors


def write_ics(app: AppContext, target: Path, memo: CalendarMemo | None = None,
              wait_for_reader: bool = True) -> int:  # fmt: skip
    """The default `tasksync ics` export, written atomically to ``target`` (with ``memo``,
    only the notes that changed since the last call are exported again)."""
    store, _ = app.synced_store()  # (whose index it is: checked, as every command does)
    with store:
        if memo is not None:
            data, count = remembered_calendar(app, store, memo)
        else:
            data, count, _ = build_calendar(app, store, ICS_DEFAULT_STATUSES)
    write_export(target, not_a_note(app.vault, target, "--ics"), data, wait_for_reader)
    return count


def register(cli: click.Group) -> None:
    @cli.group()
    def caldav() -> None:
        """Two-way sync with a CalDAV server (Radicale, Nextcloud, Fastmail, iCloud…).

        The password comes from $TASKSYNC_CALDAV_PASSWORD or the system keyring, never
        from a flag or the config. Settings may live in the config: [caldav] url, calendar,
        user, inbox, poll.

        \b
        Examples:
          tasksync caldav sync --url https://dav.example.com/ --user me
          tasksync caldav sync --url https://dav.example.com/me/tasks/ --prefer server
          tasksync caldav pull
        """

    def common(command: Any) -> Any:
        for option in reversed([
            click.option("--url", help="The server's CalDAV address."),
            click.option("--calendar", "calendar_name", metavar="NAME",
                         help="The calendar (created if missing). [default: the calendar the "
                              "URL names, else tasksync]"),
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
                lines, errors = _sync_once(app, settings, push=push, pull=pull,
                                           all_open=all_open, prefer=prefer)  # fmt: skip
                for line in lines:
                    click.echo(printable(line))
                for error in errors:
                    click.echo(f"error: {printable(error)}", err=True)
                if errors:  # the server keeps its version; the next sync writes it
                    sys.exit(1)

            return command

        caldav.command(name=name, help=doc)(common(make()))

    @cli.command()
    @click.option("--ics", "ics_file", type=click.Path(path_type=Path, dir_okay=False),
                  help="Rewrite this .ics file (as `tasksync ics`) on changes.")  # fmt: skip
    @click.option("--caldav", "with_caldav", is_flag=True,
                  help="Sync with the CalDAV server of the config on changes.")  # fmt: skip
    @click.option("--debounce", default=1.0, show_default=True, callback=_seconds(0, 3600),
                  help="Seconds to wait for quiet.")  # fmt: skip
    @click.option("--poll", type=float, metavar="SECONDS", callback=_seconds(0.1, 7 * 86400),
                  help="With --caldav: ask the server this often, notes changed or not. "
                       f"[default: [caldav] poll, else {DEFAULT_POLL_S:.0f}]")  # fmt: skip
    @click.pass_obj
    def watch(app: AppContext, ics_file: Path | None, with_caldav: bool, debounce: float,
              poll: float | None) -> None:  # fmt: skip
        """Keep the index (and an .ics file, and a CalDAV calendar) current as notes change.

        With --caldav the server is also asked every minute (--poll), so a task completed on
        a phone comes into the notes while the notes stay quiet. Ctrl-C stops it.

        \b
        Examples:
          tasksync watch --ics ~/Public/due.ics
          tasksync watch --caldav --poll 120
        """
        from watchfiles import watch as watch_files

        settings = _caldav_settings(app, None, None, None) if with_caldav else None
        every = poll if poll is not None else settings.poll if settings else None

        def poll_server() -> None:
            assert settings is not None
            lines, errors = _sync_once(app, settings, push=True, pull=True, all_open=False,
                                       prefer="vault")  # fmt: skip
            for line in lines:
                click.echo(f"{_stamp()} caldav: {printable(line)}", err=True)
            for error in errors:
                click.echo(f"{_stamp()} caldav error: {printable(error)}", err=True)

        memo = CalendarMemo()
        polled = time.monotonic()

        def refresh() -> None:
            nonlocal polled
            if ics_file is not None:
                count = write_ics(app, ics_file, memo, wait_for_reader=False)
                click.echo(f"{_stamp()} wrote {count} events to {ics_file}", err=True)
            else:
                store, _ = app.synced_store()
                store.close()
                click.echo(f"{_stamp()} index up to date", err=True)
            if settings is not None:
                poll_server()
                polled = time.monotonic()

        with app.open_store():  # another vault's index: refused before anything is written
            pass
        # SIGTERM (a service manager's stop) ends it as Ctrl-C does: the export under way
        # leaves no temporary file, and the exit is 0.
        signal.signal(signal.SIGTERM, signal.default_int_handler)

        def watching() -> tuple[Iterator[set[tuple[Any, str]]], tuple[int, int] | None]:
            """A watcher, running from its first tick on (a note changed while the export
            after it is made is exported again right after it), and the folder it watches."""
            seen = watch_files(app.vault, debounce=int(debounce * 1000), step=100,
                               watch_filter=worth_a_look, rust_timeout=TICK_MS,
                               yield_on_timeout=True)  # fmt: skip
            next(seen)
            return seen, _folder_identity(app.vault)

        try:
            changes_seen, watched = watching()
            try:
                refresh()
            except (NoReader, BrokenPipeError) as exc:  # a pipe's reader, not its writer's fault
                click.echo(f"{_stamp()} error: {exc}", err=True)
            click.echo(f"watching {app.vault} (Ctrl-C stops)", err=True)
            while True:
                for changes in changes_seen:
                    if _folder_identity(app.vault) != watched:
                        break  # the vault folder is gone, or another is in its place
                    try:
                        if changes:
                            refresh()
                        if a_folder_appeared(changes):
                            time.sleep(max(debounce, 0.2))
                            refresh()
                        elif settings is not None and every and \
                                time.monotonic() - polled >= every:  # fmt: skip
                            poll_server()  # quiet notes: the server may have news
                            polled = time.monotonic()
                    except Exception as exc:  # a settings file caught mid-save too: said, and
                        # read again at the next change
                        click.echo(f"{_stamp()} error: {redact(str(exc))}", err=True)
                else:
                    break
                # A restore, a sync tool or a new clone put the vault back as a new folder: the
                # watcher of the old one would see nothing of it again.
                changes_seen.close()  # type: ignore[attr-defined]
                click.echo(f"{_stamp()} the vault folder is gone: waiting for it", err=True)
                while _folder_identity(app.vault) is None:
                    time.sleep(TICK_MS / 1000)
                changes_seen, watched = watching()
                refresh()
                click.echo(f"watching {app.vault} again", err=True)
        except KeyboardInterrupt:
            pass
        click.echo("stopped", err=True)
        sys.stdout.flush()


DEFAULT_POLL_S = 60.0
TICK_MS = 200  # how often watch wakes when nothing changes (to ask a server when it is time)


def _folder_identity(folder: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None


def _seconds(low: float, high: float) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback: a number of seconds from ``low`` to ``high`` (not NaN)."""

    def check(_ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None and not low <= value <= high:  # (NaN is in no range)
            raise click.BadParameter(f"{value} is not a number of seconds from {low} to {high}",
                                     param=param)  # fmt: skip
        return value

    return check


def _stamp() -> str:
    return datetime.now(UTC).astimezone().strftime("%H:%M:%S")
