"""The SQLite index (a cache of the vault: delete it at any time). Only this module and its
journal part (journal.py, a mixin of ``Store``) write it."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tasksync.errors import TasksyncError
from tasksync.ids import ID_LENGTH, IdParts, Known, carry_ids
from tasksync.index.journal import Journal
from tasksync.read.records import (
    DESCRIPTION,
    LIST_KEYS,
    RAW,
    RECORD_KEYS,
    TASK_ID,
    Record,
    row_record,
    tuple_record,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

    from tasksync.read.reader import NoteScan

SCHEMA_VERSION = 16  # 16: a blank Dataview `[repeat:: ]` is read off the line: reread
STREAMED_AT_ONCE = 256  # rows read together by ``stream_records``
BUSY_TIMEOUT_S = 60.0

_INTEGER_COLUMNS = frozenset(("line",))
# The write-ahead journal. A batch is written here, with each note's content hash before and
# after, before the first note is touched ('pending'); each note is marked once renamed into
# place; a batch whose writer died stays 'pending' until the next writer settles it by the
# notes' hashes. `undoes` names the batch an undo reverted (undo batches are not undone).
_JOURNAL_SCHEMA = (
    "CREATE TABLE batches (id INTEGER PRIMARY KEY, time TEXT, command TEXT, undone INTEGER, "
    "state TEXT DEFAULT 'done', undoes INTEGER)",
    "CREATE TABLE changes (batch INTEGER, seq INTEGER, path TEXT, line INTEGER, before TEXT, "
    "after TEXT, task TEXT, undone INTEGER DEFAULT 0, twinned INTEGER DEFAULT 0, "
    "PRIMARY KEY (batch, seq))",
    "CREATE INDEX changes_by_note ON changes (batch, path)",
    "CREATE TABLE batch_notes (batch INTEGER, path TEXT, before_hash TEXT, after_hash TEXT, "
    "written INTEGER DEFAULT 0, before_content BLOB, made_folders INTEGER DEFAULT 0, "
    "PRIMARY KEY (batch, path))",
)
# Columns later versions added to tables an older index keeps (its journal and sync state).
_ADDED_COLUMNS = {
    "batches": ("state TEXT DEFAULT 'done'", "undoes INTEGER"),
    "changes": ("undone INTEGER DEFAULT 0", "twinned INTEGER DEFAULT 0"),
    "batch_notes": ("before_content BLOB", "made_folders INTEGER DEFAULT 0"),
}
_KEPT_TABLES = frozenset(("batches", "changes", "batch_notes", "caldav_state", "caldav"))
# The schema, written out: creating it is on every first scan's critical path, and plain DDL
# spares that path the import of sqlite-utils (which reads the index's rows as dicts).
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
    "CREATE TABLE notes (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, hash TEXT, "
    "encoding TEXT, bom INTEGER, newline TEXT, final_newline INTEGER, person TEXT, aliases TEXT)",
    # The id is unique by an index of its own, not the primary key: a scan that loads most of
    # the vault drops it and builds it once at the end (see ``drop_id_index``).
    "CREATE TABLE tasks (id TEXT NOT NULL, "
    + ", ".join(f"{k} {'INTEGER' if k in _INTEGER_COLUMNS else 'TEXT'}" for k in RECORD_KEYS[1:])
    + ")",
    "CREATE UNIQUE INDEX tasks_by_id ON tasks (id)",
    "CREATE INDEX tasks_by_place ON tasks (path, line)",  # a note's tasks, in order
    "CREATE INDEX tasks_by_status ON tasks (status_type, problems)",  # counts without the rows
    # The text of calendar entries made before, by a hash of the task and the options.
    "CREATE TABLE ics_cache (key TEXT PRIMARY KEY, text BLOB)",
    # What the last CalDAV sync saw of each task, per account (server URL and calendar): the
    # fields both sides agreed on then (the base of a three-way merge), and the kind of entry.
    "CREATE TABLE caldav_state (account TEXT, uid TEXT, task TEXT, base TEXT, kind TEXT, "
    "PRIMARY KEY (account, uid))",
    *_JOURNAL_SCHEMA,
)
_INSERT_TASK = (
    f"INSERT OR REPLACE INTO tasks ({', '.join(RECORD_KEYS)}) "
    f"VALUES ({', '.join('?' for _ in RECORD_KEYS)})"
)
_INSERT_TASK_NEW = _INSERT_TASK.replace(" OR REPLACE", "")
# A task's record as JSON, made by SQLite (in C) when listed, in RECORD_KEYS order.
_RECORD_JSON = "json_object(" + ", ".join(
    f"'{key}', json({key})" if key in LIST_KEYS else f"'{key}', {key}" for key in RECORD_KEYS
) + ")"  # fmt: skip
_SELECT_COLUMNS = f"SELECT {', '.join(RECORD_KEYS)} FROM tasks"
_SELECT_ROWS = f"{_SELECT_COLUMNS} WHERE path = ?"
_ID_INDEX = next(statement for statement in _SCHEMA if "tasks_by_id" in statement)
Rewritten = list[tuple[tuple[Any, ...], tuple[Any, ...]]]  # changed tasks' rows: new, old


def _short(text: str | None) -> str:
    words = " ".join((text or "").split())
    return words if len(words) <= 40 else words[:39] + "…"


def _most_alike(rows: list[tuple[Any, ...]], gone: dict[str, list[tuple[Any, ...]]]) -> str | None:
    """The gone note with the most of these task lines, if it has at least half of them."""
    lines = {row[RAW] for row in rows}
    best, best_count = None, 0
    for path, old in gone.items():
        count = len(lines & {row[RAW] for row in old})
        if count > best_count:
            best, best_count = path, count
    return best if best_count * 2 >= len(lines) else None


def find_moved_index(folder: Path, vault: Path) -> Path | None:
    """In ``folder``, the index of a vault that is gone from where it was and that knows
    most of ``vault``'s notes: the same vault, renamed or moved."""
    from tasksync.read.vault import iter_notes

    candidates = []
    for path in folder.glob("*.sqlite"):
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'vault'").fetchone()
                if row is None or os.path.exists(row[0]):
                    continue
                known = {p for (p,) in conn.execute("SELECT path FROM notes")}
            finally:
                conn.close()
        except sqlite3.Error:
            continue
        candidates.append((path, known))
    if not candidates:
        return None
    here = {note.rel for note in iter_notes(vault)}
    best, best_share = None, 0.0
    for path, known in candidates:
        share = len(here & known) / max(len(here | known), 1)
        if share > best_share:
            best, best_share = path, share
    return best if best_share >= 0.5 else None


