"""`regex matches /pattern/flags`: JavaScript regular expressions, run by Python's ``re``.

The plugin takes the text between the first and the last `/` as the pattern and the rest as
flags, refuses what JavaScript's RegExp refuses, and (since 8.3) refuses patterns that risk
catastrophic backtracking (its safe-regex2 check: a repetition inside a repetition, or more
than 25 repetitions) or longer than 500 characters. What passes is translated where the two
dialects differ: `\\d`, `\\w` and `\\b` are ASCII-only in JavaScript, an unknown escape
such as `\\q` is the letter, `[^]` is any character, `(?<name>…)` is a named group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_PATTERN_LENGTH = 500
MAX_REPETITIONS = 25
_INSTRUCTION = re.compile(r"/(.+)/([^/]*)", re.DOTALL)
_JS_FLAGS = "dgimsuvy"
_KNOWN_ESCAPES = set("dDwWsSbBnrtfv0cxuk123456789")
_ASCII_CLASS = {"d": "0-9", "w": "A-Za-z0-9_"}
_WORD = "[A-Za-z0-9_]"
_ASCII_BOUNDARY = {
    "b": f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))",
    "B": f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))",
}


class RegexError(ValueError):
    """The plugin's reason for refusing a regular expression."""


@dataclass(frozen=True)
class JsRegex:
    source: str  # as JavaScript shows it (RegExp.source): `/` escaped
    flags: str  # as JavaScript orders them (RegExp.flags)
    compiled: re.Pattern[str]

    def matches(self, text: str) -> bool:
        if "y" in self.flags:  # sticky, from lastIndex 0: only a match at the start counts
            return self.compiled.match(text) is not None
        return self.compiled.search(text) is not None

    def describe(self) -> str:
        """The plugin's explanation of the regex: `'source' with flag 'i'`."""
        flags = {0: "no flags", 1: f"flag '{self.flags}'"}.get(len(self.flags))
        return f"'{self.source}' with {flags or f'flags {self.flags!r}'}"


def parse_js_regex(text: str) -> JsRegex | None:
    """``/pattern/flags`` as the plugin reads it; None when it is not written so; RegexError
    when JavaScript, or the plugin's safety check, refuses it."""
    match = _INSTRUCTION.fullmatch(text)
    if match is None:
        return None
    pattern, flags = match[1], match[2]
    if (
        any(f not in _JS_FLAGS for f in flags)
        or len(set(flags)) != len(flags)
        or ("u" in flags and "v" in flags)
    ):
        raise RegexError(f"SyntaxError: Invalid flags supplied to RegExp constructor '{flags}'")
    try:
        compiled = re.compile(_to_python(pattern, unicode="u" in flags or "v" in flags),
                              _python_flags(flags))  # fmt: skip
    except re.error as exc:
        raise RegexError(
            f"SyntaxError: Invalid regular expression: /{pattern}/{flags}: {exc}"
        ) from None
    unsafe = safety_problem(pattern)
    if unsafe:
        raise RegexError(f"Error: {unsafe}")
    ordered = "".join(f for f in _JS_FLAGS if f in flags)
    return JsRegex(_js_source(pattern), ordered, compiled)


def _python_flags(flags: str) -> re.RegexFlag:
    found = re.RegexFlag(0)
    for letter, flag in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL)):
        if letter in flags:
            found |= flag
    return found


def _to_python(pattern: str, unicode: bool) -> str:
    """The same regular expression in Python's dialect."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped, i = _escape(pattern, i, in_class, unicode)
            out.append(escaped)
            continue
        if in_class:
            if char == "]":
                in_class = False
            elif char == "[" or (pattern.startswith(char * 2, i) and char in "&~|-"):
                char = "\\" + char  # literal in JavaScript; Python would warn of set operations
            out.append(char)
        elif pattern.startswith("[^]", i):
            out.append(r"[\s\S]")
            i += 3
            continue
        elif pattern.startswith("[]", i):
            out.append("(?!)")  # JavaScript's empty class matches nothing
            i += 2
            continue
        elif char == "[":
            in_class = True
            out.append(char)
        elif pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        elif pattern.startswith("(?", i) and pattern[i + 2 : i + 3] not in (":", "=", "!", "<"):
            raise re.error("Invalid group")  # Python's inline flags, (?P…), (?#…) …
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _escape(pattern: str, i: int, in_class: bool, unicode: bool) -> tuple[str, int]:
    """One JavaScript escape at ``pattern[i]`` in Python's dialect, and where the next begins."""
    if i + 1 >= len(pattern):
        raise re.error("\\ at end of pattern")
    letter = pattern[i + 1]
    if letter in _ASCII_CLASS:
        ascii_class = _ASCII_CLASS[letter]
        return (ascii_class if in_class else f"[{ascii_class}]"), i + 2
    if letter in "DW" and not in_class:
        return f"[^{_ASCII_CLASS[letter.lower()]}]", i + 2
    if letter in "bB" and not in_class:  # between \w and \W: ASCII too (`\bÜber` fails)
        return _ASCII_BOUNDARY[letter], i + 2
    control = pattern[i + 2 : i + 3]
    if letter == "c" and control.isascii() and control.isalpha():
        return re.escape(chr(ord(control) % 32)), i + 3
    if letter == "k" and pattern[i + 2 : i + 3] == "<":
        end = pattern.find(">", i)
        if end > 0:
            return f"(?P={pattern[i + 3 : end]})", end + 1
    if letter == "u" and unicode and pattern[i + 2 : i + 3] == "{":
        end = pattern.find("}", i)
        if end > 0:
            return f"\\U{int(pattern[i + 3 : end], 16):08x}", end + 1
    if letter in "pP" and unicode:
        raise re.error("Unicode property escapes (\\p{…}) are not supported by tasksync")
    if letter == "0" and not pattern[i + 2 : i + 3].isdigit():
        return "\\x00", i + 2
    if letter.isascii() and letter.isalnum() and letter not in _KNOWN_ESCAPES:
        if unicode:
            raise re.error("Invalid escape")
        return letter, i + 2  # JavaScript reads an unknown escape as the letter itself
    return pattern[i : i + 2], i + 2


