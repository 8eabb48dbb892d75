"""A damaged index made anew (`scan --rebuild`), keeping what can still be read of it.

The index is a cache of the notes but for three things: the undo journal, the CalDAV sync
state and which vault it is of. A fresh file is made beside the damaged one and given what
of these reads back whole; it then takes the damaged one's place. The journal is all or
nothing — an undo made from part of it could write what the user never had — and when
anything could not be read, the damaged file is kept aside (named in the message), else
removed.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from tasksync.index.store import IndexFileError, Store, is_damage

JOURNAL_TABLES = ("batches", "changes", "batch_notes")
_SIDE_FILES = ("-wal", "-shm", "-journal")
_VAULT_KEYS = "key IN ('vault', 'vault_key')"  # which vault the index is of


@dataclass
class Rebuilt:
    """What a rebuild could not carry over, and where the damaged file was kept."""

    lost: list[str] = field(default_factory=list)  # "the undo journal", "the CalDAV sync state"
    damaged_copy: Path | None = None


def rebuild(db: Path) -> Rebuilt | None:
    """`scan --rebuild`: a sound index has its cache emptied in place (None); a damaged one
    is made anew (``rebuild_damaged``)."""
    try:
        with Store(db) as store:
            store.drop_cache()
            if store.conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]:
                return None
    except IndexFileError as exc:
        if not exc.damaged:
            raise
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise
    return rebuild_damaged(db)


def rebuild_damaged(db: Path) -> Rebuilt:
    """Make the index ``db`` anew from what of it can be read (see the module's docstring)."""
    fresh = db.with_name(db.name + ".rebuilding")
    _remove(fresh)
    rebuilt = Rebuilt()
    old = _open(db)
    try:
        with Store(fresh) as new:
            if not _carry(old, new.conn, JOURNAL_TABLES):
                rebuilt.lost.append("the undo journal")
            if not _carry(old, new.conn, ("caldav_state",)):
                rebuilt.lost.append("the CalDAV sync state")
            _carry(old, new.conn, ("meta",), where=_VAULT_KEYS)
            new.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the one file
    finally:
        if old is not None:
            old.close()
    _remove(fresh, main_file=False)
    if rebuilt.lost:
        rebuilt.damaged_copy = db.with_name(f"{db.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", *_SIDE_FILES):
            with suppress(FileNotFoundError):
                os.replace(f"{db}{suffix}", f"{rebuilt.damaged_copy}{suffix}")
    else:
        _remove(db)
    os.replace(fresh, db)
    return rebuilt


def _open(db: Path) -> sqlite3.Connection | None:
    """The damaged file, to read what it still holds; None when it will not open at all."""
    conn = None
    try:
        conn = sqlite3.connect(db, timeout=5)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError:
        if conn is not None:
            conn.close()
        return None


def _carry(old: sqlite3.Connection | None, new: sqlite3.Connection, tables: Iterable[str],
           where: str = "") -> bool:  # fmt: skip
    """Copy ``tables`` from ``old`` into ``new`` — all of them whole, or none: whether they
    were (a table the old file never had counts as carried, empty)."""
    if old is None:
        return False
    copies: list[tuple[str, list[tuple[object, ...]]]] = []
    try:
        for table in tables:
            columns = _common_columns(old, new, table)
            if not columns:
                continue
            if not _intact(old, table):
                return False
            select = f'SELECT {", ".join(columns)} FROM "{table}"'
            rows = old.execute(f"{select} WHERE {where}" if where else select).fetchall()
            insert = (f'INSERT OR REPLACE INTO "{table}" ({", ".join(columns)}) '
                      f'VALUES ({", ".join("?" * len(columns))})')  # fmt: skip
            copies.append((insert, rows))
    except sqlite3.DatabaseError:
        return False
    with new:
        for insert, rows in copies:
            new.executemany(insert, rows)
    return True


def _common_columns(old: sqlite3.Connection, new: sqlite3.Connection, table: str) -> list[str]:
    had = {row[1] for row in old.execute(f'PRAGMA table_info("{table}")')}
    return [row[1] for row in new.execute(f'PRAGMA table_info("{table}")') if row[1] in had]


def _intact(old: sqlite3.Connection, table: str) -> bool:
    """Whether SQLite finds ``table`` (and its indexes) sound; True where it cannot check one
    table alone (SQLite before 3.33): then reading every row back is the only test."""
    try:
        found = old.execute(f'PRAGMA integrity_check("{table}")').fetchall()
    except sqlite3.OperationalError:
        return True
    return found == [("ok",)]


def _remove(db: Path, main_file: bool = True) -> None:
    for suffix in ("",) * main_file + _SIDE_FILES:
        with suppress(FileNotFoundError):
            os.unlink(f"{db}{suffix}")
