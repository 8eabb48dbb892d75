"""What each TUI screen looks like, at 80×24 (the details under the list) and 120×40 (side
by side), at a fixed clock (pytest-textual-snapshot).

Refresh after a deliberate change of the layout with `pytest --snapshot-update`, and look at
the report first."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tasksync.tui.app import make_app

SIZES = [(80, 24), (120, 40)]
TODAY = date(2026, 11, 22)


def app_for(vault: Path):
    return make_app(vault, Path(os.environ["TASKSYNC_DB"]), TODAY, watch=False)


async def on_buy(pilot) -> None:
    """The cursor on the ↳ twin of the first pair."""
    await matched(pilot)
    await pilot.press("j")
    await pilot.pause()


async def matched(pilot) -> None:
    """The proposals' matches in other notes known (✓ / ○ shown): they are searched in a
    worker a moment after the app starts."""
    for _ in range(200):
        await pilot.pause(0.02)
        await pilot.app.workers.wait_for_complete()
        if not pilot.app.finding_elsewhere:
            break
    await pilot.pause()


sized = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


@sized
def test_inbox_screen(example_vault, snap_compare, size):
    assert snap_compare(app_for(example_vault), run_before=matched, terminal_size=size)


@sized
def test_open_screen(example_vault, snap_compare, size):
    assert snap_compare(
        app_for(example_vault), run_before=matched, press=["tab"], terminal_size=size
    )


@sized
def test_followups_screen(example_vault, snap_compare, size):
    assert snap_compare(app_for(example_vault), run_before=matched, press=["3"], terminal_size=size)


@sized
def test_help_screen(example_vault, snap_compare, size):
    assert snap_compare(
        app_for(example_vault), run_before=matched, press=["question_mark"], terminal_size=size
    )


@sized
def test_filtered_inbox(example_vault, snap_compare, size):
    keys = ["slash", "v", "o", "l", "u", "n", "t", "e", "e", "r"]
    assert snap_compare(app_for(example_vault), run_before=matched, press=keys, terminal_size=size)


@sized
def test_edit_dialog(example_vault, snap_compare, size):
    assert snap_compare(app_for(example_vault), run_before=matched, press=["e"], terminal_size=size)


@sized
def test_merge_dialog(example_vault, snap_compare, size):
    app = app_for(example_vault)
    assert snap_compare(app, run_before=on_buy, press=["m"], terminal_size=size)


@sized
def test_empty_inbox(make_vault, snap_compare, size):
    vault = make_vault({"Tasks.md": "- [ ] Something to do 📅 2026-11-30\n"})
    assert snap_compare(app_for(vault), terminal_size=size)
