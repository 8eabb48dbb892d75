"""The TUI driven through Textual's pilot, on real notes in a temp vault."""

from __future__ import annotations

import asyncio
import io
import os
from datetime import date
from pathlib import Path

from rich.console import Console

from tasksync.tui.app import TasksyncApp, make_app
from tasksync.tui.views import inbox_rows

TODAY = date(2026, 11, 22)  # a Sunday
SIZE = (140, 40)


def app_for(vault: Path, watch: bool = False) -> TasksyncApp:
    return make_app(vault, Path(os.environ["TASKSYNC_DB"]), TODAY, watch=watch)


def meeting(vault: Path) -> Path:
    """The weekly sync's note (the example vault's newest meeting: the Inbox's first)."""
    return next((vault / "Meetings").glob("2026-11-16 *.md"))


def notes_bytes(vault: Path) -> dict[str, bytes]:
    """Every note of the vault, byte for byte."""
    return {str(p.relative_to(vault)): p.read_bytes() for p in sorted(vault.rglob("*.md"))}


def line_of(path: Path, text: str) -> str:
    """The one line of the note (decoded, without its ending) that contains ``text``."""
    found = [x for x in path.read_bytes().decode().splitlines() if text in x]
    assert len(found) == 1, found
    return found[0]


async def go_to(pilot, app: TasksyncApp, text: str) -> None:
    """Move the cursor to the row whose task description starts with ``text``."""
    for index, row in enumerate(app.rows):
        if row.record and row.record["description"].startswith(text):
            app.query_one("#tasks").move_cursor(row=index)
            await pilot.pause()
            return
    raise AssertionError(f"no row {text!r}")


def highlighted(app: TasksyncApp) -> str:
    """The description of the task under the cursor ("" on a heading or no row)."""
    row = app.current_row()
    return row.record["description"] if row is not None and row.record else ""


