"""`%% %%` and `<!-- -->` comments are found in time linear in the line's length, and exactly
where the straightforward search (kept here as the reference) finds them."""

from __future__ import annotations

import time

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tasksync.read.notes import comment_left_open, scan_text

COMMENTS = (("<!--", "-->"), ("%%", "%%"))


def reference_comment_left_open(text: str) -> str | None:
    """The search as it was: the earliest opener, then its closer, again and again."""
    pos = 0
    while True:
        starts = [(text.find(o, pos), o, c) for o, c in COMMENTS]
        starts = [s for s in starts if s[0] >= 0]
        if not starts:
            return None
        start, opener, closer = min(starts)
        close = text.find(closer, start + len(opener))
        if close < 0:
            return closer
        pos = close + len(closer)


def reference_task_line_numbers(text: str) -> list[int]:
    """Which lines of a note of task lines and comment text hold tasks, by the reference
    (YAML frontmatter, from a first line `---` to the next `---` or `...`, holds none)."""
    found, comment_close = [], None
    lines = text.split("\n")
    first = 0
    if lines[0].rstrip(" \t") == "---":
        ends = [i for i in range(1, len(lines)) if lines[i].rstrip(" \t") in ("---", "...")]
        first = ends[0] + 1 if ends else 0
    for number, line in enumerate(lines[first:], first + 1):
        if comment_close is not None:
            at = line.find(comment_close)
            if at >= 0:
                comment_close = reference_comment_left_open(line[at + len(comment_close) :])
            continue
        if line.startswith("- [ ]"):
            found.append(number)
        comment_close = reference_comment_left_open(line)
    return found


PIECES = st.sampled_from(["%%", "<!--", "-->", "%", "<!-", "<!", "--", "->", "-", "a", " ", "<"])
comment_text = st.lists(PIECES, max_size=12).map("".join)


@given(comment_text)
def test_comment_search_agrees_with_the_reference(text):
    assert comment_left_open(text) == reference_comment_left_open(text)


@given(st.lists(st.one_of(comment_text, st.builds("- [ ] task {}".format, comment_text)),
                min_size=1, max_size=8))  # fmt: skip
@example(["---", "- [ ] task ", "---"])  # hypothesis found it: the reference had no frontmatter
def test_the_tasks_outside_comments_agree_with_the_reference(lines):
    text = "\n".join(lines)
    assert [t.line for t in scan_text(text)] == reference_task_line_numbers(text)


def _seconds(text: str) -> float:
    """The best of five scans: noise only ever makes one slower."""
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        tasks = scan_text(text)
        best = min(best, time.perf_counter() - began)
        assert [t.task.description for t in tasks] == ["before", "after"]
    return best


@pytest.mark.parametrize("unit", ["%%", "<!-- -->", "%%a%%", "<!---->%%%%"])
def test_a_long_line_of_comments_scans_in_linear_time(unit):
    """400,000 characters took 10-16 s: each comment searched the rest of the line again.
    Four times the text must take about four times as long, not sixteen."""

    def note(length: int) -> str:
        return f"- [ ] before\n{unit * (length // len(unit))}\n- [ ] after\n"

    short, long = _seconds(note(100_000)), _seconds(note(400_000))
    assert long / short < 8, (short, long)
