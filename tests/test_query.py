"""The Tasks query language against the plugin's documented semantics; people and follow-ups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli

TODAY = "2026-11-18"  # a Wednesday: this week is 2026-11-16 .. 2026-11-22

NOTES = {
    "Projects/Garden.md": (
        "# Garden\n## Beds\n"
        "- [ ] a: due yesterday 📅 2026-11-17 ⏫ #garden\n"
        "- [ ] b: due today 📅 2026-11-18 #garden/beds\n"
        "- [/] c: due next week 📅 2026-11-25 🔼\n"
        "- [ ] d: no dates 🔽 #home\n"
        "- [x] e: done 📅 2026-11-10 ✅ 2026-11-11\n"
        "## Later\n"
        "- [ ] f: starts tomorrow 🛫 2026-11-19\n"
        "- [ ] g: scheduled today ⏳ 2026-11-18 🔁 every week\n"
        "- [ ] h: invalid date 📅 2026-02-30\n"
        "- [?] i: proposed @Alon 📅 2026-12-01\n"
        "- [-] j: cancelled ❌ 2026-11-01\n"
    ),
    "People/Alon Horev.md": "---\ntype: person\nname: Alon Horev\naliases: [AH]\n---\n# Alon\n",
    "Inbox.md": (
        "- [ ] k: blocked @Alon Horev ⛔ blocker1\n"
        "- [ ] l: the blocker @Myself 🆔 blocker1\n"
        "  - [ ] m: sub-item @AH 📅 2026-11-20\n"
    ),
}


@pytest.fixture
def vault(make_vault):
    return make_vault(NOTES)


def run(vault: Path, *args: str):
    return CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, *args])


def letters(vault: Path, query: str) -> list[str]:
    result = run(vault, "query", query, "--json")
    assert result.exit_code == 0, result.output
    return [t["description"].split(":")[0] for t in json.loads(result.stdout)]


def matching(vault: Path, query: str) -> set[str]:
    return set(letters(vault, query))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("done", "ej"),
        ("not done", "abcdfghiklm"),  # proposed counts as not done
        ("status.type is IN_PROGRESS", "c"),
        ("status.type is not TODO", "ceij"),
        ("due before today", "ae"),  # done tasks too: no `not done` here
        ("due after today", "cim"),
        ("due on today", "b"),
        ("due today", "b"),
        ("due on or before today", "abe"),
        ("due on or after tomorrow", "cim"),
        ("due this week", "abm"),
        ("due in next week", "c"),
        ("due in 2026-11-17 2026-11-20", "abm"),
        ("due in 2026-11", "abcem"),
        ("due before 2026-11-12", "e"),
        ("due in 2026-W48", "c"),
        ("starts before tomorrow", "abcdeghijklm"),  # no start date matches `starts`
        ("starts after today", "abcdefghijklm"),  # undated starts match, as in the plugin
        ("scheduled on or before today", "g"),
        ("happens today", "bg"),
        ("has due date", "abcehim"),  # an invalid date is still a date
        ("no due date", "dfgjkl"),
        ("due date is invalid", "h"),
        ("done on 2026-11-11", "e"),
        ("cancelled before today", "j"),
        ("is recurring", "g"),
        ("is not recurring", "abcdefhijklm"),
        ("path includes garden", "abcdefghij"),
        ("path does not include Garden", "klm"),
        ("filename includes inbox.md", "klm"),
        ("folder includes Projects/", "abcdefghij"),
        ("heading includes beds", "abcde"),
        ("heading does not include Beds", "fghijklm"),
        ("description includes DUE", "abc"),
        ("description regex matches /^[a-c]:/", "abc"),
        ("description regex does not match /due/i", "defghijklm"),
        ("tags include #garden", "ab"),
        ("tag includes beds", "b"),
        ("tags do not include garden", "cdefghijklm"),
        ("has tags", "abd"),
        ("no tags", "cefghijklm"),
        ("priority is high", "a"),
        ("priority is above none", "ac"),
        ("priority is below medium", "bdefghijklm"),
        ("priority is not none", "acd"),
        ("is blocked", "k"),
        ("is not blocked", "abcdefghijlm"),
        ("is blocking", "l"),
        ("has id", "l"),
        ("has depends on", "k"),
        ("exclude sub-items", "abcdefghijkl"),
        ("owner is Alon Horev", "ikm"),  # @Alon and @AH are Alon Horev
        ("owner is AH", "ikm"),  # the name asked for is a person too (it matched @AH alone)
        ("owner is alon", "ikm"),
        ("owner is not AH", "abcdefghjl"),
        ("owner is me", "l"),
        ("owner includes alon", "ikm"),
        ("owner is not me", "abcdefghijkm"),
    ],
)
def test_filter(vault, query, expected):
    assert matching(vault, query) == set(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("(due before today) OR (due today)", "abe"),
        ("(not done) AND (has tags)", "abd"),
        ("NOT (done)", "abcdfghiklm"),
        ("(tags include garden) XOR (due before today)", "be"),
        # precedence NOT > XOR > AND > OR: a OR (b AND c), not (a OR b) AND c
        ("(due today) OR (has tags) AND (priority is high)", "ab"),
        ("((due today) OR (has tags)) AND (priority is high)", "a"),
        ("(has tags) AND NOT (tags include home)", "ab"),
        ("(done) OR (is blocked) XOR (is blocking)", "eklj"),
    ],
)
def test_boolean_combinations(vault, query, expected):
    assert matching(vault, query) == set(expected)


def test_sort_by_due_puts_invalid_first_and_undated_last(vault):
    order = letters(vault, "sort by due")
    dated = [x for x in order if x in "abcehim"]
    assert dated == ["h", "e", "a", "b", "m", "c", "i"]
    assert order[: len(dated)] == dated
    assert letters(vault, "has due date\nsort by due reverse")[0] == "i"


def test_default_sort_and_user_sort(vault):
    # the plugin's default: status type (in progress first, done last), then urgency …
    order = letters(vault, "")
    assert order[0] == "c"
    assert order[-2:] in (["e", "j"],)
    assert letters(vault, "not done\nsort by description")[:3] == ["a", "b", "c"]
    assert letters(vault, "has tags\nsort by priority")[0] == "a"


def test_limit_group_and_explain(vault):
    assert len(letters(vault, "not done\nlimit 3")) == 3
    assert len(letters(vault, "not done\nlimit to 2 tasks")) == 2
    text = run(vault, "query", "has due date\ngroup by due\nexplain").stdout
    assert "## 2026-11-17 Tuesday" in text
    assert "## Invalid due date" in text
    assert "Explanation of this Tasks code block query" in text
    grouped = run(vault, "query", "not done\ngroup by owner\nlimit groups 1").stdout
    assert "## Alon Horev" in grouped
    assert "## Myself" in grouped
    assert "## (No owner)" in grouped
    assert grouped.count("- [") == 3


def test_layout_lines_and_comments_are_accepted(vault):
    assert matching(vault, "# a comment\nnot done\nhide due date\nshort mode\n\nis blocked") == {
        "k"
    }
    assert matching(vault, "due \\\nbefore today") == {"a", "e"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("not done\nfoo bar", "line 2, column 1: do not understand query: foo bar"),
        ("due before someday", "line 1, column 1: do not understand due date: someday"),
        ("sort by colour", "line 1, column 9: do not understand sort: colour"),
        ("group by colour", "line 1, column 10: do not understand grouping: colour"),
        ("status.type is SLEEPY", "invalid status.type instruction: 'status.type is SLEEPY'"),
        ("description regex matches /(unclosed/", "Invalid regular expression: /(unclosed/"),
        ("(done) AND (nonsense here)", "line 1, column 13: do not understand query: nonsense"),
    ],
)
def test_bad_queries_are_one_clear_line(vault, query, message):
    result = run(vault, "query", query)
    assert result.exit_code == 6
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_query_note_runs_each_block(make_vault):
    notes = dict(NOTES)
    notes["People/Alon Horev.md"] += (
        "\n```tasks\nnot done\nowner is Alon Horev\nsort by due\n```\n\n"
        "> ```tasks\n> path includes {{query.file.filenameWithoutExtension}}\n> ```\n"
    )
    vault = make_vault(notes)
    result = run(vault, "query", "--note", "People/Alon Horev.md", "--json")
    assert result.exit_code == 0, result.output
    blocks = json.loads(result.stdout)
    assert [b["line"] for b in blocks] == [8, 14]
    assert [t["description"][0] for t in blocks[0]["tasks"]] == ["m", "i", "k"]
    assert blocks[1]["tasks"] == []
    assert set(blocks[0]) == {"line", "query", "tasks"}
    missing = run(vault, "query", "--note", "Inbox.md")
    assert missing.exit_code != 0
    assert "has no ```tasks block" in missing.stderr


def test_query_note_runs_only_the_blocks_obsidian_runs(make_vault):
    """Bug: a ```tasks block inside another code block (a note documenting a query) or a
    `%%` comment was run too; Obsidian shows the one as text and hides the other."""
    vault = make_vault({"Doc.md": (
        "````markdown\n```tasks\ndone\n```\n````\n\n"
        "%%\n```tasks\nnot done\n```\n%%\n\n"
        "> ```tasks\n> description includes real\n\nafter the quote\n"
        "```tasks\ndescription includes real\n```\n"
        "- [ ] real task\n- [x] old done ✅ 2026-12-01\n"
    )})  # fmt: skip
    result = run(vault, "query", "--note", "Doc.md", "--json")
    assert result.exit_code == 0, result.output
    blocks = json.loads(result.stdout)
    assert [b["line"] for b in blocks] == [13, 17]  # a quoted block ends with its quote
    assert [[t["description"] for t in b["tasks"]] for b in blocks] == [["real task"]] * 2


