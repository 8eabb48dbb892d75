"""What a file watcher (`watch`, the TUI) must act on, beyond a changed note."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from tasksync.config import PLUGIN_SETTINGS, VAULT_CONFIG

_SETTINGS_FILES = (str(PLUGIN_SETTINGS), str(VAULT_CONFIG))


def worth_a_look(_change: object, path: str) -> bool:
    """A change to act on: a note; a folder (one renamed or moved to the trash takes its
    notes with it, and says so only by its own name: whatever is gone may have been one,
    `Archive.2024` too); the reading settings. Not a dot-file (a temporary file, ours too)
    nor any other file: an export written into the vault would set off another."""
    if path.endswith(_SETTINGS_FILES):
        return True
    if os.path.basename(path).startswith("."):
        return False
    return path.endswith(".md") or os.path.isdir(path) or not os.path.lexists(path)


def a_folder_appeared(changes: Iterable[tuple[Any, str]] | None) -> bool:
    """A folder was created or moved in. A file written into a brand-new folder before the
    watcher has put a watch on it sends no event of its own: look once more, a moment later."""
    from watchfiles import Change

    return any(change == Change.added and os.path.isdir(path) for change, path in changes or ())
