"""A lean driver for the LALR(1) tables Lark builds from a grammar (``tasksync.read.tables``).

Lark computes the tables (and checks the grammar has no conflicts); this loop runs them on
plain ``(kind, text)`` pairs instead of Lark's ``Token`` objects and keeps no tree: the
grammar's own rules decide shift and reduce, and a handler per named rule receives that
rule's children, flattened as Lark's tree builder would (``_TERMINAL``s dropped, ``__helper``
rules of ``*`` and ``+`` inlined). A test checks it gives what Lark's own parser gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from tasksync.read.tables import Rule, Tables

Piece = tuple[str, str]  # (terminal name, the text it matched)
END = "$END"
_START_LIST, _APPEND, _OTHER = "start_list", "append", "other"


class GrammarMismatch(ValueError):
    """The text does not follow the grammar (a bug upstream: callers feed prefiltered lines)."""


class _Rule:
    __slots__ = ("handler", "inline", "keep", "origin", "shape", "size")

    def __init__(self, size: int, origin: str, keep: tuple[bool, ...], inline: tuple[bool, ...],
                 handler: Callable[[list[Any]], Any] | None) -> None:  # fmt: skip
        self.size = size
        self.origin = origin
        self.keep = keep  # per child: not a filtered (_UNDERSCORE) terminal
        self.inline = inline  # per child: a helper rule's list, to be spliced in
        self.handler = handler
        # The two shapes of a `*` helper rule, reduced in place: `__h: X` and `__h: __h X`.
        self.shape = (
            _OTHER
            if handler is not None
            else _START_LIST
            if (size, keep, inline) == (1, (True,), (False,))
            else _APPEND
            if (size, keep, inline) == (2, (True, True), (True, False))
            else _OTHER
        )


class LeanLALR:
    """Runs a grammar's LALR table; ``handlers`` maps rule names to what builds their value."""

    def __init__(self, tables: Tables, handlers: dict[str, Callable[[list[Any]], Any]]) -> None:
        self._rules = [self._compile(rule, handlers) for rule in tables.rules]
        # Per state: kind -> next state (shift, >= 0) or ~rule index (reduce, < 0).
        self._actions: list[dict[str, int]] = [
            {kind: arg if shift else ~arg for kind, (shift, arg) in by_kind.items()}
            for by_kind in tables.actions
        ]
        self._start = tables.start
        self._end = tables.end

    @staticmethod
    def _compile(rule: Rule, handlers: dict[str, Callable[[list[Any]], Any]]) -> _Rule:
        helper = rule.origin.startswith("__")
        if not helper and rule.origin not in handlers:
            raise ValueError(f"no handler for rule {rule.origin}")
        handler = None if helper else handlers[rule.origin]
        return _Rule(rule.size, rule.origin, rule.keep, rule.inline, handler)

    def parse(self, pieces: Iterable[Piece]) -> Any:
        actions, rules, end = self._actions, self._rules, self._end
        states: list[int] = [self._start]
        values: list[Any] = []
        for piece in (*pieces, (END, "")):
            kind = piece[0]
            while True:
                try:
                    action = actions[states[-1]][kind]
                except KeyError:
                    raise GrammarMismatch(f"unexpected {kind} {piece[1]!r}") from None
                if action >= 0:
                    states.append(action)
                    values.append(piece)
                    break
                rule = rules[~action]
                shape = rule.shape
                if shape is _APPEND:
                    # `__h: __h X`: X joins the list below it, and the state goes back to the
                    # one the list was in (the goto from the same state on the same rule).
                    values[-2].append(values.pop())
                    states.pop()
                    continue
                if shape is _START_LIST:
                    values[-1] = [values[-1]]
                    states[-1] = actions[states[-2]][rule.origin]
                    continue
                size = rule.size
                children = values[-size:] if size else []
                if size:
                    del values[-size:]
                    del states[-size:]
                # A helper's list that grows by more than one child at a time (`__h: __h _NL X`)
                # is extended where it lies: copying it on every step would be quadratic.
                reuse = rule.handler is None and size > 0 and rule.inline[0]
                flat: list[Any] = children[0] if reuse else []
                for child, keep, inline in zip(children, rule.keep, rule.inline, strict=True):
                    if reuse:
                        reuse = False
                    elif inline:
                        flat.extend(child)
                    elif keep:
                        flat.append(child)
                states.append(actions[states[-1]][rule.origin])
                values.append(flat if rule.handler is None else rule.handler(flat))
                if kind == END and states[-1] == end:
                    return values[-1]
        raise GrammarMismatch("unexpected end of input")
