"""`merge`, `accept` and `reject` told by the notes as they are when the command runs, not by
the index as it was before it (each test: a bug found by driving the commands as a user)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli

MEETING = (
    "- [?] Send the deck to Dana @Myself 📅 2026-10-31 ⏫ #task #proposed #auto\n"
    "- [?] Send Dana the deck @Myself #task #proposed #auto\n"
)
TRANSCRIPT = "- [x] Send the deck to Dana @Myself ✅ 2026-10-29\n"


def run(vault: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", "2026-11-01", *args])
    return result.exit_code, result.stdout + (result.stderr if result.stderr_bytes else "")


def ids(vault: Path) -> dict[tuple[str, int], str]:
    result = CliRunner().invoke(cli, ["--vault", str(vault), "list", "--status", "all", "--json"])
    assert result.exit_code == 0, result.output
    return {(r["path"], r["line"]): r["id"] for r in json.loads(result.stdout)}


@pytest.fixture
def meeting(make_vault):
    vault = make_vault({"Meeting.md": MEETING, "Sync transcript.md": TRANSCRIPT})
    return vault, ids(vault)


def test_merge_into_a_task_deleted_since_the_last_scan_writes_nothing(meeting):
    """KEEP deleted in Obsidian, then `merge KEEP DUP`: the only copy left of the item was
    rejected, in favour of a task that no longer exists (exit 0)."""
    vault, by_place = meeting
    note = vault / "Meeting.md"
    note.write_text(MEETING.splitlines(keepends=True)[1], encoding="utf-8")
    before = note.read_bytes()
    code, out = run(vault, "merge", by_place[("Meeting.md", 1)], by_place[("Meeting.md", 2)])
    assert code != 0, out
    assert note.read_bytes() == before, "the last copy of the item was rejected"


def test_merge_into_a_task_of_another_note_emptied_since_writes_nothing(meeting):
    vault, by_place = meeting
    (vault / "Sync transcript.md").write_text("", encoding="utf-8")
    before = (vault / "Meeting.md").read_bytes()
    code, out = run(vault, "merge", by_place[("Sync transcript.md", 1)],
                    by_place[("Meeting.md", 1)], by_place[("Meeting.md", 2)])  # fmt: skip
    assert code != 0, out
    assert (vault / "Meeting.md").read_bytes() == before, "rejected as tracked in a note that " \
        "no longer holds the task"  # fmt: skip


def test_merge_into_a_task_whose_note_was_renamed_never_links_the_old_name(meeting):
    vault, by_place = meeting
    (vault / "Sync transcript.md").rename(vault / "Dana call.md")
    code, _out = run(vault, "merge", by_place[("Sync transcript.md", 1)],
                    by_place[("Meeting.md", 2)])  # fmt: skip
    text = (vault / "Meeting.md").read_text(encoding="utf-8")
    assert "Sync transcript" not in text, "a link to a note that no longer exists"
    if code == 0:
        assert "[[Dana call]]" in text, text
    else:
        assert text == MEETING


def test_merge_into_a_rejected_task_is_refused(meeting):
    """`reject A; merge A B` left both rejected: the item lived nowhere any more."""
    vault, by_place = meeting
    keep, duplicate = by_place[("Meeting.md", 1)], by_place[("Meeting.md", 2)]
    assert run(vault, "reject", keep)[0] == 0
    before = (vault / "Meeting.md").read_bytes()
    code, out = run(vault, "merge", keep, duplicate)
    assert code == 1, out
    assert "cancelled" in out, out
    assert (vault / "Meeting.md").read_bytes() == before


def test_merge_still_keeps_an_unchanged_task_and_says_nothing_of_it(meeting):
    vault, by_place = meeting
    code, out = run(vault, "merge", by_place[("Sync transcript.md", 1)],
                    by_place[("Meeting.md", 1)], by_place[("Meeting.md", 2)])  # fmt: skip
    assert code == 0, out
    assert "2 tasks rejected as duplicates in 1 note" in out, out
    assert "already so" not in out, out
    assert (vault / "Sync transcript.md").read_text(encoding="utf-8") == TRANSCRIPT


@pytest.mark.parametrize(("verb", "now", "said"), [
    ("accept", "- [-] Send the deck to Dana ❌ 2026-10-30\n", "not proposed: it is cancelled"),
    ("reject", "- [ ] Send the deck to Dana\n", "not proposed: it is a to-do"),
])  # fmt: skip
def test_a_task_changed_in_an_editor_since_the_scan_is_told_as_it_is_now(make_vault, verb, now,
                                                                          said):  # fmt: skip
    """Rejected (or accepted) in Obsidian after `list`, then `accept ID`: "0 tasks accepted;
    1 already so", exit 0, as if the accept had been done."""
    vault = make_vault({"Meeting.md": "- [?] Send the deck to Dana\n"})
    [task] = ids(vault).values()
    (vault / "Meeting.md").write_text(now, encoding="utf-8")
    code, out = run(vault, verb, task)
    assert code == 1, out
    assert said in out, out
    assert "already so" not in out, out
    assert (vault / "Meeting.md").read_text(encoding="utf-8") == now


