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


HALF_SENT = textwrap.dedent("""
    import os, signal, struct, sys, time
    from pathlib import Path
    from tasksync.write.planner import Planner
    from tasksync.write.writeback import open_plan

    vault = Path(sys.argv[1])

    def plan(rel):
        if rel == "n1.md":  # the planning process dies with its message to the pool half sent
            frame = sys._getframe()
            while frame.f_code.co_name != "_process_worker":
                frame = frame.f_back
            writer = frame.f_locals["result_queue"]._writer
            os.write(writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
            os.kill(os.getpid(), signal.SIGKILL)
        return open_plan(vault, rel)

    planner = Planner([[f"n{i}.md"] for i in range(4)], plan, 0, "")
    planner.take(0)
    time.sleep(1)
    planner.close()
    print("closed", flush=True)
""")


def test_a_planner_dead_in_the_middle_of_a_message_lets_the_command_end(tmp_path):
    """Bug: Ctrl-C killed the planning process while it sent its plans; the pool's thread
    waited for the rest of the message, and the fallback meant to end that wait looked for
    the pool's queue after the pool's shutdown had dropped it: `accept --all-proposed` hung
    at its exit (about 1 Ctrl-C in 30)."""
    vault = tmp_path / "v"
    vault.mkdir()
    for i in range(4):
        (vault / f"n{i}.md").write_text("- [ ] a\n", encoding="utf-8")
    script = tmp_path / "half.py"
    script.write_text(HALF_SENT, encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, str(script), str(vault)],
                              capture_output=True, text=True, timeout=40)  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("the process did not end after the planner was closed")
    assert done.stdout == "closed\n", done.stderr


INTERRUPTED = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from tasksync.write.planner import Planner
    from tasksync.write.writeback import open_plan

    vault = Path(sys.argv[1])

    def plan(rel):
        time.sleep(0.5)
        return open_plan(vault, rel)

    planner = Planner([[f"n{i}.md"] for i in range(3)], plan, 0, "")
    time.sleep(0.2)
    for process in planner._processes:
        os.kill(process.pid, signal.SIGINT)  # as Ctrl-C reaches the whole process group
    planner.take(0)  # planned, not a KeyboardInterrupt sent back
    print("planned", flush=True)
    planner.close()
""")


def test_ctrl_c_lets_the_planning_process_finish_the_chunk_in_hand(tmp_path):
    """Ctrl-C reaches the planning process too: it must not die in the middle of a message
    (see above), but finish the chunk in hand; the writing process stops the batch."""
    vault = tmp_path / "v"
    vault.mkdir()
    for i in range(3):
        (vault / f"n{i}.md").write_text("- [ ] a\n", encoding="utf-8")
    script = tmp_path / "int.py"
    script.write_text(INTERRUPTED, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(vault)],
                          capture_output=True, text=True, timeout=40)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "planned\n"
