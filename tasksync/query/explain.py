"""`explain`: the query in words, laid out as the plugin lays it out (its Explainer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Explanation:
    """What one filter (or a Boolean combination of them) means."""

    description: str
    children: list[Explanation] = field(default_factory=list)
    symbol: str = ""  # AND, OR, XOR, NOT

    def render(self, indent: str = "") -> str:
        if not self.children:
            return indent + self.description
        if not self.symbol:
            title = self.description
        else:  # `NOT:`, `AND (All of):`
            title = self.symbol + (f" ({self.description})" if len(self.children) > 1 else "") + ":"
        lines = [indent + title]
        lines += [child.render(indent + "  ") for child in self.children]
        return "\n".join(lines)


def combine(symbol: str, children: list[Explanation]) -> Explanation:
    """A Boolean operator's explanation; a chain of ANDs (or ORs) reads as one list."""
    descriptions = {"AND": "All of", "OR": "At least one of", "XOR": "Exactly one of",
                    "NOT": "None of"}  # fmt: skip
    if symbol in ("AND", "OR") and len(children) == 2:
        first, second = children
        if first.symbol == symbol and not second.symbol:
            first.children.append(second)
            return first
    return Explanation(descriptions[symbol], children, symbol)


@dataclass(frozen=True)
class Statement:
    """One instruction: as written (``raw``, lines joined by newlines when continued) and as
    read (``text``: continuations joined, placeholders expanded)."""

    raw: str
    text: str
    line: int = 1

    def render(self, indent: str = "") -> str:
        shown = indent + self.raw.replace("\n", "\n" + indent)
        if self.raw == self.text:
            return shown
        if "\n" in self.raw:
            shown += "\n" + indent
        return f"{shown} =>\n{indent}{self.text}"


_ORDINAL = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}


def explained_day(day: date) -> str:
    """`2022-10-22 (Saturday 22nd October 2022)`: moment's `YYYY-MM-DD (dddd Do MMMM YYYY)`."""
    ordinal = f"{day.day}{_ORDINAL.get(day.day, 'th')}"
    return f"{day.isoformat()} ({day.strftime('%A')} {ordinal} {day.strftime('%B')} {day.year})"
