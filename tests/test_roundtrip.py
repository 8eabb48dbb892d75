"""Property: every line reads back byte for byte, and never crashes the reader."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tasksync.model import StatusTable, Task
from tasksync.read.notes import scan_text
from tasksync.read.parse import (
    JS_WS,
    TASK_PREFIX,
    _parser,
    parse_line,
    parse_task_fields,
    parse_task_lines,
)
from tasksync.read.signifiers import FAMILIES, SIGNIFIERS, VS16, misencode

EMOJI = [e for s in SIGNIFIERS for e in (s.emoji, *s.also)]
SPELLED = EMOJI + [misencode(e, f) for e in EMOJI for f in FAMILIES]

prefixes = st.builds(
    lambda indent, marker, gap: indent + marker + gap,
    st.sampled_from(["", "  ", "\t", "> ", "> > ", "    ", "\u00a0"]),
    st.sampled_from(["-", "*", "+", "1.", "12)", "0."]),
    st.sampled_from([" ", "  "]),
)
pieces = st.one_of(
    st.sampled_from(SPELLED),
    st.sampled_from(SPELLED).map(lambda s: s + VS16),
    st.sampled_from(["2025-10-31", "2026-02-30", "every week", "when done", "abc-1", "a,b"]),
    st.sampled_from(
        [
            "#task",
            "#proposed",
            "#a/b",
            "#",
            "##",
            "#x.y",
            "@Myself",
            "@Alon Horev",
            "bob@example.com",
            "^abc",
            "^a_b",
            "[due:: 2025-01-01]",
            "(priority:: high)",
            "[",
            "]",
            "(",
            ")",
            ",",
            "::",
            "https://x.com/#f",
            "[[Link]]",
            "%%",
            "<!--",
        ]
    ),
    st.text(max_size=8),
    st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000"]),
)
bodies = st.lists(pieces, max_size=14).map("".join)


@given(prefixes, st.characters(exclude_characters="\n\r\u2028\u2029"), bodies)
def test_render_of_parse_is_the_line(prefix, status, body):
    line = f"{prefix}[{status}]{body}".replace("\n", " ")
    task = parse_line(line)
    assert task is not None
    assert task.render() == line
    assert "".join(s.text for s in task.segments) == line
    assert task.status == status


@given(st.text())
def test_any_text_is_read_without_error(text):
    line = text.split("\n")[0]
    task = parse_line(line)
    if task is None:
        assert TASK_PREFIX.match(line) is None
    else:
        assert task.render() == line
    for found in scan_text(text):
        assert found.task.render() == text.split("\n")[found.line - 1].removesuffix("\r")


@given(bodies.map(lambda b: b.replace("\n", " ")))
def test_owner_and_tags_are_read_out_of_the_description(body):
    task = parse_line(f"- [ ] {body}")
    assert task is not None
    assert all(t.startswith("#") and " " not in t for t in task.tags)
    if task.owner:
        owners = [s.text for s in task.segments if s.kind == "owner"]
        assert owners == [f"@{task.owner}"]
    assert task.description == task.description.strip(JS_WS)


@given(st.lists(st.tuples(prefixes, bodies), min_size=1, max_size=5))
def test_line_lexer_agrees_with_larks_contextual_lexer(lines):
    text = "\n".join(prefix + "[ ]" + body.replace("\n", " ") for prefix, body in lines)
    assert _parser("line").parse(text) == _parser("contextual").parse(text)


@given(st.lists(st.tuples(prefixes, bodies), min_size=1, max_size=5))
def test_lean_driver_gives_what_larks_own_parser_gives(lines):
    """The reader runs Lark's LALR tables with its own loop; Lark's parser is the reference."""
    text = [prefix + "[ ]" + body.replace("\n", " ") for prefix, body in lines]
    by_lark = _parser("contextual").parse("\n".join(text))
    statuses = StatusTable()
    assert parse_task_lines(text) == [
        Task(status_type=statuses[f["status"]].type, **f) for f in by_lark
    ]
    for fields, lark_fields in zip(parse_task_fields(text), by_lark, strict=True):
        assert fields == {k: v for k, v in lark_fields.items() if k != "segments"}
