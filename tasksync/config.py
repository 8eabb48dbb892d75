"""Settings read from the vault: the Tasks plugin's own settings (statuses, global filter,
global query, presets), when it has them, and tasksync's own `<vault>/.tasksync.toml`."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from tasksync.errors import UsageError
from tasksync.model import ChangeRules, Status, StatusTable, StatusType

PLUGIN_SETTINGS = Path(".obsidian/plugins/obsidian-tasks-plugin/data.json")
VAULT_CONFIG = Path(".tasksync.toml")
DEFAULT_TRIAGE_TAGS = ("#proposed",)
DEFAULT_ME = ("Myself",)
PROPOSED = "?"  # tasksync's meaning of `[?]` wins over a plugin status of that symbol
# The plugin's own presets, used while its settings hold none (as the plugin does).
DEFAULT_PRESETS: Mapping[str, str] = {
    "this_file": "path includes {{query.file.path}}",
    "this_folder": "folder includes {{query.file.folder}}",
    "this_folder_only": "filter by function task.file.folder === query.file.folder",
    "this_root": "root includes {{query.file.root}}",
    "hide_date_fields": "# Hide any values for all date fields\nhide due date\n"
    "hide scheduled date\nhide start date\nhide created date\nhide done date\n"
    "hide cancelled date",
    "hide_non_date_fields": "# Hide all the non-date fields, but not tags\nhide id\n"
    "hide depends on\nhide recurrence rule\nhide on completion\nhide priority",
    "hide_query_elements": "# Hide postpone, edit and backinks\nhide postpone button\n"
    "hide edit button\nhide backlinks",
    "hide_everything": "# Hide everything except description and any tags\n"
    "preset hide_date_fields\npreset hide_non_date_fields\npreset hide_query_elements",
}


class ReadingSettings(StatusTable):
    """How the vault's checkbox lines read: its statuses, and the plugin's global filter (a
    checkbox line whose text after the checkbox lacks it is no task). It travels where the
    status table goes, so that every reader of the vault's lines reads them alike."""

    def __init__(self, statuses: tuple[Status, ...] | None = None, global_filter: str = "",
                 rules: ChangeRules | None = None, defaults: bool = True) -> None:  # fmt: skip
        super().__init__(statuses, rules, defaults)
        self.global_filter = global_filter

    def fingerprint(self) -> str:
        """Changes whenever what these settings read from a line may change (an index built
        with other settings is stale)."""
        parts = [self.global_filter, *(f"{s.symbol}{s.name}{s.type.value}"
                                       for s in self.as_mapping().values())]  # fmt: skip
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def global_filter_of(statuses: StatusTable) -> str:
    return statuses.global_filter if isinstance(statuses, ReadingSettings) else ""


@dataclass(frozen=True)
class QuerySettings:
    """The plugin's settings that shape every query: the global filter (explained), the global
    query (prepended to every block without `ignore global query`) and the named presets."""

    global_filter: str = ""
    global_query: str = ""
    presets: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PRESETS))


_PLUGIN_GROUPS = {  # the plugin's own, where its settings have none
    "coreStatuses": (Status(" ", "Todo", StatusType.TODO), Status("x", "Done", StatusType.DONE)),
    "customStatuses": (Status("/", "In Progress", StatusType.IN_PROGRESS),
                       Status("-", "Cancelled", StatusType.CANCELLED)),
}  # fmt: skip


def _statuses_from_plugin(settings: object) -> list[Status] | None:
    """The statuses the plugin's settings give it (they are all it knows; a symbol given
    twice is the first status, as the plugin ignores the second); None when they set none."""
    if not isinstance(settings, dict):
        return None
    section = settings.get("statusSettings")
    if not isinstance(section, dict) or not any(isinstance(section.get(g), list)
                                                for g in _PLUGIN_GROUPS):  # fmt: skip
        return None
    found: dict[str, Status] = {}
    for group, default in _PLUGIN_GROUPS.items():
        entries = section.get(group)
        if not isinstance(entries, list):
            for status in default:
                found.setdefault(status.symbol, status)
            continue
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            symbol, kind = entry.get("symbol"), entry.get("type")
            if not isinstance(symbol, str) or len(symbol) != 1 or symbol == PROPOSED:
                continue
            try:
                status_type = StatusType(kind)
            except ValueError:
                continue
            name = str(entry.get("name") or "Unknown")
            following = entry.get("nextStatusSymbol")
            following = following if isinstance(following, str) and len(following) == 1 else ""
            found.setdefault(symbol, Status(symbol, name, status_type, following))
    return list(found.values())