def test_people_and_followups(vault):
    listed = json.loads(run(vault, "list", "--status", "all", "--owner", "Alon", "--json").stdout)
    assert {(t["owner"], t["person"]) for t in listed} == {
        ("Alon", "Alon Horev"), ("Alon Horev", "Alon Horev"), ("AH", "Alon Horev")}  # fmt: skip
    result = run(vault, "followups", "--json")
    groups = json.loads(result.stdout)
    assert [g["person"] for g in groups] == ["Alon Horev"]
    assert [t["description"][0] for t in groups[0]["tasks"]] == ["m", "k"]  # proposed i waits
    assert json.loads(run(vault, "followups", "--overdue", "--json").stdout) == []
    text = run(vault, "followups").stdout
    assert text.startswith("## Alon Horev\n")
    assert text.strip().endswith("2 follow-ups with 1 person")


def test_followups_are_by_person_then_oldest_due_undated_last(make_vault):
    vault = make_vault({
        "b.md": "- [ ] b1 @zoe\n- [ ] b2 @Bob 📅 2026-11-30\n- [/] b3 @Zoe 📅 2026-11-01\n",
        "a.md": "- [ ] a1 @Bob 📅 2026-11-30\n- [ ] a2 @bob\n- [x] a3 @Bob 📅 2026-01-01\n"
                "- [ ] a4 @Myself 📅 2026-01-01\n- [ ] a5 📅 2026-01-01\n",
    })  # fmt: skip
    groups = json.loads(run(vault, "followups", "--json").stdout)
    assert [(g["person"], [t["description"] for t in g["tasks"]]) for g in groups] == [
        ("Bob", ["a1", "b2"]), ("bob", ["a2"]), ("zoe", ["b1"]), ("Zoe", ["b3"])]  # fmt: skip


