"""Writing files all at once: readers see the old file or the new one, never half."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path


def atomic_write(path: Path, data: bytes, sync_folder: bool = True) -> None:
    """Replace ``path`` with ``data`` all at once: readers see the old file or the new one.

    The folder is fsync'ed too (so the rename survives a power cut), unless the caller
    does that once for many files (``sync_folders``)."""
    try:
        mode, owner = stat.S_IMODE(path.stat().st_mode), (path.stat().st_uid, path.stat().st_gid)
    except FileNotFoundError:  # a new file: the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        mode, owner = 0o666 & ~umask, None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tasksync")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if owner is not None:
            with suppress(PermissionError):
                os.chown(tmp, *owner)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if sync_folder:
        sync_folders([path.parent])


def sync_folders(folders: Iterable[Path]) -> None:
    for folder in set(folders):
        with suppress(OSError):
            handle = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(handle)
            finally:
                os.close(handle)
