"""A damaged index file: `scan --rebuild` makes it anew, keeping what can still be read of
the undo journal, and the damaged file is kept aside when something could not be read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.test_write_safety import _index, ids_of, one_clean_line, tasksync

NOTES = {f"n{i}.md": "".join(f"- [?] task {i}.{j} #proposed\n" for j in range(40))
         for i in range(30)}  # fmt: skip


@pytest.fixture
def vault(tmp_path: Path):
    def make(notes: dict[str, str]) -> Path:
        root = tmp_path / "v"
        root.mkdir()
        for rel, text in notes.items():
            (root / rel).write_text(text, encoding="utf-8")
        return root

    return make


def _checkpointed(db: Path) -> None:
    """Everything in the main file (no -wal), as after the last command closed it."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def _damage_table(db: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage, as a bad sector would."""
    _checkpointed(db)
    with sqlite3.connect(db) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                               (table,)).fetchone()  # fmt: skip
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with db.open("r+b") as handle:
        handle.seek((root - 1) * page_size + 100 * (root == 1))
        handle.write(b"\xde\xad" * (page_size // 4))


def test_a_damaged_task_table_is_rebuilt_and_the_undo_journal_kept(vault):
    root = vault(NOTES)
    db = _index()
    [first] = ids_of(root, "task 3.1")
    accepted = tasksync(root, "accept", first)
    assert accepted.returncode == 0, accepted.stderr
    _damage_table(db, "tasks")
    broken = tasksync(root, "list")
    assert broken.returncode == 4, broken.stderr
    assert "scan --rebuild" in broken.stderr, broken.stderr

    rebuilt = tasksync(root, "scan", "--rebuild")
    assert rebuilt.returncode == 0, f"`scan --rebuild` could not rebuild: {rebuilt.stderr}"
    assert "Traceback" not in rebuilt.stderr
    assert len(ids_of(root, "task 29.39")) == 1, "the rebuilt index lacks tasks"
    undone = tasksync(root, "undo")
    assert undone.returncode == 0, f"the undo journal was lost: {undone.stderr}"
    assert (root / "n3.md").read_text(encoding="utf-8") == NOTES["n3.md"]


def test_an_index_that_is_no_database_is_made_anew_and_kept_aside(vault):
    root = vault(NOTES)
    db = _index()
    assert tasksync(root, "scan").returncode == 0
    _checkpointed(db)
    garbage = bytes(range(256)) * 64
    db.write_bytes(garbage)
    broken = tasksync(root, "list")
    assert broken.returncode == 4, broken.stderr
    assert one_clean_line(broken.stderr), broken.stderr
    assert "scan --rebuild" in broken.stderr, broken.stderr

    rebuilt = tasksync(root, "scan", "--rebuild")
    assert rebuilt.returncode == 0, f"`scan --rebuild` could not rebuild: {rebuilt.stderr}"
    kept = [p for p in db.parent.iterdir() if p.name.startswith(db.name + ".damaged")]
    assert [p.read_bytes() for p in kept] == [garbage], "the damaged file was not kept aside"
    assert str(kept[0]) in rebuilt.stderr, f"not told where it is: {rebuilt.stderr!r}"
    assert len(ids_of(root, "task 29.39")) == 1


def test_a_damaged_journal_is_dropped_whole_never_half_undone(vault):
    root = vault(NOTES)
    db = _index()
    for task in ("task 3.1", "task 4.2"):
        [key] = ids_of(root, task)
        assert tasksync(root, "accept", key).returncode == 0
    after = {rel: (root / rel).read_bytes() for rel in NOTES}
    _damage_table(db, "batch_notes")

    rebuilt = tasksync(root, "scan", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "without the undo journal" in rebuilt.stderr, rebuilt.stderr
    assert any(p.name.startswith(db.name + ".damaged") for p in db.parent.iterdir())
    undone = tasksync(root, "undo")
    assert "nothing to undo" in undone.stdout, (undone.stdout, undone.stderr)
    assert {rel: (root / rel).read_bytes() for rel in NOTES} == after, "undo wrote notes"