def plugin_settings(vault: Path) -> dict[str, object]:
    """The vault's Tasks plugin settings (its data.json); empty when it has none. Settings
    that cannot be read are an error: read as none, the plugin's defaults would be written
    into the notes where the user had chosen otherwise (done dates turned off …)."""
    path = vault / PLUGIN_SETTINGS
    try:
        text = path.read_bytes().decode("utf-8-sig")
        settings = json.loads(text)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(
            f"{path}: cannot be read ({exc.strerror or exc}); the Tasks plugin's "
            "settings must be known before any task is read or written"
        ) from None
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, nested past reading
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(
            f"{path}: not JSON that tasksync can read ({reason}); the Tasks "
            "plugin's settings must be known before any task is read or written "
            "(fix the file, or let Obsidian write it again)"
        ) from None
    return settings if isinstance(settings, dict) else {}


def _text_setting(key: str, plugin_key: str, plugin: Mapping[str, object],
                  config: Mapping[str, object], source: Path) -> str:  # fmt: skip
    """A text setting: tasksync's config wins over the plugin's."""
    if key not in config:  # the plugin's: a value it cannot have is none
        value = plugin.get(plugin_key, "")
        return value if isinstance(value, str) else ""
    value = config[key]
    if not isinstance(value, str):
        raise UsageError(f"{source}: {key} must be text")
    return value


def load_status_table(vault: Path) -> ReadingSettings:
    """The default table, updated by the vault's Tasks plugin settings, then by the
    `[statuses]` of tasksync's config (`"!" = {name = "Important", type = "TODO"}`); with the
    global filter (the plugin's `globalFilter`, or `global_filter` in tasksync's config)."""
    settings = plugin_settings(vault)
    from_plugin = _statuses_from_plugin(settings)
    found = list(from_plugin or ())
    config = load_vault_config(vault)
    configured = config.get("statuses", {})
    if not isinstance(configured, dict):
        raise UsageError(f"{vault / VAULT_CONFIG}: statuses must be a table")
    types = ", ".join(t.value for t in StatusType)
    for symbol, spec in configured.items():
        if not isinstance(spec, dict) or "name" not in spec or "type" not in spec:
            raise UsageError(f"{vault / VAULT_CONFIG}: status {symbol!r} needs a name and a "
                             f"type ({types})")  # fmt: skip
        try:
            name, kind = spec["name"], StatusType(str(spec["type"]).upper())
        except ValueError:
            raise UsageError(f"{vault / VAULT_CONFIG}: status {symbol!r} has an unknown type "
                             f"{spec['type']!r} (one of {types})") from None  # fmt: skip
        _warn_unknown(vault / VAULT_CONFIG, {f"statuses.{symbol}.{key}": None for key in spec
                                             if key not in ("name", "type")})  # fmt: skip
        if len(symbol) != 1:
            raise UsageError(
                f"{vault / VAULT_CONFIG}: a status symbol is one character: {symbol!r}"
            )
        found.append(Status(symbol, str(name), kind))
    source = vault / VAULT_CONFIG
    global_filter = _text_setting("global_filter", "globalFilter", settings, config, source)
    return ReadingSettings(tuple(found), global_filter.strip(), change_rules(settings),
                           defaults=from_plugin is None)  # fmt: skip


def change_rules(settings: Mapping[str, object]) -> ChangeRules:
    """What the plugin's settings say a status change writes (its defaults where unset)."""
    default = ChangeRules()

    def flag(key: str, fallback: bool) -> bool:
        """As the plugin's `if (setting)` reads it (0, "" and null are off)."""
        value = settings.get(key, fallback)
        return bool(value) if isinstance(value, (bool, int, float, str, type(None))) else True

    return ChangeRules(
        done_date=flag("setDoneDate", default.done_date),
        cancelled_date=flag("setCancelledDate", default.cancelled_date),
        created_date=flag("setCreatedDate", default.created_date),
        next_below=flag("recurrenceOnNextLine", default.next_below),
        dataview=settings.get("taskFormat") == "dataview",
        drop_scheduled=flag("removeScheduledDateOnRecurrence", default.drop_scheduled),
    )


