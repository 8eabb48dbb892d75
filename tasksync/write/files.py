"""Writing files all at once: readers see the old file or the new one, never half.

A write has three steps, so that many files can share one flush to disk: ``stage`` (the new
bytes in a temporary file beside the old one), ``make_durable`` (on disk: each file
fsync'ed, or — for many files on a local Linux filesystem — one ``syncfs``, several times
cheaper than an fsync per file), ``put_in_place`` (the rename, only if the old file still
holds what the caller read). ``atomic_write`` does the three for one file.
"""

from __future__ import annotations

import ctypes
import errno
import grp
import os
import pwd
import re
import stat
import sys
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tasksync.write.rename import exchange, rename_new

TEMP_SUFFIX = ".tasksync"
_NAME_BYTES = 255  # the usual limit of one file name
_RANDOM_PART = 16  # what mkstemp adds: ".", 8 random characters, the suffix, with room to spare
SYNCFS_FROM = 8  # files flushed together by one syncfs rather than an fsync each
# Local filesystems whose syncfs writes every file out (on FUSE it did nothing before Linux
# 5.15, on overlayfs before 4.19; network ones are not known to): elsewhere, fsync per file.
_SYNCFS_FILESYSTEMS = {"ext4", "ext3", "xfs", "btrfs", "f2fs"}


ANY = object()  # put_in_place: whatever the file holds


class ChangedMeanwhile(Exception):
    """The file changed while its replacement was being written; nothing was replaced."""


@dataclass
class Staged:
    """New bytes for ``path``, in a temporary file beside it, not yet in its place."""

    path: Path
    temp: str
    written: os.stat_result  # the new file's stat

    def discard(self) -> None:
        with suppress(FileNotFoundError):
            os.unlink(self.temp)


def temp_prefix(name: str) -> str:
    """``.<name>.`` cut so that the temporary file's name stays within the length limit."""
    room = _NAME_BYTES - _RANDOM_PART - len(TEMP_SUFFIX) - 2
    short = name.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return f".{short}."


