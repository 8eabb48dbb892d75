"""Control characters in a task (NUL, ESC sequences, BEL…) never reach the calendar file:
`tasksync ics` drops them, and the file still reads back with strict parsers."""

from __future__ import annotations

import unicodedata

import pytest
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from tasksync.calendar.ics import clean_summary
from tasksync.cli.main import cli

NOW = "2026-11-22T09:00:00Z"
NOTE = ("- [ ] call\x00 the \x1b[31mcouncil\x1b[0m\x07 now @Ann 📅 2026-11-24 #x\x1bq\n"
        "- [ ] water\x0b the\x7f seeds\x9b 📅 2026-11-25\n")  # fmt: skip


def export(vault, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--vault", str(vault), "ics", *args],
                                env={"TASKSYNC_NOW": NOW})  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


def control_characters(text: str) -> set[str]:
    return {c for c in text.replace("\r\n", "") if unicodedata.category(c) == "Cc"}


@pytest.mark.parametrize("args", [(), ("--todo",)])
def test_control_characters_in_tasks_do_not_reach_the_calendar(make_vault, args):
    vault = make_vault({"Con\x1b[1mtrol\x07.md": NOTE})
    text = export(vault, *args)
    assert control_characters(text) == set()
    assert "[31m" not in text
    assert "[0m" not in text
    strict = IcsCalendarStream.calendar_from_ics(text)
    items = strict.todos if args else strict.events
    assert sorted(i.summary for i in items) == ["call the council now", "water the seeds"]
    raw = Calendar.from_ical(text)
    for component in raw.walk("VTODO" if args else "VEVENT"):
        assert control_characters(str(component["SUMMARY"])) == set()
        assert control_characters(str(component["DESCRIPTION"])) <= {"\n"}  # its own lines
        assert "Note: Control.md" in str(component["DESCRIPTION"])
    council = next(c for c in raw.walk() if c.get("SUMMARY") == "call the council now")
    assert "Owner: Ann" in str(council["DESCRIPTION"])
    assert [str(c) for c in council["CATEGORIES"].cats] == ["xq"]


def test_clean_summary_keeps_no_control_character():
    assert clean_summary("a\x00b \x1b[1mbold\x1b[0m\x07 \u2028c") == "ab bold c"
