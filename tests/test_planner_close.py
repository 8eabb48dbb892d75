"""Stopping the planning process while it sends its plans (a batch cut short: a full disk,
Ctrl-C) must not leave the command waiting for ever at its exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from tasksync.model import LineChange
    from tasksync.write.planner import Planner
    from tasksync.write.writeback import open_plan

    vault = Path(sys.argv[1])
    delay = float(sys.argv[2])

    def plan(rel):
        planned = open_plan(vault, rel)
        planned.replace(0, 1, ("- [x] a",))
        planned.changes.append(LineChange(rel, 1, ("- [ ] a",), ("- [x] a",), "t"))
        return planned

    planner = Planner([[f"n{i}.md"] for i in range(6)], plan, 0, "")
    planner.take(0)
    time.sleep(delay)  # chunk 1 is being planned, or sent (some 24 MB)
    planner.close()
    print("closed", flush=True)
""")


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1, 0.2, 0.4])
def test_a_planner_stopped_while_it_sends_lets_the_command_end(tmp_path, delay):
    """Bug: killed while sending, the planning process left the pool's thread reading the
    rest of its message for ever, and the command hung at its exit (about 1 in 7 batches
    cut short by a full disk)."""
    vault = tmp_path / "v"
    vault.mkdir()
    body = "- [ ] a\n" + "- [ ] filler line of a big note\n" * 400_000  # ~12 MB a note
    for i in range(6):
        (vault / f"n{i}.md").write_text(body, encoding="utf-8")
    script = tmp_path / "close.py"
    script.write_text(SCRIPT, encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, str(script), str(vault), str(delay)],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("the process did not end after the planner was closed")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "closed\n"
