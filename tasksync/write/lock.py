"""One writer per vault: every batch that changes notes holds the vault's lock.

The lock is an advisory ``flock`` on the vault's folder itself — which every user of a
shared vault, and every tasksync whatever its settings, can lock — and one on a file outside
the vault, named after the vault's real path, in the user's state folder (it says who holds
the lock, for the message of one who waits). The commands, the TUI, `caldav sync` and `watch`
all take it, whichever index file they use. The kernel releases it when its holder dies
(even by ``kill -9``), so a crash never leaves the vault locked. Readers never take it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from tasksync.errors import TasksyncError

WAIT_NOTICE_S = 1.0
WAIT_LIMIT_S = 600.0


class VaultBusyError(TasksyncError):
    EXIT_CODE = 8


def lock_paths(vault: Path, kind: str = "") -> list[Path]:
    """Where the vault's lock file is: the user's state folder, else (a user without a
    writable home) a folder of the user's own in the system's temporary folder. ``kind``:
    another lock of the same vault (``caldav``: one CalDAV sync at a time)."""
    real = os.path.realpath(vault)
    name = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name += f".{kind}.lock" if kind else ".lock"
    fallback = Path(tempfile.gettempdir()) / f"tasksync-{os.getuid()}" / "locks"
    return [platformdirs.user_state_path("tasksync") / "locks" / name, fallback / name]


def _open(vault: Path, kind: str = "") -> int:
    problem = ""
    for path in lock_paths(vault, kind):
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            problem = problem or f"{path}: {exc.strerror or exc}"
    raise VaultBusyError(f"cannot open the vault's lock file {problem}")


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another tasksync"
    except OSError:
        return "another tasksync"


def _announce(fd: int, what: str) -> None:
    try:
        os.ftruncate(fd, 0)
        if what:
            os.pwrite(fd, f"pid {os.getpid()}: {what}".encode("utf-8", "backslashreplace"), 0)
    except OSError:
        pass  # the note of who holds it is a courtesy


def _open_folder(vault: Path, kind: str) -> int | None:
    """The vault's folder, to lock (the writers' lock only: one lock per folder)."""
    if kind:
        return None
    try:
        return os.open(vault, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:  # a folder this user may not open: the lock file alone
        return None


def _take(fds: list[int]) -> bool:
    """Lock them all, in order, or none."""
    for index, fd in enumerate(fds):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            for taken in fds[:index]:
                fcntl.flock(taken, fcntl.LOCK_UN)
            return False
    return True


@contextmanager
def vault_lock(vault: Path, what: str, notice: Callable[[str], None] | None = None,
               kind: str = "") -> Iterator[None]:  # fmt: skip
    """Hold the vault's writer lock (or its lock of ``kind``); wait for another writer
    (saying so after a second)."""
    fd = _open(vault, kind)
    folder = _open_folder(vault, kind)
    fds = [fd] if folder is None else [folder, fd]
    try:
        started = time.monotonic()
        noticed = False
        while not _take(fds):
            waited = time.monotonic() - started
            if waited > WAIT_LIMIT_S:
                raise VaultBusyError(
                    f"the vault is being changed by {_holder(fd)} for over "
                    f"{WAIT_LIMIT_S:.0f} s; try again later"
                ) from None
            if notice is not None and not noticed and waited >= WAIT_NOTICE_S:
                notice(f"waiting for {_holder(fd)} to finish changing the vault…")
                noticed = True
            time.sleep(0.02)
        _announce(fd, what)
        try:
            yield
        finally:
            _announce(fd, "")  # no one's name left behind, for the next one who waits
    finally:
        for one in fds:
            os.close(one)  # closing releases the lock


@contextmanager
def lock_if_free(vault: Path) -> Iterator[bool]:
    """Hold the lock if no one else does, without waiting; says whether it is held."""
    try:
        fd = _open(vault)
    except VaultBusyError:
        yield False
        return
    folder = _open_folder(vault, "")
    fds = [fd] if folder is None else [folder, fd]
    try:
        yield _take(fds)
    finally:
        for one in fds:
            os.close(one)
