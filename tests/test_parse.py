"""Reading one line exactly as the Obsidian Tasks plugin does (see the README's syntax table)."""

from __future__ import annotations

from datetime import date

import pytest

from tasksync.model import Priority, Status, StatusTable, StatusType
from tasksync.read.parse import parse_line


def parsed(line: str):
    task = parse_line(line)
    assert task is not None, f"not read as a task: {line!r}"
    assert task.render() == line
    return task


@pytest.mark.parametrize(
    "line",
    [
        "- [ ] plain",
        "* [ ] star",
        "+ [ ] plus",
        "1. [ ] numbered",
        "909999. [ ] big number",
        "1) [ ] paren",
        "    - [ ] indented",
        "\t- [ ] tab",
        "> - [ ] quoted",
        "> > - [ ] nested quote",
        ">>> - [ ] no spaces",
        "- [ ]no space after checkbox",
        "-   [ ] several spaces",
        "- [🔥] emoji status",
    ],
)
def test_list_prefixes_the_plugin_accepts(line):
    parsed(line)


@pytest.mark.parametrize(
    "line",
    ["-[ ] no space", "- [] empty", "- [ab] two", "@ [ ] x", "% [ ] x", ". [ ] x", ") [ ] x",
     "- [[Sagi]]", "- [[Link]] to a note", "text - [ ] in prose", "\u200b- [ ] zero width",
     "[ ] no marker", ""],
)  # fmt: skip
def test_lines_that_are_not_tasks(line):
    assert parse_line(line) is None


@pytest.mark.parametrize(
    ("symbol", "kind"),
    [(" ", StatusType.TODO), ("x", StatusType.DONE), ("/", StatusType.IN_PROGRESS),
     ("-", StatusType.CANCELLED), ("?", StatusType.PROPOSED), ("X", StatusType.TODO),
     ("!", StatusType.TODO), ("h", StatusType.TODO)],
)  # fmt: skip
def test_statuses_and_unknown_symbols(symbol, kind):
    task = parsed(f"- [{symbol}] thing")
    assert task.status == symbol
    assert task.status_type is kind


def test_status_table_is_configurable():
    table = StatusTable((Status("X", "Checked", StatusType.DONE),))
    task = parse_line("- [X] thing", table)
    assert task is not None
    assert task.status_type is StatusType.DONE


def test_metadata_is_read_from_the_end_and_text_after_it_keeps_it_in_the_description():
    task = parsed("- [ ] Do stuff 📅 2021-04-09 other text")
    assert task.due is None
    assert task.description == "Do stuff 📅 2021-04-09 other text"


def test_priority_at_the_start_does_nothing():
    task = parsed("- [ ] 🔺 buy milk")
    assert task.priority is Priority.NORMAL
    assert task.description == "🔺 buy milk"


def test_leftmost_duplicate_wins():
    assert parsed("- [ ] a 📅 2021-01-01 📅 2022-02-02").due == date(2021, 1, 1)
    assert parsed("- [ ] a ⏫ 🔼").priority is Priority.HIGH


def test_tags_interleaved_with_fields():
    task = parsed(
        "- [ ] Wobble ⏫  #tag1 ✅ 2022-07-02 #tag2  📅 2022-07-03 ⏳ 2022-07-04 "
        "🔁 every day  #tag6"
    )
    assert task.tags == ("#tag1", "#tag2", "#tag6")
    assert task.description == "Wobble"
    assert task.priority is Priority.HIGH
    assert (task.done, task.due, task.scheduled) == (
        date(2022, 7, 2), date(2022, 7, 3), date(2022, 7, 4))  # fmt: skip
    assert task.recurrence == "every day"


def test_signifier_emoji_inside_the_description_is_fine():
    task = parsed("- [x] this is a ✅ done task 🗓 2021-09-12 ✅ 2021-06-20")
    assert task.description == "this is a ✅ done task"
    assert task.due == date(2021, 9, 12)
    assert task.done == date(2021, 6, 20)


def test_no_space_needed_before_or_after_the_signifier():
    task = parsed("- [ ] foo📅2021-01-01")
    assert task.due == date(2021, 1, 1)
    assert task.description == "foo"


