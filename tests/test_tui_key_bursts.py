"""Keys that arrive together (a double tap, key repeat, a busy app) reach a dialog before it
is gone: the second of them must do nothing — no crash, no second answer, no second write."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner
from textual import events

from tasksync.cli.main import cli
from tests.test_tui import app_for, notes_bytes
from tests.test_tui_edit import open_editor

ORDER = "Order two more humidity probes"


def burst(app, *keys: str) -> None:
    """The keys posted at once, as the terminal driver posts what it reads in one go."""
    characters = {"enter": "\r", "tab": "\t", "backspace": "\x7f", "ctrl+u": "\x15"}
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else characters.get(key)))


async def settle(pilot) -> None:
    for _ in range(4):
        await pilot.pause()
        await asyncio.sleep(0.05)


async def test_enter_twice_on_an_unchanged_edit_closes_it_once(example_vault, size):
    before = notes_bytes(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await open_editor(pilot, app, ORDER)
        burst(app, "enter", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ != "EditScreen"
        assert app.is_running
    assert notes_bytes(example_vault) == before


async def test_a_key_twice_on_the_help_closes_it_once(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        burst(app, "x", "x")
        await settle(pilot)
        assert type(app.screen).__name__ != "HelpScreen"
        assert app.is_running


async def test_yes_twice_to_accept_everything_answers_once(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        burst(app, "y", "y")
        await settle(pilot)
        while type(app.screen).__name__ == "ProgressScreen":
            await settle(pilot)
        assert app.is_running
    log = CliRunner().invoke(cli, ["--vault", str(example_vault), "log"]).stdout
    assert sum("accept" in line for line in log.splitlines()) == 1, log


async def test_editing_keys_in_a_burst_act_in_the_order_typed(example_vault, size):
    """Backspace, the arrows and ctrl+u are Textual bindings, run once the key has bubbled up
    to the app: in a burst, the letters typed after them were inserted first. Retyping a
    priority as "high" wrote "normal" (the ⏫ removed); "xy⌫z" gave "xy"."""
    before = notes_bytes(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await open_editor(pilot, app, ORDER)
        field = app.screen.query_one("#priority")
        burst(app, "tab", "ctrl+u", "h", "i", "g", "h")
        await settle(pilot)
        assert app.screen.focused is field
        assert field.value == "high"
        burst(app, "end", "x", "y", "backspace", "z", "left", "w")
        await settle(pilot)
        assert field.value == "highxwz"
        burst(app, "ctrl+u", "h", "i", "g", "h", "enter")
        await settle(pilot)
    assert notes_bytes(example_vault) == before  # still high: nothing to write


async def test_keys_typed_while_the_vault_loads_act_on_nothing(example_vault, size):
    """The TUI reads the vault before its first screen; keys typed meanwhile waited, and
    `a` then accepted the first task highlighted — one the user never saw."""
    before = notes_bytes(example_vault)
    typed_while_loading = [events.Key("a", "a"), events.Key("r", "r")]
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        for key in typed_while_loading:
            app.post_message(key)
        await settle(pilot)
        assert notes_bytes(example_vault) == before
        assert any("while the vault was loading" in str(n.message) for n in app._notifications)
        await pilot.press("a")  # typed once the tasks are shown: taken
        await settle(pilot)
    assert notes_bytes(example_vault) != before


async def test_ctrl_p_while_a_batch_is_written_leaves_the_tui_answering(make_vault, monkeypatch):
    """ctrl+p opened the command palette over the progress dialog of a long batch; the batch
    done, the palette was closed in the dialog's stead, and the dialog stayed for good,
    taking every key (only ctrl+q got out)."""
    import time

    import tasksync.tui.app as tui

    written = tui.write

    def slow_disk(*args, **kwargs):
        time.sleep(1.0)
        return written(*args, **kwargs)

    monkeypatch.setattr(tui, "write", slow_disk)
    note = "".join(f"- [?] Task number {i} about the shed #proposed\n" for i in range(60))
    vault = make_vault({"Sync.md": "# Sync\n\n" + note})
    app = app_for(vault)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("A", "y")
        await pilot.pause()
        assert type(app.screen).__name__ == "ProgressScreen"
        await pilot.press("ctrl+p")
        for _ in range(40):
            await asyncio.sleep(0.1)
            await pilot.pause()
            if type(app.screen).__name__ == "Screen":
                break
        assert [type(s).__name__ for s in app.screen_stack] == ["Screen"]
        await pilot.press("u")
        await settle(pilot)
    assert "[?]" in (vault / "Sync.md").read_text()
