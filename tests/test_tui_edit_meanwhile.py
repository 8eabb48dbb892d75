"""The edit dialog and a task changed in the note while it is open (review, each failed
before its fix): enter wrote the dialog's values over a due date set in Obsidian (only a
rewording was refused), and after a refusal, saving onto the task as the note holds it put
back the fields the user had not touched.

README (Edit): "Only the fields you changed are rewritten … If the task changed in the note
meanwhile, nothing is written, your values stay in the dialog and it shows the task as the
note holds it now: enter saves onto it, esc cancels."
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from tasksync.tui.app import make_app

NOTE_BETA = """# Note

- [?] Alpha task one @Myself 📅 2026-12-01 #proposed
- [?] Beta task two @Myself #proposed
- [?] Gamma task three #proposed
"""


async def test_edit_does_not_overwrite_a_due_date_set_meanwhile(make_vault):
    vault = make_vault({"N.md": NOTE_BETA})
    note = vault / "N.md"
    app = make_app(vault, Path(os.environ["TASKSYNC_DB"]), date(2026, 11, 22), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        index = next(
            i
            for i, r in enumerate(app.rows)
            if r.record and r.record["description"].startswith("Beta")
        )
        app.query_one("#tasks").move_cursor(row=index)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert type(app.screen).__name__ == "EditScreen"
        app.screen.query_one("#due").value = "2026-12-24"
        # meanwhile, in Obsidian, the same task gets a due date (and a priority)
        note.write_text(
            note.read_text().replace(
                "Beta task two @Myself", "Beta task two @Myself 📅 2026-12-09 ⏬"
            )
        )
        changed_meanwhile = note.read_bytes()
        await pilot.press("enter")
        await pilot.pause()
        assert note.read_bytes() == changed_meanwhile, (
            "the edit overwrote the due date set in the note meanwhile:\n" + note.read_text()
        )
        assert type(app.screen).__name__ == "EditScreen", "the dialog closed"


NOTE_FLYER = """# Note

- [?] Design the plant sale flyer with the new logo. @Myself 📅 2026-12-01 #proposed
- [?] Water the plants #proposed
"""


async def test_saving_onto_the_changed_task_keeps_its_untouched_fields(make_vault):
    vault = make_vault({"N.md": NOTE_FLYER})
    note = vault / "N.md"
    app = make_app(vault, Path(os.environ["TASKSYNC_DB"]), date(2026, 11, 22), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        index = next(
            i
            for i, r in enumerate(app.rows)
            if r.record and r.record["description"].startswith("Design")
        )
        app.query_one("#tasks").move_cursor(row=index)
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert type(dialog).__name__ == "EditScreen"
        dialog.query_one("#owner").value = "Sam Okafor"  # the only field the user changes
        # meanwhile, in Obsidian: reworded, and the due date moved
        note.write_text(
            NOTE_FLYER.replace(
                "Design the plant sale flyer with the new logo. @Myself 📅 2026-12-01",
                "Design the spring plant sale flyer with the new logo. @Myself 📅 2026-12-09",
            )
        )
        dialog.query_one("#due").focus()
        await pilot.press("enter")  # refused: the task changed
        await pilot.pause()
        assert type(app.screen).__name__ == "EditScreen"
        assert "Design the spring" in note.read_text()
        await pilot.press("enter")  # "enter saves onto it"
        await pilot.pause()
    line = next(x for x in note.read_text().split("\n") if "flyer" in x)
    assert "@Sam Okafor" in line, line
    assert "📅 2026-12-09" in line, f"the due date set in Obsidian was reverted: {line!r}"
