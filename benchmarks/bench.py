"""Speed and memory of every big-vault command, on generated vaults of one or more sizes.

    python benchmarks/bench.py                          # 2,000 notes (50,000 tasks)
    python benchmarks/bench.py --notes 2000 20000       # and 20,000 notes (500,000 tasks)
    python benchmarks/bench.py --notes 2000 --runs 1 --quick   # skips the slowest figures

Every figure is the wall time of a fresh process, as a user runs it (interpreter start-up
included), best of --runs (accept and its undo in turns, each undo giving the vault back),
and the peak resident memory of that process and its workers. Targets (issue 16, a 2-core
machine):
  cold scan           <= 1.5x the plain-regex reader (goal 1.0x), growing no faster than the vault
  no-change rescan    <= 10% of the cold scan; one changed note <= 0.3 s
  list (piped, line)  <= 2x list --json
  ics                 <= 1.5x list --json
  query ... limit 20  <= 0.3x list --json
  accept --all-proposed <= 1.2x the cold scan (the durable rewrite floor shows how much of it
                        is the bare cost of rewriting those notes durably, which a scan has not)
  peak memory         <= 200 MB for any command at 500,000 tasks
"""

from __future__ import annotations

import argparse
import compileall
import ctypes
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

import tasksync as package  # noqa: E402

# Peak RSS of a command and its workers: the largest of this probe's children.
PROBE = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
QUERY = "not done\ndue before in two weeks\nsort by due\nlimit 20"


def measured(args: list[str]) -> tuple[float, float]:
    """(seconds, peak MB) of one run of ``args``."""
    out = subprocess.run([sys.executable, "-c", PROBE, *args], check=True, capture_output=True,
                         text=True).stdout.split()  # fmt: skip
    return float(out[0]), int(out[1]) / 1024


def best(runs: int, args: list[str], before: object = None) -> tuple[float, float]:
    figures = []
    for _ in range(runs):
        if callable(before):
            before()
        figures.append(measured(args))
    return best_of(figures)


def best_of(figures: list[tuple[float, float]]) -> tuple[float, float]:
    """The shortest time and the largest memory (0, 0 for none)."""
    if not figures:
        return 0.0, 0.0
    return min(f[0] for f in figures), max(f[1] for f in figures)


