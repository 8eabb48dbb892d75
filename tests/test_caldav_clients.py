"""What other task apps do to the calendar still comes into the notes, on both real servers:
their own time zone definitions, a first meeting after the index is lost, and an unreachable
server's message (each found by trying it, and failing before its fix)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pytest

pytest.importorskip("radicale")
pytest.importorskip("xandikos")

from tests.caldav_servers import free_port, todo_by_summary
from tests.test_caldav_twoway import WEEK, ok, summaries, sync

# An Outlook/Exchange-style zone: a Windows name, defined in the calendar object itself.
CUSTOM_ZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\n"
    "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
    "DTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def test_a_due_time_in_a_zone_the_client_defines_itself_is_read(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo_by_summary(server, "Call the council about the compost bins").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    todo = todo_by_summary(server, "Water the seedlings")
    text = todo.data.replace("\r\n", "\n").replace("\n", "\r\n")
    text = re.sub(r"DUE;VALUE=DATE:\d+", "DUE;TZID=W. Europe Standard Time:20261127T090000", text)
    todo.data = text.replace("BEGIN:VTODO", CUSTOM_ZONE + "BEGIN:VTODO", 1)
    todo.save()
    ok(sync(vault, server))
    note = (vault / "Week.md").read_text()
    assert "- [x] Call the council about the compost bins 📅 2026-11-24 ✅ 2026-11-21" in note
    assert "- [ ] Water the seedlings 📅 2026-11-27" in note


def test_a_phone_completion_of_a_task_in_progress_survives_a_lost_index(make_vault, server,
                                                                         tmp_path):  # fmt: skip
    vault = make_vault({"Week.md": WEEK})
    db = tmp_path / "first.sqlite"
    ok(sync(vault, server, env={"TASKSYNC_DB": str(db)}))
    todo_by_summary(server, "Water the seedlings").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    note = vault / "Week.md"
    note.write_text(note.read_text().replace("[ ] Water", "[/] Water"))
    # A new index: no state of the last sync, so task and VTODO meet for the first time.
    ok(sync(vault, server, env={"TASKSYNC_DB": str(tmp_path / "second.sqlite")}))
    assert "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-21" in note.read_text()
    assert summaries(server)["Water the seedlings"] == "COMPLETED"


def test_an_unreachable_server_is_said_with_its_cause(example_vault, tmp_path):
    url = f"http://127.0.0.1:{free_port()}/"
    done = subprocess.run(
        [sys.executable, "-m", "tasksync", "--vault", str(example_vault), "--db",
         str(tmp_path / "i.sqlite"), "caldav", "sync", "--url", url, "--user", "tester"],
        capture_output=True, text=True, env={"TASKSYNC_CALDAV_PASSWORD": "x", "PATH": ""},
        check=False,
    )  # fmt: skip
    assert done.returncode == 7
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "connection refused" in lines[0].lower()
    assert "127.0.0.1" in lines[0]
    assert " object at 0x" not in lines[0]


@pytest.mark.parametrize("drops_unknown", [False, True])
def test_a_client_that_writes_the_uid_in_capitals_keeps_the_task(make_vault, server,
                                                                 drops_unknown):  # fmt: skip
    """UIDs made of UUIDs are compared without case by some apps, which write them back in
    capitals (and some drop the properties they do not know): the completion comes back to
    its task, and nothing is imported as new or reported deleted."""
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo = todo_by_summary(server, "Water the seedlings")
    component = todo.icalendar_component
    lines = [f"UID:{str(component['UID']).upper()}", "SUMMARY:Water the seedlings",
             "DTSTAMP:20261122T100000Z", "DUE;VALUE=DATE:20261126", "STATUS:COMPLETED",
             "COMPLETED:20261121T120000Z"]  # fmt: skip
    if not drops_unknown:
        lines.append(f"X-TASKSYNC-TASK:{component['X-TASKSYNC-TASK']}")
    todo.delete()
    server.calendar().save_todo("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//app//EN\r\n"
                                "BEGIN:VTODO\r\n" + "\r\n".join(lines)
                                + "\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")  # fmt: skip
    out = ok(sync(vault, server))
    assert "deleted on the server" not in out, out
    assert "not found" not in out, out
    assert (
        "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-21" in (vault / "Week.md").read_text()
    )
    assert not (vault / "Inbox.md").exists()
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")
    assert summaries(server)["Water the seedlings"] == "COMPLETED"
    assert len(server.calendar("tasks").todos(include_completed=True)) == 3


def test_a_phone_completion_follows_its_task_moved_to_another_note(make_vault, server):
    """A task's id holds its note's path: moved to another note, the line is a task the
    sync has never sent. A completion made on the phone meanwhile comes into the moved line,
    and the server keeps one task for it (not a completed one and a new open one)."""
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    week = vault / "Week.md"
    week.write_text(week.read_text().replace("- [ ] Water the seedlings 📅 2026-11-26\n", ""))
    (vault / "Garden.md").write_text("# Garden\n- [ ] Water the seedlings 📅 2026-11-26\n")
    out = ok(sync(vault, server))
    assert "gone from the vault" not in out, out
    garden = (vault / "Garden.md").read_text()
    assert "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-21" in garden
    ok(sync(vault, server))
    todos = server.calendar("tasks").todos(include_completed=True)
    assert sorted(str(t.icalendar_component["SUMMARY"]) for t in todos) == [
        "Call the council about the compost bins",
        "Order two more humidity probes",
        "Water the seedlings",
    ]
    assert summaries(server)["Water the seedlings"] == "COMPLETED"


def test_a_task_that_deletes_itself_when_done_is_quiet_after_its_phone_completion(
    make_vault, server
):
    """`🏁 delete`: completed on the phone, its line goes (as the plugin does it). Both sides
    agree it is done: the syncs after say nothing of a task 'gone from the vault', and the
    phone keeps its completed task."""
    vault = make_vault({"Week.md": WEEK.replace("seedlings 📅", "seedlings 🏁 delete 📅")})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    ok(sync(vault, server))
    assert "Water the seedlings" not in (vault / "Week.md").read_text()
    for _ in range(2):
        out = ok(sync(vault, server))
        assert "gone from the vault" not in out, out
        assert out.startswith("pushed 0, removed 0, pulled 0"), out
    assert summaries(server)["Water the seedlings"] == "COMPLETED"
