"""What a phone does to the calendar always lands in the notes, on both real servers: every
case of the sync's behaviour table, time zones, interruptions and messages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli

pytest.importorskip("radicale")
pytest.importorskip("xandikos")

from tests.caldav_servers import (
    SERVERS,
    Server,
    phone_create,
    phone_edit,
    todo_by_summary,
)

NOW = "2026-11-22T09:00:00Z"
WEEK = (
    "# Week\n"
    "- [ ] Call the council about the compost bins 📅 2026-11-24\n"
    "- [ ] Order two more humidity probes 📅 2026-11-25\n"
    "- [ ] Water the seedlings 📅 2026-11-26\n"
)


def sync(vault: Path, server: Server, *args: str, calendar: str | None = "tasks", env=None):
    options = ["--calendar", calendar] if calendar else []
    return CliRunner().invoke(
        cli,
        ["--vault", str(vault), "--today", "2026-11-22", "caldav", *(args or ("sync",)),
         "--url", server.url, *options, "--user", "tester"],
        env={"TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x", **(env or {})},
    )  # fmt: skip


def sync_command(vault: Path, server: Server) -> list[str]:
    """`tasksync caldav sync` as a process of its own."""
    return [
        sys.executable,
        "-m",
        "tasksync",
        "--vault",
        str(vault),
        "--today",
        "2026-11-22",
        "caldav",
        "sync",
        "--url",
        server.url,
        "--calendar",
        "tasks",
        "--user",
        "tester",
    ]


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def summaries(server: Server, name: str = "tasks") -> dict[str, str]:
    return {str(t.icalendar_component["SUMMARY"]): str(t.icalendar_component["STATUS"])
            for t in server.calendar(name).todos(include_completed=True)}  # fmt: skip


def test_a_phone_completion_survives_a_rewording_in_the_vault(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo_by_summary(server, "Order two more humidity probes").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    note = vault / "Week.md"
    note.write_text(note.read_text().replace("two more humidity probes",
                                             "three humidity probes"))  # fmt: skip
    out = ok(sync(vault, server, "sync", "--prefer", "server"))
    assert "0 conflict(s)" in out
    assert "- [x] Order three humidity probes 📅 2026-11-25 ✅ 2026-11-21" in note.read_text()
    assert summaries(server) == {
        "Call the council about the compost bins": "NEEDS-ACTION",
        "Order three humidity probes": "COMPLETED",
        "Water the seedlings": "NEEDS-ACTION",
    }


def test_a_completion_that_cannot_be_written_fails_and_comes_on_the_next_sync(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    os.link(vault / "Week.md", vault.parent / "hard link")  # a note tasksync must not rewrite
    result = sync(vault, server)
    assert result.exit_code != 0
    assert "hard links" in result.stderr
    assert "- [ ] Water the seedlings" in (vault / "Week.md").read_text()
    assert summaries(server)["Water the seedlings"] == "COMPLETED"  # the server keeps it
    (vault.parent / "hard link").unlink()
    out = ok(sync(vault, server))
    assert "pulled 1 change" in out
    assert (
        "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-21" in (vault / "Week.md").read_text()
    )
    assert summaries(server)["Water the seedlings"] == "COMPLETED"


def test_renaming_the_vault_folder_sends_nothing_again(tmp_path, server, monkeypatch):
    monkeypatch.delenv("TASKSYNC_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    vault = tmp_path / "Garden"
    vault.mkdir()
    (vault / "Week.md").write_text(WEEK)
    assert ok(sync(vault, server)).startswith("pushed 3")
    uids = {str(t.icalendar_component["UID"]) for t in server.calendar().todos()}
    vault.rename(tmp_path / "Garden 2026")
    assert ok(sync(tmp_path / "Garden 2026", server)).startswith("pushed 0, removed 0, pulled 0")
    assert {str(t.icalendar_component["UID"]) for t in server.calendar().todos()} == uids


# A due time with a TZID is its day in that zone (20:00 in New York on the 21st: the 21st, in
# Tokyo too — a sync from another zone must not read another day, and pull it again); a UTC
# completion time is the user's local day.
@pytest.mark.parametrize(("zone", "due", "done"), [
    ("Asia/Tokyo", "2025-12-21", "2025-12-22"),
    ("America/Los_Angeles", "2025-12-21", "2025-12-21"),
])  # fmt: skip
def test_dates_from_the_phone_are_the_days_it_showed(make_vault, server, tmp_path, zone, due,
                                                     done):  # fmt: skip
    vault = make_vault({"Week.md": WEEK})
    env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x", "TZ": zone,
           "TASKSYNC_DB": str(tmp_path / f"{zone.replace('/', '_')}.sqlite")}  # fmt: skip
    command = sync_command(vault, server)
    first = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    todo = todo_by_summary(server, "Water the seedlings")
    todo.icalendar_component.pop("DUE")
    todo.icalendar_component.add("due", datetime(2025, 12, 21, 20, 0,
                                                 tzinfo=_zone("America/New_York")))  # fmt: skip
    todo.save()
    todo_by_summary(server, "Call the council about the compost bins").complete(
        completion_timestamp=datetime(2025, 12, 22, 6, 0, tzinfo=UTC))  # fmt: skip
    second = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert second.returncode == 0, second.stderr
    text = (vault / "Week.md").read_text()
    assert f"- [ ] Water the seedlings 📅 {due}" in text
    assert f"- [x] Call the council about the compost bins 📅 2026-11-24 ✅ {done}" in text


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def test_percent_complete_100_alone_is_done(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_edit(server, "Water the seedlings", percent_complete=100)
    ok(sync(vault, server))
    assert (
        "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-22" in (vault / "Week.md").read_text()
    )


def test_in_process_on_the_phone_is_in_progress_in_the_note(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_edit(server, "Water the seedlings", status="IN-PROCESS")
    ok(sync(vault, server))
    assert "- [/] Water the seedlings 📅 2026-11-26" in (vault / "Week.md").read_text()
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")
    assert summaries(server)["Water the seedlings"] == "IN-PROCESS"


def test_a_summary_changed_on_the_phone_rewords_the_note(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_edit(server, "Water the seedlings", summary="Water the seedlings and the basil")
    ok(sync(vault, server))
    text = (vault / "Week.md").read_text()
    assert "- [ ] Water the seedlings and the basil 📅 2026-11-26" in text
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")


def test_deleted_on_the_phone_is_reported_and_not_sent_again(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    before = (vault / "Week.md").read_bytes()
    todo_by_summary(server, "Water the seedlings").delete()
    out = ok(sync(vault, server))
    assert "deleted on the server; not sent again" in out
    assert "Water the seedlings" not in summaries(server)
    assert (vault / "Week.md").read_bytes() == before
    ok(sync(vault, server))
    assert "Water the seedlings" not in summaries(server)


def test_created_on_the_phone_is_imported_once_into_the_inbox(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_create(server, "phone-1@example", "Buy compost", due="2026-11-30")
    out = ok(sync(vault, server))
    assert "imported 1 new task" in out
    assert (vault / "Inbox.md").read_text() == "- [ ] Buy compost 📅 2026-11-30 ➕ 2026-11-22\n"
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")
    assert (vault / "Inbox.md").read_text().count("Buy compost") == 1
    # ticked in the note, it is completed on the phone's own VTODO (no second one)
    inbox = vault / "Inbox.md"
    inbox.write_text(inbox.read_text().replace("- [ ]", "- [x]"))
    ok(sync(vault, server))
    assert summaries(server)["Buy compost"] == "COMPLETED"
    assert len(summaries(server)) == 4
    # the import is journaled like any change; its line was ticked since: undo leaves it
    undone = CliRunner().invoke(cli, ["--vault", str(vault), "undo"])
    assert undone.stdout.startswith("nothing undone of `caldav pull`"), undone.output
    assert "- [x] Buy compost" in inbox.read_text()


def test_one_undo_takes_back_all_a_sync_wrote(make_vault, server):
    """A sync that pulled a completion and imported the phone's new task journaled two
    batches: `undo` took back the import alone, the completion stayed, and a second undo
    was needed (README: everything one sync writes into the notes is one batch)."""
    vault = make_vault({"Week.md": WEEK, "Inbox.md": "# Inbox\n"})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    phone_create(server, "phone-milk@example", "Buy milk", due="2026-11-27")
    before = {name: (vault / name).read_bytes() for name in ("Week.md", "Inbox.md")}
    out = ok(sync(vault, server))
    assert "imported 1 new task" in out
    assert "- [x] Water the seedlings" in (vault / "Week.md").read_text()
    assert "Buy milk" in (vault / "Inbox.md").read_text()
    log = ok(CliRunner().invoke(cli, ["--vault", str(vault), "log"]))
    assert log.count("caldav") == 1, log
    ok(CliRunner().invoke(cli, ["--vault", str(vault), "undo"]))
    assert {name: (vault / name).read_bytes() for name in before} == before


def test_a_sent_task_the_vault_cannot_place_is_left_on_the_server(make_vault, server, tmp_path):
    """The index deleted and a task reworded since: its VTODO is reported, never deleted,
    and not imported as a second task."""
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete()
    note = vault / "Week.md"
    note.write_text(note.read_text().replace("Water the seedlings", "Water the tomatoes"))
    index = Path(os.environ["TASKSYNC_DB"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    out = ok(sync(vault, server))
    assert "sent by tasksync but its task is not found in the vault; left on the server" in out
    assert not (vault / "Inbox.md").exists()
    assert summaries(server)["Water the seedlings"] == "COMPLETED"
    assert ok(sync(vault, server)).count("left on the server") == 0


def test_completing_a_merged_twin_does_not_show_the_other(make_vault, server):
    twins = ("- [ ] Send the meeting notes to Dana 📅 2026-11-27\n"
             "- [ ] Send notes from the meeting to Dana\n")  # fmt: skip
    vault = make_vault({"Meeting.md": twins})
    ok(sync(vault, server, "sync", "--all-open"))
    assert list(summaries(server)) == ["Send the meeting notes to Dana"]
    todo_by_summary(server, "Send the meeting notes to Dana").complete()
    ok(sync(vault, server, "sync", "--all-open"))
    assert list(summaries(server)) == ["Send the meeting notes to Dana"]
    assert "- [x] Send the meeting notes to Dana" in (vault / "Meeting.md").read_text()


def test_the_same_change_on_both_sides_is_no_conflict(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    note = vault / "Week.md"
    done = "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-22"
    note.write_text(note.read_text().replace("- [ ] Water the seedlings 📅 2026-11-26", done))
    todo_by_summary(server, "Water the seedlings").complete()
    assert "0 conflict(s)" in ok(sync(vault, server))


def test_pull_then_sync_reports_no_conflict(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete()
    assert "pulled 1 change" in ok(sync(vault, server, "pull"))
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0 changes; 0 conflict")


def test_a_sync_killed_mid_way_leaves_no_false_conflicts(make_vault, server, tmp_path):
    notes = {f"n{i:02d}.md": "".join(f"- [ ] task {i}.{j} 📅 2026-12-{1 + j:02d}\n"
                                     for j in range(5)) for i in range(40)}  # fmt: skip
    vault = make_vault(notes)
    db = tmp_path / "kill.sqlite"
    env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x",
           "TASKSYNC_DB": str(db)}  # fmt: skip
    command = sync_command(vault, server)
    assert subprocess.run(command, capture_output=True, env=env, check=False).returncode == 0
    for todo in server.calendar().todos():
        todo.complete(completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))
    # the vault changes too, so the sync has to push as well as pull
    for name in list(notes)[:10]:
        path = vault / name
        path.write_text(path.read_text().replace("📅 2026-12-01", "📅 2026-12-09"))
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    time.sleep(0.4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    server.stop()
    server.start()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert " 0 conflict(s)" in result.stdout, result.stdout
    done = sum(text.count("- [x]") for text in (p.read_text() for p in vault.glob("*.md")))
    assert done == 200
    assert set(summaries(server).values()) == {"COMPLETED"}


def test_state_is_per_calendar_and_a_url_may_name_the_calendar(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    assert ok(sync(vault, server, calendar="work")).startswith("pushed 3")
    assert ok(sync(vault, server, calendar="home")).startswith("pushed 3")
    assert ok(sync(vault, server, calendar="work")).startswith("pushed 0")
    work = server.calendar("work")
    named = CliRunner().invoke(
        cli, ["--vault", str(vault), "caldav", "sync", "--url", str(work.url), "--user", "tester"],
        env={"TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x"},
    )  # fmt: skip
    assert ok(named).startswith("pushed 0")
    names = {str(c.get_display_name()) for c in server.client().principal().calendars()}
    assert "tasksync" not in names


def test_watch_polls_the_server_while_the_notes_are_quiet(make_vault, server, tmp_path):
    config = f'[caldav]\nurl = "{server.url}"\ncalendar = "tasks"\nuser = "tester"\n'
    vault = make_vault({"Week.md": WEEK, ".tasksync.toml": config})
    env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x",
           "TASKSYNC_DB": str(tmp_path / "watch.sqlite")}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "tasksync", "--vault", str(vault), "watch", "--caldav",
         "--poll", "0.5", "--debounce", "0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                todo_by_summary(server, "Water the seedlings")
                break
            except (KeyError, Exception):
                time.sleep(0.2)
        todo_by_summary(server, "Water the seedlings").complete()
        deadline = time.monotonic() + 20
        while "- [x] Water" not in (vault / "Week.md").read_text():
            assert time.monotonic() < deadline, "the completion never came"
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert "Traceback" not in err


def test_no_password_says_how_to_give_one(example_vault, tmp_path):
    guarded = SERVERS["radicale"](tmp_path / "guarded", password="right")
    guarded.start()
    try:
        result = CliRunner().invoke(
            cli, ["--vault", str(example_vault), "caldav", "sync", "--url", guarded.url,
                  "--user", "tester"], env={"TASKSYNC_CALDAV_PASSWORD": ""},
        )  # fmt: skip
        assert result.exit_code == 7
        assert "asks for a password and none was given" in result.stderr
        assert "TASKSYNC_CALDAV_PASSWORD" in result.stderr
        forbidden = CliRunner().invoke(
            cli, ["--vault", str(example_vault), "caldav", "sync", "--url",
                  f"{guarded.url}someone-else/", "--user", "tester"],
            env={"TASKSYNC_CALDAV_PASSWORD": "right"},
        )  # fmt: skip
        assert forbidden.exit_code == 7
        assert "HTTP 403" in forbidden.stderr or "HTTP 404" in forbidden.stderr, forbidden.stderr
        assert len(forbidden.stderr.strip().splitlines()) == 1
    finally:
        guarded.stop()


def test_credentials_go_with_the_first_request(example_vault, tmp_path):
    guarded = SERVERS["radicale"](tmp_path / "guarded", password="right")
    guarded.start()
    try:
        result = CliRunner().invoke(
            cli, ["--vault", str(example_vault), "caldav", "sync", "--url", guarded.url,
                  "--calendar", "tasks", "--user", "tester"],
            env={"TASKSYNC_CALDAV_PASSWORD": "right", "TASKSYNC_NOW": NOW},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    finally:
        guarded.stop()
    log = guarded.log.read_text()
    assert " 401 " not in log, log[-2000:]
    assert "401 Unauthorized" not in log, log[-2000:]


def test_an_unknown_path_is_named(example_vault, server):
    result = CliRunner().invoke(
        cli, ["--vault", str(example_vault), "caldav", "sync", "--url",
              f"{server.url}nobody/calendars/none/", "--user", "tester"],
        env={"TASKSYNC_CALDAV_PASSWORD": "x"},
    )  # fmt: skip
    assert result.exit_code == 7
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_recurring_task_whose_done_line_keeps_its_id_sends_the_next_one_at_once(
    make_vault, server
):
    """With a 🆔 (which the plugin drops from the next occurrence), the done line keeps the
    task and its server entry: the next occurrence, a new task made by the pull, reached the
    phone only on the sync after. And its line had a double space where 🆔 was."""
    vault = make_vault({"Week.md": "- [ ] Empty the compost 🔁 every week 🆔 cmp1 📅 2026-11-24\n"})
    ok(sync(vault, server))
    todo_by_summary(server, "Empty the compost").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    first = ok(sync(vault, server))
    assert first.startswith("pushed 1, removed 0, pulled 1"), first
    assert (vault / "Week.md").read_text().splitlines()[0] == \
        "- [ ] Empty the compost 🔁 every week 📅 2026-12-01"  # fmt: skip
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")
    todos = [t.icalendar_component for t in server.calendar().todos(include_completed=True)]
    states = sorted((str(t["STATUS"]), t["DUE"].dt.isoformat()) for t in todos)
    assert states == [("COMPLETED", "2026-11-24"), ("NEEDS-ACTION", "2026-12-01")]


def test_a_recurring_task_completed_on_the_phone_moves_on_once(make_vault, server):
    # The completion is written once (done line + next occurrence, as the plugin does);
    # the phone's task then shows the next occurrence; later syncs change nothing.
    vault = make_vault({"Week.md": "- [ ] Empty the compost 🔁 every week 📅 2026-11-24\n"})
    ok(sync(vault, server))
    todo_by_summary(server, "Empty the compost").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    first = ok(sync(vault, server))
    assert "pulled 1 change" in first, first
    after = (vault / "Week.md").read_text()
    assert after == (
        "- [ ] Empty the compost 🔁 every week 📅 2026-12-01\n"
        "- [x] Empty the compost 🔁 every week 📅 2026-11-24 ✅ 2026-11-21\n"
    )
    for _ in range(2):
        again = ok(sync(vault, server))
        assert again.startswith("pushed 0, removed 0, pulled 0"), again
    assert (vault / "Week.md").read_text() == after
    [todo] = server.calendar().todos(include_completed=True)
    assert str(todo.icalendar_component["STATUS"]) == "NEEDS-ACTION"
    assert todo.icalendar_component["DUE"].dt.isoformat() == "2026-12-01"


def test_two_syncs_at_once_take_turns_and_import_once(make_vault, server, tmp_path):
    from tasksync.write.lock import vault_lock

    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    for n in range(5):
        phone_create(server, f"phone-{n}@example", f"Parallel item {n}")
    env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x"}
    with vault_lock(vault, "the test", kind="caldav"):  # a sync already running
        waiting = subprocess.Popen(sync_command(vault, server), env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        time.sleep(1.5)
        assert waiting.poll() is None, "a second sync did not wait for the first"
    other = subprocess.Popen(sync_command(vault, server), env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    for proc in (waiting, other):
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    inbox = (vault / "Inbox.md").read_text()
    assert all(inbox.count(f"Parallel item {n}") == 1 for n in range(5)), inbox
    assert len(server.calendar().todos(include_completed=True)) == 3 + 5


@pytest.mark.parametrize("inbox", [".obsidian/inbox.md", "Inbox.txt"])
def test_an_inbox_tasksync_does_not_read_is_refused_not_appended_to_again_and_again(
    make_vault, server, inbox
):
    vault = make_vault({"Week.md": WEEK, ".tasksync.toml": f'[caldav]\ninbox = "{inbox}"\n'})
    ok(sync(vault, server))
    phone_create(server, "phone-1@example", "Buy compost")
    for _ in range(2):
        result = sync(vault, server)
        assert result.exit_code != 0
        assert f"the inbox {inbox} is not a note tasksync reads" in result.stderr
    assert not (vault / inbox).exists()


def _phone_acts_after_the_listing(monkeypatch, act):
    """The phone changes the server right after tasksync has listed it (its copies stale)."""
    from tasksync.calendar import twoway

    listed = twoway._listed

    def listing_then_phone(calendar):
        items = listed(calendar)
        act()
        return items

    monkeypatch.setattr(twoway, "_listed", listing_then_phone)


@pytest.mark.parametrize("in_the_vault", ["due moved", "line deleted"])
def test_a_phone_completion_made_while_the_sync_runs_is_never_overwritten(
    make_vault, server, monkeypatch, in_the_vault
):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    note = vault / "Week.md"
    line = "- [ ] Water the seedlings 📅 2026-11-26\n"
    changed = line.replace("11-26", "11-28") if in_the_vault == "due moved" else ""
    note.write_text(note.read_text().replace(line, changed))
    with monkeypatch.context() as patched:  # (undo() would also drop the private index)
        _phone_acts_after_the_listing(patched, lambda: todo_by_summary(
            server, "Water the seedlings").complete())  # fmt: skip
        out = ok(sync(vault, server))
    assert "changed on the server while" in out, out
    assert summaries(server)["Water the seedlings"] == "COMPLETED", "the completion was lost"
    if in_the_vault == "due moved":  # the next sync brings the completion into the note
        ok(sync(vault, server))
        assert "- [x] Water the seedlings 📅 2026-11-28" in note.read_text()


def test_a_push_keeps_what_the_phone_added_to_a_task(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_edit(server, "Water the seedlings", location="Greenhouse",
               description="Use the rain barrel,\nnot the tap")  # fmt: skip
    note = vault / "Week.md"
    note.write_text(note.read_text().replace("seedlings 📅 2026-11-26", "seedlings 📅 2026-11-29"))
    ok(sync(vault, server))
    todo = todo_by_summary(server, "Water the seedlings").icalendar_component
    assert todo["DUE"].dt.isoformat() == "2026-11-29"
    assert str(todo["LOCATION"]) == "Greenhouse"
    assert str(todo["DESCRIPTION"]) == "Use the rain barrel,\nnot the tap"


@pytest.mark.parametrize("title", ["Water the 🌱 seedlings", "Water the seedlings – café ✓ ☕"])
def test_a_title_with_emoji_changed_on_the_phone_keeps_syncing(make_vault, server, title):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_edit(server, "Water the seedlings", summary=title)
    first = ok(sync(vault, server))
    assert "0 conflict(s)" in first, first
    note = vault / "Week.md"
    assert f"- [ ] {title} 📅 2026-11-26" in note.read_text()
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")
    note.write_text(note.read_text().replace(f"- [ ] {title}", f"- [x] {title}"))
    ok(sync(vault, server))  # the tick reaches the phone, and the title stays as written there
    assert summaries(server)[title] == "COMPLETED"


def test_a_phone_title_holding_tasks_fields_is_imported_as_words(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_create(server, "phone-1@example", "Pay rent 📅 2027-01-01 #home", due="2026-12-03")
    phone_create(server, "phone-2@example", "Gym 🔁 every day ⏫")
    phone_create(server, "phone-3@example", 'Call "Mum" 🎂 re: party')
    out = ok(sync(vault, server))
    assert "holds Tasks fields" in out, out
    inbox = sorted((vault / "Inbox.md").read_text().splitlines())  # in the server's order
    assert inbox == [
        '- [ ] Call "Mum" 🎂 re: party ➕ 2026-11-22',
        "- [ ] Gym ➕ 2026-11-22",
        "- [ ] Pay rent #home 📅 2026-12-03 ➕ 2026-11-22",
    ]


def test_a_sync_cut_short_in_its_push_says_what_it_had_pulled(make_vault, server, monkeypatch):
    from tasksync.calendar import twoway
    from tasksync.calendar.caldav import CalDavError

    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete()
    todo_by_summary(server, "Order two more humidity probes").complete()

    def server_gone(*_args):
        raise CalDavError("the server stopped answering while tasksync pushed")

    monkeypatch.setattr(twoway, "_push", server_gone)
    result = sync(vault, server)
    assert result.exit_code == 7, result.output
    assert "(before that: pushed 0, removed 0, pulled 2 changes" in result.stderr, result.stderr
    assert (vault / "Week.md").read_text().count("- [x]") == 2


def test_a_phone_task_without_a_title_is_imported_and_left_so(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_create(server, "phone-1@example", "", due="2026-12-03")
    assert "imported 1 new task" in ok(sync(vault, server))
    assert "- [ ] (no description) 📅 2026-12-03" in (vault / "Inbox.md").read_text()
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")
    assert "" in summaries(server)  # the phone's task keeps its empty title


# A sync that kills itself (SIGKILL) the moment the inbox note is written, before it can save
# what it imported: the narrowest window of an import. (With "before" as its first argument:
# just before the inbox is written.)
_KILLED_AFTER_IMPORT = """
import os, signal, sys
import tasksync.calendar.twoway as twoway
written = twoway.run_batch
before = sys.argv[1] == "before"
def append_then_die(*args, **kwargs):
    if not kwargs.get("append"):
        return written(*args, **kwargs)
    if not before:
        written(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
twoway.run_batch = append_then_die
from tasksync.cli.main import cli
sys.exit(cli(sys.argv[2:]))
"""


@pytest.mark.parametrize("then", ["unchanged", "ticked", "edited on the phone"])
def test_a_sync_killed_right_after_importing_imports_once(make_vault, server, then):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_create(server, "phone-a@example", "Buy compost", due="2026-11-30")
    phone_create(server, "phone-b@example", "Sweep the shed")
    env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x"}
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_IMPORT, "after",
                             *sync_command(vault, server)[3:]],
                            capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    inbox = vault / "Inbox.md"
    assert inbox.read_text().count("Buy compost") == 1  # written before the kill
    if then == "ticked":
        inbox.write_text(inbox.read_text().replace("- [ ] Buy compost", "- [x] Buy compost"))
    if then == "edited on the phone":
        phone_edit(server, "Sweep the shed", due=datetime(2026, 12, 3).date())
    out = ok(sync(vault, server))
    text = inbox.read_text()
    assert (text.count("Buy compost"), text.count("Sweep the shed")) == (1, 1), text
    assert len(server.calendar().todos(include_completed=True)) == 3 + 2
    if then == "ticked":
        assert summaries(server)["Buy compost"] == "COMPLETED"
    if then == "edited on the phone":
        [swept] = [line for line in text.splitlines() if "Sweep the shed" in line]
        assert "📅 2026-12-03" in swept  # the phone's change since the import is pulled
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0"), out


def test_a_sync_killed_before_writing_its_import_imports_then(make_vault, server):
    """The same words already in the inbox are the user's line, not the import's."""
    vault = make_vault({"Week.md": WEEK, "Inbox.md": "- [ ] Sweep the shed\n"})
    ok(sync(vault, server))
    phone_create(server, "phone-b@example", "Sweep the shed")
    env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x"}
    killed = subprocess.run([sys.executable, "-c", _KILLED_AFTER_IMPORT, "before",
                             *sync_command(vault, server)[3:]],
                            capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert (vault / "Inbox.md").read_text() == "- [ ] Sweep the shed\n"
    assert "imported 1 new task" in ok(sync(vault, server))
    assert (vault / "Inbox.md").read_text() == (
        "- [ ] Sweep the shed\n- [ ] Sweep the shed ➕ 2026-11-22\n"
    )
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")


def test_a_phone_task_with_a_start_and_a_duration_is_due_at_its_end_and_keeps_syncing(
    make_vault, server
):
    """RFC 5545: a VTODO is due at DTSTART + DURATION when it has no DUE. A push that set
    DUE beside the phone's DURATION was refused (400) on every sync after."""
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo = todo_by_summary(server, "Water the seedlings")
    component = todo.icalendar_component
    component.pop("DUE")
    component.add("dtstart", datetime(2026, 11, 27, 9, tzinfo=UTC))
    component.add("duration", timedelta(hours=2))
    todo.save()
    ok(sync(vault, server))
    assert "- [ ] Water the seedlings 📅 2026-11-27" in (vault / "Week.md").read_text()
    week = vault / "Week.md"
    week.write_text(week.read_text().replace("seedlings 📅 2026-11-27", "seedlings 📅 2026-12-03"))
    out = ok(sync(vault, server))
    assert out.startswith("pushed 1,"), out
    pushed = todo_by_summary(server, "Water the seedlings").icalendar_component
    assert (pushed["DUE"].dt.isoformat(), "DURATION" in pushed) == ("2026-12-03", False)
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")


def test_a_task_the_server_refuses_is_named_and_the_others_still_go(make_vault, tmp_path):
    from tests.caldav_servers import Radicale

    server = Radicale(tmp_path / "small", largest=4000)  # refuses bigger requests: 413
    server.start()
    try:
        long = "Write up the greenhouse sensor findings " + "in great detail " * 250
        vault = make_vault(
            {"Week.md": WEEK.replace("# Week\n", f"# Week\n- [ ] {long} 📅 2026-11-23\n")}
        )
        result = sync(vault, server)
        assert result.exit_code == 1, result.output
        assert result.stdout.startswith("pushed 3,"), result.output
        assert "Week.md:2" in result.stderr
        assert "the server refused it" in result.stderr
        assert "HTTP 413" in result.stderr
        assert "stopped answering" not in result.stderr
        assert len(server.calendar().todos()) == 3
        again = sync(vault, server)  # refused again, and named again; nothing else to do
        assert again.stdout.startswith("pushed 0,")
        assert "the server refused it" in again.stderr
    finally:
        server.stop()


def test_a_due_time_set_on_the_phone_outlives_a_push_of_another_field(make_vault, server):
    """The phone set a time on the due day (15:00 in Berlin); a rewording in the vault was
    pushed with the vault's all-day date, and the phone's time was gone."""
    vault = make_vault({"Week.md": "# Week\n- [ ] Dentist appointment 📅 2026-11-26\n"})
    ok(sync(vault, server))
    phone_edit(server, "Dentist appointment",
               due=datetime(2026, 11, 27, 15, 0, tzinfo=_zone("Europe/Berlin")))  # fmt: skip
    ok(sync(vault, server))
    note = vault / "Week.md"
    assert "📅 2026-11-27" in note.read_text()
    note.write_text(note.read_text().replace("appointment", "appointment, bring x-rays"))
    ok(sync(vault, server))
    due = todo_by_summary(server, "Dentist appointment, bring x-rays").icalendar_component["DUE"]
    assert due.dt == datetime(2026, 11, 27, 15, 0, tzinfo=_zone("Europe/Berlin"))
    # a new day from the vault replaces the phone's time: the vault has days only
    note.write_text(note.read_text().replace("2026-11-27", "2026-11-30"))
    ok(sync(vault, server))
    due = todo_by_summary(server, "Dentist appointment, bring x-rays").icalendar_component["DUE"]
    assert due.to_ical() == b"20261130"


def _sync_in(zone: str, vault: Path, server: Server, *extra: str) -> str:
    """`caldav sync` as a process of its own, run in the time zone ``zone``."""
    env = {**os.environ, "TZ": zone, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x"}
    done = subprocess.run([*sync_command(vault, server), *extra], capture_output=True,
                          text=True, env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_utc_due_time_is_not_pulled_again_from_another_time_zone(make_vault, server):
    """The phone set a due time in UTC (20:00: the 28th in Kiritimati, the 27th in Adak);
    synced from one zone then the other with nothing changed on the phone, it was pulled on
    every sync, and with `--prefer server` it overwrote the date the user had just set."""
    vault = make_vault({"Week.md": "# Week\n- [ ] Water the seedlings 📅 2026-11-26\n"})
    note = vault / "Week.md"
    _sync_in("Pacific/Kiritimati", vault, server)
    phone_edit(server, "Water the seedlings", due=datetime(2026, 11, 27, 20, 0, tzinfo=UTC))
    assert "pulled 1 change" in _sync_in("Pacific/Kiritimati", vault, server)
    assert "📅 2026-11-28" in note.read_text()
    for zone in ("America/Adak", "Pacific/Kiritimati", "America/Adak"):
        assert "pulled 0" in _sync_in(zone, vault, server), zone
    assert "📅 2026-11-28" in note.read_text()
    note.write_text(note.read_text().replace("2026-11-28", "2026-12-05"))
    out = _sync_in("America/Adak", vault, server, "--prefer", "server")
    assert "0 conflict(s)" in out
    assert "📅 2026-12-05" in note.read_text()
    due = todo_by_summary(server, "Water the seedlings").icalendar_component["DUE"]
    assert due.to_ical() == b"20261205"


def test_a_phone_completion_survives_words_added_to_a_short_title(make_vault, server):
    """ "Dentist" completed on the phone and made "Dentist: bring the x-rays" in Obsidian: the
    task was taken for a new one, its completion never reached the note, and a second,
    open task was sent."""
    vault = make_vault({"Week.md": "# Week\n- [ ] Dentist 📅 2026-11-26\n"})
    ok(sync(vault, server))
    todo_by_summary(server, "Dentist").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    note = vault / "Week.md"
    note.write_text("# Week\n- [ ] Dentist: bring the x-rays 📅 2026-11-26\n")
    ok(sync(vault, server))
    assert "- [x] Dentist: bring the x-rays 📅 2026-11-26 ✅ 2026-11-21" in note.read_text()
    assert summaries(server) == {"Dentist: bring the x-rays": "COMPLETED"}


def test_a_recurring_task_renamed_and_completed_on_the_phone_moves_on(make_vault, server):
    """The phone renamed and completed a weekly task in one edit: the note got its done line
    and next occurrence, but the task did not move on to it: a second server task was sent
    for it, and the phone's was left behind as "gone from the vault"."""
    vault = make_vault({"Week.md": "# Week\n- [ ] Review 🔁 every week 📅 2026-11-23\n"})
    ok(sync(vault, server))
    phone_edit(server, "Review", summary="Review with Dana", status="COMPLETED",
               completed=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    ok(sync(vault, server))
    assert (vault / "Week.md").read_text() == (
        "# Week\n- [ ] Review with Dana 🔁 every week 📅 2026-11-30\n"
        "- [x] Review with Dana 🔁 every week 📅 2026-11-23 ✅ 2026-11-21\n"
    )
    again = ok(sync(vault, server))
    assert "gone from the vault" not in again
    [todo] = server.calendar().todos(include_completed=True)
    assert str(todo.icalendar_component["SUMMARY"]) == "Review with Dana"
    assert todo.icalendar_component["DUE"].to_ical() == b"20261130"


def test_a_recurring_completion_that_cannot_be_written_comes_on_the_next_sync(make_vault,
                                                                              server):  # fmt: skip
    """The note of a weekly task the phone completed could not be written: the sync failed
    as it should, but pushed the open task over the phone's completion, and the next sync
    had nothing left to write: the completion was lost on both sides."""
    vault = make_vault({"Week.md": "# Week\n- [ ] Water plants 🔁 every week 📅 2026-11-23\n"})
    ok(sync(vault, server))
    todo_by_summary(server, "Water plants").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    os.link(vault / "Week.md", vault.parent / "hard link")  # a note tasksync must not rewrite
    assert sync(vault, server).exit_code != 0
    assert summaries(server) == {"Water plants": "COMPLETED"}
    (vault.parent / "hard link").unlink()
    ok(sync(vault, server))
    assert (vault / "Week.md").read_text() == (
        "# Week\n- [ ] Water plants 🔁 every week 📅 2026-11-30\n"
        "- [x] Water plants 🔁 every week 📅 2026-11-23 ✅ 2026-11-21\n"
    )


def test_with_a_global_filter_a_phone_task_is_imported_once(make_vault, server):
    """The Tasks plugin's global filter (`#task`) was left off the imported line: the index
    never read it as a task, and every sync appended it again, saying nothing."""
    settings = ".obsidian/plugins/obsidian-tasks-plugin/data.json"
    vault = make_vault({"Week.md": "# Week\n- [ ] #task Dentist 📅 2026-11-26\n",
                        settings: '{"globalFilter": "#task"}'})  # fmt: skip
    ok(sync(vault, server))
    phone_create(server, "phone-milk@example", "Buy milk", due="2026-11-27")
    assert "imported 1 new task" in ok(sync(vault, server))
    ok(sync(vault, server))
    assert (vault / "Inbox.md").read_text() == "- [ ] #task Buy milk 📅 2026-11-27 ➕ 2026-11-22\n"
    assert summaries(server) == {"Dentist": "NEEDS-ACTION", "Buy milk": "NEEDS-ACTION"}


def test_a_phone_rename_keeps_its_task_when_the_note_gains_lines(make_vault, server):
    """The phone gave a task a new title while it created another, imported into the same
    note: the renamed line was taken for a new task and sent as a second server task; the
    phone's own copy was left behind, and its completion never reached the note."""
    vault = make_vault({"Inbox.md": "- [ ] Dentist 📅 2026-11-26\n"})
    ok(sync(vault, server))
    phone_edit(server, "Dentist", summary="Call the vet about Rex")
    phone_create(server, "phone-milk@example", "Buy milk", due="2026-11-27")
    ok(sync(vault, server))
    assert (vault / "Inbox.md").read_text() == (
        "- [ ] Call the vet about Rex 📅 2026-11-26\n- [ ] Buy milk 📅 2026-11-27 ➕ 2026-11-22\n"
    )
    assert summaries(server) == {"Call the vet about Rex": "NEEDS-ACTION",
                                 "Buy milk": "NEEDS-ACTION"}  # fmt: skip
    todo_by_summary(server, "Call the vet about Rex").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    ok(sync(vault, server))
    done = "- [x] Call the vet about Rex 📅 2026-11-26 ✅ 2026-11-21"
    assert done in (vault / "Inbox.md").read_text()


def test_a_phone_task_imported_before_the_index_was_lost_is_met_again(make_vault, server):
    """The index deleted: the phone's task imported earlier carries no mark of tasksync's
    and its UID is none the vault derives: its inbox line was sent as a second server task
    and the phone's imported again (two lines, two server tasks)."""
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_create(server, "phone-milk@example", "Buy milk", due="2026-11-27")
    assert "imported 1 new task" in ok(sync(vault, server))
    index = Path(os.environ["TASKSYNC_DB"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index}{suffix}").unlink(missing_ok=True)
    ok(sync(vault, server))
    assert (vault / "Inbox.md").read_text().count("Buy milk") == 1
    assert len([t for t in server.calendar().todos(include_completed=True)
                if str(t.icalendar_component["SUMMARY"]) == "Buy milk"]) == 1  # fmt: skip
    todo_by_summary(server, "Buy milk").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    ok(sync(vault, server))
    assert "- [x] Buy milk" in (vault / "Inbox.md").read_text()
