"""`watch --ics` exports again only the notes that changed; the file must be, byte for
byte, the one a fresh `tasksync ics` writes — whatever changed in between."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasksync.app import AppContext
from tasksync.cli.exports import ICS_DEFAULT_STATUSES, CalendarMemo, build_calendar
from tasksync.cli.remote import write_ics
from tasksync.index.store import Store
from tasksync.index.sync import sync

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "vault"

CHANGES_LIST = [
    ("append", "Meetings/new.md", "- [ ] Order the seed trays @Dana 📅 2026-12-09"),
    ("append", "Meetings/new.md", "- [ ] Order seed trays @Dana Whitfield 📅 2026-12-09"),
    ("append", "Inbox.md", "- [ ] Call the council 📅 2026-12-11 ⏫"),
    ("append", "Inbox.md", "- [x] Paid the plot fee 📅 2026-12-01 ✅ 2026-11-30"),
    ("append", "People/Sam Okafor.md", "---\ntype: person\nname: Sam Okafor\naliases: [Sam]\n---"),
    ("append", "Projects/Garden Shed Rebuild.md", "- [ ] Sand the shed door @Sam 📅 2026-12-12\n"
               "- [ ] Sand the shed door again @Sam Okafor 📅 2026-12-12"),  # one, Sam a person
    ("remove", "Meetings/new.md", ""),
    ("remove", "People/Sam Okafor.md", ""),
    ("retime", "Inbox.md", ""),
]  # fmt: skip
CHANGES = st.sampled_from(CHANGES_LIST)


def _apply(vault: Path, change: tuple[str, str, str]) -> None:
    kind, rel, text = change
    note = vault / rel
    if kind == "remove":
        note.unlink(missing_ok=True)
    elif kind == "retime" and note.exists():
        note.write_text(note.read_text(encoding="utf-8").replace("📅 2026-12-", "📅 2027-01-"),
                        encoding="utf-8")  # fmt: skip
    elif kind == "append":
        note.parent.mkdir(parents=True, exist_ok=True)
        before = note.read_text(encoding="utf-8") + "\n" if note.exists() else ""
        note.write_text(f"{before}{text}\n", encoding="utf-8")


def test_a_new_person_note_exports_again_the_notes_naming_them(tmp_path_factory) -> None:
    """Sam's two tasks are one once Sam Okafor's note says `Sam` is him (merged)."""
    shed, person = CHANGES_LIST[5], CHANGES_LIST[4]
    _check_watch_exports(tmp_path_factory.mktemp("watch"), [shed, person])


@settings(max_examples=25, deadline=None)
@given(st.lists(CHANGES, min_size=1, max_size=6))
def test_each_watch_export_is_the_export_made_afresh(tmp_path_factory, changes):
    _check_watch_exports(tmp_path_factory.mktemp("watch"), changes)


def _check_watch_exports(root: Path, changes: list[tuple[str, str, str]]) -> None:
    vault = root / "vault"
    shutil.copytree(EXAMPLE, vault)
    app = AppContext(vault, root / "index.sqlite")
    memo, target = CalendarMemo(), root / "due.ics"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TASKSYNC_NOW", "2026-12-01T08:00:00+00:00")
        write_ics(app, target, memo)
        for change in changes:
            _apply(vault, change)
            count = write_ics(app, target, memo)
            fresh_app = AppContext(vault, root / f"fresh-{len(list(root.iterdir()))}.sqlite")
            with Store(fresh_app.db) as store:
                sync(vault, store, fresh_app.statuses)
                data, fresh_count, _ = build_calendar(fresh_app, store, ICS_DEFAULT_STATUSES)
            assert (target.read_bytes(), count) == (data, fresh_count)


@given(st.lists(st.sampled_from(["a.md", "b.md", "c.md", "d.md"]), max_size=60).map(sorted),
       st.integers(1, 8))  # fmt: skip
def test_an_export_reads_the_tasks_a_few_whole_notes_at_a_time(paths, size):
    """Near-duplicates are merged within a note: no part may cut a note in two."""
    from itertools import pairwise

    from tasksync.cli.exports import _whole_notes

    records = [{"path": path, "line": n} for n, path in enumerate(paths)]
    parts = list(_whole_notes(records, size))  # type: ignore[arg-type]
    assert [r for part in parts for r in part] == records
    for before, after in pairwise(parts):
        assert before[-1]["path"] != after[0]["path"]
        assert len(before) >= size


def test_watch_sees_folders_come_go_and_the_reading_settings_change(tmp_path):
    """`watch --ics` acted only on paths ending in .md: a folder renamed, moved to the trash
    or moved in (its notes' own events never come) left the calendar stale; and a global
    filter set in the plugin's settings left the old tasks in the export it kept."""
    import os
    import signal
    import subprocess
    import sys
    import time

    vault = tmp_path / "V"
    (vault / "Proj").mkdir(parents=True)
    (vault / "Old").mkdir()
    (vault / "Proj/a.md").write_text("- [ ] Alpha task 📅 2026-12-05\n")
    (vault / "Old/o.md").write_text("- [ ] Old-folder task #task 📅 2026-12-07\n")
    outside = tmp_path / "Import"
    outside.mkdir()
    (outside / "n.md").write_text("- [ ] Imported task #task 📅 2026-12-09\n")
    dotted = tmp_path / "Plans"
    dotted.mkdir()
    (dotted / "p.md").write_text("- [ ] Dotted task #task 📅 2026-12-10\n")
    ics = tmp_path / "out.ics"
    proc = subprocess.Popen([sys.executable, "-m", "tasksync", "--vault", str(vault), "--db",
                             str(tmp_path / "i.sqlite"), "watch", "--ics", str(ics),
                             "--debounce", "0.2"], stderr=subprocess.PIPE, text=True)  # fmt: skip

    def soon(holds) -> bool:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if ics.exists() and holds(ics.read_text(encoding="utf-8")):
                return True
            time.sleep(0.1)
        return False

    try:
        assert soon(lambda text: "Alpha task" in text)
        os.rename(vault / "Proj", vault / "Renamed")
        assert soon(lambda text: "Renamed" in text), "a renamed folder: the old link stayed"
        (vault / ".trash").mkdir()
        os.rename(vault / "Old", vault / ".trash/Old")
        assert soon(lambda text: "Old-folder task" not in text), "a trashed folder stayed"
        os.rename(outside, vault / "Import")
        assert soon(lambda text: "Imported task" in text), "a folder moved in: not exported"
        os.rename(dotted, vault / "Plans v1.2")
        assert soon(lambda text: "Dotted task" in text), "a folder named v1.2 moved in: missed"
        settings = vault / ".obsidian/plugins/obsidian-tasks-plugin/data.json"
        settings.parent.mkdir(parents=True)
        settings.write_text('{"globalFilter": "#task"}')
        assert soon(lambda text: "Alpha task" not in text and "Imported task" in text
                    and "Dotted task" in text), \
            "the global filter set: a line without it stayed in the calendar"  # fmt: skip
        os.rename(vault / "Plans v1.2", tmp_path / "Away v1.2")
        assert soon(lambda text: "Dotted task" not in text), "a folder v1.2 moved out stayed"
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert "Traceback" not in err


def test_watch_exports_afresh_when_who_is_me_changes(tmp_path) -> None:
    """`me` in .tasksync.toml says whose tasks are one person's (near-duplicates merge only
    within one owner): changed while watching, the export kept the old merge."""
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text(
        "- [ ] Send the greenhouse sensor export to the council office @Myself 📅 2026-01-05\n"
        "- [ ] Send greenhouse sensor export to council office @Alon 📅 2026-01-05\n",
        encoding="utf-8",
    )
    app = AppContext(vault, tmp_path / "index.sqlite")
    memo, target = CalendarMemo(), tmp_path / "due.ics"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TASKSYNC_NOW", "2026-12-01T08:00:00+00:00")
        assert write_ics(app, target, memo) == 2
        (vault / ".tasksync.toml").write_text('me = ["Myself", "Alon"]\n', encoding="utf-8")
        count = write_ics(app, target, memo)
        fresh = AppContext(vault, tmp_path / "fresh.sqlite")
        with Store(fresh.db) as store:
            sync(vault, store, fresh.statuses)
            data, fresh_count, _ = build_calendar(fresh, store, ICS_DEFAULT_STATUSES)
    assert fresh_count == 1
    assert (target.read_bytes(), count) == (data, fresh_count)