def load_query_settings(vault: Path) -> QuerySettings:
    """The global filter, the global query (`globalQuery`; `global_query` in tasksync's config)
    and the presets (the plugin's, else its defaults; tasksync's `[presets]` add and win)."""
    plugin = plugin_settings(vault)
    config = load_vault_config(vault)
    source = vault / VAULT_CONFIG
    presets = plugin.get("presets")
    found = dict(presets) if isinstance(presets, dict) else dict(DEFAULT_PRESETS)
    configured = config.get("presets", {})
    if not isinstance(configured, dict):
        raise UsageError(f'{source}: presets must be a table of name = "instructions"')
    found.update(configured)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in found.items()):
        raise UsageError(f"{source}: each preset is a name and its instructions (text)")
    return QuerySettings(
        global_filter=_text_setting(
            "global_filter", "globalFilter", plugin, config, source
        ).strip(),
        global_query=_text_setting("global_query", "globalQuery", plugin, config, source),
        presets=found,
    )


def user_config_path() -> Path:
    return platformdirs.user_config_path("tasksync") / "config.toml"


def _read_toml(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Notepad's) is no TOML
    except OSError:
        return {}
    except UnicodeDecodeError:  # Notepad's UTF-16, a Windows-1252 é …
        raise UsageError(f"{path}: not UTF-8 text, as TOML must be; save it as UTF-8") from None
    import tomllib  # here: most runs find no config file, and need no TOML reader

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: {exc}") from None


KNOWN_SETTINGS = frozenset(("me", "people_folder", "triage_tags", "statuses", "presets",
                            "global_filter", "global_query", "caldav", "inbox"))  # fmt: skip
KNOWN_CALDAV_SETTINGS = frozenset(("url", "calendar", "user", "inbox", "poll"))
_warned: set[str] = set()


def load_vault_config(vault: Path) -> dict[str, object]:
    """The user's config file, overridden key by key by the vault's `.tasksync.toml`. A key
    tasksync does not know (a typo, most likely) is said once on stderr."""
    user = os.environ.get("TASKSYNC_CONFIG")
    user_path = Path(user) if user else user_config_path()
    merged: dict[str, object] = {}
    for path in (user_path, vault / VAULT_CONFIG):
        found = _read_toml(path)
        _warn_unknown(path, found)
        merged.update(found)
    return merged


def _warn_unknown(path: Path, settings: dict[str, object]) -> None:
    """Say once which keys of a config file tasksync does not know (a typo is ignored)."""
    unknown = sorted(k for k in settings if k not in KNOWN_SETTINGS)
    caldav = settings.get("caldav")
    if isinstance(caldav, dict):
        unknown += [f"caldav.{key}" for key in sorted(set(caldav) - KNOWN_CALDAV_SETTINGS)]
    message = f"{path}: unknown setting(s) {', '.join(unknown)}; ignored"
    if unknown and message not in _warned:
        _warned.add(message)
        sys.stderr.write(f"warning: {message}\n")


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
    query = load_query_settings(vault)
    return {
        "config files": [
            f"{path}{'' if path.is_file() else ' (none)'}"
            for path in (user_config_path(), vault / VAULT_CONFIG)
        ],
        "me": list(load_me(vault)),
        "triage_tags": list(load_triage_tags(vault)),
        "people_folder": load_people_folder(vault) or "(any note with type: person)",
        "inbox": str(load_vault_config(vault).get("inbox") or "Inbox.md (the default)"),
        "statuses": {s: f"{st.name} ({st.type.value})" for s, st in sorted(statuses.items())},
        "global_filter": query.global_filter or "(none: every checkbox line is a task)",
        "global_query": query.global_query.strip().replace("\n", " ; ") or "(none)",
        "presets": {
            name: text.replace("\n", " ; ") for name, text in sorted(query.presets.items())
        },
    }


def load_triage_tags(vault: Path) -> tuple[str, ...]:
    """The tags that mark a task as waiting for triage; accept and reject remove them."""
    value = load_vault_config(vault).get("triage_tags", list(DEFAULT_TRIAGE_TAGS))
    if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
        raise UsageError(f"{vault / VAULT_CONFIG}: triage_tags must be a list of tags")
    return tuple(t if t.startswith("#") else f"#{t}" for t in value)
