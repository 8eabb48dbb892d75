"""TUI responsiveness with 10,000 proposed tasks: first screen, a cursor move, an accept.

    python benchmarks/tui_bench.py [--notes 400] [--tasks 25]

Drives the real app through Textual's pilot (headless) on a generated vault whose tasks
are all proposed. Goals (issue 6): first screen <= 1.5 s, key response <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from tasksync.index.store import Store
from tasksync.index.sync import sync
from tasksync.model import StatusTable
from tasksync.tui.app import make_app


def proposed_vault(root: Path, notes: int, tasks: int) -> Path:
    generate(root, notes, tasks, prose=10)
    for note in root.rglob("*.md"):
        text = note.read_text(encoding="utf-8")
        for status in (" ", "x", "/", "-"):
            text = text.replace(f"- [{status}] ", "- [?] ")
        note.write_text(text, encoding="utf-8")
    return root


async def measure(vault: Path, db: Path) -> dict[str, float]:
    started = time.perf_counter()
    app = make_app(vault, db, watch=False)
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one("#tasks")
        while table.row_count == 0:  # the first screen: the first rows are in the table
            await asyncio.sleep(0.005)
        first = time.perf_counter() - started
        await pilot.pause()
        while table.row_count < len(app.rows):  # the rest arrive in batches
            await asyncio.sleep(0.05)
        complete = time.perf_counter() - started
        shown = len(app.rows)
        moves = []
        for _ in range(20):
            tick = time.perf_counter()
            await pilot.press("j")
            await pilot.pause()
            moves.append(time.perf_counter() - tick)
        handler = []
        for _ in range(20):  # the app's own work for a key, without the pilot's round trip
            tick = time.perf_counter()
            app.action_cursor(1)
            app.show_detail()
            handler.append(time.perf_counter() - tick)
        tick = time.perf_counter()
        await pilot.press("a")
        await pilot.pause()
        accept = time.perf_counter() - tick
        await pilot.press("q")
    middle = len(moves) // 2
    return {"rows": shown, "first": first, "complete": complete, "move": sorted(moves)[middle],
            "handler": sorted(handler)[middle], "accept": accept}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=400)
    parser.add_argument("--tasks", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        vault = proposed_vault(Path(tmp) / "vault", args.notes, args.tasks)
        db = Path(tmp) / "index.sqlite"
        with Store(db) as store:  # the index is built before, as `tasksync tui` does
            sync(vault, store, StatusTable())
        figures = asyncio.run(measure(vault, db))
    print(f"rows shown            {figures['rows']:.0f}")
    print(f"first screen          {figures['first']:.2f} s  (goal <= 1.5 s)")
    print(f"all rows in the table {figures['complete']:.2f} s")
    print(
        f"cursor move (median)  {figures['move'] * 1000:.0f} ms  pressed through the pilot "
        "(its own round trip included)"
    )
    print(f"  the app's share     {figures['handler'] * 1000:.1f} ms  (goal <= 100 ms)")
    print(f"accept (write+reload) {figures['accept'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
