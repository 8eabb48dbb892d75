"""Settings read from the vault: the Tasks plugin's own status table, when it has one, and
tasksync's own `<vault>/.tasksync.toml`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import platformdirs

from tasksync.errors import UsageError
from tasksync.model import Status, StatusTable, StatusType

PLUGIN_SETTINGS = Path(".obsidian/plugins/obsidian-tasks-plugin/data.json")
VAULT_CONFIG = Path(".tasksync.toml")
DEFAULT_TRIAGE_TAGS = ("#proposed",)
DEFAULT_ME = ("Myself",)
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
    """The default table, updated by the vault's Tasks plugin settings, then by the
    `[statuses]` of tasksync's config (`"!" = {name = "Important", type = "TODO"}`)."""
    try:
        settings = json.loads((vault / PLUGIN_SETTINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        settings = {}
    found = _statuses_from_plugin(settings)
    configured = load_vault_config(vault).get("statuses", {})
    if not isinstance(configured, dict):
        raise UsageError(f"{vault / VAULT_CONFIG}: statuses must be a table")
    for symbol, spec in configured.items():
        try:
            name, kind = spec["name"], StatusType(str(spec["type"]).upper())
        except (KeyError, TypeError, ValueError):
            raise UsageError(
                f"{vault / VAULT_CONFIG}: status {symbol!r} needs a name and a type "
                f"({', '.join(t.value for t in StatusType)})"
            ) from None
        if len(symbol) != 1:
            raise UsageError(
                f"{vault / VAULT_CONFIG}: a status symbol is one character: {symbol!r}"
            )
        found.append(Status(symbol, str(name), kind))
    return StatusTable(tuple(found))


def user_config_path() -> Path:
    return platformdirs.user_config_path("tasksync") / "config.toml"


def _read_toml(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    import tomllib  # here: most runs find no config file, and need no TOML reader

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: {exc}") from None


def load_vault_config(vault: Path) -> dict[str, object]:
    """The user's config file, overridden key by key by the vault's `.tasksync.toml`."""
    user = os.environ.get("TASKSYNC_CONFIG")
    merged = _read_toml(Path(user) if user else user_config_path())
    merged.update(_read_toml(vault / VAULT_CONFIG))
    return merged


def _names(value: object, key: str, source: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(f"{source}: {key} must be a name or a list of names")
    return tuple(v.strip().lstrip("@") for v in value)


def load_me(vault: Path) -> tuple[str, ...]:
    """The names that mean the vault's owner (`me`); default `Myself`."""
    return _names(load_vault_config(vault).get("me", list(DEFAULT_ME)), "me", vault / VAULT_CONFIG)


def load_people_folder(vault: Path) -> str | None:
    folder = load_vault_config(vault).get("people_folder")
    if folder is None:
        return None
    if not isinstance(folder, str):
        raise UsageError(f"{vault / VAULT_CONFIG}: people_folder must be a folder path")
    return folder.strip("/") + "/"


def effective_config(vault: Path) -> dict[str, object]:
    """Every setting with the value in force, for `tasksync config`."""
    statuses = load_status_table(vault).as_mapping()
    return {
        "config files": [str(user_config_path()), str(vault / VAULT_CONFIG)],
        "me": list(load_me(vault)),
        "triage_tags": list(load_triage_tags(vault)),
        "people_folder": load_people_folder(vault) or "(any note with type: person)",
        "statuses": {s: f"{st.name} ({st.type.value})" for s, st in sorted(statuses.items())},
    }


def load_triage_tags(vault: Path) -> tuple[str, ...]:
    """The tags that mark a task as waiting for triage; accept and reject remove them."""
    value = load_vault_config(vault).get("triage_tags", list(DEFAULT_TRIAGE_TAGS))
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise UsageError(f"{vault / VAULT_CONFIG}: triage_tags must be a list of tags")
    return tuple(t if t.startswith("#") else f"#{t}" for t in value)
