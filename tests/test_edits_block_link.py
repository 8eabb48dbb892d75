"""A line that ends in a block link (`^id`) keeps it last, after one space, through every
edit: new fields go in front of it, and the line reads back with the new value and the link."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tasksync.cli.main import cli
from tasksync.model import Priority, StatusTable, StatusType, Task
from tasksync.read.parse import parse_line
from tasksync.write import edits

STATUSES = StatusTable()
TODAY = date(2026, 2, 2)
DAY = date(2026, 3, 4)


def parsed(line: str) -> Task:
    task = parse_line(line, STATUSES)
    assert task is not None, line
    return task


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- [ ] plan a ^blk1", "- [ ] plan a 📅 2026-03-04 ^blk1"),
        ("- [ ] plan a #x ^blk1", "- [ ] plan a #x 📅 2026-03-04 ^blk1"),
        ("- [ ] plan a [start:: 2026-01-01] ^blk1",
         "- [ ] plan a [start:: 2026-01-01]  [due:: 2026-03-04] ^blk1"),
        ("- [ ] plan a  [priority:: high] ^blk1",
         "- [ ] plan a  [priority:: high]  [due:: 2026-03-04] ^blk1"),
    ],
)  # fmt: skip
def test_a_new_due_date_goes_before_the_block_link(line, expected):
    assert edits.set_date(parsed(line), "due", DAY, STATUSES).raw == expected


def test_reject_and_done_keep_the_block_link_apart(make_vault):
    vault = make_vault({"n.md": "- [?] plan a ^abc-123\n- [ ] plan b ^blk1\n"})
    runner = CliRunner()
    listed = runner.invoke(cli, ["--vault", str(vault), "list", "--json", "--status", "all"])
    assert listed.exit_code == 0, listed.output
    ids = [r["id"] for r in json.loads(listed.stdout)]
    rejected = runner.invoke(
        cli, ["--vault", str(vault), "--today", "2026-02-02", "reject", ids[0]]
    )
    assert rejected.exit_code == 0, rejected.output
    done = runner.invoke(cli, ["--vault", str(vault), "--today", "2026-02-02", "done", ids[1]])
    assert done.exit_code == 0, done.output
    assert (vault / "n.md").read_text(encoding="utf-8") == (
        "- [-] plan a ❌ 2026-02-02 ^abc-123\n- [x] plan b ✅ 2026-02-02 ^blk1\n"
    )


WORD = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzAB0123456789"), min_size=1, max_size=6)
block_ids = st.text(st.sampled_from("abcXYZ019-"), min_size=1, max_size=8)
lines_with_block_links = st.builds(
    lambda prefix, status, words, owner, fields, tags, block: (
        f"{prefix}[{status}] {' '.join(words)}{owner}{fields}{tags} ^{block}"
    ),
    st.sampled_from(["- ", "* ", "  - ", "1. ", "> - "]),
    st.sampled_from([" ", "?", "x", "/", "-"]),
    st.lists(WORD, min_size=1, max_size=4),
    st.sampled_from(["", " @Myself", " @Alon Horev"]),
    st.sampled_from(["", " 📅 2026-01-02", " ⏳ 2026-01-01 🔼", " 🔺", " [due:: 2026-03-04]",
                     " [scheduled:: 2026-01-01]  [priority:: low]", " ➕ 2025-12-31",
                     " 🔁 every week 📅 2026-01-05"]),
    st.sampled_from(["", " #proposed", " #task #proposed", " #x"]),
    block_ids,
)  # fmt: skip


def _edited_lines(task: Task, edit: str) -> list[tuple[str, object]]:
    """(line, what must read back) for ``edit`` of ``task``; the value is checked by
    ``_check``."""
    if edit in ("due", "scheduled", "start"):
        return [(edits.set_date(task, edit, DAY, STATUSES).raw, DAY)]
    if edit == "priority":
        return [(edits.set_priority(task, Priority.LOWEST, STATUSES).raw, Priority.LOWEST)]
    if edit == "owner":
        return [(edits.set_owner(task, "Dana Whitfield", STATUSES).raw, "Dana Whitfield")]
    if edit == "accept":
        return [(edits.accepted_line(task, STATUSES), None)]
    if edit == "reject":
        return [(edits.rejected_line(task, TODAY, STATUSES), None)]
    return [(line, None) for line in edits.complete(task, TODAY, STATUSES)]


def _check(edit: str, before: Task, after: Task, value: object) -> None:
    if edit in ("due", "scheduled", "start"):
        assert getattr(after, edit) == value
    elif edit == "priority":
        assert after.priority == value
    elif edit == "owner":
        assert after.owner == value
    elif edit == "accept" and before.status_type is StatusType.PROPOSED:
        assert after.status_type is StatusType.TODO
    elif edit == "reject" and before.status_type is StatusType.PROPOSED:
        assert (after.status_type, after.cancelled) == (StatusType.CANCELLED, TODAY)
    elif edit == "done" and before.status_type is not StatusType.DONE:
        assert after.status_type is StatusType.DONE
        assert after.done == TODAY


EDITS = ("due", "scheduled", "start", "priority", "owner", "accept", "reject", "done")


@given(lines_with_block_links, st.sampled_from(EDITS))
def test_every_edit_keeps_the_block_link_last_and_reads_back(line, edit):
    task = parsed(line)
    assert task.block_link is not None, line
    results = _edited_lines(task, edit)
    if edit == "done" and task.recurrence and task.status_type is not StatusType.DONE:
        following, results = results[0], results[1:]  # the next occurrence has no block link
        assert parsed(following[0]).block_link is None
    for new_line, value in results:
        after = parsed(new_line)
        assert after.block_link == task.block_link, new_line
        assert new_line.endswith(" " + task.block_link), new_line
        assert not new_line.endswith("  " + task.block_link), new_line
        assert after.problems == (), new_line
        _check(edit, task, after, value)