def test_only_ascii_spaces_between_signifier_and_value():
    assert parsed("- [ ] foo 📅\u00a02021-01-01").due is None


def test_no_time_of_day():
    assert parsed("- [ ] foo 📅 2024-01-01 10:00").due is None


def test_invalid_dates_are_kept_and_reported():
    task = parsed("- [ ] Renew the lease 📅 2026-02-30 ⏳ 2022-13-33")
    assert task.due is None
    assert task.scheduled is None
    assert task.problems == ("invalid scheduled date 2022-13-33", "invalid due date 2026-02-30")
    assert task.description == "Renew the lease"


def test_twenty_one_trailing_tags_stop_the_parse_as_in_the_plugin():
    twenty = " ".join(f"#t{i}" for i in range(20))
    assert parsed(f"- [ ] x 📅 2021-01-01 {twenty}").due == date(2021, 1, 1)
    assert parsed(f"- [ ] x 📅 2021-01-01 {twenty} #t20").due is None


def test_recurrence_text_is_greedy_and_removed():
    task = parsed("- [ ] recurring 🔁 every week on Sunday when done 📅 2022-06-17")
    assert task.recurrence == "every week on Sunday when done"
    assert task.description == "recurring"


def test_ids_dependencies_and_on_completion():
    task = parsed("- [ ] a 🆔 abc123 ⛔ x1, y2 ,z3 🏁 Delete")
    assert task.task_id == "abc123"
    assert task.depends_on == ("x1", "y2", "z3")
    assert task.on_completion == "delete"
    bad_id = parsed("- [ ] a 🆔 A*bcd0f")
    assert bad_id.task_id is None
    assert bad_id.description == "a 🆔 A*bcd0f"


def test_unknown_on_completion_word_is_removed_and_reported():
    task = parsed("- [ ] a 🏁 foo")
    assert task.on_completion is None
    assert task.description == "a"
    assert task.problems == ("unknown on-completion action foo (ignored)",)
    assert parsed("- [ ] a 🏁 INVALID_ACTION").description == "a 🏁 INVALID_ACTION"


def test_dataview_format():
    task = parsed(
        "- [ ] Do exercises #todo #health  [id:: abcdef]  [dependsOn:: 123456,abc123]  "
        "[priority:: medium]  [repeat:: every day when done]  [onCompletion:: delete]  "
        "[created:: 2023-07-01]  [start:: 2023-07-02]  [scheduled:: 2023-07-03]  "
        "[due:: 2023-07-04]  [cancelled:: 2023-07-06]  [completion:: 2023-07-05] ^dcf64c"
    )
    assert task.task_id == "abcdef"
    assert task.depends_on == ("123456", "abc123")
    assert task.priority is Priority.MEDIUM
    assert task.recurrence == "every day when done"
    assert task.on_completion == "delete"
    assert (task.created, task.start, task.scheduled, task.due, task.cancelled, task.done) == (
        date(2023, 7, 1), date(2023, 7, 2), date(2023, 7, 3), date(2023, 7, 4),
        date(2023, 7, 6), date(2023, 7, 5))  # fmt: skip
    assert task.block_link == "^dcf64c"
    assert task.tags == ("#todo", "#health")
    assert task.description == "Do exercises"


@pytest.mark.parametrize(
    ("line", "due"),
    [
        ("- [ ] a (due:: 2021-08-22)", date(2021, 8, 22)),
        ("- [ ] a [due::2021-08-22]", date(2021, 8, 22)),
        ("- [ ] a [ due:: 2021-08-22 ]", date(2021, 8, 22)),
        ("- [ ] a [due::2021-08-22], [priority::high] ,", date(2021, 8, 22)),
        ("- [ ] a [due::2021-08-22)", None),
        ("- [ ] a due:: 2021-08-22", None),
        ("- [ ] a [Due:: 2021-08-22]", None),
    ],
)
def test_dataview_brackets(line, due):
    assert parsed(line).due == due


def test_dataview_priority_is_lowercase_only():
    assert parsed("- [ ] a [priority:: High]").priority is Priority.NORMAL


