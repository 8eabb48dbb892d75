"""What the reader needs of the task grammar: its terminals and its LALR table.

Lark analyses ``grammar/tasks.lark`` (and checks it has no conflicts); the result is kept in
the user's cache folder, keyed by the grammar's text, so that reading notes does not even
import Lark. A missing, stale or damaged cache file only costs one analysis.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1  # of what is cached: bump when Tables changes


@dataclass(frozen=True, slots=True)
class Rule:
    origin: str  # the rule's name
    size: int  # how many symbols it reduces
    keep: tuple[bool, ...]  # per symbol: not a filtered (_UNDERSCORE) terminal
    inline: tuple[bool, ...]  # per symbol: a ``*``/``+`` helper rule, spliced into its parent


@dataclass(frozen=True, slots=True)
class Tables:
    terminals: tuple[tuple[str, str], ...]  # (name, regex), in Lark's lexing priority order
    # Per state: terminal or rule name -> (True, next state) to shift, (False, rule) to reduce.
    actions: tuple[dict[str, tuple[bool, int]], ...]
    rules: tuple[Rule, ...]
    start: int
    end: int


def terminal_order(terminal: Any) -> tuple[int, int, int, str]:
    """Lark's order of preference between terminals (for its ``TerminalDef``)."""
    pattern = terminal.pattern
    return -terminal.priority, -pattern.max_width, -len(pattern.value), terminal.name


def analyse(grammar: str) -> Tables:
    """Let Lark build the LALR table of ``grammar`` (whose start rule is ``start``)."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="contextual")
    # Plain str throughout (Lark's names may be its own str subclass): loading the cache
    # must not need Lark.
    terminals = tuple(
        (str(t.name), str(t.pattern.to_regexp()))
        for t in sorted(lark.terminals, key=terminal_order)
    )
    table = lark.parser.parser.parser.parse_table
    rules: dict[Any, int] = {}
    actions: list[dict[str, tuple[bool, int]]] = [{} for _ in table.states]
    for state, by_kind in table.states.items():
        for kind, (action, arg) in by_kind.items():
            if action is Shift:
                actions[state][str(kind)] = (True, int(arg))
            else:
                actions[state][str(kind)] = (False, rules.setdefault(arg, len(rules)))
    return Tables(
        terminals, tuple(actions), tuple(_rule(r) for r in rules),
        int(table.start_states["start"]), int(table.end_states["start"]),
    )  # fmt: skip


def _rule(rule: Any) -> Rule:
    symbols = rule.expansion
    return Rule(
        str(rule.origin.name),
        len(symbols),
        tuple(bool(not (s.is_term and (s.filter_out or s.name.startswith("_")))) for s in symbols),
        tuple(bool(not s.is_term and s.name.startswith("__")) for s in symbols),
    )


def load(grammar: str, cache: Path | None) -> Tables:
    """The tables of ``grammar``: from ``cache`` when it holds them, else analysed (and kept
    there for next time, when it can be written)."""
    key = hashlib.sha256(f"{FORMAT}\0{grammar}".encode()).hexdigest().encode()
    if cache is not None:
        try:
            header, _, body = cache.read_bytes().partition(b"\n")
            if header == key:
                found = pickle.loads(body)
                if isinstance(found, Tables):
                    return found
        except Exception:  # a damaged cache file only costs an analysis
            pass
    tables = analyse(grammar)
    if cache is not None:
        _store(cache, key + b"\n" + pickle.dumps(tables))
    return tables


def _store(cache: Path, data: bytes) -> None:
    tmp = cache.with_name(f".{cache.name}.{os.getpid()}")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, cache)  # readers see the old file or the new one
    except OSError:  # a cache that cannot be written: analysed again next time
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
