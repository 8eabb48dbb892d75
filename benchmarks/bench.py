"""Speed and memory of the index on a generated vault, against a plain-regex reader.

    python benchmarks/bench.py [--notes 2000] [--tasks 25] [--prose 40] [--runs 3]

Every figure is the wall time of a fresh process, as a user runs it (interpreter start-up
included), best of --runs (accept: once, as it changes the vault). Targets (on a 2-core
machine, 2,000 x 25 x 40): cold scan <= 1.5x the regex reader; no-change rescan <= 10% of
the cold scan; one changed file <= 0.3 s; peak memory <= 300 MB; accept --all-proposed <= 3 s.
"""

from __future__ import annotations

import argparse
import compileall
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

import tasksync as package  # noqa: E402


def run(args: list[str], stdout: int | None = subprocess.DEVNULL) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=stdout)
    return time.perf_counter() - started


def best(runs: int, args: list[str], before: object = None) -> float:
    times = []
    for _ in range(runs):
        if callable(before):
            before()
        times.append(run(args))
    return min(times)


def peak_rss_mb(args: list[str]) -> float:
    """Peak resident memory of the command and its worker processes (the largest one)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *args], check=True, capture_output=True,
                         text=True).stdout  # fmt: skip
    return int(out.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=25)
    parser.add_argument("--prose", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    # As pip does when it installs the package: every figure then starts from bytecode,
    # as a user's run does (a source checkout with PYTHONDONTWRITEBYTECODE would recompile
    # every module in every process).
    compileall.compile_dir(str(Path(package.__file__).parent), quiet=1)

    with tempfile.TemporaryDirectory() as tmp:
        vault = generate(Path(tmp) / "vault", args.notes, args.tasks, args.prose)
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

        regex = best(args.runs, [sys.executable, str(HERE / "regex_reader.py"), str(vault)])
        cold = best(args.runs, [*tasksync, "scan"], fresh_index)
        rss = peak_rss_mb([*tasksync, "scan"]) if fresh_index() is None else 0.0
        unchanged = best(args.runs, [*tasksync, "scan"])
        one = best(args.runs, [*tasksync, "scan"], change_one_note)
        listing = best(args.runs, [*tasksync, "list", "--status", "all", "--json"])
        proposed = len(subprocess.run([*tasksync, "list", "--status", "proposed", "--json"],
                                      check=True, capture_output=True, text=True
                                      ).stdout.splitlines()) - 2  # fmt: skip
        ics = best(args.runs, [*tasksync, "ics", "--include-done", "-o", str(Path(tmp) / "x.ics")])
        accept = run([*tasksync, "accept", "--all-proposed"])  # once: it changes the vault
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import tasksync.cli.main"], check=True)
        startup = time.perf_counter() - started

    rows = [
        ("vault", f"{args.notes} notes x {args.tasks} tasks x {args.prose} prose lines, "
                  f"{size:.1f} MB"),
        ("plain-regex reader", f"{regex:.2f} s"),
        ("cold scan", f"{cold:.2f} s  ({cold / regex:.2f}x the regex reader; target <= 1.5x)"),
        ("no-change rescan", f"{unchanged:.2f} s  ({unchanged / cold:.0%} of cold; target <= 10%)"),
        ("one changed file", f"{one:.2f} s  (target <= 0.3 s)"),
        ("list --json (all)", f"{listing:.2f} s"),
        ("ics (open + done)", f"{ics:.2f} s  (goal <= 1 s)"),
        ("accept --all-proposed", f"{accept:.2f} s  ({proposed} tasks; goal <= 3 s)"),
        ("peak memory, cold scan", f"{rss:.0f} MB  (target <= 300 MB)"),
        ("interpreter + imports", f"{startup:.2f} s  (in every figure above)"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(
        f"(best of {args.runs}; {resource.getpagesize()} B pages; python {sys.version.split()[0]})"
    )


if __name__ == "__main__":
    main()