@pytest.mark.parametrize(
    ("line", "tags"),
    [
        ("- [ ] count the # of tomatoes #gardening", ("#gardening",)),
        ("- [ ] see https://x.com/#frag and [[note#heading]]", ()),
        ("- [ ] nested #area/work tag", ("#area/work",)),
        ("- [ ] #12.34 and #a.b", ("#12", "#a")),
        ("- [ ] #1234 digits", ("#1234",)),
    ],
)
def test_tags(line, tags):
    assert parsed(line).tags == tags


def test_tags_are_pulled_out_of_the_description_wherever_they_stand():
    task = parsed("- [ ] fix #bug in the parser #work")
    assert task.description == "fix in the parser"
    assert task.tags == ("#bug", "#work")


@pytest.mark.parametrize(
    ("line", "owner", "description"),
    [
        ("- [ ] Send notes. @Myself 📅 2025-10-31 ⏫ #task", "Myself", "Send notes."),
        ("- [ ] Follow up @Jason Vallery 🔼", "Jason Vallery", "Follow up"),
        ("- [ ] Follow up @Alon Horev", "Alon Horev", "Follow up"),
        ("- [ ] Follow up @Alon", "Alon", "Follow up"),
        ("- [ ] mail bob@example.com about it", None, "mail bob@example.com about it"),
        ("- [ ] ping @bob about the thing", None, "ping @bob about the thing"),
        ("- [ ] @Dana", "Dana", ""),
        ("- [ ] Call @Ana María López #x", "Ana María López", "Call"),
    ],
)
def test_owner(line, owner, description):
    task = parsed(line)
    assert task.owner == owner
    assert task.description == description


@pytest.mark.parametrize(
    ("line", "link", "description"),
    [
        ("- [ ] a ^abc-1", "^abc-1", "a"),
        ("- [ ] a 📅 2021-01-01 ^abc", "^abc", "a"),
        ("- [ ] a ^a_b", None, "a ^a_b"),
        ("- [ ] ^abc", None, "^abc"),
        ("- [ ] a ^abc 📅 2021-01-01", None, "a ^abc"),
    ],
)
def test_block_links(line, link, description):
    task = parsed(line)
    assert task.block_link == link
    assert task.description == description


def test_description_spaces_collapsed_and_metadata_only_line():
    assert parsed("- [ ]   lots   of\tspace   ").description == "lots of space"
    assert parsed("- [ ] 📅 2021-01-01").description == ""
    assert parsed("- [ ]").description == ""


def test_vs16_after_any_signifier():
    task = parsed("- [ ] a ⛔️ x1 📅️ 2021-01-01 ⏫️")
    assert task.depends_on == ("x1",)
    assert task.due == date(2021, 1, 1)
    assert task.priority is Priority.HIGH


def test_segments_mark_what_each_part_is():
    task = parsed("- [?] Send notes @Myself 📅 2025-10-31 #proposed")
    kinds = [(s.kind, s.text) for s in task.segments if s.kind != "text"]
    assert kinds == [("prefix", "- "), ("checkbox", "[?]"), ("owner", "@Myself"),
                     ("due", "📅 2025-10-31"), ("tag", "#proposed")]  # fmt: skip


def test_many_tags_before_text_read_in_linear_time():
    # A tag's characters are matched one way only, so a long run of tags followed by prose
    # cannot send the regex engine into exponential backtracking.
    tags = " ".join(f"#t{i}" for i in range(60))
    task = parsed(f"- [ ] x {tags} foo 📅 2026-01-01")
    assert task.due == date(2026, 1, 1)
    assert len(task.tags) == 60
    assert task.description == "x foo"


def _both(line: str) -> tuple[object, dict]:
    """The line as the write side reads it (a Task) and as the index reads it (a record)."""
    from tasksync.read.parse import parse_task_records

    return parsed(line), parse_task_records([line])[0]


