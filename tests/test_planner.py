"""A big batch is planned in a second process while this one writes (write/planner.py): what
it writes, what the index holds after it and what undo gives back are those of a batch planned
here, also when the planning process dies in the middle."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
from pathlib import Path

import pytest

from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.model import StatusTable
from tasksync.write import actions, planner
from tasksync.write.actions import run_batch, targets_of, undo_last
from tasksync.write.edits import accepted_line
from tasksync.write.lock import lock_if_free

STATUSES = StatusTable()
NOTES = 3 * actions.CHUNK + 5  # four chunks


def vault_of(root: Path) -> Path:
    vault = root / "vault"
    for n in range(NOTES):
        folder = vault / f"area{n % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        lines = [f"- [?] Call supplier {n}.{k} 📅 2026-12-0{k + 1} #proposed\r" for k in range(3)]
        if n % 7 == 0:
            lines.append("- [?] Une tâche ðŸ“… 2026-12-09 #proposed")  # mojibake, no final newline
        (folder / f"note {n:03d}.md").write_bytes("\n".join(["# Note", *lines]).encode())
    return vault


def accept_all(vault: Path, db: Path) -> actions.Outcome:
    with Store(db) as store:
        sync(vault, store, STATUSES)
        targets = targets_of(store, (r for r in store.records() if r["status"] == "?"))
        return run_batch(
            vault,
            store,
            STATUSES,
            "accept --all-proposed",
            targets,
            lambda t: (accepted_line(t, STATUSES),),
            False,
            plan_elsewhere=True,
        )


def index_rows(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT * FROM tasks ORDER BY id").fetchall()
    finally:
        conn.close()


def snapshot(vault: Path) -> dict[str, bytes]:
    return {str(p.relative_to(vault)): p.read_bytes() for p in sorted(vault.rglob("*.md"))}


FORKS = "fork" in multiprocessing.get_all_start_methods()


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not FORKS, reason="no second core, or no fork")
@pytest.mark.parametrize("dies", [False, True])
def test_a_batch_planned_in_a_second_process_writes_what_one_planned_here_does(
    tmp_path, monkeypatch, dies
):
    here, there = tmp_path / "here", tmp_path / "there"
    before = snapshot(vault_of(here))
    assert snapshot(vault_of(there)) == before
    with monkeypatch.context() as patch:  # planned in this process only
        patch.setattr(planner, "can_plan_elsewhere", lambda: False)
        expected = accept_all(here / "vault", here / "index.sqlite")
    started = []
    real = planner.Planner.__init__

    def counted(self, *args, **kwargs):
        started.append(os.getpid())
        real(self, *args, **kwargs)

    monkeypatch.setattr(planner.Planner, "__init__", counted)
    monkeypatch.setattr(planner, "FORK_LIMIT_MB", 1 << 20)  # the test process is big already
    if dies:  # the planning process ends abruptly in its second chunk: the rest is planned here
        old_bytes, calls = planner.old_bytes, []

        def dying(plan, *args, **kwargs):  # looked up by name in the forked process: not pickled
            calls.append(plan.rel)
            if len(calls) > actions.CHUNK + actions.CHUNK // 2:  # mid-way through the second
                time.sleep(0.5)  # the first chunk's plans are through the pipe by now
                os._exit(1)
            return old_bytes(plan, *args, **kwargs)

        monkeypatch.setattr(planner, "old_bytes", dying)
        taken = planner.Planner.take

        def take(self, index):
            try:
                return taken(self, index)
            finally:
                took.append(index)

        took: list[int] = []
        monkeypatch.setattr(planner.Planner, "take", take)
    got = accept_all(there / "vault", there / "index.sqlite")
    assert started, "the batch was not planned in a second process"
    if dies:
        assert took == [0, 1]  # the first chunk came from there; at the second it died
    with lock_if_free(there / "vault") as free:  # bug: the planner kept a copy of the lock
        assert free, "the vault is still locked after the batch"
    assert (got.errors, got.changed, got.notes, got.indexed) == (
        expected.errors, expected.changed, expected.notes, True)  # fmt: skip
    assert snapshot(there / "vault") == snapshot(here / "vault") != before
    assert index_rows(there / "index.sqlite") == index_rows(here / "index.sqlite")
    with Store(there / "index.sqlite") as store:
        undo_last(there / "vault", store, STATUSES)
    assert snapshot(there / "vault") == before
