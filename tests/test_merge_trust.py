"""`merge`, `accept` and `reject` told by the notes as they are when the command runs, not by
the index as it was before it (each test: a bug found by driving the commands as a user)."""

from __future__ import annotations

import json
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
    code, out = run(vault, "list", "--status", "all", "--json")
    assert code == 0, out
    return {(r["path"], r["line"]): r["id"] for r in json.loads(out)}


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
