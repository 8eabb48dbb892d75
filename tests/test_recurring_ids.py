"""A recurring task keeps its id on the line that was completed, not on its next occurrence
(which the plugin writes above it, with the same words): `done ID` twice must not complete
the next occurrence too, and identical twins keep their own ids."""

from __future__ import annotations

import subprocess

from .test_write_processes import command, env, tasksync
from .test_writeback import TODAY, listed, run


def lines(vault, rel="T.md") -> list[str]:
    return (vault / rel).read_text(encoding="utf-8").splitlines()


def by_line(vault) -> dict[int, str]:
    return {t["line"]: t["id"] for t in listed(vault, "--status", "all")}


def test_done_twice_on_a_recurring_task_completes_it_once(make_vault):
    vault = make_vault({"T.md": "- [ ] standup notes 🔁 every day 📅 2026-01-05\n"})
    [task] = [t["id"] for t in listed(vault)]
    assert run(vault, "done", task).exit_code == 0
    again = run(vault, "done", task)
    assert again.exit_code == 0, again.output
    assert "already so" in again.output
    assert lines(vault) == [
        "- [ ] standup notes 🔁 every day 📅 2026-01-06",
        f"- [x] standup notes 🔁 every day 📅 2026-01-05 ✅ {TODAY}",
    ]
    assert by_line(vault)[2] == task  # the id is the completed line's
    assert by_line(vault)[1] != task


def test_completing_one_of_two_recurring_twins_leaves_the_other_its_id(make_vault):
    line = "- [ ] water plants 🔁 every day 📅 2026-01-05\n"
    vault = make_vault({"T.md": line * 2})
    first, second = by_line(vault)[1], by_line(vault)[2]
    assert run(vault, "done", first).exit_code == 0
    now = by_line(vault)  # next occurrence, completed first twin, untouched second twin
    assert (now[2], now[3]) == (first, second)
    assert now[1] not in (first, second)
    assert run(vault, "done", second).exit_code == 0
    now = by_line(vault)
    assert (now[2], now[4]) == (first, second)
    assert run(vault, "undo").exit_code == 0
    assert run(vault, "undo").exit_code == 0
    assert lines(vault) == [line.rstrip("\n")] * 2
    # identical lines again: which holds which id cannot be told (nor seen) any more
    assert set(by_line(vault).values()) == {first, second}


def test_a_recurring_task_ticked_in_obsidian_keeps_its_id_on_the_ticked_line(make_vault):
    vault = make_vault({"T.md": "# Week\n- [ ] standup notes 🔁 every day 📅 2026-01-05\n"})
    [task] = [t["id"] for t in listed(vault)]
    (vault / "T.md").write_text(
        "# Week\n- [ ] standup notes 🔁 every day 📅 2026-01-06\n"
        "- [x] standup notes 🔁 every day 📅 2026-01-05 ✅ 2026-01-05\n",
        encoding="utf-8",
    )
    assert by_line(vault)[3] == task


def test_parallel_done_on_one_recurring_task_writes_one_next_occurrence(tmp_path):
    """Bug: two `done ID` at once: the second completed the first's next occurrence too."""
    vault, db = tmp_path / "v", tmp_path / "index.sqlite"
    vault.mkdir()
    (vault / "T.md").write_text("- [ ] standup notes 🔁 every day 📅 2026-01-05\n",
                                encoding="utf-8")  # fmt: skip
    [task] = tasksync(vault, db, "list", "--format", "line").stdout.split("\t")[:1]
    both = [subprocess.Popen(command(vault, db, "done", task), env=env(db), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)]  # fmt: skip
    for process in both:
        process.communicate(timeout=120)
    text = (vault / "T.md").read_text(encoding="utf-8")
    assert text.count("✅") == 1, text
    assert text.count("- [ ] standup notes") == 1, text


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
