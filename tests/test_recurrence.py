"""Completing recurring tasks, as the Tasks plugin documents and does it."""

from __future__ import annotations

from datetime import date

import pytest

from tasksync.model import StatusTable
from tasksync.read.parse import parse_line
from tasksync.write import edits
from tasksync.write.recurrence import RuleError, parse_rule

from .test_writeback import ids_where, run

STATUSES = StatusTable()
TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("rule", "due", "next_due"),
    [
        # Examples of the plugin's docs (Recurring Tasks) and reference §6.
        ("every day", "2021-04-25", "2021-04-26"),
        ("every 3 days", "2021-04-25", "2021-04-28"),
        ("every week", "2021-04-25", "2021-05-02"),
        ("every 2 weeks", "2021-04-25", "2021-05-09"),
        ("every Sunday", "2021-04-25", "2021-05-02"),
        ("every week on Sunday", "2021-04-25", "2021-05-02"),
        ("every week on Monday, Friday", "2021-04-26", "2021-04-30"),
        ("every Monday and Friday", "2021-04-30", "2021-05-03"),
        ("every weekday", "2026-11-20", "2026-11-23"),
        ("every month", "2021-04-25", "2021-05-25"),
        ("every month", "2021-01-31", "2021-02-28"),  # lands on the short month's last day
        ("every 6 months", "2021-08-31", "2022-02-28"),
        ("every month on the 1st", "2021-04-25", "2021-05-01"),
        ("every month on the 31st", "2021-01-31", "2021-03-31"),  # RFC 5545: skips February
        ("every month on the last", "2021-02-10", "2021-02-28"),
        ("every month on the last Friday", "2026-11-27", "2026-12-25"),
        ("every month on the 2nd Tuesday", "2026-11-10", "2026-12-08"),
        ("every year", "2021-04-25", "2022-04-25"),
        ("every year", "2020-02-29", "2021-02-28"),
        ("every January on the 15th", "2021-01-15", "2022-01-15"),
        ("every day and then some", "2021-04-25", "2021-04-26"),  # trailing words ignored
        # rrule.js reads these otherwise than a reader of its own did (the plugin's dates):
        ("every 2 weekdays", "2026-11-27", "2026-12-07"),  # every 2 weeks, on weekdays
        ("every month on the 2nd last Friday", "2026-11-20", "2026-12-18"),
        ("every month on the second last Friday", "2026-11-20", "2026-12-18"),
        ("every January, July on the 1st", "2027-01-01", "2027-07-01"),
        ("every March", "2026-03-22", "2027-03-22"),  # the day of the month from the due date
        ("every year on March 3", "2026-03-22", "2027-03-22"),  # as `every March`
        ("every day until January 1 2026", "2025-12-30", "2025-12-31"),
        # the month-end correction holds for a rule that ends, too (it skipped a month)
        ("every month for 12 times", "2026-01-31", "2026-02-28"),
        ("every month until January 1, 2027", "2026-03-31", "2026-04-30"),
        ("every 2 months for 3 times", "2025-12-31", "2026-02-28"),
        ("every year for 5 times", "2024-02-29", "2025-02-28"),
        ("every year until 2030", "2024-02-29", "2025-02-28"),
    ],
)
def test_next_due_date(rule, due, next_due):
    task = parse_line(f"- [ ] chore 🔁 {rule} 📅 {due}")
    assert task is not None
    following, completed = edits.complete(task, TODAY, STATUSES)
    assert following == f"- [ ] chore 🔁 {rule} 📅 {next_due}"
    assert completed == f"- [x] chore 🔁 {rule} 📅 {due} ✅ 2026-11-22"


def test_when_done_counts_from_the_completion_day():
    task = parse_line("- [ ] water 🔁 every 2 days when done 📅 2026-11-01")
    assert task is not None
    assert edits.complete(task, TODAY, STATUSES)[0] == (
        "- [ ] water 🔁 every 2 days when done 📅 2026-11-24"
    )


def test_every_date_keeps_its_distance_to_the_reference_date():
    task = parse_line("- [ ] x 🛫 2021-04-22 ⏳ 2021-04-24 📅 2021-04-25 🔁 every week")
    assert task is not None
    assert edits.complete(task, TODAY, STATUSES)[0] == (
        "- [ ] x 🛫 2021-04-29 ⏳ 2021-05-01 📅 2021-05-02 🔁 every week"
    )


def test_scheduled_is_the_reference_without_a_due_date():
    task = parse_line("- [ ] x 🔁 every month ⏳ 2021-01-31")
    assert task is not None
    assert edits.complete(task, TODAY, STATUSES)[0] == "- [ ] x 🔁 every month ⏳ 2021-02-28"


def test_next_occurrence_drops_id_dependencies_block_link_and_done_date():
    task = parse_line("- [ ] rent 🆔 r1 ⛔ a1 🔁 every month 📅 2026-11-01 ^rent")
    assert task is not None
    following, completed = edits.complete(task, TODAY, STATUSES)
    assert following == "- [ ] rent 🔁 every month 📅 2026-12-01"
    assert completed == "- [x] rent 🆔 r1 ⛔ a1 🔁 every month 📅 2026-11-01 ✅ 2026-11-22 ^rent"


