"""A task changed in the note (by Obsidian) while the TUI shows it — review findings, each
test failed before its fix:

- the edit dialog wrote its values over a due date set meanwhile (only a rewording was
  refused), and after a refusal, saving onto the task as the note holds it put back the
  fields the user had not touched (README, Edit: "Only the fields you changed are rewritten
  … If the task changed in the note meanwhile, nothing is written, your values stay in the
  dialog and it shows the task as the note holds it now: enter saves onto it");
- `a` / `r` on a task answered meanwhile said "already accepted" / "already rejected"
  whatever the task was now;
- `r` on a reworded task rejected a line with its old wording pasted back: the index keeps a
  task's id over a rewording, and the write layer took the id the old wording gives.
"""

from __future__ import annotations

import pytest

from tests.test_tui import app_for, go_to

NOTE = """# Note

- [?] Alpha task one @Myself 📅 2026-12-01 #proposed
- [?] Beta task two @Myself #proposed
- [?] Gamma task three #proposed
"""
BETA = "- [?] Beta task two @Myself #proposed"


async def test_edit_does_not_overwrite_a_due_date_set_meanwhile(make_vault):
    vault = make_vault({"N.md": NOTE})
    note = vault / "N.md"
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await go_to(pilot, app, "Beta")
        await pilot.press("e")
        await pilot.pause()
        assert type(app.screen).__name__ == "EditScreen"
        app.screen.query_one("#due").value = "2026-12-24"
        # meanwhile, in Obsidian, the same task gets a due date (and a priority)
        note.write_text(NOTE.replace(BETA, BETA.replace("@Myself", "@Myself 📅 2026-12-09 ⏬")))
        changed_meanwhile = note.read_bytes()
        await pilot.press("enter")
        await pilot.pause()
        assert note.read_bytes() == changed_meanwhile, (
            "the edit overwrote the due date set in the note meanwhile:\n" + note.read_text()
        )
        assert type(app.screen).__name__ == "EditScreen", "the dialog closed"


FLYER = "- [?] Design the plant sale flyer with the new logo. @Myself 📅 2026-12-01 #proposed\n"


async def test_saving_onto_the_changed_task_keeps_its_untouched_fields(make_vault):
    vault = make_vault({"N.md": FLYER})
    note = vault / "N.md"
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await go_to(pilot, app, "Design")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert type(dialog).__name__ == "EditScreen"
        dialog.query_one("#owner").value = "Sam Okafor"  # the only field the user changes
        # meanwhile, in Obsidian: reworded, and the due date moved
        note.write_text(FLYER.replace("Design the", "Design the spring").replace("12-01", "12-09"))
        dialog.query_one("#due").focus()
        await pilot.press("enter")  # refused: the task changed
        await pilot.pause()
        assert type(app.screen).__name__ == "EditScreen"
        assert "Design the spring" in note.read_text()
        await pilot.press("enter")  # "enter saves onto it"
        await pilot.pause()
    line = note.read_text().split("\n")[0]
    assert "@Sam Okafor" in line, line
    assert "📅 2026-12-09" in line, f"the due date set in Obsidian was reverted: {line!r}"


@pytest.mark.parametrize(
    ("now", "key", "wrong"),
    [
        ("- [-] Beta task two @Myself ❌ 2026-11-21", "a", "already accepted"),
        ("- [x] Beta task two @Myself ✅ 2026-11-21", "r", "already rejected"),
        ("- [ ] Beta task two @Myself", "a", "in the note now"),  # accepted there: already so
        ("- [x] Beta task two @Myself ✅ 2026-11-21", "a", "already accepted"),  # done: say so
    ],
)
async def test_nothing_to_change_tells_the_tasks_real_state(make_vault, now, key, wrong):
    vault = make_vault({"N.md": NOTE})
    note = vault / "N.md"
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await go_to(pilot, app, "Beta")
        note.write_text(NOTE.replace(BETA, now))  # answered in Obsidian
        await pilot.press(key)
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert not any(wrong in m for m in said), f"the note holds {now!r} but the TUI said: {said}"
        assert any(m.startswith("Nothing to change: “Beta task two”") for m in said), said


SHED = "# Note\n\n- [?] Call Bob about the shed #proposed\n- [?] Water the plants #proposed\n"


