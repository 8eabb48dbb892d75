"""Done on a proposed task, notifications, redo, the selection count, an empty Inbox, the
command palette, and duplicate pairs that hold still (issue 14, items 8 and 9)."""

from __future__ import annotations

import json

from tests.test_tui import (
    app_for,
    go_to,
    highlighted,
    line_of,
    meeting,
    screen_text,
    type_text,
)

ORDER = "Order two more humidity probes"
BUY = "Buy two additional humidity probes"
DESIGN = "Design the plant sale flyer"


async def test_done_on_a_proposed_task_drops_its_triage_tag(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, DESIGN)
        await pilot.press("d")
        await pilot.pause()
    assert line_of(meeting(example_vault), DESIGN) == (
        "- [x] Design the plant sale flyer with the new logo. @Myself 📅 2026-12-01 #task #auto "
        "✅ 2026-11-22")  # fmt: skip


async def test_notifications_name_the_task_and_offer_undo(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, DESIGN)
        await pilot.press("a")
        await pilot.pause()
        message = app._notifications.last().message if hasattr(app._notifications, "last") \
            else list(app._notifications)[-1].message  # fmt: skip
        assert "Design the plant sale flyer" in message
        assert "u" in message.split() or "u undoes" in message


async def test_redo_reapplies_what_undo_reverted(example_vault, size):
    note = meeting(example_vault)
    original = note.read_bytes()
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, DESIGN)
        await pilot.press("a")
        await pilot.pause()
        accepted = note.read_bytes()
        assert accepted != original
        await pilot.press("u")
        await pilot.pause()
        assert note.read_bytes() == original
        await pilot.press("U")
        await pilot.pause()
        assert note.read_bytes() == accepted
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert note.read_bytes() == accepted
        await pilot.press("u")
        await pilot.pause()
        await go_to(pilot, app, ORDER)
        await pilot.press("r")  # a new action: nothing left to redo
        await pilot.pause()
        rejected = note.read_bytes()
        await pilot.press("U")
        await pilot.pause()
        assert note.read_bytes() == rejected


async def test_the_selection_count_shows(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, ORDER)
        await pilot.press("space", "space")
        await pilot.pause()
        assert "2 selected" in screen_text(app)


async def test_an_empty_inbox_says_so(make_vault, size):
    vault = make_vault({"Tasks.md": "- [ ] Something to do 📅 2026-11-30\n"})
    app = app_for(vault)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert "No proposed tasks" in screen_text(app)


async def test_the_command_palette_offers_the_apps_actions(example_vault, size):
    note = meeting(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, DESIGN)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "accept")
        await pilot.pause(0.3)
        assert "Write: accept" in screen_text(app)  # it says it changes notes
        await pilot.press("enter")
        await pilot.pause(0.3)
    assert line_of(note, DESIGN).startswith("- [ ] Design")


async def test_duplicate_pairs_do_not_change_with_the_filter(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "additional")
        await pilot.press("enter")
        await pilot.pause()
        assert highlighted(app).startswith(BUY)
        assert "↳" in screen_text(app)
        await pilot.press("m")  # still knows its twin, although the filter hides it
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert line_of(meeting(example_vault), ORDER).startswith("- [-]")


async def test_tasks_due_on_different_days_are_not_paired(make_vault, size):
    vault = make_vault({"Meetings/2026-11-20 sync.md": (
        "- [?] Order two more humidity probes for the east greenhouse bench @Myself "
        "📅 2026-11-20 #proposed\n"
        "- [?] Order two more humidity probes for the east greenhouse benches @Myself "
        "📅 2026-11-27 #proposed\n")})  # fmt: skip
    app = app_for(vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, "Order two more")
        assert "↳" not in screen_text(app)
        await pilot.press("m")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    assert (vault / "Meetings/2026-11-20 sync.md").read_text().count("- [?]") == 2


async def test_an_undo_that_can_restore_nothing_says_so_and_offers_no_redo(example_vault, size):
    note = meeting(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, ORDER)
        await pilot.press("r")  # the older batch, for the next undo
        await pilot.pause()
        await go_to(pilot, app, DESIGN)
        await pilot.press("a")
        await pilot.pause()
        line = next(x for x in note.read_text(encoding="utf-8").splitlines() if DESIGN in x)
        note.write_text(note.read_text(encoding="utf-8").replace(line, line + " (by hand)"),
                        encoding="utf-8")  # fmt: skip
        by_hand = note.read_bytes()
        await pilot.press("u")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Nothing undone of `tui accepted") for m in said), said
        assert not any(m.startswith("Undid") for m in said), said
        assert note.read_bytes() == by_hand
        await pilot.press("U")  # nothing was undone: nothing to redo
        await pilot.pause()
        assert note.read_bytes() == by_hand
        await pilot.press("u")  # the batch before: the rejection
        await pilot.pause()
        assert line_of(note, ORDER).startswith("- [?]")
        assert line_of(note, DESIGN).endswith("(by hand)")


async def test_a_change_made_elsewhere_after_an_undo_forgets_the_redo(example_vault, size):
    from click.testing import CliRunner

    from tasksync.cli.main import cli

    note = meeting(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, DESIGN)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        listed = CliRunner().invoke(cli, ["--vault", str(example_vault), "list", "--json"])
        order = next(r["id"] for r in json.loads(listed.stdout) if ORDER in r["description"])
        done = CliRunner().invoke(cli, ["--vault", str(example_vault), "reject", order])
        assert done.exit_code == 0, done.output
        after_cli = note.read_bytes()
        await pilot.press("U")
        await pilot.pause()
        said = [n.message for n in app._notifications]
    assert note.read_bytes() == after_cli, "redo replayed a batch over a newer change"
    assert any(m.startswith("nothing to redo: the vault was changed") for m in said), said


async def test_done_follows_the_plugin_settings_changed_while_the_app_runs(example_vault, size):
    """The app read the Tasks plugin settings once, at its start: done dates turned off in
    Obsidian while it ran, `d` still wrote ✅ (and it kept a status the settings had changed)."""
    settings = example_vault / ".obsidian/plugins/obsidian-tasks-plugin/data.json"
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text('{"setDoneDate": false}', encoding="utf-8")
        app.reload()  # as the app's watcher does when the file changes
        await pilot.pause()
        await go_to(pilot, app, DESIGN)
        await pilot.press("d")
        await pilot.pause()
    assert line_of(meeting(example_vault), DESIGN) == (
        "- [x] Design the plant sale flyer with the new logo. @Myself 📅 2026-12-01 #task #auto"
    )