@pytest.mark.parametrize(("line", "following"), [
    ("- [ ] rent 🔁 every month 🆔 r1 📅 2026-11-01", "- [ ] rent 🔁 every month 📅 2026-12-01"),
    ("- [ ] rent 📅 2026-11-01 🔁 every month 🆔 r1", "- [ ] rent 📅 2026-12-01 🔁 every month"),
    ("- [ ] rent 📅 2026-11-01 🔁 every month ⛔ a1 🆔 r1 ^rent",
     "- [ ] rent 📅 2026-12-01 🔁 every month"),
    # a list of ids takes the blank after it along: the words kept theirs, not glued on
    ("- [ ] Call Bob ⛔ abc,def ⏫ 🔁 every day 📅 2026-01-05",
     "- [ ] Call Bob ⏫ 🔁 every day 📅 2026-01-06"),
    ("- [ ] Email Ann ⛔ abc, def 🔁 every day 📅 2026-01-05",
     "- [ ] Email Ann 🔁 every day 📅 2026-01-06"),
    ("- [ ] Email Ann 🔁 every day 📅 2026-01-05 ⛔ abc, def ",
     "- [ ] Email Ann 🔁 every day 📅 2026-01-06"),
])  # fmt: skip
def test_next_occurrence_leaves_no_double_or_trailing_blank_after_the_rule(line, following):
    """The plugin's rule runs on through the spaces after it: a 🆔 dropped after it left two
    spaces (or a trailing one) in the next occurrence."""
    task = parse_line(line)
    assert task is not None
    assert edits.complete(task, TODAY, STATUSES)[0] == following


def test_no_dates_still_gives_a_next_occurrence_and_delete_drops_the_done_line():
    plain = parse_line("- [ ] stretch 🔁 every day")
    assert plain is not None
    assert edits.complete(plain, TODAY, STATUSES) == (
        "- [ ] stretch 🔁 every day", "- [x] stretch 🔁 every day ✅ 2026-11-22")  # fmt: skip
    deleting = parse_line("- [ ] stretch 🔁 every day 🏁 delete 📅 2026-11-22")
    assert deleting is not None
    assert edits.complete(deleting, TODAY, STATUSES) == (
        "- [ ] stretch 🔁 every day 🏁 delete 📅 2026-11-23",)  # fmt: skip


def test_a_rule_that_has_ended_completes_without_a_successor():
    task = parse_line("- [ ] x 🔁 every day until January 1 2026 📅 2026-01-01")
    assert task is not None
    assert edits.complete(task, TODAY, STATUSES) == (
        "- [x] x 🔁 every day until January 1 2026 📅 2026-01-01 ✅ 2026-11-22",
    )


def test_a_date_that_is_none_as_the_plugin_has_it():
    """📅 2026-02-30 as the reference date: no next occurrence (each completion added
    another line with the same impossible date); elsewhere it takes the next reference."""
    task = parse_line("- [ ] x 🔁 every month 📅 2026-02-30")
    assert task is not None
    assert edits.complete(task, TODAY, STATUSES) == (
        "- [x] x 🔁 every month 📅 2026-02-30 ✅ 2026-11-22",
    )
    other = parse_line("- [ ] x ⏳ 2026-02-30 📅 2026-03-10 🔁 every month")
    assert other is not None
    assert edits.complete(other, TODAY, STATUSES)[0] == (
        "- [ ] x ⏳ 2026-04-10 📅 2026-04-10 🔁 every month"
    )


def test_unreadable_rule_completes_without_a_successor_as_the_plugin():
    task = parse_line("- [ ] x 🔁 every fortnight 📅 2026-11-01")
    assert task is not None
    assert edits.complete(task, TODAY, STATUSES) == (
        "- [x] x 🔁 every fortnight 📅 2026-11-01 ✅ 2026-11-22",
    )


@pytest.mark.parametrize("text", ["daily", "every", "every 0 days", "every fortnight", ""])
def test_rules_the_plugin_rejects(text):
    with pytest.raises(RuleError):
        parse_rule(text)


def test_done_on_the_cli_writes_the_next_occurrence_above_and_undo_removes_it(make_vault):
    vault = make_vault({"n.md": "# Chores\n- [ ] water 🔁 every day 📅 2026-11-22\nend\n"})
    [task] = ids_where(vault, lambda t: True)
    result = run(vault, "done", task)
    assert result.exit_code == 0, result.output
    assert (vault / "n.md").read_text() == (
        "# Chores\n- [ ] water 🔁 every day 📅 2026-11-23\n"
        "- [x] water 🔁 every day 📅 2026-11-22 ✅ 2026-11-22\nend\n"
    )
    assert run(vault, "undo").exit_code == 0
    assert (vault / "n.md").read_text() == "# Chores\n- [ ] water 🔁 every day 📅 2026-11-22\nend\n"
