"""Every signifier in every spelling we promise to read: real, VS16, and the mis-encodings."""

from __future__ import annotations

from datetime import date

import pytest

from tasksync.model import Priority
from tasksync.read.parse import parse_line
from tasksync.read.signifiers import (
    SIGNIFIERS,
    VS16,
    grammar_block,
    grammar_source_path,
    misencode,
    signifier_spellings,
)


def _independent_spellings(emoji: str) -> dict[str, str]:
    """The mis-encodings computed with Python's codecs, not with tasksync's own helper."""
    raw = emoji.encode("utf-8")
    return {
        "real": emoji,
        "vs16": emoji + VS16,
        "cp1252": raw.decode("cp1252", errors="ignore"),
        "cp1252-c1": "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw),
        "latin-1": raw.decode("latin-1"),
        "mac-roman": raw.decode("mac_roman"),
        "cp1252+vs16": (emoji + VS16).encode().decode("cp1252", errors="ignore"),
        "mac-roman+vs16": (emoji + VS16).encode().decode("mac_roman"),
    }


VALUES = {
    "due": ("2025-10-31", date(2025, 10, 31)),
    "scheduled": ("2025-11-01", date(2025, 11, 1)),
    "start": ("2025-11-02", date(2025, 11, 2)),
    "created": ("2025-11-03", date(2025, 11, 3)),
    "done": ("2025-11-04", date(2025, 11, 4)),
    "cancelled": ("2025-11-05", date(2025, 11, 5)),
    "recurrence": ("every week on Monday", "every week on Monday"),
    "on_completion": ("delete", "delete"),
    "depends_on": ("abc123,def456", ("abc123", "def456")),
    "id": ("abc-123_x", "abc-123_x"),
}
ATTRIBUTE = {"id": "task_id"}

CASES = [
    pytest.param(sig, emoji, family, spelled, id=f"{sig.field}-{sig.level or ''}{emoji}-{family}")
    for sig in SIGNIFIERS
    for emoji in (sig.emoji, *sig.also)
    for family, spelled in _independent_spellings(emoji).items()
]


@pytest.mark.parametrize(("sig", "emoji", "family", "spelled"), CASES)
def test_every_spelling_of_every_signifier_is_read(sig, emoji, family, spelled):
    if sig.level:
        line = f"- [ ] Water the plants {spelled} #garden"
        task = parse_line(line)
        assert task is not None
        assert task.priority is Priority(sig.level)
    else:
        text, expected = VALUES[sig.field]
        line = f"- [ ] Water the plants {spelled} {text} #garden"
        task = parse_line(line)
        assert task is not None
        assert getattr(task, ATTRIBUTE.get(sig.field, sig.field)) == expected
    assert task.description == "Water the plants"
    assert task.tags == ("#garden",)
    assert task.render() == line


def test_the_seed_vaults_spellings_are_the_derived_ones():
    # Seen in the user's vault, written here by hand so the derivation is checked, not trusted.
    assert misencode("📅", "cp1252") == "ðŸ“…"
    assert misencode("📅", "mac-roman") == "\uf8ffüìÖ"
    assert misencode("⏫", "cp1252") == "â«"
    assert misencode("⏫", "mac-roman") == "‚è´"
    assert misencode("✅", "cp1252") == "âœ…"
    assert misencode("🔽", "mac-roman") == "\uf8ffüîΩ"


@pytest.mark.parametrize(
    ("line", "due", "priority"),
    [
        ("- [?] Meet Kushal. @Myself \uf8ffüìÖ 2025-10-31 ‚è´ #task", date(2025, 10, 31), "high"),
        (
            "- [x] Meet Kushal @Jason Vallery â« ðŸ“… 2025-10-31 âœ… 2025-10-28",
            date(2025, 10, 31),
            "high",
        ),
        ("- [?] Engage hardware. @Myself \uf8ffüîΩ #task #proposed", None, "low"),
    ],
)
def test_seed_shaped_lines(line, due, priority):
    task = parse_line(line)
    assert task is not None
    assert task.due == due
    assert task.priority.value == priority
    assert task.render() == line


def test_grammar_file_holds_the_generated_table():
    text = grammar_source_path().read_text(encoding="utf-8")
    assert grammar_block() in text, "run: python -m tasksync.read.signifiers --write-grammar"


def test_signifier_in_prose_is_not_a_field_when_text_follows():
    task = parse_line("- [ ] the ðŸ“… 2025-10-31 meeting was moved")
    assert task is not None
    assert task.due is None
    assert task.description == "the ðŸ“… 2025-10-31 meeting was moved"


def test_the_benchmarks_regex_reader_reads_the_same_spellings_without_tasksync():
    """The benchmark's baseline must do the same work as the reader (every spelling of the
    dates and priorities) and be independent of it (no tasksync module imported)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "regex_reader.py"
    probe = (
        "import runpy, sys; found = runpy.run_path(sys.argv[1]); "
        "print(sorted(m for m in sys.modules if m.startswith('tasksync')));"
        "print(sorted((f, sorted(s for e in em for s in found['spellings'](e))) "
        "for f, em in found['EMOJI'].items()));"
        "print(sorted((lv, sorted(found['spellings'](e))) "
        "for lv, e in found['PRIORITIES'].items()))"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(script)], capture_output=True,
                         text=True, check=True).stdout.splitlines()  # fmt: skip
    assert out[0] == "[]"
    dates = {f: sorted(s for sig in SIGNIFIERS if sig.field == f for s in signifier_spellings(sig))
             for f in ("due", "scheduled", "start", "created", "done", "cancelled")}  # fmt: skip
    assert out[1] == str(sorted(dates.items()))
    levels = {sig.level: sorted(signifier_spellings(sig)) for sig in SIGNIFIERS if sig.level}
    assert out[2] == str(sorted(levels.items()))
