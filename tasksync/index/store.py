"""The SQLite index (a cache of the vault: delete it at any time). Only this module writes it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tasksync.errors import TasksyncError
from tasksync.model import LineChange
from tasksync.read.records import LIST_KEYS, RAW, RECORD_KEYS, Record, row_record

if TYPE_CHECKING:
    from sqlite_utils import Database

    from tasksync.read.reader import NoteScan

SCHEMA_VERSION = 6
BUSY_TIMEOUT_S = 60.0

_INTEGER_COLUMNS = frozenset(("line",))
# The schema, written out: creating it is on every first scan's critical path, and plain DDL
# spares that path the import of sqlite-utils (which reads the index's rows as dicts).
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE notes (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, hash TEXT, "
    "encoding TEXT, bom INTEGER, newline TEXT, final_newline INTEGER, person TEXT, aliases TEXT)",
    "CREATE TABLE tasks (id TEXT PRIMARY KEY, "
    + ", ".join(f"{k} {'INTEGER' if k in _INTEGER_COLUMNS else 'TEXT'}" for k in RECORD_KEYS[1:])
    + ")",
    "CREATE INDEX tasks_by_place ON tasks (path, line)",  # a note's tasks, in order
    "CREATE INDEX tasks_by_status ON tasks (status_type, problems)",  # counts without the rows
    "CREATE TABLE caldav (uid TEXT PRIMARY KEY, task TEXT, href TEXT, etag TEXT, vault_fp TEXT, "
    "server_fp TEXT)",
    "CREATE TABLE batches (id INTEGER PRIMARY KEY, time TEXT, command TEXT, undone INTEGER)",
    "CREATE TABLE changes (batch INTEGER, seq INTEGER, path TEXT, line INTEGER, before TEXT, "
    "after TEXT, task TEXT, PRIMARY KEY (batch, seq))",
)
_INSERT_TASK = (
    f"INSERT OR REPLACE INTO tasks ({', '.join(RECORD_KEYS)}) "
    f"VALUES ({', '.join('?' for _ in RECORD_KEYS)})"
)
# A task's record as JSON, made by SQLite (in C) when listed, in RECORD_KEYS order.
_RECORD_JSON = "json_object(" + ", ".join(
    f"'{key}', json({key})" if key in LIST_KEYS else f"'{key}', {key}" for key in RECORD_KEYS
) + ")"  # fmt: skip
_SELECT_ROWS = f"SELECT {', '.join(RECORD_KEYS)} FROM tasks WHERE path = ?"


class IndexFileError(TasksyncError):
    EXIT_CODE = 4


class IdError(TasksyncError):
    EXIT_CODE = 5


@dataclass(frozen=True, slots=True)
class CaldavState:
    """What the last CalDAV sync left for one task: where it is, and both sides' fingerprints."""

    uid: str
    task: str
    href: str
    etag: str
    vault_fp: str
    server_fp: str


@dataclass(frozen=True, slots=True)
class NoteState:
    mtime_ns: int
    size: int
    hash: str