def _read_regular(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes and stat of the regular file at ``path``, read so that nothing can hang the
    reader (a FIFO put in its place: OSError)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(), info
    finally:
        os.close(fd)


def read_in_place(path: Path) -> bytes:
    """The bytes of the regular file at ``path`` (``_read_regular``), read from the file that
    is at ``path`` once read: a file renamed over it while it was read (a sync tool's) is
    ``ChangedMeanwhile``."""
    data, info = _read_regular(path)
    now = os.stat(path)
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
        raise ChangedMeanwhile(str(path))
    return data


def stage(path: Path, data: bytes | Iterable[bytes]) -> Staged:
    """The new bytes of ``path`` in a temporary file in its folder, with its permissions,
    owner and extended attributes; not yet flushed to disk (``make_durable``)."""
    try:
        info = path.stat()
        mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
    except FileNotFoundError:  # a new file: the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        mode, owner = 0o666 & ~umask, None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path.name),
                                   suffix=TEMP_SUFFIX)  # fmt: skip
    except OSError as exc:  # named by the folder the user gave, not our temporary name
        raise type(exc)(exc.errno, exc.strerror, str(path.parent)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:  # pieces made as they are written (a calendar of any size)
                handle.writelines(data)
            handle.flush()
            written = os.fstat(handle.fileno())
        os.chmod(tmp, mode)
        if owner is not None:
            if owner != (written.st_uid, written.st_gid):
                _keep_owner(path, tmp, owner)
            _copy_xattrs(path, tmp)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Staged(path, tmp, written)


def owner_names(uid: int, gid: int) -> str:
    """'user alice, group staff' (numbers where the system has no name for them)."""
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    try:
        group = grp.getgrgid(gid).gr_name
    except KeyError:
        group = str(gid)
    return f"user {user}, group {group}"


def _keep_owner(path: Path, tmp: str, owner: tuple[int, int]) -> None:
    """Give the new file the old one's owner and group — or refuse to replace it: a note of
    a shared vault that became the writer's could lock its owner out of it."""
    try:
        os.chown(tmp, *owner)
    except PermissionError:
        raise PermissionError(
            errno.EPERM,
            f"it belongs to {owner_names(*owner)}, which a rewrite by this user cannot keep",
            str(path),
        ) from None


def make_durable(staged: list[Staged]) -> None:
    """Flush the staged files to disk; when that fails (OSError: the disk reports a
    failure), or is cut short, they are removed."""
    try:
        folders = {os.path.dirname(one.temp) for one in staged}
        if len(staged) >= SYNCFS_FROM and all(_can_syncfs(folder) for folder in folders):
            for folder in {os.stat(folder).st_dev: folder for folder in folders}.values():
                _syncfs(folder)  # one flush per filesystem
            return
        for one in staged:
            handle = os.open(one.temp, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
    except BaseException:
        for one in staged:
            one.discard()
        raise


def put_in_place(staged: Staged, expect: bytes | object | None = ANY) -> None:
    """Rename the staged file over its path — only if the file there holds ``expect`` (the
    bytes the caller read; None: no file may be there): else nothing is replaced
    (``ChangedMeanwhile``). The check and the rename are one step: the staged file and the
    note swap names, and the note swapped out must be the very file that was checked, with
    the bytes checked (a file renamed over it meanwhile, a sync tool's, or a save written
    into it, Obsidian's, is swapped back). The temporary file is
    gone either way."""
    try:
        if expect is ANY:
            os.replace(staged.temp, staged.path)
        elif expect is None:
            placed = rename_new(staged.temp, str(staged.path))
            if placed is None and not staged.path.exists():
                os.replace(staged.temp, staged.path)
            elif not placed:
                raise ChangedMeanwhile(str(staged.path))
        else:
            assert isinstance(expect, bytes)
            checked = _identity_holding(staged.path, expect)
            if not exchange(staged.temp, str(staged.path)):
                os.replace(staged.temp, staged.path)  # no renameat2: checked just before
                return
            if not _swapped_out_holds(staged.temp, checked, expect):
                exchange(staged.temp, str(staged.path))  # theirs back in its place
                raise ChangedMeanwhile(str(staged.path))
            os.unlink(staged.temp)  # the old note
    except BaseException:
        staged.discard()
        raise


class NoReader(Exception):
    """A named pipe that no one reads."""


def write_export(given: Path, real: Path, data: bytes | Iterable[bytes],
                 wait_for_reader: bool = True) -> None:  # fmt: skip
    """An export (a calendar) to the path the user ``given`` (``real``: with its links
    followed): a regular file is replaced atomically; a named pipe or a device
    (``/dev/stdout``) is written into, as a shell's ``>`` would — renamed over, it would be
    destroyed and its reader never served. Without ``wait_for_reader``, a named pipe no one
    reads yet is an error (``NoReader``) instead of a wait (`watch` must go on watching)."""
    try:
        kind = os.stat(given).st_mode
    except OSError:
        kind = stat.S_IFREG
    if stat.S_ISDIR(kind):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(given))
    # `/dev/stdout` with the shell's `> cal.ics` is a regular file too: renamed over, the
    # output would go on into the file it replaced, deleted (`cal.ics (deleted)`)
    descriptor = str(given).startswith(("/dev/", "/proc/"))
    try:
        if stat.S_ISREG(kind) and not descriptor:
            atomic_write(real, data)
            return
        if stat.S_ISFIFO(kind) and not wait_for_reader:
            try:
                fd = os.open(given, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError as exc:
                if exc.errno == errno.ENXIO:
                    raise NoReader(f"no one reads {given} yet: this export is skipped") from None
                raise
            os.set_blocking(fd, True)
            stream = open(fd, "wb")  # noqa: SIM115 - closed just below
        else:
            stream = open(given, "wb")  # noqa: SIM115 - closed just below
        with stream:
            for chunk in [data] if isinstance(data, bytes) else data:
                stream.write(chunk)
    except OSError as exc:  # named by the path the user gave, not our temporary file's
        folder = given.parent
        named = folder if exc.errno == errno.ENOENT and not folder.is_dir() else given
        raise type(exc)(exc.errno, exc.strerror, str(named)) from None


def _identity_holding(path: Path, expect: bytes) -> tuple[int, int]:
    """(device, inode) of the file at ``path``, which holds ``expect`` (else
    ``ChangedMeanwhile``)."""
    try:
        data, info = _read_regular(path)
    except OSError:
        raise ChangedMeanwhile(str(path)) from None
    if data != expect:
        raise ChangedMeanwhile(str(path))
    return info.st_dev, info.st_ino


def _swapped_out_holds(path: str, checked: tuple[int, int], expect: bytes) -> bool:
    """Whether the note swapped out to ``path`` is the file checked and still holds
    ``expect``: a save written into that same file (Obsidian's) after the check keeps its
    identity, and only its bytes tell."""
    try:
        data, info = _read_regular(Path(path))
    except OSError:
        return False
    return (info.st_dev, info.st_ino) == checked and data == expect


def atomic_write(path: Path, data: bytes | Iterable[bytes],
                 sync_folder: bool = True) -> os.stat_result:  # fmt: skip
    """Replace ``path`` with ``data`` all at once: readers see the old file or the new one.
    Permissions, owner and extended attributes are kept.

    The folder is fsync'ed too (so the rename survives a power cut), unless the caller
    does that once for many files (``sync_folders``). Returns the new file's stat, taken
    before the rename: what it is unless someone else changed the file since."""
    staged = stage(path, data)
    make_durable([staged])
    put_in_place(staged)
    if sync_folder:
        sync_folders([path.parent])
    return staged.written


def _copy_xattrs(source: Path, target: str) -> None:
    """The extended attributes of ``source`` onto ``target`` (where the system has them)."""
    try:
        names = os.listxattr(source)
    except (OSError, AttributeError):
        return
    for name in names:
        with suppress(OSError):
            os.setxattr(target, name, os.getxattr(source, name))


def remove_temp_files(folders: Iterable[Path]) -> int:
    """Remove temporary files a killed writer left in ``folders``; how many were removed.

    Call only while holding the vault's lock: then no writer is using one."""
    removed = 0
    for folder in set(folders):
        with suppress(OSError):
            for entry in os.scandir(folder):
                if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX):
                    with suppress(OSError):
                        if entry.is_file(follow_symlinks=False):
                            os.unlink(entry.path)
                            removed += 1
    return removed


def sync_folders(folders: Iterable[Path]) -> None:
    """Make the renames in ``folders`` durable."""
    for folder in set(folders):
        with suppress(OSError):
            handle = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)