def test_me_and_config(make_vault):
    notes = dict(NOTES)
    notes[".tasksync.toml"] = (
        'me = ["Sam", "Myself"]\n[statuses]\n"!" = {name = "Important", type = "TODO"}\n'
    )
    notes["Inbox.md"] += "- [!] n: mine @Sam\n- [ ] o: mine too @Myself\n"
    vault = make_vault(notes)
    assert matching(vault, "owner is me") == {"l", "n", "o"}
    shown = run(vault, "config").stdout
    assert "me: Sam, Myself" in shown
    assert "'!': Important (TODO)" in shown
    people = {t["description"][0]: t["person"] for t in json.loads(
        run(vault, "list", "--json").stdout)}  # fmt: skip
    assert people["o"] == "Sam"  # every "me" name resolves to the first one
    (vault / ".tasksync.toml").write_text("me = 3\n")
    bad = run(vault, "list")
    assert bad.exit_code == 2
    assert "me must be a name or a list of names" in bad.stderr


def test_seed_vault_people_note_block_and_followups(seed_vault, tmp_path):
    vault = seed_vault
    [block] = json.loads(run(vault, "query", "--note", "People/Alon Horev.md", "--json").stdout)
    assert len(block["tasks"]) == 18
    assert {t["path"].split("/")[0] for t in block["tasks"]} == {"Meetings"}
    by_due = json.loads(run(vault, "query", "not done\npath includes Alon Horev\nsort by due",
                            "--json").stdout)  # fmt: skip
    dues = [t["due"] for t in by_due]
    dated = [d for d in dues if d]
    assert dated == sorted(dated)
    assert dues == dated + [None] * (len(dues) - len(dated))
    owners = json.loads(
        run(vault, "list", "--status", "all", "--owner", "Alon Horev", "--json").stdout
    )
    assert {t["owner"] for t in owners} == {"Alon", "Alon Horev"}
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    [group] = json.loads(run(vault, "followups", "--json").stdout)
    assert group["person"] == "Alon Horev"
    assert len(group["tasks"]) == 2
    assert group["tasks"][0]["due"] == "2025-11-03"
