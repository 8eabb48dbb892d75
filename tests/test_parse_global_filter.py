"""The plugin's global filter: a checkbox line is a task only when the text after its checkbox
holds the filter (case-sensitive); the filter is no tag of the task; description filters read
the description without it (reference: the plugin's GlobalFilter and its docs)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli
from tasksync.config import ReadingSettings, load_query_settings, load_status_table
from tasksync.read.notes import scan_text, task_lines
from tasksync.read.parse import parse_line

from .plugin_records import answer, records

SETTINGS = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


def tasks_of(lines: list[str], global_filter: str) -> list[str]:
    return [line for _, _, line in task_lines(lines, global_filter)]


@pytest.mark.parametrize(
    ("line", "is_task"),
    [
        ("- [ ] #task Buy milk", True),
        ("- [ ] Buy milk #task", True),
        ("- [ ] Buy milk #tasks", True),  # a substring: #tasks holds #task
        ("- [ ] Buy milk my#taskx", True),
        ("- [ ] Buy milk #Task", False),  # case-sensitive
        ("- [ ] Buy milk", False),
        ("- [#task] Buy milk", False),  # the status is no part of the text
        ("#task - [ ] Buy milk", False),  # nor is what stands before the list item
        ("> - [ ] #task quoted", True),
    ],
)
def test_a_checkbox_line_is_a_task_only_when_its_text_holds_the_filter(line, is_task):
    assert tasks_of([line], "#task") == ([line] if is_task else [])


def test_the_status_or_the_block_link_do_not_count():
    assert tasks_of(["- [@] Hello", "- [ ] Hello @Dana"], "@") == ["- [ ] Hello @Dana"]
    assert tasks_of(["- [ ] Hello ^task"], "^task") == []  # the block link is cut off first
    assert tasks_of(["- [ ] Hello ^task more"], "^task") == ["- [ ] Hello ^task more"]


def test_without_a_global_filter_every_checkbox_line_is_a_task():
    lines = ["- [ ] a", "- [x] b #task", "* [?] c"]
    assert tasks_of(lines, "") == lines


def test_the_filter_is_no_tag_but_stays_in_the_plugin_description():
    [record] = records(["- [ ] #task Buy milk #shop #task/sub 📅 2026-11-20"], "#task")
    assert record["tags"] == ["#shop", "#task/sub"]
    assert record["description"] == "Buy milk"  # tasksync's clean description
    assert record["plugin_description"] == "Buy milk #shop #task/sub"
    task = scan_text("- [ ] #task Buy milk #shop", ReadingSettings(global_filter="#task"))
    assert [t.task.tags for t in task] == [("#shop",)]
    assert parse_line("- [ ] #task Buy milk #shop").tags == ("#task", "#shop")  # no filter set


def test_description_filters_ignore_the_global_filter():
    lines = ["- [ ] #task Buy milk", "- [ ] Buy #task bread"]
    today = date(2026, 11, 18)
    assert answer("description includes #task", lines, today, global_filter="#task") == []
    assert answer("description regex matches /^Buy/", lines, today, global_filter="#task") == [
        "- [ ] #task Buy milk",
        "- [ ] Buy #task bread",
    ]


@pytest.fixture
def vault(make_vault):
    return make_vault({
        SETTINGS: json.dumps({"globalFilter": "#task", "globalQuery": "not done"}),
        "Inbox.md": "- [ ] #task Call the council\n- [ ] Not a task for the plugin\n"
                    "- [x] #task Done already\n- [#task] x\n",
    })  # fmt: skip


def listed(vault: Path, *args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["--vault", str(vault), "list", "--status", "all",
                                      "--json", *args])  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_vaults_plugin_settings_are_read(vault):
    tasks = listed(vault)
    assert [t["raw"] for t in tasks] == ["- [ ] #task Call the council", "- [x] #task Done already"]
    assert all(t["tags"] == [] for t in tasks)
    assert load_status_table(vault).global_filter == "#task"
    assert load_query_settings(vault).global_query == "not done"


def rebuilt(vault: Path) -> list[dict[str, object]]:
    """The tasks after `scan --rebuild` (the index does not yet notice changed settings)."""
    assert CliRunner().invoke(cli, ["--vault", str(vault), "scan", "--rebuild"]).exit_code == 0
    return listed(vault)


def test_tasksyncs_config_overrides_the_plugins_global_filter(vault):
    (vault / ".tasksync.toml").write_text('global_filter = ""\n', encoding="utf-8")
    assert len(rebuilt(vault)) == 3  # `- [#task] x` is no checkbox at all
    (vault / ".tasksync.toml").write_text('global_filter = "council"\n', encoding="utf-8")
    assert [t["raw"] for t in rebuilt(vault)] == ["- [ ] #task Call the council"]
    (vault / ".tasksync.toml").write_text("global_filter = 3\n", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["--vault", str(vault), "list"])
    assert bad.exit_code == 2
    assert "global_filter must be text" in bad.stderr


def test_a_changed_filter_gives_the_readers_another_fingerprint():
    assert ReadingSettings(global_filter="#task").fingerprint() != ReadingSettings().fingerprint()
    assert ReadingSettings().fingerprint() == ReadingSettings().fingerprint()


def test_config_shows_the_plugin_settings_in_force(vault):
    shown = CliRunner().invoke(cli, ["--vault", str(vault), "config"]).stdout
    assert "global_filter: #task" in shown
    assert "global_query: not done" in shown
    assert "'this_file': path includes {{query.file.path}}" in shown  # the plugin's defaults