def _syncfs(folder: str) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc().syncfs(handle) != 0:
            error = ctypes.get_errno()
            raise OSError(error, os.strerror(error), folder)
    finally:
        os.close(handle)


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _can_syncfs(folder: str) -> bool:
    return sys.platform.startswith("linux") and _filesystem(folder) in _SYNCFS_FILESYSTEMS


def _filesystem(folder: str, mounts: tuple[tuple[str, str], ...] | None = None) -> str:
    """The type of the filesystem ``folder`` is on ("" when unknown)."""
    real = os.path.realpath(folder)
    best, kind = "", ""
    for point, fs_type in _mounts() if mounts is None else mounts:
        inside = real == point or real.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):  # the last mounted there is the one seen
            best, kind = point, fs_type
    return kind


@cache
def _mounts() -> tuple[tuple[str, str], ...]:
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="surrogateescape") as handle:
            return mount_table(handle.read())
    except OSError:
        return ()


def mount_table(text: str) -> tuple[tuple[str, str], ...]:
    """(mount point, filesystem type) of each line of /proc/self/mounts."""
    mounts = []
    for line in text.splitlines():
        fields = line.split(" ")
        if len(fields) >= 3:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), fields[1])  # \040: " "
            mounts.append((point, fields[2]))
    return tuple(mounts)
