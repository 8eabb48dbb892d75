"""The instructions besides filters, as the plugin accepts them (docs › Layout, Sorting,
Grouping, Global Query, Presets): every sort and group field it lists, layout lines, the global
query and presets from its settings; what needs JavaScript is refused by name."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli
from tasksync.config import DEFAULT_PRESETS, QuerySettings
from tasksync.query.engine import context_for, run_block
from tasksync.query.filters import QueryError
from tasksync.query.grouping import GROUP_FIELDS
from tasksync.query.sorting import SORT_FIELDS

from .plugin_records import STATUS_NAMES, answer, block, records

TODAY = date(2026, 11, 18)
SETTINGS = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


@pytest.mark.parametrize(
    "line",
    ["view list", "hide backlink", "hide backlinks", "hide edit button", "show tree",
     "short mode", "short", "full mode", "hide postpone button", "show urgency",
     "hide task count", "hide tags", "hide recurrence rule", "hide on completion", "hide id",
     "hide depends on", "hide toolbar", "show group count", "HIDE DUE DATE"],
)  # fmt: skip
def test_layout_lines_are_accepted(line):
    assert answer(f"not done\n{line}", ["- [ ] a", "- [x] b"], TODAY) == ["- [ ] a"]


def test_an_unknown_layout_option_is_refused():
    with pytest.raises(QueryError, match="do not understand hide/show option: colours"):
        answer("hide colours", [], TODAY)


PLUGIN_SORTS = ["status", "status.name", "status.type", "urgency", "due", "done", "scheduled",
                "start", "created", "cancelled", "happens", "priority", "recurring",
                "description", "tag", "path", "filename", "heading", "id", "random"]  # fmt: skip
PLUGIN_GROUPS = ["status", "status.name", "status.type", "id", "due", "done", "scheduled",
                 "start", "created", "cancelled", "happens", "priority", "urgency", "recurring",
                 "recurrence", "tags", "path", "root", "folder", "filename", "backlink",
                 "heading"]  # fmt: skip
LINES = ["- [ ] b task #b #x3 🔁 every Sunday 📅 2026-11-20", "- [x] a task #a #x1 ⏫",
         "- [/] c task #c #x2 ⏳ 2026-11-01"]  # fmt: skip


@pytest.mark.parametrize("field", PLUGIN_SORTS)
def test_every_sort_field_of_the_plugin(field):
    assert field in SORT_FIELDS
    for reverse in ("", " reverse"):
        assert sorted(answer(f"sort by {field}{reverse}", LINES, TODAY)) == sorted(LINES)


@pytest.mark.parametrize("field", PLUGIN_GROUPS)
def test_every_group_field_of_the_plugin(field):
    assert field in GROUP_FIELDS
    assert sorted(answer(f"group by {field} reverse", LINES, TODAY)) == sorted(LINES)


def test_sort_by_tag_number_reverse():
    assert answer("sort by tag reverse 2", LINES, TODAY) == [LINES[0], LINES[2], LINES[1]]
    assert answer("sort by tag 2", LINES, TODAY) == [LINES[1], LINES[2], LINES[0]]


def test_sort_by_tag_0_keeps_the_order_as_the_plugin():
    """The plugin looks up tags[-1] (undefined in JavaScript): no task has that tag. Here a
    task without tags made it an internal error (IndexError, exit 70)."""
    lines = ["- [ ] no tag here", "- [ ] tagged #x", "- [ ] more #a #b"]
    assert answer("sort by tag 0", lines, TODAY) == lines


def test_sort_by_random_is_one_order_all_day():
    lines = [f"- [ ] task number {n}" for n in range(12)]
    today = answer("sort by random", lines, TODAY)
    assert sorted(today) == sorted(lines)
    assert answer("sort by random", list(reversed(lines)), TODAY) == today
    assert answer("sort by random", lines, date(2026, 11, 19)) != today


def headings(query: str, lines: list[str]) -> list[list[str]]:
    tasks = records(lines, heading="Beds", path="Projects/Garden.md")
    found = block(query, tasks, TODAY)
    ctx = context_for(tasks, TODAY, ["Myself"], STATUS_NAMES)
    return [heads for heads, _ in run_block(found, tasks, ctx).groups]


def test_headings_of_the_new_groups():
    assert headings("group by backlink", LINES[:1]) == [["Garden > Beds"]]
    assert headings("group by recurrence", LINES[:2]) == [["every week on Sunday"], ["None"]]
    assert headings("group by urgency", LINES) == [["9.84"], ["6.95"], ["6.00"]]
    # the plugin's docs: "the Done group is displayed before the Todo group, which differs
    # from the Sorting ordering of this property"
    assert headings("group by status", LINES) == [["Done"], ["Todo"]]
    assert headings("group by recurring", LINES) == [["Not Recurring"], ["Recurring"]]


@pytest.mark.parametrize("line", ["group by due date", "group by tags reverse please"])
def test_a_grouping_with_words_after_it_is_not_understood(line):
    with pytest.raises(QueryError, match="do not understand query"):
        answer(line, LINES, TODAY)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("filter by function task.due.moment", "filter by function needs JavaScript"),
        ("sort by function task.urgency", "sort by function needs JavaScript"),
        ("group by function task.urgency", "group by function needs JavaScript"),
        ("preset nowhere", "Cannot find preset 'nowhere'"),
        ("limit to many tasks", "do not understand query limit"),
    ],
)
def test_what_tasksync_cannot_do_is_refused_by_name(query, reason):
    with pytest.raises(QueryError, match=reason):
        answer(query, LINES, TODAY)


def test_limits():
    assert len(answer("limit to 2 tasks", LINES, TODAY)) == 2
    assert len(answer("limit 1 task", LINES, TODAY)) == 1
    assert len(answer("group by status\nlimit groups to 1 task", LINES, TODAY)) == 2


@pytest.mark.parametrize("query", ["limit groups 2", "limit groups 2\nlimit 5"])
def test_limit_groups_without_group_by_is_ignored(query):
    """Bug: with `limit` too, `limit groups` cut a block that has no groups (the plugin: "If
    no `group by ...` instructions were provided the limit is ignored")."""
    lines = [f"- [ ] task {n}" for n in range(6)]
    assert len(answer(query, lines, TODAY)) == (5 if "limit 5" in query else 6)


def test_sort_by_id_compares_as_text_with_numbers():
    """Bug: ids sorted by code point (`Step3`, `step1`, `step10`, `step2`); the plugin
    compares them as any text: numbers by value, case after letters."""
    lines = ["- [ ] ten 🆔 step10", "- [ ] two 🆔 step2", "- [ ] one 🆔 step1",
             "- [ ] three 🆔 Step3", "- [ ] none"]  # fmt: skip
    assert answer("sort by id", lines, TODAY) == [lines[4], lines[2], lines[1], lines[3], lines[0]]


def test_the_global_query_comes_first_unless_the_block_ignores_it():
    settings = QuerySettings(global_query="not done\nlimit 1")
    assert answer("sort by description", LINES, TODAY, settings) == [LINES[0]]
    assert answer("limit 5\nsort by description", LINES, TODAY, settings) == [LINES[0], LINES[2]]
    assert answer("ignore global query\nsort by description", LINES, TODAY, settings) == [
        LINES[1], LINES[0], LINES[2]]  # fmt: skip


def test_presets_and_their_placeholders():
    presets = {"open": "not done\n# a comment", "a": "description includes a task",
               "nested": "preset open"}  # fmt: skip
    settings = QuerySettings(presets=presets)
    assert answer("preset open", LINES, TODAY, settings) == [LINES[2], LINES[0]]
    assert answer("preset nested\nsort by description", LINES, TODAY, settings) == [
        LINES[0], LINES[2]]  # fmt: skip
    assert answer("({{preset.a}}) OR (done)", LINES, TODAY, settings) == [LINES[1]]
    assert answer("preset hide_everything", LINES, TODAY) != []  # the plugin's own presets
    assert "this_file" in DEFAULT_PRESETS


def test_the_vaults_global_query_and_presets_apply_to_query_and_note_blocks(make_vault):
    vault = make_vault({
        SETTINGS: json.dumps({"globalQuery": "not done",
                              "presets": {"mine": "path includes {{query.file.path}}"}}),
        "Projects/Garden.md": "- [ ] sow\n- [x] dig\n\n```tasks\npreset mine\n```\n",
        "Inbox.md": "- [ ] call\n",
    })  # fmt: skip
    runner = CliRunner()
    base = ["--vault", str(vault), "query"]
    found = json.loads(runner.invoke(cli, [*base, "sort by description", "--json"]).stdout)
    assert [t["description"] for t in found] == ["call", "sow"]
    ignoring = runner.invoke(cli, [*base, "ignore global query", "--json"]).stdout
    assert len(json.loads(ignoring)) == 3
    [note] = json.loads(
        runner.invoke(cli, [*base, "--note", "Projects/Garden.md", "--json"]).stdout
    )
    assert [t["description"] for t in note["tasks"]] == ["sow"]
    placeholder = runner.invoke(cli, [*base, "path includes {{query.file.path}}"])
    assert placeholder.exit_code == 6
    assert "no file path has been supplied" in placeholder.stderr


def test_a_preset_of_many_lines_as_a_placeholder_is_many_instructions():
    """`{{preset.open}}` of three lines was read as one instruction: no task, and no error."""
    settings = QuerySettings(presets={"open": "not done\nsort by description reverse",
                                      "loop": "{{preset.loop}}\nnot done"})  # fmt: skip
    assert answer("{{preset.open}}", LINES, TODAY, settings) == answer(
        "preset open", LINES, TODAY, settings)  # fmt: skip
    assert answer("{{preset.open}}", LINES, TODAY, settings) != []
    with pytest.raises(QueryError, match="includes itself"):
        answer("{{preset.loop}}", LINES, TODAY, settings)


def test_exclude_sub_items_keeps_top_level_tasks_in_quotes_however_indented():
    """` > - [ ] x` (a blank before the quote mark) is a top-level task to the plugin (only
    what follows the last `>` counts); it was dropped."""
    lines = ["- [ ] top", "> - [ ] quoted", " > - [ ] quoted after a blank",
             "   > - [ ] in a callout", ">  - [ ] two blanks after the mark",
             "    - [ ] sub-item", "> > - [ ] nested quote"]  # fmt: skip
    assert answer("exclude sub-items", lines, TODAY) == [
        "- [ ] top", "> - [ ] quoted", " > - [ ] quoted after a blank",
        "   > - [ ] in a callout", "> > - [ ] nested quote"]  # fmt: skip