class IndexFileError(TasksyncError):
    EXIT_CODE = 4

    def __init__(self, message: str, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged  # the file is damaged (not full, read-only or locked)


REBUILD_HINT = "`tasksync scan --rebuild` makes it anew, keeping the undo journal if it can be read"


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's error says the file is damaged — not a full disk, a read-only or
    locked file, or a folder it cannot open."""
    words = ("readonly", "read-only", "disk", "full", "unable to open", "locked", "I/O")
    return not (isinstance(exc, sqlite3.OperationalError) and any(w in str(exc) for w in words))


class IdError(TasksyncError):
    EXIT_CODE = 5


@dataclass(frozen=True, slots=True)
class SyncState:
    """What the last CalDAV sync left for one UID: the task it is, the fields both sides
    agreed on then, and what kind of entry it is: 'synced'; 'deleted' (deleted on the server:
    not sent again); 'hidden' (a near-duplicate shown by another UID, named in ``base``);
    'left' (left on the server); 'importing' (a server task whose inbox line is being written)."""

    uid: str
    task: str
    base: dict[str, Any] | None
    kind: str = "synced"


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


@dataclass(frozen=True, slots=True)
class NoteState:
    mtime_ns: int
    size: int
    hash: str


class Store(Journal):
    """The index file of one vault."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
            self._prepare()
            self._identity = _identity(path)
        except sqlite3.DatabaseError as exc:
            damaged = is_damage(exc)
            raise IndexFileError(
                f"cannot open the index {path}: {exc}" + (f"; {REBUILD_HINT}" if damaged else ""),
                damaged,
            ) from None
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
        self._use_wal()
        self.conn.execute("PRAGMA synchronous=NORMAL")
        if self._is_current():  # the common case, answered without a write transaction
            return
        with self.write():
            version = self._schema_version()
            kept: list[tuple[str, str]] = []
            if version not in (None, SCHEMA_VERSION):
                # Another version: the cache is rebuilt (every note read again); the journal,
                # the CalDAV sync state and which vault this is are kept, with the columns
                # they lack added.
                kept = self.conn.execute(
                    "SELECT key, value FROM meta WHERE key IN ('vault', 'vault_key')"
                ).fetchall()
                for name in self._tables() - _KEPT_TABLES:
                    self.conn.execute(f'DROP TABLE "{name}"')
                self._add_missing_columns()
            self._create_missing()
            self.conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", kept)

    def _use_wal(self) -> None:
        """Switch a new index to WAL. SQLite answers "locked" at once, without waiting,
        when another process holds the file meanwhile (two tasksync started together on a
        new index): try again until BUSY_TIMEOUT_S, as every other statement waits."""
        deadline, pause = time.monotonic() + BUSY_TIMEOUT_S, 0.005
        while True:
            try:
                (mode,) = self.conn.execute("PRAGMA journal_mode").fetchone()
                if str(mode).lower() != "wal":
                    self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    def _add_missing_columns(self) -> None:
        tables = self._tables()
        for table, columns in _ADDED_COLUMNS.items():
            if table not in tables:
                continue
            have = {row[1] for row in self.conn.execute(f'PRAGMA table_info("{table}")')}
            for column in columns:
                if column.split()[0] not in have:
                    self.conn.execute(f'ALTER TABLE "{table}" ADD COLUMN {column}')

    def _tables(self) -> set[str]:
        rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows}

    def _is_current(self) -> bool:
        expected = {statement.split()[2] for statement in _SCHEMA if "TABLE" in statement}
        return expected <= self._tables() and self._schema_version() == SCHEMA_VERSION

    def _schema_version(self) -> int | None:
        if "meta" not in self._tables():
            return None
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            return int(row[0]) if row else None
        except ValueError:
            return None

    def _create_missing(self) -> None:
        """Create what is missing: a new index, or a damaged one (a table dropped). When the
        notes or tasks table was lost, every note is read again; the journal is kept."""
        tables = self._tables()
        if not {"notes", "tasks"} <= tables:
            for name in ("notes", "tasks"):
                self.conn.execute(f'DROP TABLE IF EXISTS "{name}"')
        for statement in _SCHEMA:
            self.conn.execute(statement.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")
                              .replace("INDEX", "INDEX IF NOT EXISTS"))  # fmt: skip
        if "caldav" in tables:  # the sync state of before: its tasks, with no base to merge on
            self.conn.execute(
                "INSERT OR IGNORE INTO caldav_state (account, uid, task, base, kind) "
                "SELECT '', uid, task, NULL, 'synced' FROM caldav"
            )
            self.conn.execute("DROP TABLE caldav")
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def reading_settings(self) -> str | None:
        """The fingerprint of the reading settings the index was built with."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'reading'").fetchone()
        return str(row[0]) if row else None

    def settle_reading(self, fingerprint: str) -> None:
        """The index was built with the vault's reading settings (statuses, global filter) of
        ``fingerprint``; other settings make it stale: every note is read again."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'reading'").fetchone()
        if row is not None and row[0] == fingerprint:
            return
        if row is not None:
            self.drop_cache()
        with self.write():
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('reading', ?)",
                              (fingerprint,))  # fmt: skip

    def drop_cache(self) -> None:
        """Forget every note and task (the next sync reads the whole vault again)."""
        with self.write():
            for name in ("notes", "tasks"):
                self.conn.execute(f'DROP TABLE IF EXISTS "{name}"')
            self._create_missing()

    def claim_vault(self, vault: Path) -> None:
        """Remember which vault this index is of; refuse another vault's index.

        A vault folder that was renamed or moved (its old path gone) keeps its index."""
        real = os.path.realpath(vault)
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'vault'").fetchone()
        if row is not None and row[0] == real and self.vault_key() is not None:
            return
        if row is not None and os.path.isdir(row[0]) and not os.path.samefile(row[0], real):
            raise IndexFileError(
                f"the index {self.path} belongs to the vault {row[0]}, not {real}; "
                "give this vault its own --db"
            )
        with self.write():
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('vault', ?)",
                              (real,))  # fmt: skip
            # The key of the vault's calendar UIDs: its folder's name when first seen (as
            # UIDs were always made), kept when the folder is renamed.
            self.conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('vault_key', ?)",
                              (Path(real).name,))  # fmt: skip

    def is_gone(self) -> bool:
        """Whether the index file was deleted or replaced since it was opened (what this
        store writes then goes nowhere: its journal with it)."""
        return _identity(self.path) != self._identity

    def vault_key(self) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'vault_key'").fetchone()
        return str(row[0]) if row else None

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction; a second writer waits for it (up to a minute)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise  # read-only, a full disk …: said as it is (cli.main)
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

    # -- the id index -----------------------------------------------------------------------
    # Task ids are hashes: each of a scan's short transactions would write a random page of
    # the id index per task, and more of them the bigger the index grows (a cold scan of
    # 500,000 tasks wrote 23 GB). A scan that loads most of the vault drops the index, its
    # workers append rows (a note's old rows found by path), and the index is built in one
    # sort at the end; a scan cut short leaves it missing, and the next sync builds it.

    def has_id_index(self) -> bool:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'tasks_by_id'"
        return self.conn.execute(sql).fetchone() is not None

    def drop_id_index(self) -> None:
        with self.write():
            self.conn.execute("DROP INDEX IF EXISTS tasks_by_id")

    def build_id_index(self) -> None:
        """Build the id index if it is missing; call inside ``write()``. A task whose id
        another task took first (by row order) gets another, as ``insert_rows`` does."""
        if self.has_id_index():
            return
        try:
            with self.savepoint():
                self.conn.execute(_ID_INDEX)
            return
        except sqlite3.IntegrityError:
            pass
        clashes = self.conn.execute(
            "SELECT rowid, id FROM tasks WHERE id IN (SELECT id FROM tasks GROUP BY id "
            "HAVING count(*) > 1) ORDER BY id, rowid"
        ).fetchall()
        first: set[str] = set()
        for rowid, key in clashes:
            if key not in first:
                first.add(key)
                continue
            self.conn.execute("UPDATE tasks SET id = ? WHERE rowid = ?",
                              (self._free_id(key), rowid))  # fmt: skip
        self.conn.execute(_ID_INDEX)

    def _free_id(self, key: str) -> str:
        salt, free = 0, key
        while self.conn.execute("SELECT 1 FROM tasks WHERE id = ?", (free,)).fetchone():
            salt += 1
            free = hashlib.blake2b(f"{key}\0{salt}".encode(), digest_size=16).hexdigest()
            free = free[:ID_LENGTH]
        return free

    def apply_scans(self, scans: Iterable[NoteScan], deleted: Iterable[str],
                    added: Iterable[str] = ()) -> None:  # fmt: skip
        """Record what a sync found; call inside ``write()``. ``added``: notes new to the index
        that worker processes wrote already. A note that seems new while another is gone may
        be that one renamed or moved: its tasks then keep their ids (``carry_renamed``)."""
        conn = self.conn
        scans, deleted = list(scans), list(deleted)
        bulk = not self.has_id_index()  # a note's rows are then replaced whole
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
            if scan.new or bulk:
                self.insert_rows(scan.rel, scan.rows, id_index=not bulk)
                continue
            # Write only what differs: after an edit, most of a note's tasks are unchanged.
            old = {row[0]: row for row in conn.execute(_SELECT_ROWS, (scan.rel,))}
            new_ids = {row[0] for row in scan.rows}
            gone = [(key,) for key in old if key not in new_ids]
            if gone:
                conn.executemany("DELETE FROM tasks WHERE id = ?", gone)
            fresh = [row for row in scan.rows if row[0] not in old]
            conn.executemany(_INSERT_TASK, [row for row in scan.rows
                                            if row[0] in old and old[row[0]] != row])  # fmt: skip
            self.insert_rows(scan.rel, fresh, whole_note=False, id_index=not bulk)
        if deleted:
            added = [*added, *(scan.rel for scan in scans if scan.new)]
            self.carry_renamed(added, deleted)
        for path in deleted:
            conn.execute("DELETE FROM tasks WHERE path = ?", (path,))
            conn.execute("DELETE FROM notes WHERE path = ?", (path,))

    def insert_rows(self, path: str, rows: list[tuple[Any, ...]], whole_note: bool = True,
                    id_index: bool | None = None) -> None:  # fmt: skip
        """Insert a note's new task rows. An id another note's task holds already (one carried
        over from a renamed note can be) is not taken over: the new task gets another.
        ``id_index``: whether the index of ids exists, when the caller knows already."""
        insert = _INSERT_TASK_NEW
        if id_index is None:
            id_index = self.has_id_index()
        if not id_index:  # a clash of ids is settled by ``build_id_index``
            if whole_note:  # another process may have indexed this note meanwhile
                self.conn.execute("DELETE FROM tasks WHERE path = ?", (path,))
            self.conn.executemany(insert, rows)
            return
        try:
            with self.savepoint():
                self.conn.executemany(insert, rows)
            return
        except sqlite3.IntegrityError:
            pass
        # Another process indexed this note meanwhile (its rows are replaced), or an id is
        # another note's (the new task gets another id).
        if whole_note:
            self.conn.execute("DELETE FROM tasks WHERE path = ?", (path,))
        for row in rows:
            self.conn.execute(insert, (self._free_id(row[0]), *row[1:]))

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self.conn.execute("SAVEPOINT part")
        try:
            yield
        except BaseException:
            # SQLite rolls a whole transaction back itself on some errors (a full disk): the
            # savepoint is gone with it, and the error that did that is the one to tell.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO part")
                self.conn.execute("RELEASE part")
            raise
        self.conn.execute("RELEASE part")

    def carry_renamed(self, added: list[str], deleted: list[str]) -> None:
        """Give the tasks of notes new to the index the ids they had in a note that is gone —
        the same note renamed or moved (the same bytes, else most of its task lines)."""
        if not added or not deleted:
            return
        hashes = dict(self.conn.execute(
            f"SELECT path, hash FROM notes WHERE path IN ({', '.join('?' * len(deleted))})",
            deleted,
        ).fetchall())  # fmt: skip
        gone = {path: self.previous_rows(path) for path in deleted}
        for path in added:
            rows = self.previous_rows(path)
            if not rows or not gone:
                continue
            row = self.conn.execute("SELECT hash FROM notes WHERE path = ?", (path,)).fetchone()
            origin = next((p for p in gone if row and hashes.get(p) == row[0]), None)
            origin = origin or _most_alike(rows, gone)
            if origin is None:
                continue
            olds = [Known(r[0], r[RAW], r[TASK_ID], r[DESCRIPTION]) for r in gone.pop(origin)]
            news = [(r[RAW], IdParts(r[TASK_ID], r[DESCRIPTION])) for r in rows]
            ids = carry_ids(path, olds, news)
            self.conn.execute("DELETE FROM tasks WHERE path = ?", (origin,))
            self.conn.execute("DELETE FROM tasks WHERE path = ?", (path,))
            self.insert_rows(path, [(key, *r[1:]) for key, r in zip(ids, rows, strict=True)])

    def note_hashes(self, paths: list[str]) -> dict[str, str]:
        """The content hash of each of these notes the index has."""
        found: dict[str, str] = {}
        for start in range(0, len(paths), 500):  # within SQLite's limit on parameters
            part = paths[start : start + 500]
            query = f"SELECT path, hash FROM notes WHERE path IN ({', '.join('?' * len(part))})"
            found.update(self.conn.execute(query, part))
        return found

    def note_hash(self, path: str) -> str | None:
        row = self.conn.execute("SELECT hash FROM notes WHERE path = ?", (path,)).fetchone()
        return None if row is None else str(row[0])

    def rows_of(self, ids: list[str]) -> dict[str, tuple[Any, ...]]:
        """The rows of these tasks, by id (those the index has)."""
        found: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(ids), 500):  # within SQLite's limit on parameters
            part = ids[start : start + 500]
            query = f"{_SELECT_COLUMNS} WHERE id IN ({', '.join('?' * len(part))})"
            found.update((row[0], row) for row in self.conn.execute(query, part))
        return found

    def take_rewritten(self, notes: list[tuple[str, int, int, str, Rewritten]]) -> None:
        """Notes tasksync rewrote line for line — each (path, mtime_ns, size, hash, rows):
        their new stat and hash, and the rows of the lines changed, each new with the
        index's old one (the same id); their other rows stay as they are. Only the columns
        that differ are written (an accept changes a task's status, tags and line, not its
        place: the other indexes are left alone). Call inside ``write()``."""
        by_columns: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
        for *_, rows in notes:
            for new, old in rows:
                changed = tuple(i for i, (a, b) in enumerate(zip(new, old, strict=True))
                                if a != b)  # fmt: skip
                if changed:
                    by_columns.setdefault(changed, []).append((*(new[i] for i in changed),
                                                               new[0]))  # fmt: skip
        for changed, values in by_columns.items():
            columns = ", ".join(f"{RECORD_KEYS[i]} = ?" for i in changed)
            self.conn.executemany(f"UPDATE tasks SET {columns} WHERE id = ?", values)
        stats = [(mtime, size, digest, path) for path, mtime, size, digest, _ in notes]
        self.conn.executemany("UPDATE notes SET mtime_ns = ?, size = ?, hash = ? WHERE path = ?",
                              stats)  # fmt: skip

    def move_rows(self, path: str, places: Callable[[int], int | None],
                  fresh: Mapping[int, Sequence[Any]] | None = None) -> None:  # fmt: skip
        """Put the note's task rows where ``places`` says their lines went (None: the line
        is gone, and the row with it) — a changed line's row made anew from ``fresh`` (rows
        by the line before) — ahead of the sync that reads the note again: its ids then
        follow the places (see ``ids.carry_ids``). Call inside ``write()``."""
        rows = self.conn.execute("SELECT id, line FROM tasks WHERE path = ?", (path,)).fetchall()
        moved = [(places(line), key) for key, line in rows]
        self.conn.executemany("UPDATE tasks SET line = ? WHERE id = ?",
                              [(line, key) for line, key in moved if line is not None])  # fmt: skip
        self.conn.executemany("DELETE FROM tasks WHERE id = ?",
                              [(key,) for line, key in moved if line is None])  # fmt: skip
        if fresh:
            kept = ("id", "path", "line", "heading")
            columns = [k for k in RECORD_KEYS if k not in kept]
            at = [RECORD_KEYS.index(k) for k in columns]
            self.conn.executemany(
                f"UPDATE tasks SET {', '.join(f'{k} = ?' for k in columns)} WHERE id = ?",
                [(*(fresh[line][i] for i in at), key) for key, line in rows if line in fresh],
            )

    def all_rows(self) -> Iterator[tuple[Any, ...]]:
        """Every task's row (RECORD_KEYS order), in note and line order."""
        return iter(self.conn.execute(f"{_SELECT_COLUMNS} ORDER BY path, line"))

    def previous_rows(self, path: str) -> list[tuple[Any, ...]]:
        """The note's indexed tasks' rows, in line order."""
        return self.conn.execute(_SELECT_ROWS + " ORDER BY line", (path,)).fetchall()

    # -- caldav sync state -------------------------------------------------------------------

    def sync_states(self, account: str) -> dict[str, SyncState]:
        """What the last CalDAV syncs with ``account`` (server URL and calendar) left, by UID.
        State kept from before accounts were told apart is taken over by the first account."""
        with self.write():
            self.conn.execute("UPDATE caldav_state SET account = ? WHERE account = ''",
                              (account,))  # fmt: skip
        rows = self.conn.execute(
            "SELECT uid, task, base, kind FROM caldav_state WHERE account = ?", (account,)
        ).fetchall()
        return {uid: SyncState(uid, task, json.loads(base) if base else None, kind)
                for uid, task, base, kind in rows}  # fmt: skip

    def save_sync_states(self, account: str, states: Iterable[SyncState]) -> None:
        self.replace_sync_states(account, (), states)

    def drop_sync_states(self, account: str, uids: Iterable[str]) -> None:
        self.replace_sync_states(account, uids, ())

    def replace_sync_states(self, account: str, drop: Iterable[str],
                            save: Iterable[SyncState]) -> None:  # fmt: skip
        """Drop the states of ``drop`` and save ``save``, in one transaction (a UID renamed
        is never lost in between)."""
        with self.write():
            self.conn.executemany("DELETE FROM caldav_state WHERE account = ? AND uid = ?",
                                  [(account, uid) for uid in drop])  # fmt: skip
            self.conn.executemany(
                "INSERT OR REPLACE INTO caldav_state (account, uid, task, base, kind) "
                "VALUES (?, ?, ?, ?, ?)",
                [(account, s.uid, s.task, json.dumps(s.base) if s.base is not None else None,
                  s.kind) for s in save],
            )  # fmt: skip

    # -- tasks ----------------------------------------------------------------------------

    def _select(self, columns: str, status_types: Iterable[str] | None,
                path_contains: str | None, path_equals: str | None = None,
                dated: bool = False, owned: bool = False, problem: str | None = None,
                tail: str = " ORDER BY path, line") -> tuple[str, list[str]]:  # fmt: skip
        sql = f"SELECT {columns} FROM tasks"
        where: list[str] = ["due IS NOT NULL"] if dated else []
        where += ["owner IS NOT NULL"] if owned else []
        params: list[str] = []
        if problem is not None:
            where.append("instr(problems, ?) > 0")
            params.append(problem)
        if status_types is not None:
            types = list(status_types)
            where.append(f"status_type IN ({', '.join('?' for _ in types)})")
            params.extend(types)
        if path_contains:
            where.append("instr(lower(path), lower(?)) > 0")
            params.append(path_contains)
        if path_equals is not None:
            where.append("path = ?")
            params.append(path_equals)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql + tail, params

    def records(self, status_types: Iterable[str] | None = None,
                path_contains: str | None = None,
                path_equals: str | None = None) -> list[Record]:  # fmt: skip
        return list(self.selected_records(status_types, path_contains, path_equals))

    def selected_records(self, status_types: Iterable[str] | None = None,
                         path_contains: str | None = None, path_equals: str | None = None,
                         dated: bool = False, owned: bool = False,
                         problem: str | None = None) -> Iterator[Record]:  # fmt: skip
        """``records`` (only those with a due date, when ``dated``; with an owner, when
        ``owned``; with a problem holding the text ``problem``), one at a time: memory holds
        what the caller keeps."""
        sql, params = self._select(", ".join(RECORD_KEYS), status_types, path_contains,
                                   path_equals, dated, owned, problem)  # fmt: skip
        for row in self.conn.execute(sql, params):
            yield tuple_record(row)

    def selected_columns(self, keys: tuple[str, ...], status_types: Iterable[str] | None = None,
                         path_contains: str | None = None) -> Iterator[dict[str, Any]]:  # fmt: skip
        """``selected_records`` with only the (plain) columns ``keys``: cheaper where the
        caller needs a few. The keys are trusted names (RECORD_KEYS)."""
        assert all(key in RECORD_KEYS and key not in LIST_KEYS for key in keys)
        sql, params = self._select(", ".join(keys), status_types, path_contains)
        for row in self.conn.execute(sql, params):
            yield dict(zip(keys, row, strict=True))

    def selected_places(
        self, status_types: Iterable[str] | None = None, path_contains: str | None = None
    ) -> Iterator[tuple[int, Record]]:
        """``selected_records``, each with its row's place in the table (``records_at``)."""
        sql, params = self._select(f"rowid, {', '.join(RECORD_KEYS)}", status_types,
                                   path_contains)  # fmt: skip
        for row in self.conn.execute(sql, params):
            yield row[0], tuple_record(row[1:])

    def stream_records(self, conditions: Iterable[str] = (),
                       order: Iterable[str] = ()) -> Iterator[Record]:  # fmt: skip
        """The tasks meeting every SQL condition, in the ``order`` given and then in note and
        line order, one at a time: memory holds what the caller keeps, not the table. The
        conditions and terms are trusted text (see ``Filter.narrow``, ``sorting.sql_terms``)."""
        sql = "SELECT rowid FROM tasks"
        conditions = list(conditions)
        if conditions:
            sql += " WHERE " + " AND ".join(f"({condition})" for condition in conditions)
        # The places are sorted, not the whole rows (a sort moves what it sorts); the rows
        # are read a few hundred at a time, in the same read as the places.
        places = self.conn.execute(f"{sql} ORDER BY {', '.join([*order, 'path', 'line'])}")
        while batch := [place for (place,) in places.fetchmany(STREAMED_AT_ONCE)]:
            yield from self.records_at(batch)

    def stream_placed(self, conditions: Iterable[str] = ()) -> Iterator[tuple[int, Record]]:
        """``stream_records``, each with its row's place in the table (see ``records_at``)."""
        sql = f"SELECT rowid, {', '.join(RECORD_KEYS)} FROM tasks"
        conditions = list(conditions)
        if conditions:
            sql += " WHERE " + " AND ".join(f"({condition})" for condition in conditions)
        for row in self.conn.execute(f"{sql} ORDER BY path, line"):
            yield row[0], tuple_record(row[1:])

    def task_columns(
        self, columns: Iterable[str], status_types: Iterable[str] | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Some columns of the tasks (of RECORD_KEYS, or ``rowid``: a place for
        ``records_at``) as they are in the table, in note and line order, one row at a time:
        no record is made, and memory holds what the caller keeps."""
        names = list(columns)
        unknown = [name for name in names if name != "rowid" and name not in RECORD_KEYS]
        if unknown:
            raise ValueError(f"no such task column: {', '.join(unknown)}")
        sql, params = self._select(", ".join(names), status_types, None)
        yield from self.conn.execute(sql, params)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction: what is read inside it is of one moment of the index (a
        place read again is the same task), whatever another tasksync writes meanwhile."""
        if self.conn.in_transaction:  # already in one
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.rollback()  # nothing was written

    def records_at(self, places: list[int]) -> list[Record]:
        """The records at these places (rowids), in that order."""
        found: dict[int, tuple[Any, ...]] = {}
        for start in range(0, len(places), 500):
            part = places[start : start + 500]
            sql = (f"SELECT rowid, {', '.join(RECORD_KEYS)} FROM tasks "
                   f"WHERE rowid IN ({', '.join('?' * len(part))})")  # fmt: skip
            found.update((row[0], row[1:]) for row in self.conn.execute(sql, part))
        return [tuple_record(found[place]) for place in places if place in found]

    def open_dependencies(self) -> tuple[frozenset[str], frozenset[str]]:
        """The 🆔 of the tasks not done, and the 🆔 those tasks depend on."""
        done = ", ".join(repr(kind) for kind in ("DONE", "CANCELLED", "NON_TASK"))
        ids = self.conn.execute(f"SELECT task_id FROM tasks WHERE task_id IS NOT NULL AND "
                                f"task_id != '' AND status_type NOT IN ({done})")  # fmt: skip
        needs = self.conn.execute(f"SELECT depends_on FROM tasks WHERE depends_on != '[]' AND "
                                  f"status_type NOT IN ({done})")  # fmt: skip
        return (frozenset(row[0] for row in ids),
                frozenset(d for (text,) in needs for d in json.loads(text)))  # fmt: skip

    def records_as_json(
        self, status_types: Iterable[str] | None = None, path_contains: str | None = None
    ) -> Iterator[tuple[str | None, str, str]]:
        """(owner, tags as JSON, the record as JSON) per task, one at a time: what
        ``list --json`` needs."""
        sql, params = self._select(f"owner, tags, {_RECORD_JSON}", status_types, path_contains)
        return iter(self.conn.execute(sql, params))

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

    def ics_texts(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            found.update(self.conn.execute(
                f"SELECT key, text FROM ics_cache WHERE key IN ({', '.join('?' * len(part))})",
                part,
            ).fetchall())  # fmt: skip
        return found

    def save_ics_texts(self, texts: dict[str, bytes], used: int) -> None:
        """Keep these texts; when the cache holds far more than an export uses, start over
        (entries of tasks long changed are never asked for again)."""
        # a read-only index: no cache, the same output
        with suppress(sqlite3.OperationalError), self.write():
            kept = self.conn.execute("SELECT count(*) FROM ics_cache").fetchone()[0]
            if kept > 4 * max(used, 1000):
                self.conn.execute("DELETE FROM ics_cache")
            self.conn.executemany("INSERT OR REPLACE INTO ics_cache (key, text) VALUES (?, ?)",
                                  list(texts.items()))  # fmt: skip

    def dated_counts(self, status_types: Iterable[str] | None = None,
                     path_contains: str | None = None) -> dict[str, int]:  # fmt: skip
        """Tasks with a due date, per status type."""
        sql, params = self._select("status_type, count(*)", status_types, path_contains,
                                   dated=True, tail=" GROUP BY status_type")  # fmt: skip
        return dict(self.conn.execute(sql, params).fetchall())

    def identities(self, paths: set[str]) -> Iterator[tuple[str, str | None, str, int]]:
        """(path, 🆔, description, line) of every task in these notes: what their ids are
        made of, and where they stand; one at a time."""
        sql = "SELECT path, task_id, description, line FROM tasks"
        if len(paths) > 500:  # most of the vault: one pass, filtered here
            return (row for row in self.conn.execute(sql) if row[0] in paths)
        marks = ", ".join("?" * len(paths))
        return iter(self.conn.execute(f"{sql} WHERE path IN ({marks})", sorted(paths)))

    def resolve_id(self, prefix: str) -> str:
        """The full id of the one task whose id starts with ``prefix`` (as git does)."""
        key = prefix.strip().lower()
        if not key or any(c not in "0123456789abcdef" for c in key):
            raise IdError(f"not a task id: {prefix!r}")
        rows = self.conn.execute(
            "SELECT id, description FROM tasks WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            (key, key + "g"),
        ).fetchall()
        if not rows:
            raise IdError(f"no task with id {prefix}")
        if len(rows) > 1:
            width = 8  # as listed; longer where that does not tell them apart
            while len({row_id[:width] for row_id, _ in rows}) < len(rows) and width < ID_LENGTH:
                width += 1
            shown = ", ".join(f"{row_id[:width]} {_short(text)!r}" for row_id, text in rows[:5])
            more = ", …" if len(rows) > 5 else ""
            raise IdError(f"task id {prefix} is ambiguous: {shown}{more}")
        rows = [row[0] for row in rows]
        return str(rows[0])

    def record(self, task_key: str) -> Record:
        rows = list(self.db.query("SELECT * FROM tasks WHERE id = ?", (task_key,)))
        if not rows:
            raise IdError(f"no task with id {task_key}")
        return row_record(rows[0])
