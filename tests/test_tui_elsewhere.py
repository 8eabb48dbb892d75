"""The Inbox knows the whole vault (issue 18): a proposal already tracked in another note
shows where, `t` rejects it as tracked there, `A` asks before accepting proposals done
elsewhere, and the Follow-ups screen opens a person's 1:1 agenda. Note bytes on disk."""

from __future__ import annotations

from tests.test_tui import app_for, go_to, line_of, notes_bytes, screen_text

MEETING = "Meetings/2026-11-02 - 1-1 with Dana Whitfield, seed swap and the greenhouse heater.md"
BOOK = "Book the village hall for the January seed swap"


async def settled(pilot, app) -> None:
    """Wait for the matches of the other notes (a worker thread) to be known."""
    for _ in range(200):
        await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        if not app.finding_elsewhere:
            break
    await pilot.pause()


async def test_a_tracked_proposal_shows_where_and_t_rejects_it(example_vault, size):
    before = notes_bytes(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await settled(pilot, app)
        await go_to(pilot, app, BOOK)
        assert app.task_list.elsewhere[app.current_row().key] == "✓"
        assert "✓ done in 2026-11-02 - 1-1 Dana.md:13" in app._tracked_note(
            app.current_row().record)  # fmt: skip
        assert "✓ " in screen_text(app)
        await pilot.press("t")
        await settled(pilot, app)
    after = notes_bytes(example_vault)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {MEETING}
    assert line_of(example_vault / MEETING, "Book the village hall") == (
        "- [-] Book the village hall for the January seed swap and arrange who picks up the hall "
        "key. (tracked in [[2026-11-02 - 1-1 Dana]]) @Myself 📅 2026-11-06 #task #auto "
        "❌ 2026-11-22")  # fmt: skip


async def test_t_on_an_untracked_proposal_writes_nothing(example_vault, size):
    before = notes_bytes(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await settled(pilot, app)
        await go_to(pilot, app, "Write a short seed swap notice")
        await pilot.press("t")
        await settled(pilot, app)
    assert notes_bytes(example_vault) == before


async def test_accept_all_asks_first_naming_the_done_ones(example_vault, size):
    before = notes_bytes(example_vault)
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await settled(pilot, app)
        await pilot.press("A")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        assert "3 of them are already done in another note" in app.screen.question
        # the reason, at the question's end, is read on screen whole (wrapped, not cut)
        rows = [row for row in screen_text(app).splitlines() if row.count("█") >= 2]
        inside = " ".join(row[row.index("█") + 1 : row.rindex("█")] for row in rows)
        assert "already done in another note (✓; t rejects one as tracked there)." in " ".join(
            inside.split()
        )
        await pilot.press("n")
        await pilot.pause()
        assert notes_bytes(example_vault) == before
        # a selection holding one done elsewhere asks too
        await go_to(pilot, app, BOOK)
        await pilot.press("space")
        await pilot.press("A")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        assert "1 of them is already done" in app.screen.question
        await pilot.press("y")
        await settled(pilot, app)
    assert line_of(example_vault / MEETING, "Book the village hall").startswith("- [ ] Book")
    after = notes_bytes(example_vault)
    assert {k for k in after if after[k] != before[k]} == {MEETING}


async def test_followups_opens_the_persons_agenda(example_vault, size):
    app = app_for(example_vault)
    async with app.run_test(size=size) as pilot:
        await settled(pilot, app)
        await pilot.press("3")
        await go_to(pilot, app, "Ask Marco to borrow his mitre saw")
        await pilot.press("p")
        await pilot.pause()
        assert type(app.screen).__name__ == "AgendaScreen"
        assert app.screen.markdown.startswith("## 1:1 agenda: Marco Ruiz")
        assert "Ask Marco to borrow his mitre saw" in app.screen.markdown
        await pilot.press("x")  # any key closes it, and does nothing else
        await pilot.pause()
        assert len(app.screen_stack) == 1


def test_help_lists_the_new_keys():
    from tasksync.tui.keys import footer_keys, markdown_table

    assert "| `t` | reject as already tracked" in markdown_table()
    assert ("p", "agenda") in footer_keys("followups")
    assert ("t", "tracked") in footer_keys("inbox")