async def test_r_never_rejects_a_task_other_than_the_highlighted_one(make_vault):
    vault = make_vault({"N.md": SHED})
    note = vault / "N.md"
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # reworded in Obsidian; the TUI reads it again (as its watcher does)
        note.write_text(SHED.replace("about the shed", "about the shed roof"))
        app.reload()
        await pilot.pause()
        await go_to(pilot, app, "Call Bob about the shed roof")
        # then (the watcher not fired yet): a due date on it, and the old wording pasted back
        note.write_text(
            note.read_text().replace("shed roof #proposed", "shed roof 📅 2026-12-01 #proposed")
            + "- [?] Call Bob about the shed #proposed\n"
        )
        before = note.read_text().split("\n")
        await pilot.press("r")
        await pilot.pause()
        after = note.read_text().split("\n")
        said = [n.message for n in app._notifications]
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    for old, new in changed:
        assert "roof" in old, f"r on “…shed roof” rejected {old!r} -> {new!r}; said {said}"


TWINS = """# Inbox

- [?] Call Bob about the roof 📅 2026-12-01 #proposed
- [?] Water the plants #proposed
- [?] Call Bob about the roof 📅 2026-12-24 #proposed
"""


@pytest.mark.parametrize("key", ["a", "r"])
async def test_a_key_on_a_twin_moved_in_obsidian_writes_the_twin_shown(make_vault, key):
    """Two proposals alike but for their due dates; the user highlights the second, and
    Obsidian swaps the two lines (a drag, a sort): the key wrote the first, found by its
    rank among the twins, not by the line the user saw."""
    vault = make_vault({"Inbox.md": TWINS})
    note = vault / "Inbox.md"
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = next(i for i, r in enumerate(app.rows)
                   if r.record and r.record["due"] == "2026-12-24")  # fmt: skip
        app.query_one("#tasks").move_cursor(row=row)
        await pilot.pause()
        lines = TWINS.split("\n")
        lines[2], lines[4] = lines[4], lines[2]
        note.write_text("\n".join(lines))
        await pilot.press(key)
        await pilot.pause()
    now = note.read_text().split("\n")
    assert now[3:] == lines[3:], f"the twin shown was not the one written:\n{note.read_text()}"
    assert "2026-12-24" in now[2]
    assert "[?]" not in now[2]


async def test_redo_writes_only_what_the_batch_wrote(make_vault):
    """Two tasks selected, one reworded in Obsidian: `A` accepted the other and refused it
    ("changed in the note"); `u` said it undid 2 tasks, and `U` accepted both — the refused
    one too, which the user was never asked about again."""
    vault = make_vault({"Meet.md": "# M\n\n- [?] Book the village hall #proposed\n"
                                   "- [?] Pay the plumber for the boiler #proposed\n"})  # fmt: skip
    note = vault / "Meet.md"
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for words in ("Book", "Pay"):
            await go_to(pilot, app, words)
            await pilot.press("space")
            await pilot.pause()
        note.write_text(note.read_text().replace("the boiler", "the boiler today"))
        await pilot.press("A")
        await pilot.pause()
        accepted = note.read_bytes()
        assert b"- [?] Pay the plumber for the boiler today #proposed" in accepted
        await pilot.press("u")
        await pilot.pause()
        assert "Book the village hall" in str(list(app._notifications)[-1].message)
        await pilot.press("U")
        await pilot.pause()
    assert note.read_bytes() == accepted


async def test_the_edit_dialog_never_takes_another_task_for_the_one_edited(make_vault):
    """The task being edited was deleted in Obsidian and the next one moved up into its
    line: enter showed that other task as "this task as the note holds it now", and a
    second enter wrote the due date typed for the first onto it."""
    vault = make_vault({"Meet.md": "# M\n\n- [?] Book the hall #proposed\n"
                                   "- [?] Pay the plumber #proposed\n"})  # fmt: skip
    note = vault / "Meet.md"
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await go_to(pilot, app, "Book the hall")
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#due").value = "2026-12-24"
        note.write_text("# M\n\n- [?] Pay the plumber #proposed\n")
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.record["description"] == "Book the hall"
        await pilot.press("enter")
        await pilot.pause()
    assert note.read_text() == "# M\n\n- [?] Pay the plumber #proposed\n"
