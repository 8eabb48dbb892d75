"""Boolean filter lines: `(f1) AND NOT [f2]`, with any one of the plugin's delimiter pairs.

The plugin's preprocessing (its BooleanPreprocessor) cuts the line at its operators and
delimiters, puts a placeholder for each filter, and hands the logic that is left to a parser:
here grammar/query.lark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, reduce
from typing import TYPE_CHECKING

from tasksync.query.explain import Explanation, combine
from tasksync.query.filters import Context, Filter, Predicate, QueryError, make_filter
from tasksync.read.grammars import grammar_text

if TYPE_CHECKING:  # Lark is loaded by the first Boolean line, not by every query
    from lark import Lark, Token, Tree

_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"), ('"', '"'))
_ANY_OPEN = "".join(o for o, _ in _PAIRS)
_ANY_CLOSE = "".join(c for _, c in _PAIRS)


def _class(chars: str) -> str:
    return "[" + re.escape(chars) + "]"


# The plugin's test of whether a line is a Boolean one at all (its basicBooleanRegexp).
_LOOKS_BOOLEAN = re.compile(
    rf".*(AND|OR|XOR|NOT)\s*{_class(_ANY_OPEN)}.*|.*{_class(_ANY_OPEN)}.+{_class(_ANY_CLOSE)}.*",
    re.DOTALL,
)
MIXED_DELIMITERS = (
    "All filters in a Boolean instruction must be inside one of these pairs of delimiter "
    'characters: (...) or [...] or {...} or "...". Combinations of those delimiters are no '
    "longer supported."
)


@dataclass(frozen=True)
class Delimiters:
    open: str
    close: str

    @property
    def both(self) -> str:
        return self.open + self.close if self.open != self.close else self.open


def looks_boolean(line: str) -> bool:
    return _LOOKS_BOOLEAN.match(line) is not None


def delimiters_of(line: str) -> Delimiters:
    """The delimiters of a Boolean line: its first and last characters, after any leading
    operator (the plugin checks no more: mixing kinds inside a line fails later)."""
    rest = re.match(r"[A-Z ]*\s*(.*)", line.strip(), re.DOTALL)
    text = rest[1] if rest else ""
    for opening, closing in _PAIRS:
        if text[:1] == opening and text[-1:] == closing:
            return Delimiters(opening, closing)
    raise QueryError(MIXED_DELIMITERS)


def split_line(line: str, marks: Delimiters) -> list[str]:
    """The line cut into operators (with their delimiters) and filters: every piece, in order."""
    opening, closing = _class(marks.open), _class(marks.close)
    binary = re.compile(rf"({closing}\s*(?:AND|OR|AND +NOT|OR +NOT|XOR)\s*{opening})")
    unary = re.compile(rf"(NOT\s*{opening})")
    leading = re.compile(rf"(^{_class(marks.open + ' ')}*)")
    trailing = re.compile(rf"({_class(marks.close + ' ')}*$)")
    pieces = [p for part in binary.split(line) for p in unary.split(part) if p]
    pieces = [p for piece in pieces for p in leading.split(piece)]
    return [p for piece in pieces for p in trailing.split(piece) if p]


def _is_filter(piece: str, marks: Delimiters) -> bool:
    opening, closing = _class(marks.open), _class(marks.close)
    not_filters = (
        rf"{_class(' ' + marks.both)}+",
        rf" *{closing} *(AND|OR|XOR) *{opening} *",
        rf"(AND|OR|XOR|NOT) *{opening}",
        rf"{closing} *(AND|OR|XOR)",
        r"AND|OR|XOR|NOT",
    )
    return not any(re.fullmatch(pattern, piece) for pattern in not_filters)


def simplify(line: str, marks: Delimiters) -> tuple[str, dict[str, tuple[str, int]]]:
    """The line's logic with a placeholder for each filter, and each placeholder's filter
    text and where it begins in the line (0-based)."""
    simplified, at = "", 0
    filters: dict[str, tuple[str, int]] = {}
    for piece in split_line(line, marks):
        if _is_filter(piece, marks):
            name = f"f{len(filters) + 1}"
            filters[name] = (piece, at)
            simplified += name
        else:
            simplified += piece
        at += len(piece)
    # operators need a space around them; other delimiters become parentheses
    simplified = re.sub(rf"({_class(marks.close)})([A-Z])", r"\1 \2", simplified)
    simplified = re.sub(rf"([A-Z])({_class(marks.open)})", r"\1 \2", simplified)
    if marks.open not in ('"', "("):
        simplified = simplified.replace(marks.open, "(").replace(marks.close, ")")
    return simplified, filters


@cache
def boolean_parser() -> Lark:
    """The parser of grammar/query.lark (shipped in the wheel)."""
    from lark import Lark

    return Lark(grammar_text("query.lark"), parser="lalr")


Leaf = Callable[[str, int], Filter]  # a filter's text and its 0-based place -> the Filter


def boolean_filter(line: str, ctx: Context, leaf: Leaf) -> Filter:
    """A Boolean line -> one Filter; ``leaf`` reads each filter in it."""
    from lark.exceptions import LarkError

    marks = delimiters_of(line)
    simplified, filters = simplify(line, marks)
    try:
        tree = boolean_parser().parse(simplified)
    except LarkError:
        raise QueryError(
            f"malformed boolean query (the line reads as {simplified!r}; check its delimiters)"
        ) from None
    parsed = {name: leaf(text, at) for name, (text, at) in filters.items()}
    test, explanation = _build(tree, parsed)
    return make_filter(line, test, explanation)


Built = tuple[Predicate, Explanation]


def _build(node: Tree[Token] | Token, filters: dict[str, Filter]) -> Built:
    from lark import Token, Tree

    if isinstance(node, Token):  # pragma: no cover - leaves come as `leaf` trees
        raise QueryError(f"malformed boolean query: {node}")
    if node.data == "leaf":
        found = filters[str(node.children[0])]
        return found.test, found.as_operand()
    parts = [_build(child, filters) for child in node.children if isinstance(child, Tree)]
    if node.data == "negation":
        test, explanation = parts[0]
        return (lambda r: not test(r)), combine("NOT", [explanation])
    symbol = {"or_expr": "OR", "and_expr": "AND", "xor_expr": "XOR"}[str(node.data)]
    join: Callable[[bool, bool], bool] = {
        "OR": lambda a, b: a or b, "AND": lambda a, b: a and b, "XOR": lambda a, b: a != b,
    }[symbol]  # fmt: skip

    def pair(left: Built, right: Built) -> Built:
        (one, first), (other, second) = left, right
        return (lambda r: join(one(r), other(r))), combine(symbol, [first, second])

    return reduce(pair, parts)
