"""`regex matches`: JavaScript's regular expressions, refused where the plugin refuses them
(its RegExpTools tests: catastrophic backtracking, over 500 characters; JavaScript's own
syntax errors), and run with JavaScript's meaning where Python's `re` would differ."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tasksync.query.filters import QueryError
from tasksync.query.js_regex import RegexError, parse_js_regex, safety_problem

from .plugin_records import answer

TODAY = date(2026, 11, 18)

SAFE = [
    "hello world",
    r"\d\d:\d\d",
    "(beep|boop)*",
    r"\blocation\s*:[^:\n]+\b(Oakland|San Francisco)\b",
    "^Log",
    "waiting|waits|wartet",
    r"#tag\/subtag[0-9]\/subsubtag[0-9]",
    "[⏫🔼🔽📅⏳🛫🔁]",
    "a" * 500,
]
UNSAFE = ["(a+)+$", "(a+)+b", "(.*)*", "(a+){10}", "(x+x+)+y"]


@pytest.mark.parametrize("pattern", SAFE)
def test_the_plugins_safe_patterns_are_run(pattern):
    assert safety_problem(pattern) is None
    assert parse_js_regex(f"/{pattern}/") is not None


@pytest.mark.parametrize("pattern", UNSAFE)
def test_patterns_that_backtrack_catastrophically_are_refused_with_the_plugins_reason(pattern):
    reason = (f"Regular expression /{pattern}/ may cause performance problems "
              "(possible catastrophic backtracking detected).")  # fmt: skip
    assert safety_problem(pattern) == reason
    with pytest.raises(QueryError) as refused:
        answer(f"description regex matches /{pattern}/", ["- [ ] aaaa"], TODAY)
    assert reason in str(refused.value)
    assert "Parsing regular expression" in str(refused.value)


def test_a_pattern_over_500_characters_is_refused():
    assert safety_problem("a" * 501) == (
        "Regular expression pattern is too long (501 characters, maximum 500)."
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("/CASE/&", "Invalid flags supplied to RegExp constructor '&'"),
        ("/CASE/ii", "Invalid flags supplied to RegExp constructor 'ii'"),
        ("/[123/", "Invalid regular expression: /[123/"),
        ("/(?i)case/", "Invalid regular expression: /(?i)case/"),  # Python's, not JavaScript's
        ("/(?P<n>x)/", "Invalid regular expression"),
    ],
)
def test_what_javascript_refuses_is_refused(value, reason):
    with pytest.raises(RegexError, match=re.escape(reason)):
        parse_js_regex(value)


def test_a_regex_needs_its_slashes():
    assert parse_js_regex("CASE") is None
    with pytest.raises(QueryError, match="Invalid instruction: 'description regex matches CASE'"):
        answer("description regex matches CASE", ["- [ ] CASE"], TODAY)


@pytest.mark.parametrize(
    ("query", "line", "expected"),
    [
        (r"description regex matches /^\d+$/", "- [ ] ٣٣", False),  # \d is ASCII in JavaScript
        (r"description regex matches /^\w+$/", "- [ ] café", False),
        (r"description regex matches /\q/", "- [ ] q", True),  # an unknown escape: the letter
        ("description regex matches /^[^]x/", "- [ ] ax", True),  # [^] is any character
        ("description regex matches /(?<y>[0-9]{4})-\\k<y>/", "- [ ] 2025-2025", True),
        ("path regex matches /Notes/n.md/", "- [ ] x", True),  # `/` needs no escape any more
        ("description regex matches /^ab/y", "- [ ] xab", False),  # sticky: at the start only
        ("description regex matches /CASE/i", "- [ ] lower case", True),
        ("description regex matches /CASE/", "- [ ] lower case", False),
        # \b and \B are ASCII in JavaScript too: no boundary between `Ü` and a blank
        (r"description regex matches /\bÜber\b/", "- [ ] Über die Brücke", False),
        (r"description regex matches /\bcafé\b/", "- [ ] Review café menu", False),
        (r"description regex matches /\bcaf\b/", "- [ ] Review café menu", True),
        (r"description regex matches /Br\B/", "- [ ] Über die Brücke", False),
        (r"description regex matches /\bbob\b/i", "- [ ] call Bob now", True),
    ],
)
def test_patterns_mean_what_they_mean_in_javascript(query, line, expected):
    assert (answer(query, [line], TODAY) == [line]) is expected
