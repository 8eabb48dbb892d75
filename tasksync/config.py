"""Settings read from the vault: the Tasks plugin's own status table, when it has one."""

from __future__ import annotations

import json
from pathlib import Path

from tasksync.model import Status, StatusTable, StatusType

PLUGIN_SETTINGS = Path(".obsidian/plugins/obsidian-tasks-plugin/data.json")
PROPOSED = "?"  # tasksync's meaning of `[?]` wins over a plugin status of that symbol


def _statuses_from_plugin(settings: object) -> list[Status]:
    if not isinstance(settings, dict):
        return []
    section = settings.get("statusSettings")
    if not isinstance(section, dict):
        return []
    found = []
    for group in ("coreStatuses", "customStatuses"):
        for entry in section.get(group) or []:
            if not isinstance(entry, dict):
                continue
            symbol, kind = entry.get("symbol"), entry.get("type")
            if not isinstance(symbol, str) or len(symbol) != 1 or symbol == PROPOSED:
                continue
            try:
                status_type = StatusType(kind)
            except ValueError:
                continue
            found.append(Status(symbol, str(entry.get("name") or "Unknown"), status_type))
    return found


def load_status_table(vault: Path) -> StatusTable:
    """The default table, updated by the statuses of the vault's Tasks plugin settings."""
    try:
        settings = json.loads((vault / PLUGIN_SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return StatusTable()
    return StatusTable(tuple(_statuses_from_plugin(settings)))