class Store:
    """The index file of one vault."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
            self._prepare()
        except sqlite3.DatabaseError as exc:
            raise IndexFileError(f"cannot open the index {path}: {exc}") from None
        except OSError as exc:
            raise IndexFileError(f"cannot create the index {path}: {exc.strerror or exc}") from None

    @cached_property
    def db(self) -> Database:
        """sqlite-utils on the same connection, for reading rows as dicts. Made on first use:
        a sync (the hot path) uses the connection directly and spares its import time."""
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False)  # no plugin may change the index

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------

    def _prepare(self) -> None:
        # Bigger pages (for a new file; an existing one keeps its own): fewer B-tree pages
        # to split and log while a first scan inserts 50,000 rows (measured: 20% less time).
        self.conn.execute("PRAGMA page_size=16384")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        with self.write():
            if self._schema_version() != SCHEMA_VERSION:
                tables = "SELECT name FROM sqlite_master WHERE type = 'table'"
                for (name,) in self.conn.execute(tables).fetchall():  # an older index: rebuilt
                    self.conn.execute(f'DROP TABLE "{name}"')
                self._create()

    def _schema_version(self) -> int | None:
        exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        if self.conn.execute(exists).fetchone() is None:
            return None
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else None

    def _create(self) -> None:
        for statement in _SCHEMA:
            self.conn.execute(statement)
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
        )

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction; a second writer waits for it (up to a minute)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise IndexFileError(
                f"the index is busy (another tasksync is writing it): {exc}"
            ) from None
        try:
            yield
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.execute("COMMIT")

    # -- notes ----------------------------------------------------------------------------

    def note_states(self) -> dict[str, NoteState]:
        return {
            path: NoteState(mtime_ns, size, digest)
            for path, mtime_ns, size, digest in self.conn.execute(
                "SELECT path, mtime_ns, size, hash FROM notes"
            )
        }

    def apply_scans(self, scans: Iterable[NoteScan], deleted: Iterable[str]) -> None:
        """Record what a sync found; call inside ``write()``."""
        conn = self.conn
        for path in deleted:
            conn.execute("DELETE FROM tasks WHERE path = ?", (path,))
            conn.execute("DELETE FROM notes WHERE path = ?", (path,))
        for scan in scans:
            if scan.unchanged:
                conn.execute("UPDATE notes SET mtime_ns = ?, size = ? WHERE path = ?",
                             (scan.mtime_ns, scan.size, scan.rel))  # fmt: skip
                continue
            if scan.unreadable:
                conn.execute("DELETE FROM tasks WHERE path = ?", (scan.rel,))
                conn.execute("DELETE FROM notes WHERE path = ?", (scan.rel,))
                continue
            conn.execute(
                "INSERT OR REPLACE INTO notes (path, mtime_ns, size, hash, encoding, bom, newline, "
                "final_newline, person, aliases) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (scan.rel, scan.mtime_ns, scan.size, scan.hash, scan.encoding, int(scan.bom),
                 scan.newline, int(scan.final_newline), scan.person,
                 json.dumps(scan.aliases, ensure_ascii=False)),
            )  # fmt: skip
            if scan.new:
                conn.executemany(_INSERT_TASK, scan.rows)
                continue
            # Write only what differs: after an edit, most of a note's tasks are unchanged.
            old = {row[0]: row for row in conn.execute(_SELECT_ROWS, (scan.rel,))}
            new_ids = {row[0] for row in scan.rows}
            gone = [(key,) for key in old if key not in new_ids]
            if gone:
                conn.executemany("DELETE FROM tasks WHERE id = ?", gone)
            conn.executemany(_INSERT_TASK, [row for row in scan.rows if old.get(row[0]) != row])

    def previous_rows(self, path: str) -> dict[str, tuple[Any, ...]]:
        """The note's indexed task lines: raw line -> the task's row."""
        return {row[RAW]: row for row in self.conn.execute(_SELECT_ROWS, (path,))}

    # -- caldav sync state -------------------------------------------------------------------

    def caldav_states(self) -> dict[str, CaldavState]:
        rows = self.conn.execute(
            "SELECT uid, task, href, etag, vault_fp, server_fp FROM caldav"
        ).fetchall()
        return {row[0]: CaldavState(*row) for row in rows}

    def set_caldav_state(self, state: CaldavState) -> None:
        with self.write():
            self.conn.execute(
                "INSERT OR REPLACE INTO caldav (uid, task, href, etag, vault_fp, server_fp) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (state.uid, state.task, state.href, state.etag, state.vault_fp, state.server_fp),
            )

    def drop_caldav_state(self, uid: str) -> None:
        with self.write():
            self.conn.execute("DELETE FROM caldav WHERE uid = ?", (uid,))

    # -- journal --------------------------------------------------------------------------

    def record_batch(self, command: str, changes: list[LineChange]) -> int:
        """Journal one batch of note edits (for ``undo`` and ``log``); return its number."""
        with self.write():
            cursor = self.conn.execute(
                "INSERT INTO batches (time, command, undone) VALUES (?, ?, 0)",
                (datetime.now(UTC).isoformat(timespec="seconds"), command),
            )
            batch = int(cursor.lastrowid or 0)
            self.conn.executemany(
                "INSERT INTO changes (batch, seq, path, line, before, after, task) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(batch, seq, c.path, c.line, json.dumps(c.before, ensure_ascii=False),
                  json.dumps(c.after, ensure_ascii=False), c.task_id)
                 for seq, c in enumerate(changes)],
            )  # fmt: skip
        return batch

    def batches(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT b.id, b.time, b.command, b.undone, count(c.seq) AS changes FROM batches b "
            "LEFT JOIN changes c ON c.batch = b.id GROUP BY b.id ORDER BY b.id DESC LIMIT ?",
            (limit,),
        )
        return list(rows)

    def last_batch(self) -> tuple[int, str, list[LineChange]] | None:
        """The newest batch not yet undone, with its changes."""
        rows = list(
            self.db.query(
                "SELECT id, command FROM batches WHERE undone = 0 ORDER BY id DESC LIMIT 1"
            )
        )
        if not rows:
            return None
        batch = rows[0]["id"]
        changes = [
            LineChange(r["path"], r["line"], tuple(json.loads(r["before"])),
                       tuple(json.loads(r["after"])), r["task"])
            for r in self.db.query("SELECT * FROM changes WHERE batch = ? ORDER BY seq", (batch,))
        ]  # fmt: skip
        return batch, rows[0]["command"], changes

    def mark_undone(self, batch: int) -> None:
        with self.write():
            self.conn.execute("UPDATE batches SET undone = 1 WHERE id = ?", (batch,))

    # -- tasks ----------------------------------------------------------------------------

    def _select(self, columns: str, status_types: Iterable[str] | None,
                path_contains: str | None) -> tuple[str, list[str]]:  # fmt: skip
        sql = f"SELECT {columns} FROM tasks"
        where, params = [], []
        if status_types is not None:
            types = list(status_types)
            where.append(f"status_type IN ({', '.join('?' for _ in types)})")
            params.extend(types)
        if path_contains:
            where.append("instr(lower(path), lower(?)) > 0")
            params.append(path_contains)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql + " ORDER BY path, line", params

    def records(self, status_types: Iterable[str] | None = None,
                path_contains: str | None = None) -> list[Record]:  # fmt: skip
        sql, params = self._select(", ".join(RECORD_KEYS), status_types, path_contains)
        return [row_record(row) for row in self.db.query(sql, params)]

    def records_as_json(
        self, status_types: Iterable[str] | None = None, path_contains: str | None = None
    ) -> list[tuple[str | None, str, str]]:
        """(owner, tags as JSON, the record as JSON) per task: what ``list --json`` needs."""
        sql, params = self._select(f"owner, tags, {_RECORD_JSON}", status_types, path_contains)
        return self.conn.execute(sql, params).fetchall()

    def counts(self) -> tuple[dict[str, int], int]:
        """Tasks per status type, and how many have problems (one pass over the table)."""
        rows = self.conn.execute(
            "SELECT status_type, count(*), sum(problems != '[]') FROM tasks GROUP BY status_type"
        ).fetchall()
        return {kind: n for kind, n, _ in rows}, sum(bad for _, _, bad in rows)

    def people(self) -> list[tuple[str, str, list[str]]]:
        """(note path, name, aliases) of every person note."""
        rows = self.conn.execute(
            "SELECT path, person, aliases FROM notes WHERE person IS NOT NULL ORDER BY path"
        ).fetchall()
        return [(path, name, json.loads(aliases or "[]")) for path, name, aliases in rows]

    def note_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM notes").fetchone()[0])

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one task whose id starts with ``prefix`` (as git does)."""
        key = prefix.strip().lower()
        if not key or any(c not in "0123456789abcdef" for c in key):
            raise IdError(f"not a task id: {prefix!r}")
        rows = [r["id"] for r in self.db.query(
            "SELECT id FROM tasks WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            (key, key + "g"),
        )]  # fmt: skip
        if not rows:
            raise IdError(f"no task with id {prefix}")
        if len(rows) > 1:
            shown = ", ".join(rows[:5]) + (", …" if len(rows) > 5 else "")
            raise IdError(f"task id {prefix} is ambiguous: {shown}")
        return str(rows[0])

    def record(self, task_key: str) -> Record:
        rows = list(self.db.query("SELECT * FROM tasks WHERE id = ?", (task_key,)))
        if not rows:
            raise IdError(f"no task with id {task_key}")
        return row_record(rows[0])
