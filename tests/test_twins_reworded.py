"""Twins (the same task line more than once in a note) after one of them is reworded in the
TUI: each keeps its id where it stands, and a write to one of the others goes to the line
the user picked — never to another twin, and never refused for good."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasksync.cli.main import cli
from tests.test_tui import app_for

LINE = "- [?] Call Bob about the shed #proposed"
NOTE = "Meetings/2026-11-20 sync.md"
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday")


@pytest.fixture
def twins(make_vault) -> Path:
    return make_vault({NOTE: "".join(f"## {day}\n{LINE}\n\n" for day in DAYS).rstrip("\n")})


async def _reword_the_first(app, pilot) -> None:
    await pilot.pause()
    await pilot.press("e")
    await pilot.pause()
    app.screen.query_one("#description").value = "Call Bob about the shed today"
    await pilot.press("enter")
    await pilot.pause()


def _row_under(app, heading: str) -> int:
    return next(i for i, row in enumerate(app.rows)
                if row.record and row.record["heading"] == heading)  # fmt: skip


@pytest.mark.parametrize("heading", ["Monday", "Tuesday", "Wednesday"])
async def test_accepting_a_twin_after_another_was_reworded_writes_its_own_line(twins, heading):
    note = twins / NOTE
    app = app_for(twins)
    async with app.run_test(size=(80, 24)) as pilot:
        await _reword_the_first(app, pilot)
        app.query_one("#tasks").move_cursor(row=_row_under(app, heading))
        await pilot.pause()
        picked = app.current_row().record
        await pilot.press("a")
        await pilot.pause()
    lines = note.read_text().split("\n")
    assert lines[picked["line"] - 1] == LINE.replace("[?]", "[ ]").replace(" #proposed", "")
    assert [i + 1 for i, x in enumerate(lines) if x.startswith("- [ ]")] == [picked["line"]]


def test_the_cli_writes_the_twin_it_was_given_after_a_rewording_in_the_tui(twins):
    import asyncio

    async def reword() -> None:
        app = app_for(twins)
        async with app.run_test(size=(80, 24)) as pilot:
            await _reword_the_first(app, pilot)

    asyncio.run(reword())
    runner = CliRunner()
    listed = json.loads(runner.invoke(cli, ["--vault", str(twins), "list", "--json"]).stdout)
    for record in sorted(listed, key=lambda r: -r["line"]):  # each twin, bottom up
        if record["description"] != "Call Bob about the shed":
            continue
        done = runner.invoke(cli, ["--vault", str(twins), "accept", record["id"]])
        assert done.exit_code == 0, done.output
        line = (twins / NOTE).read_text().split("\n")[record["line"] - 1]
        assert line.startswith("- [ ] Call Bob about the shed"), (record["line"], line)
