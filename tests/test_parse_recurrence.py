"""Recurrence rules as the plugin reads them: a rule rrule.js cannot read is dropped (and
reported), a readable one is kept as written, with the plugin's wording beside it."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tasksync.cli.main import cli
from tasksync.read.parse import parse_line
from tasksync.read.rule_text import rule_text

from .plugin_records import records


@pytest.mark.parametrize(
    "line",
    [
        "- [ ] recurring 🔁 invalid rule 📅 2022-06-17",
        "- [ ] recurring 🔁 every fortnight",
        "- [ ] recurring 🔁 daily",
        "- [ ] recurring 🔁 every",
        "- [ ] recurring 🔁 every 0 days",
        "- [ ] recurring [repeat:: whenever]",
    ],
)
def test_an_invalid_rule_is_no_recurrence_and_a_problem(line):
    task = parse_line(line)
    assert task is not None
    assert task.recurrence is None
    assert task.description == "recurring"  # its text is still taken off the description
    assert len(task.problems) == 1
    assert task.problems[0].startswith("invalid recurrence rule ")
    [record] = records([line])
    assert (record["recurrence"], record["recurrence_text"]) == (None, None)


@pytest.mark.parametrize(
    "line",
    ["- [ ] Water plants  [repeat:: ]", "- [ ] Water plants  (repeat::   )  [due:: 2026-12-05]"],
)
def test_a_blank_dataview_rule_is_taken_off_as_the_plugin_takes_it(line):
    # The plugin's `repeat:: *([a-zA-Z0-9, !]+) *[)\]]` matches a blank value; rrule.js then
    # reads no rule: no recurrence, and the field is not part of the description.
    task = parse_line(line)
    assert task is not None
    assert task.description == "Water plants"
    assert task.recurrence is None
    assert task.problems == ("empty recurrence rule",)
    [record] = records([line])
    assert record["plugin_description"] == "Water plants"


def test_a_readable_rule_is_kept_as_written_with_the_plugins_wording():
    [record] = records(["- [ ] chore 🔁 every Sunday when done 📅 2026-11-22"])
    assert record["recurrence"] == "every Sunday when done"
    assert record["recurrence_text"] == "every week on Sunday when done"
    assert record["problems"] == []


@pytest.mark.parametrize(
    ("rule", "wording"),
    [
        # the plugin's docs and reference: rrule's toText
        ("every Sunday", "every week on Sunday"),
        ("every year on February the 29th", "every February on the 29th"),
        ("every 3 days!", "every 3 days"),
        ("every day and then some", "every day"),
        ("every week on Sunday when done", "every week on Sunday when done"),
        # rrule's own pairs of text and rule
        ("Every day", "every day"),
        ("Every day at 10, 12 and 17", "every day at 10, 12 and 17"),
        ("Every week", "every week"),
        ("Every 4 hours", "every 4 hours"),
        ("Every week on Monday, Wednesday", "every week on Monday, Wednesday"),
        ("Every weekday", "every weekday"),
        ("Every 2 weeks", "every 2 weeks"),
        ("Every 6 months", "every 6 months"),
        ("Every year on the 1st Friday", "every year on the 1st Friday"),
        ("Every month on the 4th", "every month on the 4th"),
        ("Every month on the 4th last", "every month on the 4th last"),
        ("Every month on the 3rd last Tuesday", "every month on the 3rd last Tuesday"),
        ("Every month on the last Monday", "every month on the last Monday"),
        ("Every week for 20 times", "every week for 20 times"),
        ("every Monday and Friday", "every week on Monday, Friday"),
        ("every January on the 15th", "every January on the 15th"),
        ("every month on the last", "every month on the last"),
        # the plugin (rrule 2.8.1) on a Node harness: JavaScript's Date.parse reads `until`
        ("every day until 2027", "every day until January 1, 2027"),
        ("every day until Jan 2027", "every day until January 1, 2027"),
        ("every day until 1 January 2027", "every day until January 1, 2027"),
        ("every week until February 30 2027", "every week until March 2, 2027"),
        ("every day until jan 5", "every day until January 5, 2001"),  # its year, not ours
        ("every weekend", "every week"),  # rrule 2.8.1 has no `weekend`: `week`, then noise
        ("every minute", "every minute"),
        ("every week at 5", "every week at 5"),
        ("every 2 weeks on Monday at 9", "every 2 weeks on Monday at 9"),
        (
            "every week on Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday",
            "every day",
        ),
        # and what it drops
        ("every day forever", None),  # `for`, then no number
        ("every week at", None),  # `at`, then no hour
        ("every week on weekend", None),
        ("every day until tomorrow", None),
    ],
)
def test_the_plugins_wording_of_a_rule(rule, wording):
    assert rule_text(rule) == wording


# (no months: rrule words `every 2 January` as `every 2 years January`, which it reads
# back as `every 2 years`)
_UNIT = st.sampled_from(["day", "days", "week", "weeks", "month", "months", "year", "years",
                         "weekday", "Monday", "tue", "Friday"])  # fmt: skip
_ON = st.sampled_from(["", " on Sunday", " on the 1st", " on the last Friday", " on the 2nd",
                       " on Monday, Friday", " on the 3rd last Tuesday"])  # fmt: skip


@given(st.integers(1, 30), _UNIT, _ON, st.booleans())
def test_the_plugins_wording_reads_back_as_itself(interval, unit, on, when_done):
    rule = f"every {interval} {unit}{on}" + (" when done" if when_done else "")
    wording = rule_text(rule)
    if wording is not None:
        assert rule_text(wording) == wording


@given(st.text(alphabet=st.sampled_from("everydayweekonthe0123456789, !MondayJunlast"),
               max_size=40))  # fmt: skip
def test_reading_any_rule_text_never_fails(text):
    wording = rule_text(text)
    assert wording is None or wording.startswith("every")


def test_show_gives_the_plugins_wording(make_vault):
    vault = make_vault({"n.md": "- [ ] water 🔁 every Sunday 📅 2026-11-22\n"})
    runner = CliRunner()
    listed = json.loads(runner.invoke(cli, ["--vault", str(vault), "list", "--json"]).stdout)
    shown = runner.invoke(cli, ["--vault", str(vault), "show", listed[0]["id"]]).stdout
    assert re.search(r"^recurrence_text +every week on Sunday$", shown, re.MULTILINE)
    assert re.search(r"^recurrence +every Sunday$", shown, re.MULTILINE)


@given(st.text(alphabet="JanuryFebMchmondtue0123456789 ,", max_size=30))
def test_reading_an_until_date_never_fails(text):
    from tasksync.read.js_date import js_date_parse

    day = js_date_parse(text)
    assert day is None or 1 <= day.year <= 9999


# What V8's Date.parse gives (node 18, checked by hand): numbers alone, the year first when it
# cannot be a day; rrule reads `until` with it, so the plugin keeps `until 2027 01 15`.
@pytest.mark.parametrize(("text", "day"), [
    ("2027 01 15", "2027-01-15"), ("2027 1 15", "2027-01-15"), ("2027, 01, 15", "2027-01-15"),
    ("2027 12 31", "2027-12-31"), ("99 01 15", "1999-01-15"), ("32 01 15", "2032-01-15"),
    ("2027 2 30", "2027-03-02"), ("2027 13 01", None), ("2027 01 32", None),
    ("15 01 2027", None), ("01 15 2027", "2027-01-15"),
])  # fmt: skip
def test_an_until_date_of_numbers_alone_is_read_as_javascript_reads_it(text, day):
    from tasksync.read.js_date import js_date_parse

    found = js_date_parse(text)
    assert (found.isoformat() if found else None) == day


def test_a_rule_until_a_year_first_date_is_kept():
    from tasksync.read.parse import parse_line

    task = parse_line("- [ ] Water 🔁 every week until 2027 01 15 📅 2026-01-01")
    assert task.recurrence is not None
    assert not task.problems