def _js_source(pattern: str) -> str:
    """RegExp.source: the pattern with every unescaped `/` outside a class escaped."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            char = "\\/"
        out.append(char)
        i += 1
    return "".join(out)


# -- the plugin's safety check (safe-regex2, which walks the pattern as `ret` parses it) ----


@dataclass
class _Group:
    alternatives: list[list[_Node]] = field(default_factory=lambda: [[]])


@dataclass
class _Repeat:
    body: _Node


_Node = _Group | _Repeat | str


def safety_problem(pattern: str) -> str | None:
    """The plugin's reason for refusing a pattern as unsafe, or None."""
    length = len(pattern.encode("utf-16-le")) // 2  # JavaScript counts UTF-16 units
    if length > MAX_PATTERN_LENGTH:
        return (f"Regular expression pattern is too long ({length} characters, "
                f"maximum {MAX_PATTERN_LENGTH}).")  # fmt: skip
    try:
        safe = _is_safe(_structure(pattern))
    except ValueError:
        safe = False  # safe-regex2 calls what it cannot parse unsafe
    if safe:
        return None
    return (f"Regular expression /{pattern}/ may cause performance problems "
            "(possible catastrophic backtracking detected).")  # fmt: skip


def _structure(pattern: str) -> _Group:
    """Groups, alternatives and repetitions: all the safety check looks at."""
    stack = [_Group()]
    i = 0
    while i < len(pattern):
        char = pattern[i]
        items = stack[-1].alternatives[-1]
        if char == "\\":
            items.append(pattern[i : i + 2])
            i += 2
        elif char == "[":
            end = _class_end(pattern, i)
            items.append(pattern[i:end])
            i = end
        elif char == "(":
            group = _Group()
            items.append(group)
            stack.append(group)
            if pattern.startswith(("(?<=", "(?<!"), i):
                i += 4
            elif pattern.startswith(("(?:", "(?=", "(?!"), i):
                i += 3
            elif pattern.startswith("(?<", i):  # a named group
                i = pattern.index(">", i) + 1
            else:
                i += 1
        elif char == ")":
            if len(stack) == 1:
                raise ValueError("unmatched )")
            stack.pop()
            i += 1
        elif char == "|":
            stack[-1].alternatives.append([])
            i += 1
        elif char in "*+?" or (char == "{" and re.match(r"\{[0-9]+(,[0-9]*)?\}", pattern[i:])):
            if not items or isinstance(items[-1], _Repeat):
                if char == "?" and items and isinstance(items[-1], _Repeat):
                    i += 1  # a lazy quantifier
                    continue
                raise ValueError("nothing to repeat")
            items[-1] = _Repeat(items[-1])
            i = pattern.index("}", i) + 1 if char == "{" else i + 1
        else:
            items.append(char)
            i += 1
    if len(stack) != 1:
        raise ValueError("unterminated group")
    return stack[0]


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i + 1
        i += 1
    raise ValueError("unterminated class")


def _is_safe(root: _Group) -> bool:
    repetitions = 0

    def walk(node: _Node, height: int) -> bool:
        nonlocal repetitions
        if isinstance(node, _Repeat):
            height += 1
            repetitions += 1
            if height > 1 or repetitions > MAX_REPETITIONS:
                return False
            body = node.body
            # safe-regex2 looks inside a repeated group only when it has no alternatives
            if isinstance(body, _Group) and len(body.alternatives) == 1:
                return all(walk(item, height) for item in body.alternatives[0])
            return True
        if isinstance(node, _Group):
            return all(walk(item, height) for alt in node.alternatives for item in alt)
        return True

    return walk(root, 0)
