"""Lines per second through the reader: the Lark parse of task lines, and a whole note scan.

python benchmarks/parse_speed.py
"""

from __future__ import annotations

import time

from tasksync.read.notes import scan_text
from tasksync.read.parse import parse_line, parse_task_records

LINES = [
    "- [?] Order two more humidity probes for the east greenhouse bench before the price change."
    " @Myself \uf8ffüìÖ 2026-11-20 ‚è´ #task #proposed #auto",
    "- [x] Mount the first two humidity probes on the east bench @Sam Okafor â« ðŸ“… 2026-11-10"
    " âœ… 2026-11-09",
    "- [ ] Get three quotes for treated timber 🔼 📅 2026-12-15",
    "- [ ] Call the council about the compost bins [due:: 2026-11-24] [priority:: high]",
    "- [ ] Measure the old shed footprint",
]
PROSE = "Sam and Dana reviewed the greenhouse sensor pilot and agreed to order more probes."


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parse_line(LINES[0])  # build the parser once
    lines = LINES * 4000
    seconds = best_of(3, lambda: [parse_line(line) for line in lines])
    per_line = seconds * 1e6 / len(lines)
    print(f"task lines: {len(lines) / seconds:,.0f} lines/s ({per_line:.1f} µs each)")
    one_call = best_of(3, lambda: parse_task_records(lines))
    print(
        f"task lines in one call (a 20,000-task note): {len(lines) / one_call:,.0f} lines/s "
        f"({one_call / seconds:.2f}x the time line by line; linear: about 1x or less)"
    )
    note = "\n".join((LINES + [PROSE] * 8) * 2000)
    n_lines = note.count("\n") + 1
    seconds = best_of(3, lambda: scan_text(note))
    print(f"note scan (1 task : 1.6 prose lines): {n_lines / seconds:,.0f} lines/s")


if __name__ == "__main__":
    main()
