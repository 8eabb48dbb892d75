"""Boolean filter lines as the plugin reads them (docs › Combining Filters; its
BooleanPreprocessor tests): any one delimiter pair, operators with or without spaces, nesting."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasksync.query.boolean import MIXED_DELIMITERS, Delimiters, delimiters_of, simplify, split_line
from tasksync.query.filters import QueryError

from .plugin_records import answer

TODAY = date(2026, 11, 18)


@pytest.mark.parametrize(
    ("line", "simplified", "filters"),
    [
        ("(not done)", "(f1)", ["not done"]),
        ("(done) AND (has done date)", "(f1) AND (f2)", ["done", "has done date"]),
        ("(DONE) AND (HAS DONE DATE)", "(f1) AND (f2)", ["DONE", "HAS DONE DATE"]),
        ('"not done"AND"is recurring"', '"f1" AND "f2"', ["not done", "is recurring"]),
        ("[a b] OR NOT [c]", "(f1) OR NOT (f2)", ["a b", "c"]),
        ("{a}AND NOT{b}", "(f1) AND NOT (f2)", ["a", "b"]),
        ("NOT ( NOT ( a ) )", "NOT ( NOT ( f1 ) )", ["a"]),
        ("((((a))))", "((((f1))))", ["a"]),
        ("(a) XOR ((b) OR (c))", "(f1) XOR ((f2) OR (f3))", ["a", "b", "c"]),
    ],
)
def test_the_plugins_preprocessing(line, simplified, filters):
    got, found = simplify(line, delimiters_of(line))
    assert got == simplified
    assert [text for text, _ in found.values()] == filters
    assert all(line[at : at + len(text)] == text for text, at in found.values())


@pytest.mark.parametrize("line", ['"not done" AND (is recurring)', "(not done) AND {is recurring}"])
def test_mixed_delimiters_are_refused_with_the_plugins_reason(line):
    with pytest.raises(QueryError, match="Combinations of those delimiters"):
        answer(line, ["- [ ] x"], TODAY)
    if line.startswith('"'):
        with pytest.raises(QueryError) as refused:
            delimiters_of(line)
        assert str(refused.value) == MIXED_DELIMITERS


def test_a_filter_ending_in_its_delimiter_is_a_malformed_line():
    with pytest.raises(QueryError, match="malformed boolean query"):
        answer("(description includes (maybe)) OR (description includes (perhaps))",
               ["- [ ] x"], TODAY)  # fmt: skip


_DELIMITERS = [Delimiters("(", ")"), Delimiters("[", "]"), Delimiters("{", "}"),
               Delimiters('"', '"')]  # fmt: skip
_WORDS = ["alpha", "beta", "gamma", "delta"]


def _trees(leaf: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(st.just("NOT"), inner),
            st.tuples(st.sampled_from(["AND", "OR", "XOR", "AND NOT", "OR NOT"]), inner, inner),
        ),
        max_leaves=5,
    )


def _text(tree: object, marks: Delimiters, space: str) -> str:
    """The tree as a line: every operand (a filter or a group) in the delimiters."""
    if isinstance(tree, str):
        return f"{marks.open}description includes {tree}{marks.close}"
    assert isinstance(tree, tuple)
    if tree[0] == "NOT":
        return f"NOT{space}{_group(tree[1], marks, space)}"
    return f"{_group(tree[1], marks, space)}{space}{tree[0]}{space}{_group(tree[2], marks, space)}"


def _group(tree: object, marks: Delimiters, space: str) -> str:
    """A group in the delimiters, with a space inside: `{{` would begin a placeholder (as in
    the plugin, whose placeholders are expanded before anything else)."""
    inner = _text(tree, marks, space)
    return inner if isinstance(tree, str) else f"{marks.open} {inner} {marks.close}"


def _value(tree: object, words: set[str]) -> bool:
    if isinstance(tree, str):
        return tree in words
    assert isinstance(tree, tuple)
    if tree[0] == "NOT":
        return not _value(tree[1], words)
    left, right = _value(tree[1], words), _value(tree[2], words)
    return {"AND": left and right, "OR": left or right, "XOR": left != right,
            "AND NOT": left and not right, "OR NOT": left or not right}[tree[0]]  # fmt: skip


@given(_trees(st.sampled_from(_WORDS)), st.sampled_from(_DELIMITERS[:3]),
       st.sampled_from([" ", "", "  "]), st.sets(st.sampled_from(_WORDS)))  # fmt: skip
def test_any_nesting_of_any_delimiters_means_what_it_says(tree, marks, space, words):
    line = _text(tree, marks, space)
    if isinstance(tree, str):
        line = f"({line})" if marks.open != "(" else line
    task = "- [ ] " + " ".join(sorted(words) or ["none"])
    assert (answer(line, [task], TODAY) == [task]) is _value(tree, words)


@given(st.text(alphabet=st.sampled_from('()[]{}" ANDORXTfilterx'), min_size=1, max_size=30),
       st.sampled_from(_DELIMITERS))  # fmt: skip
def test_the_pieces_of_a_line_are_the_whole_line(line, marks):
    assert "".join(split_line(line, marks)) == line