def screen_text(app: TasksyncApp) -> str:
    """What the terminal shows, as plain text (one line per row of the screen)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      force_terminal=True, legacy_windows=False, record=True)  # fmt: skip
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press({" ": "space", "@": "at", "#": "number_sign"}.get(char, char))


def test_inbox_groups_proposed_by_note_with_duplicates_together(example_vault):
    import json

    from click.testing import CliRunner

    from tasksync.cli.main import cli

    records = json.loads(CliRunner().invoke(cli, ["--vault", str(example_vault), "list", "--json",
                                                  "--status", "all"]).stdout)  # fmt: skip
    rows = inbox_rows(records)
    assert rows[0].record is None
    assert rows[0].heading.startswith("Meetings/2026-11-16")
    tasks = [r for r in rows if r.record]
    assert len(tasks) == 13  # 9 of the 11-16 sync, then 4 of the 11-02 1:1
    twins = [(r.record["description"][:12], r.duplicate_of is not None) for r in tasks]
    assert twins[:2] == [("Order two mo", False), ("Buy two addi", True)]


async def test_accept_and_reject_write_the_note(example_vault):
    app = app_for(example_vault)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, app, "Order two more")
        await pilot.press("a")
        await pilot.pause()
        text = meeting(example_vault).read_text()
        assert "- [ ] Order two more humidity probes" in text
        await go_to(pilot, app, "Ask the hardware store")
        await pilot.press("r")
        await pilot.pause()
        text = meeting(example_vault).read_text()
        assert "- [-] Ask the hardware store" in text
        assert "❌ 2026-11-22" in text
        assert len([r for r in app.rows if r.record]) == 11  # 13 proposals, 2 answered
        await pilot.press("u")
        await pilot.pause()
        assert "- [?] Ask the hardware store" in meeting(example_vault).read_text()


async def test_edit_validates_and_writes(example_vault):
    app = app_for(example_vault)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, app, "Design the plant sale flyer")
        await pilot.press("e")
        await pilot.pause()
        due = app.screen.query_one("#due")
        due.value = "someday"
        await pilot.press("enter")
        await pilot.pause()
        assert "not a date" in str(app.screen.query_one("#error").render())
        due.value = "fri"
        app.screen.query_one("#priority").value = "high"
        app.screen.query_one("#owner").value = "Dana Whitfield"
        await pilot.press("enter")
        await pilot.pause()
        line = next(x for x in meeting(example_vault).read_text().splitlines() if "logo" in x)
        assert line == ("- [?] Design the plant sale flyer with the new logo. @Dana Whitfield "
                        "📅 2026-11-27 #task #proposed #auto ⏫")  # fmt: skip


async def test_select_and_accept_and_filter(example_vault):
    app = app_for(example_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        app.query_one("#filter").value = "@dana"
        await pilot.press("enter")
        await pilot.pause()
        shown = [r.record["description"][:20] for r in app.rows if r.record]
        # Dana's: two of the 11-16 sync, one of the 11-02 1:1
        assert shown == ["Draft the volunteer ", "Prepare the voluntee", "Collect the spare se"]
        await go_to(pilot, app, "Draft the volunteer")
        await pilot.press("space")
        await pilot.press("A")
        await pilot.pause()
        text = meeting(example_vault).read_text()
        assert "- [ ] Draft the volunteer rota" in text
        assert "- [?] Prepare the volunteer schedule" in text
        await pilot.press("R")  # nothing selected: asks before rejecting all shown
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "- [-] Prepare the volunteer schedule" in meeting(example_vault).read_text()


async def test_screens_and_done(example_vault):
    app = app_for(example_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        await pilot.pause()
        assert app.view == "open"
        assert app.rows[0].record["due"] == "2026-11-22"
        await go_to(pilot, app, "Water the seedlings")
        await pilot.press("d")
        await pilot.pause()
        inbox = (example_vault / "Inbox.md").read_bytes().decode()
        assert "- [ ] Water the seedlings 🔁 every day when done 📅 2026-11-23\r\n" \
               "- [x] Water the seedlings 🔁 every day when done 📅 2026-11-22 🆔 water1 " \
               "✅ 2026-11-22\r\n" in inbox  # fmt: skip
        await pilot.press("tab")
        await pilot.pause()
        assert app.view == "followups"
        people = [r.heading for r in app.rows if r.record is None]
        assert people == ["Marco Ruiz", "Sam Okafor"]
        assert "Follow-ups 2" in screen_text(app)


async def test_a_note_edited_elsewhere_shows_up(example_vault):
    app = app_for(example_vault, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = len([r for r in app.rows if r.record])
        note = example_vault / "Meetings" / "2026-11-20 - New.md"
        await asyncio.sleep(0.5)  # let the watcher start
        note.write_text("- [?] Brand new proposal @Myself #proposed\n")
        for _ in range(50):
            await asyncio.sleep(0.1)
            if len([r for r in app.rows if r.record]) > before:
                break
        assert any(r.record and r.record["description"] == "Brand new proposal" for r in app.rows)


async def test_a_folder_trashed_or_moved_in_elsewhere_shows_in_the_list(example_vault, tmp_path):
    outside = tmp_path / "Minutes v2.1"
    outside.mkdir()
    (outside / "m.md").write_text("- [?] Proposal from a folder moved in @Myself #proposed\n")
    app = app_for(example_vault, watch=True)

    async def until(holds) -> bool:
        for _ in range(100):
            await asyncio.sleep(0.1)
            if holds():
                return True
        return False

    def descriptions() -> set[str]:
        return {r.record["description"] for r in app.rows if r.record}

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("seed packets" in d for d in descriptions())
        await asyncio.sleep(0.5)  # let the watcher start
        (example_vault / ".trash").mkdir(exist_ok=True)
        for folder in ("Meetings", "Sources"):
            (example_vault / folder).rename(example_vault / ".trash" / folder)
        assert await until(lambda: not any("seed packets" in d for d in descriptions())), \
            "a folder moved to the trash: its tasks stayed in the list"  # fmt: skip
        outside.rename(example_vault / "Minutes v2.1")
        assert await until(lambda: "Proposal from a folder moved in" in descriptions()), \
            "a folder moved in: its tasks did not show"  # fmt: skip


async def test_errors_are_shown_not_raised(example_vault):
    app = app_for(example_vault)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, app, "Order two more")
        meeting(example_vault).chmod(0o444)
        await pilot.press("a")
        await pilot.pause()
        assert any("read-only" in n.message for n in app._notifications)
        assert app.is_running
        await pilot.press("q")


def test_dupes_and_merge_on_the_cli(example_vault):
    import json

    from click.testing import CliRunner

    from tasksync.cli.main import cli

    def run(*args: str):
        return CliRunner().invoke(cli, ["--vault", str(example_vault), "--today", "2026-11-22",
                                        *args])  # fmt: skip

    groups = json.loads(run("dupes", "--json").stdout)
    assert len(groups) == 4  # three by Myself, one by Dana (@Dana and @Dana Whitfield: one person)
    keep, duplicate = groups[0]
    result = run("merge", keep[:8], duplicate[:8])
    assert result.exit_code == 0, result.output
    text = meeting(example_vault).read_text()
    assert "- [?] Order two more humidity probes" in text
    assert "- [-] Buy two additional humidity probes" in text
    assert "❌ 2026-11-22" in text
    assert len(json.loads(run("dupes", "--json").stdout)) == 3
    assert run("merge", keep, keep).exit_code == 2


def test_seed_vault_duplicates_are_the_nine_reworded_pairs(seed_vault, tmp_path):
    import json

    from click.testing import CliRunner

    from tasksync.cli.main import cli

    vault = seed_vault
    groups = json.loads(CliRunner().invoke(cli, ["--vault", str(vault), "dupes", "--json"]).stdout)
    listed = {t["id"]: t for t in json.loads(CliRunner().invoke(
        cli, ["--vault", str(vault), "list", "--json", "--status", "all"]).stdout)}  # fmt: skip
    lines = sorted((listed[a]["line"], listed[b]["line"]) for a, b in groups)
    assert lines == [(27 + 2 * i, 45 + 2 * i) for i in range(9)]  # item i and its rewording
    everything = json.loads(CliRunner().invoke(
        cli, ["--vault", str(vault), "dupes", "--json", "--all-open"]).stdout)  # fmt: skip
    assert len(everything) == 9  # nothing else in the vault pairs up


async def test_a_highlight_left_in_the_queue_as_the_app_closes_is_no_crash(example_vault):
    """At 10,000 tasks a highlight could still be queued while the app closed: with no
    screen left, showing its details raised (a traceback on quit)."""
    from tasksync.tui.tasklist import TaskList

    app = app_for(example_vault)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app._screen_stack.clear()  # as the app has it while it closes
        app.post_message(TaskList.Highlighted())
        await asyncio.sleep(0.1)
