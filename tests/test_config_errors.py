"""A config file or plugin setting tasksync cannot use gives one line naming the file (or is
the plugin's default), never an internal error."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli

SETTINGS = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


def run(vault, *args, env=None):
    return CliRunner().invoke(cli, ["--vault", str(vault), *args], env=env or {})


@pytest.mark.parametrize("data", ["caf\u00e9 = 1\n".encode("cp1252"),
                                  'inbox = "x.md"\n'.encode("utf-16")])  # fmt: skip
def test_a_config_that_is_not_utf8_is_named(make_vault, data):
    """Bug: a Windows-1252 or UTF-16 `.tasksync.toml` made every command an internal error."""
    vault = make_vault({".tasksync.toml": data, "n.md": "- [ ] a\n"})
    result = run(vault, "list")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"error: {vault / '.tasksync.toml'}: not UTF-8 text, as TOML must be; save it as UTF-8"
    ]


@pytest.mark.parametrize("settings", [{"globalFilter": 5}, {"globalFilter": None},
                                      {"statusSettings": {"coreStatuses": 5}}])  # fmt: skip
def test_a_plugin_setting_of_the_wrong_kind_is_the_plugins_default(make_vault, settings):
    """Bug: `"coreStatuses": 5` was an internal error; `"globalFilter": 5` an error naming
    tasksync's own config file."""
    vault = make_vault({SETTINGS: json.dumps(settings), "n.md": "- [ ] a\n"})
    result = run(vault, "list", "--json")
    assert result.exit_code == 0, result.output
    assert [t["description"] for t in json.loads(result.stdout)] == ["a"]


def test_a_fixed_time_past_the_calendar_is_a_clear_error(make_vault):
    vault = make_vault({"n.md": "- [ ] a 📅 2026-12-05\n"})
    result = run(vault, "ics", env={"TASKSYNC_NOW": "9999-12-31T23:00:00-05:00"})
    assert result.exit_code == 2, result.output
    assert "TASKSYNC_NOW is past 9999-12-31" in result.stderr
