"""Undo finds a line it wrote that has identical twins by its rank among them, so a line
moved by an edit above it is not taken for the user's own identical line."""

from __future__ import annotations

from .test_writeback import run


def test_undo_after_lines_above_were_deleted_reverts_its_own_twin(make_vault):
    """Bug: the accepted line had an identical twin below (the user's own task); after the
    user deleted two lines above, undo reverted the twin, under the wrong heading, and left
    the accepted task accepted."""
    vault = make_vault({"A.md": "# Project X\nintro\n- [?] Call Bob #proposed\n"
                                "# Project Y\n- [ ] Call Bob\n"})  # fmt: skip
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    note = vault / "A.md"
    note.write_text("- [ ] Call Bob\n# Project Y\n- [ ] Call Bob\n", encoding="utf-8")
    undone = run(vault, "undo")
    assert undone.exit_code == 0, undone.output
    assert note.read_text(encoding="utf-8") == (
        "- [?] Call Bob #proposed\n# Project Y\n- [ ] Call Bob\n")  # fmt: skip


def test_undo_of_two_lines_accepted_into_twins_after_a_line_was_added_above(make_vault):
    """Bug: the second line's old text went to the first one's place, and undo said the
    other had changed since."""
    vault = make_vault({"A.md": "- [?] Call Bob #proposed\n" * 2})
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    note = vault / "A.md"
    assert note.read_text(encoding="utf-8") == "- [ ] Call Bob\n- [ ] Call Bob\n"
    note.write_text("new line\n" + note.read_text(encoding="utf-8"), encoding="utf-8")
    undone = run(vault, "undo")
    assert undone.exit_code == 0, undone.output
    assert note.read_text(encoding="utf-8") == (
        "new line\n" + "- [?] Call Bob #proposed\n" * 2)  # fmt: skip


def test_undo_refuses_a_twin_when_the_note_holds_another_count_of_them(make_vault):
    vault = make_vault({"A.md": "- [?] Call Bob #proposed\n- [ ] Call Bob\n"})
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    note = vault / "A.md"
    note.write_text("x\n- [ ] Call Bob\n- [ ] Call Bob\n- [ ] Call Bob\n", encoding="utf-8")
    undone = run(vault, "undo")
    assert undone.exit_code == 1
    assert note.read_text(encoding="utf-8") == "x\n- [ ] Call Bob\n- [ ] Call Bob\n- [ ] Call Bob\n"


def test_undo_after_sections_were_swapped_reverts_its_own_twin(make_vault):
    """A line the user had all along under ## Sam and a proposal under ## Dana, accepted into
    its twin; the Dana section moved above Sam's in Obsidian: undo took the twin of the
    batch's rank — Sam's line — and put it back to proposed."""
    sam, dana = "## Sam\n- [ ] Send notes\n", "## Dana\n- [?] Send notes #proposed\n"
    vault = make_vault({"Meeting.md": "# Meeting\n" + sam + dana})
    note = vault / "Meeting.md"
    assert run(vault, "accept", "--all-proposed").exit_code == 0
    accepted = "## Dana\n- [ ] Send notes\n"
    assert note.read_text() == "# Meeting\n" + sam + accepted
    note.write_text("# Meeting\n" + accepted + sam)
    undone = run(vault, "undo")
    assert undone.exit_code == 0, undone.output
    assert note.read_text() == "# Meeting\n" + dana + sam
