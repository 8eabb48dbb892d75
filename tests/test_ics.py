"""`tasksync ics`, read back by real calendar clients: the strict `ical` parser, khal, todoman."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from tasksync.cli.main import cli

GOLDEN = Path(__file__).parent / "golden"
NOW = "2026-11-22T09:00:00Z"


def export(vault: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--vault", str(vault), "ics", *args],
                                env={"TASKSYNC_NOW": NOW})  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")  # .stdout would turn CRLF into LF


def strict(text: str):
    return IcsCalendarStream.calendar_from_ics(text)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed")
    return found


def test_default_is_one_all_day_event_per_open_dated_task(example_vault):
    text = export(example_vault)
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    calendar = strict(text)
    events = {e.summary: e for e in calendar.events}
    assert sorted(events) == [
        "Call the council about the compost bins", "Get three quotes for treated timber",
        "Pot on the tomato seedlings", "Set up the nightly export of sensor readings",
        "Sharpen the hedge shears", "Water the seedlings",
    ]  # fmt: skip
    council = events["Call the council about the compost bins"]
    assert council.dtstart == date(2026, 11, 24)
    assert council.dtend == date(2026, 11, 25)
    assert council.priority == 3
    assert "obsidian://open?vault=vault&file=Inbox.md" in council.description
    assert len({e.uid for e in calendar.events}) == len(calendar.events)
    raw = Calendar.from_ical(text)
    assert raw["X-WR-CALNAME"] == "vault"
    for event in raw.walk("VEVENT"):
        assert event["TRANSP"] == "TRANSPARENT"
        assert re.fullmatch(r"[0-9a-f-]{36}", str(event["UID"]))
        assert ("CATEGORIES" in event) == ("Tags:" in str(event["DESCRIPTION"]))


def test_proposed_done_and_filters(example_vault):
    with_proposed = strict(export(example_vault, "--include-proposed"))
    summaries = {e.summary for e in with_proposed.events}
    assert "Order two more humidity probes for the east greenhouse bench before the supplier's " \
           "winter price change." in summaries  # fmt: skip
    assert not any("Buy two additional" in s for s in summaries)  # merged into its twin
    probes = next(e for e in with_proposed.events if e.summary.startswith("Order two"))
    assert probes.categories == ["task", "proposed", "auto"]
    assert probes.priority == 3
    kept = strict(export(example_vault, "--include-proposed", "--keep-duplicates"))
    assert len(kept.events) == len(with_proposed.events)  # the twins have no date of their own
    done = strict(export(example_vault, "--include-done"))
    assert "Mount the first two humidity probes on the east bench" in {
        e.summary for e in done.events
    }
    only_dana = strict(export(example_vault, "--status", "proposed", "--owner", "Dana Whitfield"))
    assert [e.summary for e in only_dana.events] == [
        "Draft the volunteer rota for the spring plant sale and share it with the garden committee."
    ]


def test_todo_export(example_vault):
    calendar = strict(export(example_vault, "--todo", "--include-done"))
    todos = {t.summary: t for t in calendar.todos}
    assert todos["Set up the nightly export of sensor readings"].status.value == "IN-PROCESS"
    mounted = todos["Mount the first two humidity probes on the east bench"]
    assert mounted.status.value == "COMPLETED"
    assert mounted.completed.date() == date(2026, 11, 9)
    assert mounted.due == date(2026, 11, 10)
    assert todos["Water the seedlings"].dtstart is None
    assert not calendar.events


def test_rrule_where_the_rule_maps_cleanly(make_vault):
    vault = make_vault({"n.md": "- [ ] bins 🔁 every 2 weeks on Monday, Friday 📅 2026-11-23\n"
                                "- [ ] water 🔁 every day when done 📅 2026-11-22\n"
                                "- [ ] rent 🔁 every month 📅 2026-01-31\n"
                                "- [ ] fee 🔁 every month for 9 times 📅 2026-01-31"})  # fmt: skip
    raw = Calendar.from_ical(export(vault, "--rrule"))
    rules = {str(e["SUMMARY"]): e.get("RRULE") for e in raw.walk("VEVENT")}
    assert rules["bins"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"
    assert rules["water"] is None  # when done: no fixed schedule
    assert rules["rent"] is None  # the plugin's month-end rule is not RFC 5545's
    assert rules["fee"] is None  # nor when the rule ends
    strict(export(vault, "--rrule"))


@pytest.mark.parametrize(("rule", "due", "expected"), [
    ("every 2 weekdays", "2026-11-27", b"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR"),
    ("every month on the 2nd last Friday", "2026-11-20", b"FREQ=MONTHLY;BYDAY=-2FR"),
    ("every January, July on the 1st", "2027-01-01", b"FREQ=YEARLY;BYMONTHDAY=1;BYMONTH=1,7"),
    ("every March", "2026-03-22", b"FREQ=YEARLY;BYMONTH=3"),  # the day: DTSTART's
])  # fmt: skip
def test_rrule_says_what_the_plugin_reads(make_vault, rule, due, expected):
    vault = make_vault({"n.md": f"- [ ] chore 🔁 {rule} 📅 {due}\n"})
    [event] = Calendar.from_ical(export(vault, "--rrule")).walk("VEVENT")
    assert event["RRULE"].to_ical() == expected


def test_summary_has_no_emoji_or_tags(make_vault):
    vault = make_vault({"n.md": "- [ ] the 📅 meeting ✅ moved 🚀 #x ðŸ“… 2026-11-30\n"})
    [event] = strict(export(vault)).events
    assert event.summary == "the meeting moved"


def test_summary_keeps_symbols_that_are_no_emoji(make_vault):
    """Bug: every "other symbol" went with the emoji: `18°C` became `18C`, `№ 5 ★★★` `5`."""
    line = "- [ ] Set heater to 18°C, read № 5 ★★★ © ✓ ☀️ 👍🏽 📅 2026-11-30"
    vault = make_vault({"n.md": line + "\n"})
    [event] = strict(export(vault)).events
    assert event.summary == "Set heater to 18°C, read № 5 ★★★ © ✓"


def test_uids_are_stable_across_exports_and_line_moves(example_vault):
    first = {e.summary: e.uid for e in strict(export(example_vault)).events}
    assert {e.summary: e.uid for e in strict(export(example_vault)).events} == first
    inbox = example_vault / "Inbox.md"
    inbox.write_bytes(inbox.read_bytes().replace(b"# Inbox\r\n", b"# Inbox\r\n\r\nA new line.\r\n"))
    assert {e.summary: e.uid for e in strict(export(example_vault)).events} == first


def test_output_file_is_written_atomically_and_stdout_stays_clean(example_vault, tmp_path):
    target = tmp_path / "due.ics"
    result = CliRunner().invoke(cli, ["--vault", str(example_vault), "ics", "-o", str(target)],
                                env={"TASKSYNC_NOW": NOW})  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout_bytes == b""
    assert result.stderr.strip().startswith(f"6 events written to {target} — ")
    assert target.read_bytes() == export(example_vault).encode()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tasksync")] == []
    assert stat.S_IMODE(target.stat().st_mode) & 0o600 == 0o600


@pytest.mark.parametrize("args", [[], ["--todo", "--include-done", "--rrule"]],
                         ids=["events", "todos"])  # fmt: skip
def test_golden_files(example_vault, args):
    name = "example-vault" + ("-todo" if args else "") + ".ics"
    text = export(example_vault, *args).encode()
    if os.environ.get("UPDATE_GOLDEN"):
        (GOLDEN / name).write_bytes(text)
    assert text == (GOLDEN / name).read_bytes(), f"UPDATE_GOLDEN=1 pytest {__file__} to refresh"


def test_khal_imports_and_lists_each_event_on_its_due_date(example_vault, tmp_path):
    khal = tool("khal")
    (tmp_path / "cal").mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        f"[calendars]\n[[tasks]]\npath = {tmp_path / 'cal'}\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        f"[sqlite]\npath = {tmp_path / 'khal.db'}\n"
    )
    ics_file = tmp_path / "due.ics"
    ics_file.write_text(export(example_vault))
    subprocess.run([khal, "-c", str(config), "import", "--batch", "-a", "tasks", str(ics_file)],
                   check=True, capture_output=True)  # fmt: skip
    listed = subprocess.run(
        [khal, "-c", str(config), "list", "--format", "{start-date} {title}", "2026-11-01", "60d"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    events = sorted(line for line in listed.splitlines() if re.match(r"\d{4}-\d{2}-\d{2} ", line))
    assert events == [
        "2026-11-22 Water the seedlings",
        "2026-11-24 Call the council about the compost bins",
        "2026-11-29 Sharpen the hedge shears",
        "2026-11-30 Set up the nightly export of sensor readings",
        "2026-12-01 Pot on the tomato seedlings",
        "2026-12-15 Get three quotes for treated timber",
    ]


def test_todoman_lists_the_todo_export(example_vault, tmp_path):
    todo = tool("todo")
    folder = tmp_path / "lists" / "tasks"
    folder.mkdir(parents=True)
    for component in Calendar.from_ical(export(example_vault, "--todo")).walk("VTODO"):
        single = Calendar()
        single.add("prodid", "-//test//EN")
        single.add("version", "2.0")
        single.add_component(component)
        (folder / f"{component['UID']}.ics").write_bytes(single.to_ical())
    config = tmp_path / "todoman.py"
    cache = tmp_path / "cache.sqlite3"
    config.write_text(f'path = "{tmp_path / "lists"}/*"\ndate_format = "%Y-%m-%d"\n'
                      f'time_format = "%H:%M"\ncache_path = "{cache}"\n')  # fmt: skip
    out = subprocess.run([todo, "--porcelain", "list", "--status", "ANY"], check=True,
                         capture_output=True, text=True,
                         env={**os.environ, "TODOMAN_CONFIG": str(config)}).stdout  # fmt: skip
    listed = {t["summary"]: t for t in json.loads(out)}
    assert len(listed) == 6
    assert listed["Call the council about the compost bins"]["priority"] == 3
    assert listed["Call the council about the compost bins"]["completed"] is False


def test_seed_vault_after_accepting_gives_exactly_nine_events(seed_vault, tmp_path):
    vault = seed_vault
    assert (
        CliRunner().invoke(cli, ["--vault", str(vault), "accept", "--all-proposed"]).exit_code == 0
    )
    events = strict(export(vault)).events
    assert len(events) == 9
    assert sorted(e.dtstart.isoformat() for e in events) == [
        "2025-10-31", "2025-10-31", "2025-11-03", "2025-11-08", "2025-11-15", "2025-11-15",
        "2025-11-22", "2025-12-06", "2025-12-06",
    ]  # fmt: skip
    assert all(e.summary and "#" not in e.summary for e in events)


def test_entries_kept_from_the_last_export_give_the_same_bytes(example_vault):
    """The second export takes unchanged entries from the index's cache: the same bytes as
    building each entry anew, and a changed task is built anew."""
    first = export(example_vault, "--todo", "--include-done")
    again = export(example_vault, "--todo", "--include-done")
    assert again == first
    inbox = example_vault / "Inbox.md"
    inbox.write_bytes(inbox.read_bytes().replace(b"[due:: 2026-11-24]", b"[due:: 2026-11-26]"))
    changed = export(example_vault, "--todo", "--include-done")
    assert "DUE;VALUE=DATE:20261126" in changed
    db = os.environ["TASKSYNC_DB"]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    assert export(example_vault, "--todo", "--include-done") == changed  # built from nothing


@pytest.mark.parametrize(("line", "expected"), [
    # RRULE's dates must be the plugin's: no RRULE where RFC 5545 would expand other dates
    ("- [ ] odd 🔁 every month on the 32nd 📅 2026-12-09", None),  # out of range: unreadable
    ("- [ ] gym 🔁 every Monday 📅 2026-12-09", None),  # postponed: DTSTART is no Monday
    ("- [ ] fee 🔁 every 5th until December 1 2026 📅 2026-12-09", None),  # UNTIL before it
    ("- [ ] odd 🔁 every week on the last Friday 📅 2026-12-25", None),  # no -1FR when WEEKLY
    ("- [ ] once 🔁 every week for 1 times 📅 2026-12-10", None),  # no next date
    # the plugin counts a rule's times again from each new due date: no end
    ("- [ ] walk 🔁 every week for 3 times 📅 2026-12-10", b"FREQ=WEEKLY"),
    ("- [x] gym 🔁 every Monday 📅 2026-12-07 ✅ 2026-12-07", None),  # done: its next goes on
    ("- [ ] gym 🔁 every Monday 📅 2026-12-07", b"FREQ=WEEKLY;BYDAY=MO"),
])  # fmt: skip
def test_no_rrule_where_a_calendar_would_show_other_dates_than_the_plugin(make_vault, line,
                                                                          expected):  # fmt: skip
    """Bugs: `BYMONTHDAY=32` made the strict parser refuse the whole calendar; a postponed
    task's own date vanished from the series; `for 3 times` stopped after 3 where the plugin
    goes on; a done line kept its RRULE beside the series of its next occurrence."""
    vault = make_vault({"n.md": f"{line}\n"})
    text = export(vault, "--rrule", "--include-done")
    [event] = Calendar.from_ical(text).walk("VEVENT")
    rule = event.get("RRULE")
    assert (rule.to_ical() if rule else None) == expected
    strict(text)


@pytest.mark.parametrize(("line", "expected"), [
    ("- [ ] rent 🔁 every month on the last Friday 🛫 2026-12-22 📅 2026-12-25", None),
    ("- [ ] rent 🔁 every month on the last Friday 📅 2026-12-25", None),  # no DTSTART
    ("- [ ] bins 🔁 every week 🛫 2026-12-22 📅 2026-12-25", b"FREQ=WEEKLY"),
])  # fmt: skip
def test_a_todo_repeats_from_its_start_so_only_a_plain_rule_goes(make_vault, line, expected):
    """Bug: a VTODO's RRULE repeated its start date by the rule (last Fridays), so the due
    dates came out on the Mondays after; one without DTSTART had an RRULE RFC 5545 forbids."""
    vault = make_vault({"n.md": f"{line}\n"})
    text = export(vault, "--todo", "--rrule")
    [todo] = Calendar.from_ical(text).walk("VTODO")
    rule = todo.get("RRULE")
    assert (rule.to_ical() if rule else None) == expected


def test_output_onto_the_current_folder_names_it_and_stages_nothing(example_vault, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    """Bug: `-o ''` staged a file in the folder above the current one, and the error named
    that temporary file."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner().invoke(cli, ["--vault", str(example_vault), "ics", "-o", ""])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: Is a directory: ."
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tasksync")]


def test_an_unwritable_output_is_named_as_given(example_vault, tmp_path):
    target = tmp_path / "due.ics"
    target.write_text("old")
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
        pytest.skip("no immutable files here (chattr)")
    try:
        result = CliRunner().invoke(cli, ["--vault", str(example_vault), "ics", "-o",
                                          str(target)])  # fmt: skip
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(f": {target}")
    assert target.read_text() == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tasksync")]


def test_the_calendar_name_is_escaped_text(tmp_path):
    """Bug: NAME and X-WR-CALNAME held the vault's name unescaped (`My, Vault; x`), which a
    reader takes as a list of values."""
    vault = tmp_path / "My, Vault; x"
    vault.mkdir()
    (vault / "n.md").write_text("- [ ] a 📅 2026-12-05\n", encoding="utf-8")
    text = export(vault)
    assert "\r\nNAME:My\\, Vault\\; x\r\n" in text
    assert "\r\nX-WR-CALNAME:My\\, Vault\\; x\r\n" in text
    strict(text)
