"""The state every command shares: which vault, which index, which day it is."""

from __future__ import annotations

import os
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click
import platformdirs

from tasksync.config import load_me, load_people_folder, load_status_table
from tasksync.errors import UsageError
from tasksync.index.store import Store, find_moved_index
from tasksync.index.sync import SyncReport, sync
from tasksync.model import StatusTable
from tasksync.query.people import People
from tasksync.read.vault import check_vault, is_note_path


def not_a_note(vault: Path, path: Path, what: str) -> Path:
    """``path`` with its links followed (a file written there replaces what the link
    points to, and the link stays) — refused when that is a note of the vault: tasksync
    writes notes only as journaled, undoable batches of task lines."""
    real = Path(os.path.realpath(path))
    root = os.path.realpath(vault)
    with suppress(ValueError):
        if os.path.commonpath([root, real]) == root and is_note_path(
            os.path.relpath(real, root).replace(os.sep, "/")
        ):
            raise UsageError(f"{what} {path} is a note of the vault; give a file outside "
                             "the vault's notes")  # fmt: skip
    return real


def load_people(vault: Path, store: Store) -> People:
    """The vault's people (person notes) and who is me, from the index and the config."""
    folder = load_people_folder(vault)
    persons = [(name, aliases) for path, name, aliases in store.people()
               if folder is None or path.startswith(folder)]  # fmt: skip
    return People.build(persons, load_me(vault))


def default_db_path(vault: Path) -> Path:
    """A per-vault index file in the user's data folder, never inside the vault.

    Its name comes from the vault's path; a vault folder renamed or moved finds its index
    again (the one whose vault is gone and which knows most of this vault's notes), so the
    tasks keep their ids, the undo journal and the CalDAV sync state."""
    import hashlib  # here: with --db or $TASKSYNC_DB, a run needs no hashing at all

    real = os.path.realpath(vault)
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(real).name) or "vault"
    path = platformdirs.user_data_path("tasksync") / f"{name}-{digest}.sqlite"
    if not path.exists() and os.path.isdir(real):
        moved = find_moved_index(path.parent, Path(real))
        if moved is not None:
            for suffix in ("", "-wal", "-shm"):
                with suppress(FileNotFoundError):
                    os.replace(f"{moved}{suffix}", f"{path}{suffix}")
    return path


class LazyProgress:
    """A progress bar on stderr that appears only once a scan has taken about a second,
    and only when stdout is a terminal (scripts and pipes stay quiet)."""

    DELAY_S = 1.0

    def __init__(self) -> None:
        self.enabled = sys.stdout.isatty()
        self.started = time.monotonic()
        self.bar: Any = None  # a rich Progress, made (and imported) only when needed
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.DELAY_S:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("indexing notes"), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self.bar.start()
            self.task = self.bar.add_task("index", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@dataclass
class AppContext:
    vault: Path
    db: Path
    fixed_today: date | None = None
    notice: str | None = None  # said once, when the vault is first used

    @property
    def today(self) -> date:
        return self.fixed_today or date.today()

    @property
    def statuses(self) -> StatusTable:
        return load_status_table(self.vault)

    def people(self, store: Store) -> People:
        return load_people(self.vault, store)

    def warn(self, message: str) -> None:
        click.echo(f"warning: {message}", err=True)

    def open_store(self) -> Store:
        """The vault's index as it is (not brought up to date): what the user last saw
        listed. A batch a killed writer left half-done is settled first."""
        vault = check_vault(self.vault)
        if self.notice:
            self.warn(self.notice)
            self.notice = None
        store = Store(self.db)
        try:
            store.claim_vault(vault)
            if store.has_pending_batches():  # else a read needs none of the writing code
                from tasksync.write.actions import recover_if_idle

                for message in recover_if_idle(vault, store):
                    self.warn(message)
        except BaseException:
            store.close()
            raise
        return store

    def bring_up_to_date(self, store: Store) -> SyncReport:
        """Read the notes that changed since the index last saw them."""
        progress = LazyProgress()
        try:
            report = sync(self.vault, store, load_status_table(self.vault), progress)
        finally:
            progress.close()
        for warning in report.warnings:
            self.warn(warning)
        return report

    def synced_store(self) -> tuple[Store, SyncReport]:
        """The vault's index, brought up to date (only changed notes are read)."""
        store = self.open_store()
        try:
            report = self.bring_up_to_date(store)
        except BaseException:
            store.close()
            raise
        return store, report
