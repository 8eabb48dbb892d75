"""Text typed by the user (`set --owner`, the TUI's owner box) never breaks a task line: control
characters and line separators are refused, and an owner is written only when it reads back
as that owner."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tasksync.cli.main import cli
from tasksync.errors import UsageError
from tasksync.model import StatusTable, Task
from tasksync.read.parse import parse_line
from tasksync.write import edits

STATUSES = StatusTable()
LINES = ("- [ ] plan a ^blk1", "- [ ] call Dana 📅 2026-01-02 #x", "- [?] order probes @Myself",
         "- [ ] fix the shed [due:: 2026-03-04]",
         "- [ ] Call Bob\t#work")  # a tab before the tags: `set --owner` was refused  # fmt: skip
NOTE = "# Plans\n- [ ] plan a 📅 2026-01-02 ^blk1\n- [ ] plan b\n"


def task_id(vault) -> str:
    listed = CliRunner().invoke(cli, ["--vault", str(vault), "list", "--json"])
    assert listed.exit_code == 0, listed.output
    return str(json.loads(listed.stdout)[0]["id"])


@pytest.mark.parametrize(
    "owner", ["Ann\n- [x] injected line", "Ann\r", "Ann\x00", "Ann\x1b[31m", "Ann\tLee",
              "Ann\u2028- [x] x", "Ann\u2029", "Ann\x85"],
)  # fmt: skip
def test_set_owner_with_a_control_character_is_refused_and_the_note_is_untouched(make_vault, owner):
    vault = make_vault({"n.md": NOTE})
    before = (vault / "n.md").read_bytes()
    result = CliRunner().invoke(cli, ["--vault", str(vault), "set", task_id(vault),
                                      "--owner", owner])  # fmt: skip
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "control character" in result.stderr
    assert (vault / "n.md").read_bytes() == before


@pytest.mark.parametrize("owner", ["Ann #x", "#x", "ann lee", "Ann  Lee", "Ann@home",
                                   "A B C D E", "Ann 📅 2026-01-01", "", "Ann."])  # fmt: skip
def test_an_owner_that_would_read_back_as_something_else_is_refused(make_vault, owner):
    vault = make_vault({"n.md": NOTE})
    before = (vault / "n.md").read_bytes()
    result = CliRunner().invoke(cli, ["--vault", str(vault), "set", task_id(vault),
                                      "--owner", owner])  # fmt: skip
    assert result.exit_code == UsageError.EXIT_CODE, result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "owner" in result.stderr
    assert (vault / "n.md").read_bytes() == before


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("bad", ["\n", "\r", "\x00", "\x7f", "\u2028", "\u2029"])
def test_every_edit_that_takes_text_refuses_control_characters(line, bad):
    task = parse_line(line, STATUSES)
    assert task is not None
    with pytest.raises(UsageError, match="control character"):
        edits.set_owner(task, f"Ann{bad}x", STATUSES)
    with pytest.raises(UsageError, match="control character"):
        edits.set_status(task, bad, STATUSES)
    with pytest.raises(UsageError, match="control character"):
        edits.set_field(task, "recurrence", f"every day{bad}- [ ] x", STATUSES)
    assert edits.set_date(task, "due", date(2026, 1, 1), STATUSES).due == date(2026, 1, 1)


def owner_set_or_refused(task: Task, owner: str) -> Task | str:
    """The edited task, or the message of the refusal."""
    try:
        return edits.set_owner(task, owner, STATUSES)
    except UsageError as exc:
        return str(exc)


@given(st.sampled_from(LINES), st.text(st.characters(codec="utf-8"), min_size=1, max_size=30))
def test_an_owner_is_written_only_when_it_reads_back_as_that_owner(line, owner):
    task = parse_line(line, STATUSES)
    assert task is not None
    edited = owner_set_or_refused(task, owner)
    if isinstance(edited, str):
        assert len(edited.splitlines()) == 1
        return
    reread = parse_line(edited.raw, STATUSES)
    assert reread is not None
    assert reread.owner == owner.lstrip("@").strip()
    assert reread.block_link == task.block_link
    assert reread.description == task.description


NAME_WORD = st.from_regex(r"[A-Z][a-z'\-]{0,6}", fullmatch=True)


@given(st.sampled_from(LINES), st.lists(NAME_WORD, min_size=1, max_size=4))
def test_ordinary_names_are_written(line, words):
    task = parse_line(line, STATUSES)
    assert task is not None
    owner = " ".join(words)
    reread = parse_line(edits.set_owner(task, owner, STATUSES).raw, STATUSES)
    assert reread is not None
    assert reread.owner == owner


TITLE_LINES = (*LINES, "- [ ] water #garden seedlings @Sam 📅 2026-11-26 ⏫ #auto",
               "- [ ] buy soil #garden 🔁 every week 📅 2026-11-27")  # fmt: skip
TITLE_TEXT = st.text(st.sampled_from("ab #@📅⏫🔁2026-1^[]:( \t"), min_size=1, max_size=24)


@given(st.sampled_from(TITLE_LINES), st.one_of(TITLE_TEXT, st.text(min_size=1, max_size=24)))
def test_a_title_from_a_phone_is_written_only_when_it_reads_back_as_that_title(line, title):
    task = parse_line(line, STATUSES)
    assert task is not None
    try:
        edited = edits.set_title(task, title, STATUSES)
    except UsageError as exc:
        refusal = str(exc)
        assert len(refusal.splitlines()) == 1, refusal
        return
    reread = parse_line(edited.raw, STATUSES)
    assert reread is not None
    assert edits.title_of(reread) == " ".join(title.split())
    kept = ("owner", "block_link", "due", "priority", "recurrence")
    assert [getattr(reread, k) for k in kept] == [getattr(task, k) for k in kept]
    assert reread.status == task.status


@given(st.sampled_from(TITLE_LINES))
def test_a_title_written_back_unchanged_changes_no_field(line):
    task = parse_line(line, STATUSES)
    assert task is not None
    reread = parse_line(edits.set_title(task, edits.title_of(task), STATUSES).raw, STATUSES)
    assert reread is not None
    assert (reread.description, reread.tags, reread.owner, reread.due) == (
        task.description, task.tags, task.owner, task.due)  # fmt: skip
