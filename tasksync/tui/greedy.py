"""Greedy matching over ranked edges, redone only as far as a change reaches.

Greedy matching walks the edges in order and takes each whose two ends are both free. When a
few members change (an accepted task leaves, an undone one comes back), an edge is decided as
before unless one of its ends has a history that differs from the last walk's: so the walk
follows only the changed members' edges, in order, and takes in each member whose history
first differs there (its own edges from that point on). The rest of the matching is kept.
Accepting one task of 10,000 then looks at tens of edges, not the 35,000 a note may hold."""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterable, Mapping
from heapq import heappop, heappush

from tasksync.read.records import Record

Ranked = list[tuple[float, int, int, str, str]]  # (-score, line, line, id, id), greedy order
Members = Mapping[str, Record]

# A change of more members than this share of them walks every edge again.
WHOLE_WALK_SHARE = 8


def allowed(members: Members, a: str, b: str) -> bool:
    """Whether the edge may be taken: both tasks are members, not due on different days."""
    first, second = members.get(a), members.get(b)
    if first is None or second is None:
        return False
    return not (first["due"] and second["due"] and first["due"] != second["due"])


class Greedy:
    """The greedy matching of ``ranked`` among some members, kept for the next change."""

    def __init__(self, ranked: Ranked) -> None:
        self.ranked = ranked
        self._adjacency: dict[str, list[int]] = {}  # id -> its edges' positions, ascending
        for position, (_score, _line, _other, a, b) in enumerate(ranked):
            self._adjacency.setdefault(a, []).append(position)
            self._adjacency.setdefault(b, []).append(position)
        self._mate_at: dict[str, int] = {}  # a matched id -> its edge's position
        self._taken: list[int] = []  # the matched edges' positions, ascending

    def pairs(self) -> list[tuple[str, str]]:
        """The matched pairs in greedy order (each pair's ids in the ranked edge's order)."""
        ranked = self.ranked
        return [(ranked[p][3], ranked[p][4]) for p in self._taken]

    def walk(self, members: Members) -> None:
        """Match from scratch."""
        mate_at: dict[str, int] = {}
        taken = []
        for position, (_score, _line, _other, a, b) in enumerate(self.ranked):
            if a in mate_at or b in mate_at or not allowed(members, a, b):
                continue
            mate_at[a] = mate_at[b] = position
            taken.append(position)
        self._mate_at, self._taken = mate_at, taken

    def update(self, members: Members, changed: Iterable[str]) -> None:
        """Match again after the ``changed`` ids came, left or changed their record."""
        changed = set(changed)
        if len(changed) * WHOLE_WALK_SHARE > max(len(members), 64):
            self.walk(members)
            return
        ranked, adjacency, old = self.ranked, self._adjacency, self._mate_at
        now: dict[str, int | None] = {}  # each id whose history differs: its edge, or free
        heap: list[tuple[int, str, int]] = []  # (position, id, index in its adjacency)

        def join(key: str, state: int | None, after: int) -> None:
            now[key] = state
            positions = adjacency.get(key)
            if positions:
                at = bisect_right(positions, after)
                if at < len(positions):
                    heappush(heap, (positions[at], key, at))

        def free(key: str, position: int) -> bool:
            if key in now:
                return now[key] is None
            return old.get(key, position) >= position  # as in the last walk

        for key in changed:
            join(key, None, -1)
        last = -1
        while heap:
            position, key, at = heappop(heap)
            positions = adjacency[key]
            if at + 1 < len(positions):
                heappush(heap, (positions[at + 1], key, at + 1))
            if position == last:
                continue  # the same edge, reached from its other end
            last = position
            a, b = ranked[position][3], ranked[position][4]
            take = free(a, position) and free(b, position) and allowed(members, a, b)
            took = old.get(a) == position
            for end in (a, b):
                if take != took and end not in now:
                    join(end, position if take else None, position)
                elif take and end in now:
                    now[end] = position
        self._settle(now)

    def _settle(self, now: Mapping[str, int | None]) -> None:
        old = self._mate_at
        gone = {old[key] for key in now if key in old}
        came = {position for position in now.values() if position is not None}
        for key, position in now.items():
            if position is None:
                old.pop(key, None)
            else:
                old[key] = position
        taken = self._taken
        for position in gone - came:
            del taken[bisect_right(taken, position) - 1]
        for position in came - gone:
            insort(taken, position)