def durable_rewrite(vault: Path) -> float:
    """Seconds to rewrite, as durably as tasksync writes a note, every note holding a
    proposed task, with its own bytes: read, a temporary file beside it, one flush to disk
    per 64 notes (syncfs, as tasksync does; fsync per file where there is none), a rename
    over the note. The floor under any batch that changes those notes, whatever it does."""
    notes = [p for p in sorted(vault.rglob("*.md")) if b"[?]" in p.read_bytes()]
    started = time.perf_counter()
    libc = ctypes.CDLL(None, use_errno=True)
    for start in range(0, len(notes), 64):
        staged = []
        for note in notes[start : start + 64]:
            data = note.read_bytes()
            handle, temp = tempfile.mkstemp(dir=note.parent, prefix=".bench", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            staged.append((temp, note))
        folder = os.open(vault, os.O_RDONLY)
        try:
            if getattr(libc, "syncfs", None) is None or libc.syncfs(folder) != 0:
                for temp, _ in staged:
                    with open(temp, "rb") as again:
                        os.fsync(again.fileno())
        finally:
            os.close(folder)
        for temp, note in staged:
            os.replace(temp, note)
    return time.perf_counter() - started


def one_size(notes: int, tasks: int, prose: int, runs: int, quick: bool) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        vault = generate(Path(tmp) / "vault", notes, tasks, prose)
        db = Path(tmp) / "index.sqlite"
        size = sum(p.stat().st_size for p in vault.rglob("*.md")) / 1e6
        tasksync = [sys.executable, "-m", "tasksync", "--vault", str(vault), "--db", str(db)]

        def fresh_index() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

        edits = iter(range(10**6))
        victim = next(vault.rglob("*.md"))

        def change_one_note() -> None:
            with victim.open("a", encoding="utf-8") as handle:
                handle.write(f"\n- [ ] benchmark edit {next(edits)} 📅 2026-12-01\n")

        regex = best(runs, [sys.executable, str(HERE / "regex_reader.py"), str(vault)])
        cold = best(runs, [*tasksync, "scan"], fresh_index)
        unchanged = best(runs, [*tasksync, "scan"])
        one = best(runs, [*tasksync, "scan"], change_one_note)
        listing = best(runs, [*tasksync, "list", "--status", "all", "--json"])
        piped = best(runs, [*tasksync, "list", "--status", "all"])
        query = best(runs, [*tasksync, "query", QUERY])
        ics_first = measured([*tasksync, "ics", "-o", str(Path(tmp) / "x.ics")])
        ics = best(runs, [*tasksync, "ics", "-o", str(Path(tmp) / "x.ics")])
        proposed = int(subprocess.run([*tasksync, "list", "--status", "proposed", "--format",
                                       "raw"], check=True, capture_output=True,
                                      text=True).stdout.count("\n"))  # fmt: skip
        whole_query = best(runs, [*tasksync, "query", "not done"])
        dupes = best(runs, [*tasksync, "dupes"])
        elsewhere = best(runs, [*tasksync, "dupes", "--elsewhere"])
        followups = best(runs, [*tasksync, "followups"])
        agenda = best(runs, [*tasksync, "agenda", "Myself"])
        accepts, undos = [], []
        for _ in range(0 if quick else runs):  # each undo gives the next accept its vault back
            accepts.append(measured([*tasksync, "accept", "--all-proposed"]))
            undos.append(measured([*tasksync, "undo"]))
        accept, undo = best_of(accepts), best_of(undos)
        floor = 0.0 if quick else min(durable_rewrite(vault) for _ in range(runs))
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import tasksync.cli.main"], check=True)
        startup = time.perf_counter() - started

    def row(name: str, figure: tuple[float, float], note: str = "") -> tuple[str, str]:
        return name, f"{figure[0]:6.2f} s {figure[1]:6.0f} MB  {note}"

    return [
        ("vault", f"{notes:,} notes x {tasks} tasks x {prose} prose lines, {size:.0f} MB"),
        row("plain-regex reader", regex),
        row("cold scan", cold, f"{cold[0] / regex[0]:.2f}x the regex reader (<= 1.5x)"),
        row("no-change rescan", unchanged, f"{unchanged[0] / cold[0]:.0%} of cold (<= 10%)"),
        row("one changed note", one, "(<= 0.3 s)"),
        row("list --json", listing),
        row("list, piped", piped, f"{piped[0] / listing[0]:.2f}x list --json (<= 2x)"),
        row("query ... limit 20", query, f"{query[0] / listing[0]:.2f}x list --json (<= 0.3x)"),
        row("ics, first export", ics_first, "every entry built by icalendar"),
        row("ics", ics, f"{ics[0] / listing[0]:.2f}x list --json (<= 1.5x)"),
        row("query 'not done'", whole_query, "every open task, sorted"),
        row("dupes", dupes),
        row("dupes --elsewhere", elsewhere),
        row("followups", followups),
        row("agenda Myself", agenda),
        row("accept --all-proposed", accept,
            "skipped (--quick)" if quick else
            f"{proposed:,} tasks, {accept[0] / cold[0]:.2f}x the cold scan (<= 1.2x)"),
        row("undo (of that accept)", undo, "skipped (--quick)" if quick else ""),
        ("durable rewrite floor", "skipped (--quick)" if quick else
         f"{floor:6.2f} s          the notes holding [?] rewritten as accept writes them, "
         f"bare: {floor / cold[0]:.2f}x the cold scan, {(accept[0] - floor) / cold[0]:.2f}x "
         "left for the accept's own work"),
        ("interpreter + imports", f"{startup:6.2f} s (in every figure above)"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[2000])
    parser.add_argument("--tasks", type=int, default=25)
    parser.add_argument("--prose", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="Skip accept --all-proposed.")
    args = parser.parse_args()
    # As pip does when it installs the package: every figure then starts from bytecode,
    # as a user's run does (a source checkout with PYTHONDONTWRITEBYTECODE would recompile
    # every module in every process).
    compileall.compile_dir(str(Path(package.__file__).parent), quiet=1)
    for notes in args.notes:
        rows = one_size(notes, args.tasks, args.prose, args.runs, args.quick)
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            print(f"{name:<{width}}  {value}")
        print(f"(best of {args.runs}, peak memory the largest; python {sys.version.split()[0]})")
        print(flush=True)


if __name__ == "__main__":
    main()
