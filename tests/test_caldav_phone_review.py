"""What review found a phone could lose or double through the two-way sync (each test failed
before its fix, on both servers): a push that overwrote a phone's completion, a COMPLETED date
without a STATUS, a recurring task's completion pulled twice when its push did not happen in
the same run, a recurring task completed on both sides, phone titles holding a backtick, a
tilde or a #tag, a due time in a zone of its own read another day in each zone syncs ran in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli

pytest.importorskip("radicale")
pytest.importorskip("xandikos")

from tests.caldav_servers import phone_create, phone_edit, todo_by_summary
from tests.test_caldav_twoway import NOW, WEEK, ok, summaries, sync, sync_command

RECURRING = "# Week\n- [ ] Water the seedlings 🔁 every week 📅 2026-11-26\n"
statuses = summaries
SETTINGS = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


def test_push_only_keeps_a_phone_completion(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC)
    )
    out = ok(sync(vault, server, "push"))  # the vault changed nothing: nothing to send
    assert out.startswith("pushed 0,"), out
    assert statuses(server)["Water the seedlings"] == "COMPLETED", "push undid the completion"
    ok(sync(vault, server))  # and the completion still reaches the note
    assert (
        "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-21" in (vault / "Week.md").read_text()
    )


def test_a_completed_date_alone_is_done(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_edit(
        server, "Water the seedlings", status=None, completed=datetime(2026, 11, 21, 12, tzinfo=UTC)
    )
    out = ok(sync(vault, server))
    assert "pulled 1 change" in out, out
    assert (
        "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-21" in (vault / "Week.md").read_text()
    )


# A sync that kills itself (SIGKILL) right after writing its pull, before its first push.
_KILLED_BEFORE_PUSH = """
import os, signal, sys
from tasksync.calendar import twoway
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
twoway._push = die
from tasksync.cli.main import cli
sys.exit(cli(sys.argv[1:]))
"""


@pytest.mark.parametrize("interruption", ["pull only", "server gone while pushing", "kill -9"])
def test_a_recurring_completion_is_written_once(make_vault, server, monkeypatch, interruption):
    vault = make_vault({"Week.md": RECURRING})
    ok(sync(vault, server))
    todo_by_summary(server, "Water the seedlings").complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC)
    )
    if interruption == "pull only":
        ok(sync(vault, server, "pull"))
    elif interruption == "server gone while pushing":
        from tasksync.calendar import twoway
        from tasksync.calendar.caldav import CalDavError

        def server_gone(*_args):
            raise CalDavError("the server stopped answering while tasksync pushed")

        with monkeypatch.context() as patched:  # (undo() would also drop the private index)
            patched.setattr(twoway, "_push", server_gone)
            assert sync(vault, server).exit_code == 7
    else:
        env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x"}
        arguments = sync_command(vault, server)[3:]  # after `python -m tasksync`
        killed = subprocess.run([sys.executable, "-c", _KILLED_BEFORE_PUSH, *arguments],
                                capture_output=True, text=True, env=env, check=False)  # fmt: skip
        assert killed.returncode == -signal.SIGKILL, killed.stderr
    once = (
        "- [ ] Water the seedlings 🔁 every week 📅 2026-12-03\n"
        "- [x] Water the seedlings 🔁 every week 📅 2026-11-26 ✅ 2026-11-21\n"
    )
    assert (vault / "Week.md").read_text() == "# Week\n" + once  # the pull was written
    out = ok(sync(vault, server))  # completes the work: pushes the next occurrence
    text = (vault / "Week.md").read_text()
    assert text == "# Week\n" + once, f"{out}\n{text}"  # got 2026-12-03 done too, and 12-10
    todo = todo_by_summary(server, "Water the seedlings").icalendar_component
    assert (str(todo["STATUS"]), todo["DUE"].dt) == ("NEEDS-ACTION", date(2026, 12, 3))


def test_a_recurring_task_completed_on_both_sides_is_completed_once(make_vault, server):
    vault = make_vault({"Week.md": RECURRING})
    ok(sync(vault, server))
    listed = CliRunner().invoke(cli, ["--vault", str(vault), "list"])
    task_id = listed.stdout.split()[0]
    done = CliRunner().invoke(
        cli,
        ["--vault", str(vault), "--today", "2026-11-22", "done", task_id],
        env={"TASKSYNC_NOW": NOW},
    )
    assert done.exit_code == 0, done.output
    todo_by_summary(server, "Water the seedlings").complete(
        completion_timestamp=datetime(2026, 11, 22, 12, tzinfo=UTC)
    )
    out = ok(sync(vault, server))
    text = (vault / "Week.md").read_text()
    assert text.count("- [x]") == 1, f"{out}\n{text}"  # 2026-12-03 got ticked as well
    assert "- [ ] Water the seedlings 🔁 every week 📅 2026-12-03" in text
    todo = todo_by_summary(server, "Water the seedlings").icalendar_component
    assert (str(todo["STATUS"]), todo["DUE"].dt) == ("NEEDS-ACTION", date(2026, 12, 3))
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")


@pytest.mark.parametrize("title", ["Buy `M6` bolts for the shelf", "Pay ~40 EUR to the plumber"])
def test_a_phone_rewording_keeps_one_vtodo_and_its_link(make_vault, server, title):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_edit(server, "Water the seedlings", summary=title)
    first = ok(sync(vault, server))
    note = vault / "Week.md"
    assert f"- [ ] {title} 📅 2026-11-26" in note.read_text()
    assert server.stored_count() == 3, f"{first}: the task went up a second time"
    second = ok(sync(vault, server))
    assert second.startswith("pushed 0, removed 0, pulled 0"), second
    assert "left on the server" not in second, second
    todo_by_summary(server, title).complete(
        completion_timestamp=datetime(2026, 11, 21, 12, tzinfo=UTC)
    )
    ok(sync(vault, server))
    assert f"- [x] {title} 📅 2026-11-26 ✅ 2026-11-21" in note.read_text()


@pytest.mark.parametrize("title", ["Water #garden seedlings", "Water the seedlings #garden"])
def test_a_phone_title_with_a_tag_is_written(make_vault, server, title):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_edit(server, "Water the seedlings", summary=title)
    out = ok(sync(vault, server))
    assert title in statuses(server), f"{out}: the phone's title reverted"
    assert f"- [ ] {title} 📅 2026-11-26" in (vault / "Week.md").read_text(), out
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")


def test_a_title_shows_the_tags_among_its_words_and_not_those_after_the_owner(make_vault, server):
    vault = make_vault({"Week.md": "# Week\n- [ ] Order #garden soil @Sam 📅 2026-11-26 #auto\n"})
    ok(sync(vault, server))
    assert list(statuses(server)) == ["Order #garden soil"]


def test_a_phone_task_with_a_tag_at_the_end_of_its_title_keeps_it(make_vault, server):
    vault = make_vault({"Week.md": WEEK})
    ok(sync(vault, server))
    phone_create(server, "phone-1", "Buy potting soil #garden", due="2026-11-27")
    ok(sync(vault, server))
    assert (
        "- [ ] Buy potting soil #garden 📅 2026-11-27 ➕ 2026-11-22"
        in (vault / "Inbox.md").read_text()
    )
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")
    assert "Buy potting soil #garden" in statuses(server)


@pytest.mark.parametrize(
    ("line", "written"),
    [("- [ ] #task Water the seedlings 📅 2026-11-26", "- [ ] #task Water #garden seedlings 📅"),
     ("- [ ] Water the seedlings #task 📅 2026-11-26", "- [ ] Water #garden seedlings #task 📅")],
)  # fmt: skip
def test_a_phone_title_keeps_the_global_filter_where_it_stood(make_vault, server, line, written):
    vault = make_vault({"Week.md": f"# Week\n{line}\n", SETTINGS: '{"globalFilter": "#task"}'})
    ok(sync(vault, server))
    assert list(statuses(server)) == ["Water the seedlings"]  # the filter is no word of it
    phone_edit(server, "Water the seedlings", summary="Water #garden seedlings")
    out = ok(sync(vault, server))
    assert written in (vault / "Week.md").read_text(), out
    assert ok(sync(vault, server)).startswith("pushed 0, removed 0, pulled 0")


def _sync_in(vault, server, zone, db):
    env = {**os.environ, "TASKSYNC_NOW": NOW, "TASKSYNC_CALDAV_PASSWORD": "x", "TZ": zone,
           "TASKSYNC_DB": str(db)}  # fmt: skip
    command = sync_command(vault, server)
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_an_unchanged_due_time_is_not_pulled_again_in_another_zone(make_vault, server, tmp_path):
    vault = make_vault({"Week.md": WEEK})
    db = tmp_path / "zones.sqlite"
    _sync_in(vault, server, "Pacific/Kiritimati", db)
    phone_edit(
        server,
        "Water the seedlings",
        due=datetime(2026, 11, 27, 20, 0, tzinfo=ZoneInfo("America/New_York")),
    )
    _sync_in(vault, server, "Pacific/Kiritimati", db)  # pulled: the 28th there
    note = vault / "Week.md"
    after_pull = note.read_bytes()
    outs = [
        _sync_in(vault, server, zone, db)
        for zone in ("America/Adak", "Pacific/Kiritimati", "America/Adak")
    ]
    assert all(out.startswith("pushed 0, removed 0, pulled 0") for out in outs), outs
    assert note.read_bytes() == after_pull, note.read_text()


@pytest.mark.parametrize(
    ("notes", "title", "why"),
    [({"Week.md": WEEK}, "Water the seedlings %% later", "comment"),
     ({"Week.md": b"# Caf\xe9 week" + WEEK.removeprefix("# Week").encode()},
      "Water Łukasz's seedlings", "Windows-1252")],
    ids=["opens-a-comment", "not-in-the-notes-encoding"],
)  # fmt: skip
def test_a_phone_completion_lands_even_when_its_new_title_cannot_be_written(
    make_vault, server, notes, title, why
):
    """A title that would open a comment over the note, or that the note's encoding cannot
    hold, is not written; the completion that came with it must be, not retried forever."""
    vault = make_vault(notes)
    ok(sync(vault, server))
    phone_edit(server, "Water the seedlings", summary=title, status="COMPLETED",
               completed=datetime(2026, 11, 21, 12, tzinfo=UTC))  # fmt: skip
    out = ok(sync(vault, server))
    text = (vault / "Week.md").read_bytes().decode("utf-8", "replace")
    assert "- [x] Water the seedlings 📅 2026-11-26 ✅ 2026-11-21" in text, out
    assert why in out, out
    again = ok(sync(vault, server))
    assert "Water the seedlings" in statuses(server), again
    assert statuses(server)["Water the seedlings"] == "COMPLETED", again


def test_a_phone_task_the_inbox_cannot_take_holds_back_no_other(make_vault, server):
    """`Plan %% later` would open a comment over the inbox: it was refused, and with it every
    other new phone task of that sync, at every sync."""
    vault = make_vault({"Week.md": WEEK, "Inbox.md": "# Inbox\n"})
    ok(sync(vault, server))
    phone_create(server, "phone-1", "Plan %% later", due="2026-11-27")
    phone_create(server, "phone-2", "Buy potting soil", due="2026-11-28")
    result = sync(vault, server)
    assert "Plan %% later" in result.output, result.output
    assert "comment" in result.output, result.output
    inbox = (vault / "Inbox.md").read_text()
    assert "- [ ] Buy potting soil 📅 2026-11-28" in inbox, result.output
    assert "%%" not in inbox
    assert "Plan %% later" in statuses(server), "the phone's task must stay where it is"
