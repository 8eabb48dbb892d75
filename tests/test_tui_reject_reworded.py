"""`r` rejects another task than the highlighted one.

The index carries a task's id over a rewording (ids.py carry_ids), but the write layer, when
the task's line is not where (or as) the TUI read it, finds it by the id its *text* would
give (writeback._twins_now -> task_ids). After a rewording the two differ: the carried id is
the natural id of the task's *old* wording. So when the note also holds a line with the old
wording, that line is taken for the task.

Steps: a proposal is reworded in Obsidian ("…the shed" -> "…the shed roof"), the TUI shows
it (reload, as its watcher does); then, before the watcher's next reload, the task gets a
due date and a line with the old wording is pasted back. `r` on "…the shed roof" rejects
the *other* line, and the notification says `Rejected “Call Bob about the shed roof”`.
Expected: the roof task rejected, or nothing written and the refusal shown.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from tasksync.tui.app import make_app

NOTE = """# Note

- [?] Call Bob about the shed #proposed
- [?] Water the plants #proposed
"""


async def test_r_never_rejects_a_task_other_than_the_highlighted_one(make_vault):
    vault = make_vault({"N.md": NOTE})
    note = vault / "N.md"
    app = make_app(vault, Path(os.environ["TASKSYNC_DB"]), date(2026, 11, 22), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # reworded in Obsidian; the TUI reads it again (as its watcher does)
        note.write_text(NOTE.replace("Call Bob about the shed", "Call Bob about the shed roof"))
        app.reload()
        await pilot.pause()
        index = next(
            i for i, r in enumerate(app.rows) if r.record and "roof" in r.record["description"]
        )
        app.query_one("#tasks").move_cursor(row=index)
        await pilot.pause()
        # then (the watcher not fired yet): a due date on it, and the old wording pasted back
        note.write_text(
            note.read_text().replace("shed roof #proposed", "shed roof 📅 2026-12-01 #proposed")
            + "- [?] Call Bob about the shed #proposed\n"
        )
        before = note.read_text().split("\n")
        await pilot.press("r")
        await pilot.pause()
        after = note.read_text().split("\n")
        said = [n.message for n in app._notifications]
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    for old, new in changed:
        assert "roof" in old, f"r on “…shed roof” rejected {old!r} -> {new!r}; said {said}"
