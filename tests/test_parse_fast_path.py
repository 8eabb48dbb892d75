"""The fast path for common lines (``FastLine``) reads exactly what the grammar's path reads.

The index is built from the fast path's fields, and write-back edits the segments it cuts;
the grammar's tables (held to Lark's own parser elsewhere) read every other line. Whatever
the line, both must give the same fields and segments.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tasksync.read.notes import task_lines
from tasksync.read.parse import _parse, fast_line
from tasksync.read.signifiers import FAMILIES, SIGNIFIERS, VS16, misencode
from tests.test_roundtrip import bodies, prefixes

EXAMPLE_VAULT = Path(__file__).resolve().parent.parent / "examples" / "vault"
EMOJI = [e for s in SIGNIFIERS for e in (s.emoji, *s.also)]
SPELLED = EMOJI + [misencode(e, f) for e in EMOJI for f in FAMILIES]

words = st.one_of(
    st.sampled_from(["Send", "notes", "to", "Alon", "call", "Bob", "re:", "v1.2", "50%"]),
    st.sampled_from(["@Myself", "@Alon Horev", "@alon", "bob@example.com", "@", "@Jason Vallery"]),
    st.sampled_from(["#inline", "#a/b", "#", "x#y", "#tag\u00a0", "##", "#x.y", "#日本"]),
    st.sampled_from(["Vallery\u2019s", "Borker\u00e2\u20ac\u2122s", "supplier\u201a\u00c4\u00f4s"]),
    st.sampled_from(["[[Link]]", "(see)", "[x]", "^ref", "a^b", "%%", "`code`", "e\u0301"]),
    st.text(alphabet=st.characters(exclude_characters="\n\r"), min_size=1, max_size=6),
)
DATAVIEW = ["[due:: 2025-01-01]", "(priority:: high)", "[repeat:: every week]", "[id:: a1]",
            "(dependsOn:: a1, b2)", "[due:: 2025-01-01],"]  # fmt: skip
values = st.sampled_from(
    ["2025-10-31", "2026-02-30", "2026-1-5", "every week", "every day when done", "every",
     "keep", "delete", "bogus", "abc-1", "a,b", "a, b", "", "2025-10-31x"]
)  # fmt: skip
readable = st.one_of(
    st.builds(
        lambda emoji, vs16, gap, value: emoji + vs16 + gap + value,
        st.sampled_from(SPELLED),
        st.sampled_from(["", VS16]),
        st.sampled_from([" ", "", "  "]),
        values,
    ),
    st.sampled_from(["#task", "#proposed", "#auto", "#a/b", "#x.y", "#\u00a0", "#t\u00a0u"]),
    st.sampled_from(DATAVIEW),
)
# Mostly what the fast path takes, so that it is tried on long runs of pieces; now and then
# what it must leave to the grammar.
fields = st.one_of(readable, readable, readable, readable, st.sampled_from(
    ["#", "#t\tu", "^abc", "^a-1", "^a_b", "text", "x", "@Bob", "(", "[["]))  # fmt: skip
gaps = st.sampled_from([" "] * 12 + ["  ", "", "\t", "\u00a0"])
common_lines = st.builds(
    lambda prefix, status, prose, trail, end: (
        f"{prefix}[{status}] {' '.join(prose)}{''.join(g + f for g, f in trail)}{end}"
    ),
    prefixes,
    st.sampled_from([" ", "x", "?", "/", "-", "X", ">"]),
    st.lists(words, min_size=0, max_size=8),
    st.lists(st.tuples(gaps, fields), max_size=26),
    st.sampled_from(["", " ", "  ", " ^blk-1", " ^blk ", "^blk", "\t"]),
)


def _both_ways(lines: list[str]) -> None:
    for made in ("record", "fields", "task"):
        assert _parse(lines, made, "", fast=True) == _parse(lines, made, "", fast=False)
    assert _parse(lines, "record", "#task", True) == _parse(lines, "record", "#task", False)


@settings(max_examples=600)
@given(st.lists(common_lines, min_size=1, max_size=6))
def test_fast_path_reads_common_shaped_lines_as_the_grammar_does(lines):
    _both_ways(lines)


@given(st.lists(st.tuples(prefixes, bodies), min_size=1, max_size=5))
def test_fast_path_reads_any_line_as_the_grammar_does(lines):
    _both_ways([prefix + "[ ]" + body.replace("\n", " ") for prefix, body in lines])


def _typical() -> list[str]:
    return [
        "- [?] Send the deck to Alon @Myself 📅 2025-10-31 ⏫ #task #proposed #auto",
        "- [ ] Send the deck to Alon @Alon Horev #task #proposed",
        "- [x] Book the hall ✅ 2025-10-02",
        "  - [ ] Water the seeds 🔁 every week 📅 2025-11-03 ^seeds-1",
        "- [?] Review the quotes @Myself ðŸ“… 2025-10-31 â« #task",
        "- [?] Review the quotes @Myself \uf8ffüìÖ 2025-10-31 ‚è´ #task",
        "> - [-] Old idea ❌ 2025-09-01 🆔 abc ⛔ def",
        "- [ ] Pay rent [due:: 2025-11-01] (priority:: high)",
        "- [?] Ask Rook (the vendor) about the supplier‚Äôs price @Myself 📅 2025-10-31",
        "- [?] Check [the list] and Borkerâ€™s notes (e.g. page 2) #task",
    ]


def test_typical_lines_take_the_fast_path_and_read_alike():
    """Without this, a fast path that never applied would pass every test above."""
    common = fast_line()
    lines = _typical()
    assert [common.fields(line, True) is not None for line in lines] == [True] * len(lines)
    _both_ways(lines)
    record = _parse(lines[:1], "record", "")[0]
    assert (record["owner"], record["due"].isoformat(), record["priority"].value) == (
        "Myself", "2025-10-31", "high")  # fmt: skip
    assert record["tags"] == ("#task", "#proposed", "#auto")


def test_the_example_vault_reads_alike_and_mostly_fast():
    common = fast_line()
    lines = [
        line
        for note in sorted(EXAMPLE_VAULT.rglob("*.md"))
        for _, _, line in task_lines(note.read_text(encoding="utf-8").split("\n"))
    ]
    assert len(lines) > 20
    _both_ways(lines)
    fast = sum(common.fields(line, True) is not None for line in lines)
    assert fast >= 0.6 * len(lines), f"only {fast} of {len(lines)} lines took the fast path"


def test_a_lone_hash_and_the_pass_limit_are_the_grammars():
    """The plugin reads at most 21 pieces off the end, and a tag that trims to `#` stops it."""
    many = "- [ ] Tidy up 📅 2025-10-31 " + " ".join(f"#t{i}" for i in range(21))
    lone = "- [ ] Tidy up #\u00a0 📅 2025-10-31"
    _both_ways([many, lone])
    many_read, lone_read = _parse([many, lone], "record", "")
    assert "due" not in many_read
    assert many_read["description"] == "Tidy up 📅 2025-10-31"
    assert "due" in lone_read
    assert lone_read["tags"] == ()


def test_fields_amid_the_prose_stay_in_the_description():
    """Only what ends the line is read; a field, tag or Dataview field amid the words is
    words (and the line is the grammar's to read)."""
    lines = [
        "- [ ] Pay (rent) 📅 2025-01-01 soon ⏫",
        "- [ ] Pay [due:: 2025-01-01] soon (priority:: high)",
        "- [ ] Pay (priority:: high) now 📅 2025-01-01",
        "- [ ] Plan #garden beds ^ref and 🔁 every week; then ⏳ 2025-02-01",
    ]
    _both_ways(lines)
    first, second, third, fourth = _parse(lines, "record", "", fast=True)
    assert "due" not in first
    assert first["priority"].value == "high"
    assert "due" not in second
    assert second["priority"].value == "high"
    assert "priority" not in third
    assert third["due"].isoformat() == "2025-01-01"
    assert "recurrence" not in fourth
    assert fourth["scheduled"].isoformat() == "2025-02-01"
