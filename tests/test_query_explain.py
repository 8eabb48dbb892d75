"""`explain` prints what the plugin prints (docs › Explaining Queries, its approved samples)."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from tasksync.cli.main import cli
from tasksync.config import QuerySettings
from tasksync.query.engine import explain

from .plugin_records import block

FRI = date(2022, 10, 21)


def explained(query: str, settings: QuerySettings | None = None, note: str | None = None) -> str:
    return explain(block(query, [], FRI, settings, note))


def test_dates_are_expanded():
    assert explained(
        "starts after 2 years ago\nscheduled after 1 week ago\ndue before tomorrow\nexplain"
    ) == (
        "Explanation of this Tasks code block query:\n\n"
        "  starts after 2 years ago =>\n"
        "    start date is after 2020-10-21 (Wednesday 21st October 2020) OR no start date\n\n"
        "  scheduled after 1 week ago =>\n"
        "    scheduled date is after 2022-10-14 (Friday 14th October 2022)\n\n"
        "  due before tomorrow =>\n"
        "    due date is before 2022-10-22 (Saturday 22nd October 2022)\n"
    )


def test_regular_expressions_are_explained():
    assert explained("explain\npath regex matches /^Root/Sub-Folder/Sample File\\.md/i") == (
        "Explanation of this Tasks code block query:\n\n"
        "  path regex matches /^Root/Sub-Folder/Sample File\\.md/i =>\n"
        "    using regex:     '^Root\\/Sub-Folder\\/Sample File\\.md' with flag 'i'\n"
    )


def test_boolean_combinations_are_displayed():
    assert explained("explain\nnot done\n(due before tomorrow) AND (is recurring)") == (
        "Explanation of this Tasks code block query:\n\n"
        "  not done =>\n"
        "    status type is TODO or IN_PROGRESS or ON_HOLD\n\n"
        "  (due before tomorrow) AND (is recurring) =>\n"
        "    AND (All of):\n"
        "      due before tomorrow =>\n"
        "        due date is before 2022-10-22 (Saturday 22nd October 2022)\n"
        "      is recurring\n"
    )


def test_nested_combinations_and_continued_lines_are_displayed():
    pad = " " * 87
    query = (
        f"explain\n({pad}\\\n"
        "    (description includes 1) AND (description includes 2) AND (description includes 3)"
        "  \\\n) OR (" + " " * 82 + "\\\n"
        "    (description includes 5) AND (description includes 6) AND (description includes 7)"
        f"  \\\n){pad}\\\nAND NOT (description includes 7)"
    )
    text = explained(query)
    assert text.endswith(
        "  AND NOT (description includes 7)\n   =>\n"
        "  ( (description includes 1) AND (description includes 2) AND (description includes 3) )"
        " OR ( (description includes 5) AND (description includes 6) AND (description includes 7)"
        " ) AND NOT (description includes 7) =>\n"
        "    OR (At least one of):\n"
        "      AND (All of):\n"
        "        description includes 1\n"
        "        description includes 2\n"
        "        description includes 3\n"
        "      AND (All of):\n"
        "        AND (All of):\n"
        "          description includes 5\n"
        "          description includes 6\n"
        "          description includes 7\n"
        "        NOT:\n"
        "          description includes 7\n"
    )
    assert text.startswith(f"Explanation of this Tasks code block query:\n\n  ({pad}\\\n")


def test_the_global_filter_and_global_query_are_displayed():
    settings = QuerySettings(global_filter="#task", global_query="limit 50\nheading includes tasks")
    assert explained("not done\ndue next week\nexplain", settings) == (
        "Only tasks containing the global filter '#task'.\n\n"
        "Explanation of the global query:\n\n"
        "  heading includes tasks\n\n"
        "  At most 50 tasks.\n\n"
        "Explanation of this Tasks code block query:\n\n"
        "  not done =>\n"
        "    status type is TODO or IN_PROGRESS or ON_HOLD\n\n"
        "  due next week =>\n"
        "    due date is between:\n"
        "      2022-10-24 (Monday 24th October 2022) and\n"
        "      2022-10-30 (Sunday 30th October 2022) inclusive\n"
    )
    ignoring = explained("ignore global query\nexplain", settings)
    assert "Explanation of the global query" not in ignoring
    assert "  ignore global query\n" in ignoring


def test_placeholders_are_expanded():
    text = explained("explain\npath includes {{query.file.path}}\nroot includes {{query.file.root}}"
                     "\ndescription includes Some Cryptic String {{! Inline comments }}",
                     note="some/sample/file path.md")  # fmt: skip
    assert text == (
        "Explanation of this Tasks code block query:\n\n"
        "  path includes {{query.file.path}} =>\n"
        "  path includes some/sample/file path.md\n\n"
        "  root includes {{query.file.root}} =>\n"
        "  root includes some/\n\n"
        "  description includes Some Cryptic String {{! Inline comments }} =>\n"
        "  description includes Some Cryptic String\n"
    )


def test_grouping_sorting_layout_and_limits_are_listed():
    assert explained(
        "group by priority reverse\ngroup by happens\nsort by description reverse\n"
        "show urgency\nshort mode\nlimit 50\nlimit groups 3"
    ) == (
        "Explanation of this Tasks code block query:\n\n"
        "  No filters supplied. All tasks will match the query.\n\n"
        "  group by priority reverse\n\n  group by happens\n\n"
        "  sort by description reverse\n\n"
        "  show urgency\n\n  short mode\n\n"
        "  At most 50 tasks.\n\n"
        '  At most 3 tasks per group (if any "group by" options are supplied).\n'
    )


def test_query_prints_the_explanation_before_the_tasks(make_vault):
    vault = make_vault({
        ".obsidian/plugins/obsidian-tasks-plugin/data.json": json.dumps({"globalFilter": "#t"}),
        "n.md": "- [ ] #t one\n",
    })  # fmt: skip
    result = CliRunner().invoke(cli, ["--vault", str(vault), "query", "explain\nnot done"])
    assert result.stdout.startswith("Only tasks containing the global filter '#t'.\n\n"
                                    "Explanation of this Tasks code block query:\n")  # fmt: skip
    assert result.stdout.endswith("- [ ] one  (n.md:1)\n1 task\n")
