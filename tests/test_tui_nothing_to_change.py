"""`a` / `r` on a task answered in the note meanwhile: the TUI says "already accepted" /
"already rejected" whatever the task is now.

The task (still shown as `[?]` in the Inbox) was cancelled in Obsidian; the user presses
`a`: nothing is written (right), but the notification says `Nothing to change: “Beta task
two” already accepted` — the note holds it rejected (`[-]`). Likewise `r` on a task ticked
done meanwhile says "already rejected". The screen must not tell the user a task is in a
state it is not in.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tasksync.tui.app import make_app

NOTE = """# Note

- [?] Alpha task one @Myself 📅 2026-12-01 #proposed
- [?] Beta task two @Myself #proposed
- [?] Gamma task three #proposed
"""
PROPOSED = "- [?] Beta task two @Myself #proposed"


@pytest.mark.parametrize(
    ("now", "key", "wrong"),
    [
        ("- [-] Beta task two @Myself ❌ 2026-11-21", "a", "already accepted"),
        ("- [x] Beta task two @Myself ✅ 2026-11-21", "r", "already rejected"),
        ("- [ ] Beta task two @Myself", "a", "in the note now"),  # accepted there: already so
    ],
)
async def test_the_notification_tells_the_tasks_real_state(make_vault, now, key, wrong):
    vault = make_vault({"N.md": NOTE})
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
        note.write_text(note.read_text().replace(PROPOSED, now))  # answered in Obsidian
        await pilot.press(key)
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert not any(wrong in m for m in said), f"the note holds {now!r} but the TUI said: {said}"
        assert any(m.startswith("Nothing to change: “Beta task two”") for m in said), said
