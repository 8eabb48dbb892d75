"""What `tasksync ics` leaves out is said, for the tasks the filters select; a task whose date
is at the edge of the calendar is exported, not a crash of the whole export."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from ical.calendar_stream import IcsCalendarStream

from tasksync.cli.main import cli

NOW = "2026-11-22T09:00:00Z"


def export(vault, *args: str):
    return CliRunner().invoke(cli, ["--vault", str(vault), "ics", *args],
                              env={"TASKSYNC_NOW": NOW})  # fmt: skip


def test_a_task_due_on_the_last_day_of_the_calendar_is_an_event(make_vault):
    vault = make_vault({"n.md": "- [ ] the very end 📅 9999-12-31\n- [ ] soon 📅 2026-12-01\n"})
    for args in ((), ("--todo",)):
        result = export(vault, *args)
        assert result.exit_code == 0, result.output
        strict = IcsCalendarStream.calendar_from_ics(result.stdout_bytes.decode())
        items = strict.todos if args else strict.events
        assert sorted(i.summary for i in items) == ["soon", "the very end"]


def test_what_is_left_out_counts_only_what_the_filters_select(make_vault):
    vault = make_vault({
        "Projects/a.md": "- [?] propose @Ann 📅 2026-12-01\n- [x] closed @Ann 📅 2026-12-02\n",
        "Other/b.md": "- [?] other @Bob 📅 2026-12-03\n- [ ] open @Bob 📅 2026-12-04\n",
    })  # fmt: skip
    nobody = export(vault, "--owner", "Nobody")
    assert nobody.exit_code == 0
    assert nobody.stderr.strip() == "0 events", nobody.stderr
    ann = export(vault, "--owner", "Ann")
    assert ann.stderr.startswith("0 events — 1 proposed task(s)"), ann.stderr
    assert "1 done or cancelled" in ann.stderr, ann.stderr
    other = export(vault, "--path", "Other")
    assert other.stderr.startswith("1 event — 1 proposed task(s)"), other.stderr
    assert "done or cancelled" not in other.stderr, other.stderr


def test_a_task_whose_due_date_cannot_be_read_is_said_to_be_left_out(make_vault):
    vault = make_vault({"n.md": "- [ ] renew the lease 📅 2026-02-30\n- [ ] ok 📅 2026-12-01\n"})
    result = export(vault)
    assert result.exit_code == 0
    assert "1 event" in result.stderr
    assert "1 task(s) with a due date that is no date (2026-02-30) not included" in result.stderr


def test_a_completion_is_on_its_day_in_the_users_zone(make_vault, tmp_path):
    """COMPLETED was midnight UTC of the ✅ day: the day before, west of UTC."""
    vault = make_vault({"n.md": "- [x] Sharpen the hedge shears 📅 2026-11-23 ✅ 2026-11-22\n"})
    db = tmp_path / "index.sqlite"  # one index: what an export in one zone keeps, another uses
    for zone in ("UTC", "Pacific/Pago_Pago", "Pacific/Kiritimati", "UTC"):
        env = {**os.environ, "TZ": zone, "TASKSYNC_NOW": NOW, "TASKSYNC_DB": str(db)}
        out = subprocess.run([sys.executable, "-m", "tasksync", "--vault", str(vault), "ics",
                              "--todo", "--include-done"], env=env, capture_output=True,
                             check=True).stdout.decode()  # fmt: skip
        [todo] = IcsCalendarStream.calendar_from_ics(out).todos
        assert todo.completed.astimezone(ZoneInfo(zone)).date() == date(2026, 11, 22), zone


def test_the_output_is_written_through_a_link_and_never_over_a_note(make_vault, tmp_path):
    vault = make_vault({"n.md": "- [ ] soon 📅 2026-12-01\n"})
    target, link = tmp_path / "shared" / "due.ics", tmp_path / "due.ics"
    target.parent.mkdir()
    target.write_text("old calendar")
    link.symlink_to(target)
    assert export(vault, "-o", str(link)).exit_code == 0
    assert link.is_symlink()  # the link stays, and what it points to is the new calendar
    assert target.read_text().startswith("BEGIN:VCALENDAR")
    note = vault / "n.md"
    refused = export(vault, "-o", str(note))
    assert refused.exit_code == 2
    assert "is a note of the vault" in refused.stderr
    assert note.read_text() == "- [ ] soon 📅 2026-12-01\n"


def test_the_output_into_a_named_pipe_is_written_into_it_not_replaced(make_vault, tmp_path):
    """`ics -o PIPE` renamed a regular file over the pipe: it was destroyed, and its reader
    (a calendar client reading a FIFO) never got the calendar."""
    vault = make_vault({"n.md": "- [ ] soon 📅 2026-12-01\n"})
    pipe = tmp_path / "calendar.pipe"
    os.mkfifo(pipe)
    reader = subprocess.Popen(["cat", str(pipe)], stdout=subprocess.PIPE)
    result = subprocess.run(
        [sys.executable, "-m", "tasksync", "--vault", str(vault), "ics", "-o", str(pipe)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    got, _ = reader.communicate(timeout=30)
    assert result.returncode == 0, result.stderr
    assert pipe.is_fifo()
    [event] = IcsCalendarStream.calendar_from_ics(got.decode()).events
    assert event.summary == "soon"
    piped = subprocess.run(
        [sys.executable, "-m", "tasksync", "--vault", str(vault), "ics", "-o", "/dev/stdout"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr  # it said "No such file …: /proc/N/fd"
    assert piped.stdout.startswith(b"BEGIN:VCALENDAR")


def test_an_index_that_is_a_note_is_refused(make_vault):
    vault = make_vault({"Inbox.md": "- [ ] soon 📅 2026-12-01\n"})
    result = CliRunner().invoke(cli, ["--vault", str(vault), "--db", str(vault / "Inbox.md"),
                                      "list"])  # fmt: skip
    assert result.exit_code == 2
    assert "--db" in result.stderr
    assert "is a note of the vault" in result.stderr
    assert (vault / "Inbox.md").read_text() == "- [ ] soon 📅 2026-12-01\n"
