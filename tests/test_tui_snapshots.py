"""What each TUI screen looks like, at a fixed size and clock (pytest-textual-snapshot).

Refresh after a deliberate change of the layout with `pytest --snapshot-update`, and look at
the report first."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from tasksync.tui.app import make_app

SIZE = (140, 36)
TODAY = date(2026, 11, 22)


def app_for(vault: Path):
    return make_app(vault, Path(os.environ["TASKSYNC_DB"]), TODAY, watch=False)


def test_inbox_screen(example_vault, snap_compare):
    assert snap_compare(app_for(example_vault), terminal_size=SIZE)


def test_open_screen(example_vault, snap_compare):
    assert snap_compare(app_for(example_vault), press=["tab"], terminal_size=SIZE)


def test_followups_screen(example_vault, snap_compare):
    assert snap_compare(app_for(example_vault), press=["tab", "tab"], terminal_size=SIZE)


def test_help_screen(example_vault, snap_compare):
    assert snap_compare(app_for(example_vault), press=["question_mark"], terminal_size=SIZE)
