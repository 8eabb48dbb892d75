"""A deterministic synthetic vault for benchmarks: N notes x M tasks x P prose lines.

    python benchmarks/generate.py OUT_DIR [--notes 2000] [--tasks 25] [--prose 40]

About 10% of task lines carry mis-encoded emoji (Windows-1252 or Mac Roman), about 30% are
proposed (`[?]`), some notes hold fake tasks inside fenced transcripts, folders are nested.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

WORDS = (  # noqa: SIM905
    "review plan send draft call schedule budget update garden sensor report client follow "
    "proposal design meeting notes roadmap invoice order team deck slides vendor contract "
    "check humidity probes volunteer rota flyer seeds council timber quotes agenda summary"
).split()
OWNERS = ("Myself", "Dana Whitfield", "Dana", "Sam Okafor", "Marco Ruiz", "Priya Natarajan")
STATUSES = " " * 8 + "?" * 6 + "x" * 4 + "/-"
PRIORITIES = ("", "", "", "⏫", "🔼", "🔽", "🔺", "⏬")
FOLDERS = ("Meetings", "Projects/Garden", "Projects/Shed/Notes", "Areas/Home", "Sources/2026/11")


def _moji(text: str, rng: random.Random) -> str:
    data = text.encode("utf-8")
    if rng.random() < 0.5:
        return "".join(bytes([b]).decode("cp1252", errors="ignore") for b in data)
    return data.decode("mac_roman")


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _task(rng: random.Random) -> str:
    parts = [f"- [{rng.choice(STATUSES)}] {_sentence(rng, rng.randint(6, 16))}."]
    if rng.random() < 0.7:
        parts.append(f"@{rng.choice(OWNERS)}")
    mojibake = rng.random() < 0.10
    fields = []
    if rng.random() < 0.6:
        fields.append(f"📅 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    if priority := rng.choice(PRIORITIES):
        fields.append(priority)
    if rng.random() < 0.15:
        fields.append(f"✅ 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    if mojibake:
        fields = [_moji(f, rng) for f in fields]
    parts += fields
    parts += rng.sample(["#task", "#proposed", "#auto", "#garden", "#area/work"], rng.randint(0, 3))
    return " ".join(parts)


def _note(rng: random.Random, tasks: int, prose: int) -> str:
    lines = ["---", "type: meeting", f"date: '2026-{rng.randint(1, 12):02d}-01'", "---", "",
             f"# {_sentence(rng, 5)}", ""]  # fmt: skip
    body: list[str] = [_task(rng) for _ in range(tasks)]
    body += [_sentence(rng, rng.randint(25, 40)) + "." for _ in range(prose)]
    rng.shuffle(body)
    lines += body
    if rng.random() < 0.3:
        lines += ["", "## Transcript", "```text", "- [ ] a fake task in a transcript", "```"]
    return "\n".join(lines) + ("\n" if rng.random() < 0.9 else "")


def generate(
    root: Path, notes: int = 2000, tasks: int = 25, prose: int = 40, seed: int = 1
) -> Path:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    for index in range(notes):
        folder = root / FOLDERS[index % len(FOLDERS)] / f"batch{index // 250}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note {index:05d}.md").write_text(_note(rng, tasks, prose), encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=25)
    parser.add_argument("--prose", type=int, default=40)
    args = parser.parse_args()
    generate(args.out, args.notes, args.tasks, args.prose)
    size = sum(p.stat().st_size for p in args.out.rglob("*.md"))
    print(f"{args.notes} notes, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
