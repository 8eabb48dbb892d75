"""Owners -> people: `@Alon` and `@Alon Horev` are one person; `@Myself` is me.

People are the vault's person notes (frontmatter `type: person`, with `name` and `aliases`).
An owner resolves to a person by name or alias (any case), else by a first name that only one
person has; the names in the `me` setting resolve to the first of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tasksync.read.records import Record


@dataclass(frozen=True)
class People:
    names: dict[str, str]  # case-folded name or alias -> the person's name
    first_names: dict[str, frozenset[str]]  # case-folded first name -> people's names
    me: tuple[str, ...]

    @classmethod
    def build(cls, persons: Iterable[tuple[str, list[str]]], me: Iterable[str]) -> People:
        names: dict[str, str] = {}
        first: dict[str, set[str]] = defaultdict(set)
        for name, aliases in persons:
            for label in (name, *aliases):
                names.setdefault(label.casefold().lstrip("@"), name)
            first[name.split(" ")[0].casefold()].add(name)
        return cls(names, {k: frozenset(v) for k, v in first.items()}, tuple(me))

    @property
    def me_names(self) -> frozenset[str]:
        """Every spelling that means me, case-folded (the me setting, and their aliases)."""
        spelled = {m.casefold() for m in self.me}
        spelled |= {k for k, v in self.names.items() if v.casefold() in spelled}
        return frozenset(spelled)

    def resolve(self, owner: str | None) -> str | None:
        """The person an owner names (the owner as written when nobody matches)."""
        if not owner:
            return None
        key = owner.casefold().lstrip("@")
        if self.me and key in self.me_names:
            return self.me[0]
        if key in self.names:
            return self.names[key]
        candidates = self.first_names.get(key, frozenset())
        if " " not in key and len(candidates) == 1:
            return next(iter(candidates))
        return owner.lstrip("@")

    def is_me(self, person: str | None) -> bool:
        return person is not None and person.casefold() in self.me_names

    def with_persons(self, records: Iterable[Record]) -> list[Record]:
        """The records, each with its ``person``."""
        out = []
        for record in records:
            record["person"] = self.resolve(record["owner"])
            out.append(record)
        return out
