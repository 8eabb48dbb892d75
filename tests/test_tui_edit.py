"""The edit dialog (issue 14, item 7): labelled fields, a live date preview, the date words
of `set`, only the changed fields rewritten, and values kept after a refusal."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli
from tasksync.dates import parse_day
from tests.test_tui import app_for, go_to, line_of, meeting, screen_text, type_text

ORDER = "Order two more humidity probes"
SUNDAY = date(2026, 11, 22)


@pytest.mark.parametrize(("text", "expected"), [
    # a weekday phrase as the plugin (chrono) reads it, a bare weekday never in the past:
    # `next` is the next Sunday-to-Saturday week's
    ("next tuesday", "2026-12-01"), ("tuesday", "2026-11-24"), ("tue", "2026-11-24"),
    ("next sunday", "2026-11-29"), ("Next  Friday", "2026-12-04"), ("in 3 days", "2026-11-25"),
    ("this sunday", "2026-11-22"), ("sunday", "2026-11-22"), ("saturday", "2026-11-28"),
    ("last friday", "2026-11-20"),
    ("in 2 weeks", "2026-12-06"), ("in 1 month", "2026-12-22"), ("2 days ago", "2026-11-20"),
    ("next month", "2026-12-22"), ("next week", "2026-11-29"), ("+3d", "2026-11-25"),
    ("today", "2026-11-22"), ("2026-12-01", "2026-12-01"),
])  # fmt: skip
def test_date_words(text, expected):
    assert parse_day(text, SUNDAY).isoformat() == expected


def test_set_accepts_the_same_date_words(example_vault):
    def run(*args: str):
        return CliRunner().invoke(cli, ["--vault", str(example_vault), "--today", "2026-11-22",
                                        *args])  # fmt: skip

    listed = run("list", "--json").stdout
    import json

    task = next(t for t in json.loads(listed) if t["description"].startswith("Design the plant"))
    result = run("set", task["id"], "--due", "next tuesday")
    assert result.exit_code == 0, result.output
    assert "📅 2026-12-01" in line_of(meeting(example_vault), "Design the plant")
    # and a query reads the words as the same day
    found = run("query", "due on next tuesday").stdout
    assert "Design the plant" in found, found


async def open_editor(pilot, app, text: str):
    await go_to(pilot, app, text)
    await pilot.press("e")
    await pilot.pause()
    assert type(app.screen).__name__ == "EditScreen"
    return app.screen


async def test_the_dialog_is_labelled_and_shows_the_task(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await open_editor(pilot, app, ORDER)
        shown = " ".join(screen_text(app).split())
        for label in ("Description", "Due", "Priority", "Owner"):
            assert label in shown, label
        assert "Order two more humidity probes" in shown
        assert "2026-11-20" in shown


async def test_a_live_date_preview(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        dialog = await open_editor(pilot, app, ORDER)
        dialog.query_one("#due").value = ""
        await pilot.click("#due")
        await type_text(pilot, "fri")
        await pilot.pause()
        assert "fri → 2026-11-27" in screen_text(app)
        await type_text(pilot, "x")
        await pilot.pause()
        assert "not a date" in screen_text(app)


async def test_only_the_changed_field_is_rewritten(example_vault, size):
    note = meeting(example_vault)
    before = line_of(note, ORDER)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        dialog = await open_editor(pilot, app, ORDER)
        dialog.query_one("#due").value = "next tuesday"
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    # the mis-encoded due emoji keeps its spelling, the priority (‚è´) is not re-encoded
    assert line_of(note, ORDER) == before.replace("2026-11-20", "2026-12-01")


async def test_the_description_can_be_edited(example_vault, size):
    note = meeting(example_vault)
    before = line_of(note, "Design the plant sale flyer")
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        dialog = await open_editor(pilot, app, "Design the plant sale flyer")
        dialog.query_one("#description").value = "Design the plant sale poster with the new logo."
        await pilot.press("enter")
        await pilot.pause()
    after = before.replace("flyer", "poster")
    assert line_of(note, "Design the plant sale poster") == after


async def test_a_long_error_is_shown_whole(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        dialog = await open_editor(pilot, app, ORDER)
        dialog.query_one("#due").value = "someday"
        await pilot.press("enter")
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert "not a date: 'someday'" in shown
        assert "next week)" in shown  # the end of the message, not cut off
        dialog.query_one("#due").value = "2026-12-01"
        dialog.query_one("#owner").value = "dana whitfield"  # would not read back as an owner
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "EditScreen"
        assert "read back" in " ".join(screen_text(app).split())


async def test_a_refusal_keeps_the_typed_values(example_vault, size):
    note = meeting(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        dialog = await open_editor(pilot, app, "Design the plant sale flyer")
        dialog.query_one("#due").value = "2026-12-24"
        dialog.query_one("#owner").value = "Sam Okafor"
        # meanwhile, the task is reworded in Obsidian
        note.write_text(note.read_text().replace("Design the plant sale flyer",
                                                 "Design the spring sale flyer"))  # fmt: skip
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "EditScreen", "the dialog closed on a refusal"
        assert app.screen.query_one("#due").value == "2026-12-24"
        assert app.screen.query_one("#owner").value == "Sam Okafor"
        shown = " ".join(screen_text(app).split())
        assert "again" not in shown.lower() or "run the command" not in shown.lower()
        assert "changed in the note" in shown
    assert "2026-12-24" not in note.read_text()


async def test_a_task_deleted_meanwhile_is_said_to_be_gone(example_vault, size):
    note = meeting(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        dialog = await open_editor(pilot, app, "Design the plant sale flyer")
        dialog.query_one("#due").value = "2026-12-24"
        line = line_of(note, "Design the plant sale flyer")
        note.write_text(note.read_text().replace(line + "\n", ""))  # deleted in Obsidian
        gone = note.read_bytes()
        await pilot.press("enter")
        await pilot.pause()
        said = " ".join(screen_text(app).split())
        assert "no longer in the note" in str(said), said
        assert "shown as the note holds it now" not in str(said), said
    assert note.read_bytes() == gone


async def test_a_key_typed_on_arriving_in_a_field_adds_to_it(example_vault, size):
    # Tab lands in a field: the first key typed must not replace all it holds.
    note = meeting(example_vault)
    before = line_of(note, "Design the plant sale flyer")
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        dialog = await open_editor(pilot, app, "Design the plant sale flyer")
        written = dialog.query_one("#description").value
        await pilot.press("shift+tab")  # from Due back to Description
        await pilot.press("end")
        await type_text(pilot, " now")
        assert dialog.query_one("#description").value == written + " now"
        await pilot.press("tab", "tab")  # Priority
        await type_text(pilot, "x")
        assert dialog.query_one("#priority").value.startswith(("normal", "x"))
        assert len(dialog.query_one("#priority").value) > 1
        await pilot.press("escape")
    assert line_of(note, "Design the plant sale flyer") == before


async def test_the_fields_stay_in_view_under_a_very_long_line(make_vault, size):
    words = " ".join(f"word{i}" for i in range(200))
    vault = make_vault({"Inbox.md": f"- [?] {words} 📅 2026-12-01 #proposed\n"})
    app = app_for(vault)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        shown = screen_text(app)
        for label in ("Description", "Due", "Priority", "Owner"):
            assert label in shown, f"{label} is off screen:\n{shown}"
        assert "2026-12-01 →" in shown or "2026-12-01" in shown


LONG_PATH = ("Projects/Very Long Folder Name For The Community Garden Association/Subcommittee "
             "on Greenhouse Heating and Ventilation/2026-11-20 - Extraordinary general meeting "
             "about the heater.md")  # fmt: skip


async def test_a_refusal_in_a_note_with_a_long_path_is_shown_whole(make_vault, size):
    vault = make_vault({LONG_PATH: "# EGM\n\n## Action Items\n\n- [?] Get three quotes for "
                        "the new heater @Myself 📅 2026-12-01 ⏫ #proposed\n"})  # fmt: skip
    note = vault / LONG_PATH
    app = app_for(vault)
    async with app.run_test(size=size) as pilot:
        dialog = await open_editor(pilot, app, "Get three quotes")
        note.write_text(note.read_text().replace("2026-12-01", "2026-12-03"))  # meanwhile
        dialog.query_one("#priority").value = "low"
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "EditScreen"
        shown = " ".join(screen_text(app).split())
        assert "esc cancels" in shown  # the end of the message: what enter does now
        assert "Get three quotes" in shown  # and the task's line as the note holds it
