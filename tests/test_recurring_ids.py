"""A recurring task's id names the series, as a phone's recurring task does: completing it
moves the id on to the next occurrence (the plugin writes it above the completed line, which
becomes a task of its own). Identical twins keep their own ids through it."""

from __future__ import annotations

from .test_writeback import TODAY, listed, run


def lines(vault, rel="T.md") -> list[str]:
    return (vault / rel).read_text(encoding="utf-8").splitlines()


def by_line(vault) -> dict[int, str]:
    return {t["line"]: t["id"] for t in listed(vault, "--status", "all")}


def test_the_id_moves_on_to_the_next_occurrence(make_vault):
    vault = make_vault({"T.md": "- [ ] standup notes 🔁 every day 📅 2026-01-05\n"})
    [task] = [t["id"] for t in listed(vault)]
    assert run(vault, "done", task).exit_code == 0
    assert by_line(vault)[1] == task  # the next occurrence, above
    assert by_line(vault)[2] != task  # the completed line: a task of its own
    assert run(vault, "done", by_line(vault)[2]).output.endswith("1 already so\n")
    assert lines(vault) == [
        "- [ ] standup notes 🔁 every day 📅 2026-01-06",
        f"- [x] standup notes 🔁 every day 📅 2026-01-05 ✅ {TODAY}",
    ]


def test_completing_one_of_two_recurring_twins_leaves_the_other_its_id(make_vault):
    """Bug: the twin left untouched took the completed twin's id (and that one the other's)."""
    line = "- [ ] water plants 🔁 every day 📅 2026-01-05\n"
    vault = make_vault({"T.md": line * 2})
    first, second = by_line(vault)[1], by_line(vault)[2]
    assert run(vault, "done", first).exit_code == 0
    now = by_line(vault)  # next occurrence, completed first twin, untouched second twin
    assert (now[1], now[3]) == (first, second)
    assert now[2] not in (first, second)
    assert run(vault, "done", second).exit_code == 0
    now = by_line(vault)
    assert (now[1], now[3]) == (first, second)
    assert run(vault, "undo").exit_code == 0
    assert run(vault, "undo").exit_code == 0
    assert lines(vault) == [line.rstrip("\n")] * 2
    # identical lines again: which holds which id cannot be told (nor seen) any more
    assert set(by_line(vault).values()) == {first, second}


def test_undo_after_the_next_occurrence_was_edited_says_why_nothing_is_undone(make_vault):
    """Bug: undo said "every line it wrote has changed since" when only the next occurrence
    was edited (the completed line was as written): the two are undone together or not."""
    vault = make_vault({"T.md": "- [ ] standup 🔁 every day 📅 2026-01-05\n"})
    [task] = [t["id"] for t in listed(vault)]
    assert run(vault, "done", task).exit_code == 0
    note = vault / "T.md"
    note.write_text(note.read_text(encoding="utf-8").replace("01-06", "01-07"), encoding="utf-8")
    edited = note.read_bytes()
    undone = run(vault, "undo")
    assert undone.exit_code == 1
    assert "what it wrote was edited since" in undone.stdout
    assert "every line it wrote has changed" not in undone.stdout
    assert note.read_bytes() == edited
