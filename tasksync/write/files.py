"""Writing files all at once: readers see the old file or the new one, never half."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path

TEMP_SUFFIX = ".tasksync"
_NAME_BYTES = 255  # the usual limit of one file name
_RANDOM_PART = 16  # what mkstemp adds: ".", 8 random characters, the suffix, with room to spare


class ChangedMeanwhile(Exception):
    """The file changed while its replacement was being written; nothing was replaced."""


def temp_prefix(name: str) -> str:
    """``.<name>.`` cut so that the temporary file's name stays within the length limit."""
    room = _NAME_BYTES - _RANDOM_PART - len(TEMP_SUFFIX) - 2
    short = name.encode("utf-8", "surrogateescape")[:room].decode("utf-8", "ignore")
    return f".{short}."


def atomic_write(path: Path, data: bytes | Iterable[bytes], sync_folder: bool = True,
                 still_current: Callable[[], bool] | None = None) -> os.stat_result:  # fmt: skip
    """Replace ``path`` with ``data`` all at once: readers see the old file or the new one.

    Permissions, owner and extended attributes are kept. ``still_current`` is asked last,
    after the new bytes are on disk and just before the rename: when it says no (the file
    changed meanwhile), nothing is replaced and ``ChangedMeanwhile`` is raised, so that the
    caller can redo its edit on what the file holds now.

    The folder is fsync'ed too (so the rename survives a power cut), unless the caller
    does that once for many files (``sync_folders``). Returns the new file's stat, taken
    before the rename: what it is unless someone else changed the file since."""
    try:
        info = path.stat()
        mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
    except FileNotFoundError:  # a new file: the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        mode, owner = 0o666 & ~umask, None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_prefix(path.name), suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:  # pieces made as they are written (a calendar of any size)
                handle.writelines(data)
            handle.flush()
            os.fsync(handle.fileno())
            written = os.fstat(handle.fileno())
        os.chmod(tmp, mode)
        if owner is not None:
            with suppress(PermissionError):
                os.chown(tmp, *owner)
            _copy_xattrs(path, tmp)
        if still_current is not None and not still_current():
            raise ChangedMeanwhile(str(path))
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if sync_folder:
        sync_folders([path.parent])
    return written


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
    for folder in set(folders):
        with suppress(OSError):
            handle = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