def test_a_bare_recurrence_signifier_reads_no_field_and_hides_the_fields_before_it():
    """`🔁 ⏫`: the rule may not be a lone space. The plugin takes ⏫, then finds `🔁` with
    no rule at the end: no field, so the 📅 before it is words too (the due date was read)."""
    task, record = _both("- [ ] pay rent 📅 2024-01-05 🔁 ⏫")
    assert (task.due, task.recurrence, task.priority) == (None, None, Priority.HIGH)
    assert (record.get("due"), record.get("recurrence")) == (None, None)
    assert record["plugin_description"] == "pay rent 📅 2024-01-05 🔁"
    spaced = parsed("- [ ] pay rent 📅 2024-01-05 🔁  every month")
    assert (spaced.due, spaced.recurrence) == (date(2024, 1, 5), "every month")


@pytest.mark.parametrize(
    ("line", "tags", "plugin_description"),
    [
        ("- [ ] a #home\t", ("#home",), "a #home"),
        ("- [ ] a #home\t📅 2024-01-05", ("#home",), "a #home"),
        ("- [ ] a #home\t#work", ("#home", "#work"), "a #home #work"),
        ("- [ ] a #home\u00a0", ("#home",), "a #home"),
        ("- [ ] a #\t", (), "a #"),
        ("- [ ] buy #home\u00a0 milk", ("#home",), "buy #home\u00a0 milk"),
        ("- [ ] a #home\u00a0#12.34 b", ("#home",), "a #home\u00a0#12.34 b"),
        ("- [ ] a #\t!", ("#",), "a #\t!"),
    ],
    ids=["tab-at-end", "tab-before-field", "tab-between-tags", "nbsp-at-end", "bare-hash",
         "nbsp-inline", "blank-taken-by-the-tag-before", "bare-hash-inline"],
)  # fmt: skip
def test_a_tag_ends_before_blanks_as_the_plugin_trims_it(line, tags, plugin_description):
    """`#home<TAB>` was the tag `#home\\t`: `list --tag home` and `tag includes home` missed it."""
    task, record = _both(line)
    assert task.tags == tags
    assert record["tags"] == tags
    assert record["plugin_description"] == plugin_description


@pytest.mark.parametrize("line", ["- [ ] a ^abc   ", "- [ ] a 📅 2024-01-05 ^abc  ",
                                  "- [ ] a ^abc\t"])  # fmt: skip
def test_a_block_link_followed_by_blanks_is_still_the_tasks_link(line):
    task, record = _both(line)
    assert task.block_link == "^abc"
    assert record.get("block_link") == "^abc", "the index lost the block link (merge links need it)"


def test_a_rule_beside_an_invalid_date_is_no_recurrence_as_in_the_plugin():
    task, record = _both("- [ ] a 🔁 every week 📅 2024-02-30")
    assert record.get("recurrence") is None
    assert task.recurrence is None


@pytest.mark.parametrize(
    ("line", "tags", "due", "plugin_description"),
    [
        ("- [ ] a #work📅2024-01-05 🔁 every week", ("#work📅2024-01-05",), None,
         "a #work📅2024-01-05"),
        ("- [ ] a #work📅2024-01-05", ("#work",), date(2024, 1, 5), "a #work"),
        ("- [ ] #tag📅2024-01-01 📅 2024-02-01", ("#tag📅2024-01-01",), date(2024, 2, 1),
         "#tag📅2024-01-01"),
        ("- [ ] a #t/x\t⏬ 🔁 every week", ("#t/x\t⏬",), None, "a #t/x\t⏬"),
        ("- [ ] a  #tag📅2024-01-01💡\t🏁 keep", ("#tag📅2024-01-01💡",), None,
         "a #tag📅2024-01-01💡"),
    ],
    ids=["field-read-after-the-tags-pass", "field-first-in-its-pass", "after-another-due",
         "through-a-tab", "into-words"],
)  # fmt: skip
def test_a_tag_that_runs_into_a_field_takes_it_when_the_plugin_tries_tags_first(
    line, tags, due, plugin_description
):
    """The plugin reads the end of the line field by field in a fixed order, tags after
    dates: a field glued to a tag (no blank) that comes to the end only after this pass's
    date tries is swallowed by the tag. The due date was read (the plugin has none)."""
    task, record = _both(line)
    assert record["tags"] == tags
    assert task.tags == tags
    assert record.get("due") == due
    assert record["plugin_description"] == plugin_description
