"""Settings read from the vault: the Tasks plugin's own status table, when it has one, and
tasksync's own `<vault>/.tasksync.toml`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from tasksync.errors import UsageError
from tasksync.model import Status, StatusTable, StatusType

PLUGIN_SETTINGS = Path(".obsidian/plugins/obsidian-tasks-plugin/data.json")
VAULT_CONFIG = Path(".tasksync.toml")
DEFAULT_TRIAGE_TAGS = ("#proposed",)
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


def load_vault_config(vault: Path) -> dict[str, object]:
    try:
        text = (vault / VAULT_CONFIG).read_text(encoding="utf-8")
    except OSError:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{vault / VAULT_CONFIG}: {exc}") from None


def load_triage_tags(vault: Path) -> tuple[str, ...]:
    """The tags that mark a task as waiting for triage; accept and reject remove them."""
    value = load_vault_config(vault).get("triage_tags", list(DEFAULT_TRIAGE_TAGS))
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise UsageError(f"{vault / VAULT_CONFIG}: triage_tags must be a list of tags")
    return tuple(t if t.startswith("#") else f"#{t}" for t in value)