def test_tasks_changed_since_the_scan_are_told_as_they_are_in_a_batch_planned_ahead(make_vault):
    """Many notes: planned in a second process, which tells what it found too."""
    from tasksync.write.actions import CHUNK

    count = 2 * CHUNK + 1
    vault = make_vault({f"N{i:03}.md": "- [?] Send the deck to Dana\n" for i in range(count)})
    tasks = ids(vault)
    (vault / "N000.md").write_text("- [-] Send the deck to Dana ❌ 2026-10-30\n", encoding="utf-8")
    (vault / "N100.md").write_text("- [x] Send the deck to Dana ✅ 2026-10-30\n", encoding="utf-8")
    code, out = run(vault, "accept", *tasks.values())
    assert code == 1, out
    assert f"{count - 2} tasks accepted in {count - 2} notes" in out, out
    assert "not proposed: it is cancelled" in out, out
    assert "not proposed: it is done" in out, out


def test_ics_keeps_two_tasks_told_apart_by_their_month(make_vault):
    """Two to-dos alike in words and due the same day, but of two months: the calendar had one
    ("1 near-duplicate task(s) merged"); the same item proposed twice still gives one entry."""
    vault = make_vault({"Finance.md": (
        "- [ ] Pay the invoice from Acme Corp for March 📅 2026-11-05\n"
        "- [ ] Pay the invoice from Acme Corp for April 📅 2026-11-05\n"
        "- [?] Send the deck to Dana @Myself 📅 2026-11-06 #proposed\n"
        "- [?] Send Dana the deck @Myself #proposed\n")})  # fmt: skip
    result = CliRunner().invoke(cli, ["--vault", str(vault), "ics", "--include-proposed"])
    assert result.exit_code == 0, result.output
    summaries = [line for line in result.stdout.splitlines() if line.startswith("SUMMARY")]
    assert sorted(summaries) == ["SUMMARY:Pay the invoice from Acme Corp for April",
                                 "SUMMARY:Pay the invoice from Acme Corp for March",
                                 "SUMMARY:Send the deck to Dana"]  # fmt: skip


@pytest.mark.parametrize(("one", "other"), [
    ("Send the Q3 deck to Alon Horev", "Send the Q4 deck to Alon Horev"),
    ("Send Dana the sensor export from October", "Send Dana the sensor export from November"),
    ("Call the greenhouse supplier about probes on Monday",
     "Call the greenhouse supplier about probes on Tuesday"),
    ("Send the deck to the board members", "Do not send the deck to the board members"),
    ("Book 2 rooms for the team offsite in Berlin", "Book 3 rooms for the team offsite in Berlin"),
])  # fmt: skip
def test_dupes_does_not_pair_items_told_apart_by_numbers_months_days_or_a_not(make_vault, one,
                                                                               other):  # fmt: skip
    vault = make_vault({"Meeting.md": f"- [?] {one} #proposed\n- [?] {other} #proposed\n"})
    code, out = run(vault, "dupes", "--json")
    assert (code, json.loads(out)) == (0, []), out


@pytest.mark.parametrize(("one", "other"), [
    ("Send the deck to Alon Horev by Friday", "Send Alon Horev the deck"),
    ("Send the Q3 deck to Alon Horev", "Send Alon Horev the Q3 deck before the review"),
    ("Order two more humidity probes for the east greenhouse bench",
     "Buy two additional humidity probes for the east greenhouse bench"),
])  # fmt: skip
def test_dupes_still_pairs_one_item_said_twice(make_vault, one, other):
    vault = make_vault({"Meeting.md": f"- [?] {one} #proposed\n- [?] {other} #proposed\n"})
    code, out = run(vault, "dupes", "--json")
    assert code == 0, out
    assert len(json.loads(out)) == 1, out


def test_log_tells_a_batch_undone_in_part(make_vault):
    """Two lines accepted, one edited by hand since, `undo`: one line restored, the other
    named as changed — and `log` called the batch "(undone)"."""
    from tasksync.write import actions

    vault = make_vault({"M.md": "- [?] Send the deck to Dana\n- [?] Book the hall for May\n"})
    tasks = ids(vault)
    assert run(vault, "accept", *tasks.values())[0] == 0
    note = vault / "M.md"
    note.write_text(note.read_text(encoding="utf-8").replace("hall", "big hall"), encoding="utf-8")
    old = time.time() - 2 * actions.SAVE_QUIET_S  # not a save under way: read at once
    os.utime(note, (old, old))
    code, out = run(vault, "undo")
    assert code == 1, out
    assert note.read_text(encoding="utf-8").startswith("- [?] Send the deck to Dana\n")
    code, out = run(vault, "log")
    assert code == 0, out
    [accepted] = [line for line in out.splitlines() if "  accept" in line]
    assert accepted.endswith("(1 of 2 line(s) undone)"), out


@pytest.mark.parametrize("args", [("set", "{id}", "--due", "2026-11-10"), ("done", "{id}")])
def test_undo_in_a_windows_1252_note_edited_since(make_vault, args):
    """The 📅 or ✅ a batch writes into a Windows-1252 note is in UTF-8, and reads back there as
    `ðŸ“…`: once the user had edited anything else in the note, undo called the line "changed
    since" and closed the batch for good."""
    before = b"- [ ] Caf\xe9 task\n- [ ] other\n"
    vault = make_vault({"a.md": before})
    [task] = [key for (path, line), key in ids(vault).items() if line == 1]
    code, out = run(vault, *(arg.format(id=task) for arg in args))
    assert code == 0, out
    note = vault / "a.md"
    note.write_bytes(note.read_bytes() + b"user line\n")
    old = time.time() - 10  # not a save under way
    os.utime(note, (old, old))
    code, out = run(vault, "undo")
    assert code == 0, out
    assert note.read_bytes() == before + b"user line\n"
