"""Linux's renameat2: swap two names at once (RENAME_EXCHANGE), or give a file a name only if
no file has it (RENAME_NOREPLACE). With them a note is replaced only if it is the file that
was checked, and a new note never replaces one made meanwhile. Where the system or the file
system has no renameat2, the callers fall back to a plain rename."""

from __future__ import annotations

import ctypes
import errno
import os
from functools import cache

_AT_FDCWD = -100
_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_UNSUPPORTED = (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP)


@cache
def _renameat2() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # no glibc 2.28, or not Linux
        return None
    call.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    call.restype = ctypes.c_int
    return call


def _rename2(old: str, new: str, flags: int) -> bool | None:
    """True when done; None where renameat2 (or this flag) is not to be had; OSError else."""
    call = _renameat2()
    if call is None:
        return None
    if call(_AT_FDCWD, os.fsencode(old), _AT_FDCWD, os.fsencode(new), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return None
    raise OSError(code, os.strerror(code), new)


def exchange(one: str, other: str) -> bool:
    """Swap the files named ``one`` and ``other``; False where that cannot be done."""
    return _rename2(one, other, _RENAME_EXCHANGE) is True


def rename_new(old: str, new: str) -> bool | None:
    """Rename ``old`` to ``new`` unless a file is named ``new`` (False: one was made there
    meanwhile); None where that cannot be told at once."""
    try:
        return _rename2(old, new, _RENAME_NOREPLACE)
    except FileExistsError:
        return False
