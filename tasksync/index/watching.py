"""What a file watcher (`watch`, the TUI) must act on, beyond a changed note."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from tasksync.config import PLUGIN_SETTINGS, VAULT_CONFIG

_SETTINGS_FILES = (str(PLUGIN_SETTINGS), str(VAULT_CONFIG))


def worth_a_look(_change: object, path: str) -> bool:
    """A change to act on: a note; a folder (one renamed or moved to the trash takes its
    notes with it, and says so only by its own name); the reading settings."""
    name = os.path.basename(path)
    return (path.endswith(".md") or "." not in name or path.endswith(_SETTINGS_FILES)
            or os.path.isdir(path))  # fmt: skip


def a_folder_appeared(changes: Iterable[tuple[Any, str]] | None) -> bool:
    """A folder was created or moved in. A file written into a brand-new folder before the
    watcher has put a watch on it sends no event of its own: look once more, a moment later."""
    from watchfiles import Change

    return any(change == Change.added and os.path.isdir(path) for change, path in changes or ())
