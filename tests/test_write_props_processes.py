"""Property, with real processes: random batches run two at a time on random notes; every
batch that exits 0 is on disk after its round, and undoing them all gives the vault back
byte for byte.

The notes mix what real vaults hold: CRLF line endings, a UTF-8 BOM, no final newline,
block links (``^abc``) at the end of tasks, Dataview fields and mis-encoded emoji (``ðŸ“…``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

TODAY = "2026-11-22"
MOJIBAKE_DUE = "ðŸ“…"
ROUNDS = 3

task_lines = st.builds(
    lambda status, words, field, block: (status, words, field, block),
    st.sampled_from(["?", " ", "x"]),
    st.sampled_from(["Call Dana", "Order probes", "Buy seeds", "Fix the shed door"]),
    st.sampled_from(["", " 📅 2026-01-02", f" {MOJIBAKE_DUE} 2026-01-02", " [due:: 2026-01-02]",
                     f" {MOJIBAKE_DUE} 2026-01-02 ⏬"]),
    st.sampled_from(["", " ^abc"]),
)  # fmt: skip
other_lines = st.sampled_from(["", "# Heading", "Some prose.", "- plain item", "> quote"])
note_bodies = st.lists(st.one_of(task_lines, other_lines), min_size=1, max_size=6)
notes = st.builds(
    lambda body, newline, bom, final: (body, newline, bom, final),
    note_bodies, st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans(),
)  # fmt: skip
vaults = st.lists(notes, min_size=1, max_size=2).filter(
    lambda ns: any(isinstance(line, tuple) for body, *_ in ns for line in body)
)
OPS = ["accept", "reject", "done", "priority", "repair"]


def note_bytes(body, newline: str, bom: bool, final: bool) -> bytes:
    lines = []
    for number, line in enumerate(body):
        if isinstance(line, tuple):  # descriptions are unique in a note: no look-alike lines
            status, words, field, block = line
            tag = " #proposed" if status == "?" else ""
            line = f"- [{status}] {words} {number}{field}{tag}{block}"
        lines.append(line)
    text = newline.join(lines) + (newline if final else "")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def tasksync_args(vault: Path, db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "tasksync", "--vault", str(vault), "--db", str(db),
            "--today", TODAY, *args]  # fmt: skip


def run(vault: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(tasksync_args(vault, db, *args), capture_output=True, text=True,
                          env={**os.environ, "TASKSYNC_DB": str(db)}, timeout=120,
                          check=False)  # fmt: skip


def tasks(vault: Path, db: Path) -> dict[str, dict]:
    listed = run(vault, db, "list", "--status", "all", "--json")
    assert listed.returncode == 0, listed.stderr
    return {t["id"]: t for t in json.loads(listed.stdout)}


def command_of(op: str, ids: list[str]) -> list[str]:
    if op == "priority":
        return ["set", ids[0], "--priority", "high"]
    if op == "repair":
        return ["repair"]
    return [op, *ids]


def missing_effects(op: str, ids: list[str], before: dict[str, dict],
                    after: dict[str, dict]) -> list[str]:  # fmt: skip
    """What of an acknowledged batch is not in the notes after its round."""
    if op == "repair":
        return [t["raw"] for t in after.values() if MOJIBAKE_DUE in t["raw"]]
    wrong = []
    for task in ids:
        old, new = before[task], after.get(task)
        if new is None:
            wrong.append(f"{task} is gone (was {old['raw']!r})")
            continue
        if op == "priority":
            ok = new["priority"] == "high"
        elif op == "done":
            ok = new["status_type"] == "DONE"
        else:
            made = "TODO" if op == "accept" else "CANCELLED"
            ok = new["status_type"] == (made if old["status_type"] == "PROPOSED" else
                                        old["status_type"])  # fmt: skip
        if not ok:
            wrong.append(f"{op} {task}: {old['raw']!r} is now {new['raw']!r}")
    return wrong


def notes_of(vault: Path) -> dict[str, bytes]:
    return {str(p.relative_to(vault)): p.read_bytes() for p in vault.rglob("*.md")}


@settings(max_examples=10, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],  # processes race: shrinking would not
          suppress_health_check=list(HealthCheck))  # fmt: skip
@given(vaults, st.data())
def test_parallel_batches_lose_no_acknowledged_edit_and_undo_restores_all(files, data):
    """Bug: two batches that run at once on one note both exit 0, yet the notes hold only one
    of them (the other's edit is lost), and undo can then not give back the original notes."""
    with tempfile.TemporaryDirectory(prefix="tasksync-props-") as tmp:
        vault, db = Path(tmp) / "vault", Path(tmp) / "index.sqlite"
        for number, note in enumerate(files):
            path = vault / ("sub/b.md" if number else "a.md")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(note_bytes(*note))
        original = notes_of(vault)
        state = tasks(vault, db)
        ids = sorted(state)
        batches = 0
        for round_number in range(ROUNDS):
            free = list(ids)
            chosen = []
            for _ in range(2):  # two batches at once, on tasks of their own
                op = data.draw(st.sampled_from(OPS if free else ["repair"]))
                count = 1 if op == "priority" else 3
                picked = []
                if op != "repair":
                    some = st.lists(st.sampled_from(free), min_size=1, max_size=count, unique=True)
                    picked = data.draw(some)
                free = [t for t in free if t not in picked]
                chosen.append((op, picked))
            procs = [subprocess.Popen(tasksync_args(vault, db, *command_of(op, picked)),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env={**os.environ, "TASKSYNC_DB": str(db)})
                     for op, picked in chosen]  # fmt: skip
            results = [(p.communicate(timeout=120), p.returncode) for p in procs]
            batches += len(procs)
            after = tasks(vault, db)
            for (op, picked), ((out, err), code) in zip(chosen, results, strict=True):
                shown = " ".join(command_of(op, picked))
                assert code in (0, 1), f"round {round_number}: `{shown}` exited {code}: {err}"
                if code == 0:
                    lost = missing_effects(op, picked, state, after)
                    assert lost == [], (
                        f"round {round_number}: `{shown}` exited 0 ({out.strip()!r}) "
                        f"but its edits are not in the notes: {lost}; the batches of the "
                        f"round: {chosen}"
                    )
            state = after
        for _ in range(batches + 2):
            undo = run(vault, db, "undo")
            assert undo.returncode in (0, 1), undo.stderr
            if undo.stdout.strip() == "nothing to undo":
                break
        else:
            raise AssertionError(f"undo never said 'nothing to undo' after {batches} batches")
        assert not [p for p in vault.rglob(".*.tasksync")], "temporary files left"
        assert notes_of(vault) == original, "undoing every batch did not restore the notes"
