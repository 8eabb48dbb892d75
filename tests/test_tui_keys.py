"""Keys you can see and keys that work: the footer, the layout below ~110 columns, the filter,
moving around (issue 14, items 5 and 6)."""

from __future__ import annotations

import re

import pytest
from textual import events

from tests.test_tui import app_for, go_to, highlighted, screen_text, type_text

ORDER = "Order two more humidity probes"


def footer(app) -> str:
    return screen_text(app).rstrip("\n").splitlines()[-1]


async def test_the_footer_always_shows_help_quit_and_the_screens_keys(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        keys = footer(app)
        for shown in ("? help", "q quit", "a accept", "r reject", "u undo", "/ filter"):
            assert shown in keys, (shown, keys)
        await pilot.press("tab")  # Open: nothing to accept there
        await pilot.pause()
        keys = footer(app)
        for shown in ("? help", "q quit", "d done"):
            assert shown in keys, (shown, keys)
        assert "accept" not in keys


async def test_a_dialog_shows_its_own_keys_not_the_lists(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, ORDER)
        await pilot.press("e")
        await pilot.pause()
        keys = footer(app)
        assert "esc cancel" in keys
        assert "accept" not in keys
        assert "reject" not in keys


async def test_the_task_column_gets_the_room_and_the_details_scroll(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, ORDER)
        text = screen_text(app)
        # the description shows at least 50 characters (at 80 columns: details under the list)
        assert "Order two more humidity probes for the east greenho" in text
        detail = app.screen.query_one("#detail")
        await pilot.resize_terminal(size[0], 14)  # short: the details cannot show it all
        await pilot.pause()
        assert detail.max_scroll_y > 0
        await pilot._post_mouse_events([events.MouseScrollDown], detail, offset=(2, 1))
        await pilot.pause()
        assert detail.scroll_y > 0, "the mouse wheel did not scroll the details"


async def test_the_details_pane_goes_under_the_list_below_110_columns(example_vault):
    app = app_for(example_vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tasks, detail = app.screen.query_one("#tasks"), app.screen.query_one("#detail")
        assert tasks.region.width >= 78
        assert detail.region.y > tasks.region.y
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert detail.region.x > tasks.region.x  # side by side again


async def test_filter_as_you_type_escape_clears_and_counts(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "@dana")
        await pilot.pause()
        shown = [r.record["description"][:20] for r in app.rows if r.record]
        # Dana's: two of the 11-16 sync, one of the 11-02 1:1 (the Inbox's last note)
        assert shown == ["Draft the volunteer ", "Prepare the voluntee", "Collect the spare se"]
        assert "3 of 13" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert len([r for r in app.rows if r.record]) == 13
        assert not app.screen.query_one("#filter").display
        assert "2 of 9" not in screen_text(app)
        await pilot.press("a")  # the keys act on the list again
        await pilot.pause()
        assert len([r for r in app.rows if r.record]) == 12


async def test_enter_keeps_the_filter_and_returns_to_the_list(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "volunteer")
        await pilot.press("enter")
        await pilot.pause()
        assert len([r for r in app.rows if r.record]) == 2
        assert highlighted(app).startswith("Draft the volunteer")
        await pilot.press("space")  # a selection too: the filter is still named on top
        await pilot.pause()  # (at 80 columns shortened: the counts come whole)
        assert "filter: volun" in screen_text(app).splitlines()[0]
        await pilot.press("tab")  # the filter holds on every screen
        await pilot.pause()
        assert re.search(r"\b0 of 1\d\b", screen_text(app))


async def test_home_end_g_and_G_move(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        last = "Write a short seed swap"  # the last proposal of the Inbox's last (oldest) note
        for key, expected in (("G", last), ("g", "Order two more"), ("end", last),
                              ("home", "Order two more")):  # fmt: skip
            await pilot.press(key)
            await pilot.pause()
            assert highlighted(app).startswith(expected), key
            assert app.screen.query_one("#tasks").scroll_x == 0


async def test_screens_by_number_and_shift_tab_and_cursor_per_screen(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await go_to(pilot, app, "Design the plant sale")
        await pilot.press("2")
        await pilot.pause()
        assert app.view == "open"
        await go_to(pilot, app, "Call the council")
        await pilot.press("3")
        await pilot.pause()
        assert app.view == "followups"
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.view == "open"
        assert highlighted(app).startswith("Call the council")
        await pilot.press("1")
        await pilot.pause()
        assert app.view == "inbox"
        assert highlighted(app).startswith("Design the plant sale")
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.view == "followups"


async def test_a_filter_that_hides_selected_tasks_says_they_are_unselected(example_vault, size):
    # A hides them from the key that acts on the selection: the user is told, not surprised.
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        for text in ("Order two more humidity", "Draft the volunteer"):
            await go_to(pilot, app, text)
            await pilot.press("space")
        await pilot.press("slash")
        await type_text(pilot, "volunteer")
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.selected) == 1
        said = [n.message for n in app._notifications]
        assert any("1 selected task hidden by the filter is no longer selected" in m
                   for m in said), said  # fmt: skip


@pytest.mark.parametrize(("key", "dialog"), [("e", "EditScreen"), ("A", "ConfirmScreen"),
                                             ("question_mark", "HelpScreen")])  # fmt: skip
async def test_a_dialog_opens_clear_of_the_last_messages(example_vault, size, key, dialog):
    """A toast left from the last key covered the dialog's bottom rows at 80×24."""
    app = app_for(example_vault)
    async with app.run_test(size=size, notifications=True) as pilot:
        await go_to(pilot, app, "Order two more humidity probes")
        await pilot.press("u")  # nothing to undo: a warning toast, shown for seconds
        await pilot.pause()
        assert "nothing to undo" in screen_text(app)
        await pilot.press(key)
        await pilot.pause()
        assert type(app.screen).__name__ == dialog
        assert "nothing to undo" not in screen_text(app)


async def test_the_top_line_keeps_the_selection_count_with_a_long_filter(example_vault, size):
    """How many are selected decides what A does (the selection at once, or ask about all
    shown): a long filter's words are shortened, never the counts."""
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        await type_text(pilot, "humidity probes")
        await pilot.press("enter", "space")
        await pilot.pause()
        top = screen_text(app).splitlines()[0]
        assert "1 selected" in top, top
        assert re.search(r"\d+ of \d+", top), top
        assert "filter: humid" in top, top
