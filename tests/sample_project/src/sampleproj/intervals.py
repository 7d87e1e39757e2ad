"""Half-open integer intervals ``[start, end)`` and immutable, normalized sets of them.

A set is kept as sorted, disjoint, non-touching intervals, so two sets holding the same
points are equal and every operation is a single merge over sorted input.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator

__all__ = ["Interval", "IntervalSet"]


@dataclasses.dataclass(frozen=True, order=True)
class Interval:
    """The integers ``start <= x < end``; never empty."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start >= self.end:
            msg = f"empty interval [{self.start}, {self.end}): start must be below end"
            raise ValueError(msg)

    def __len__(self) -> int:
        return self.end - self.start

    def __str__(self) -> str:
        return f"[{self.start}, {self.end})"


class IntervalSet:
    """An immutable set of integers stored as normalized intervals."""

    __slots__ = ("_items",)

    def __init__(self, intervals: Iterable[Interval] = ()) -> None:
        self._items = _normalize(intervals)

    @classmethod
    def of(cls, *pairs: tuple[int, int]) -> IntervalSet:
        """A set from ``(start, end)`` pairs, which may overlap or touch."""
        return cls(Interval(start, end) for start, end in pairs)

    @property
    def intervals(self) -> tuple[Interval, ...]:
        """The normalized intervals, sorted."""
        return self._items

    def size(self) -> int:
        """How many integers the set holds."""
        return sum(len(item) for item in self._items)

    def __contains__(self, point: object) -> bool:
        if not isinstance(point, int):
            return False
        return any(item.start <= point < item.end for item in self._items)

    def __iter__(self) -> Iterator[Interval]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self._items == other._items

    def __hash__(self) -> int:
        return hash(self._items)

    def __repr__(self) -> str:
        pairs = ", ".join(f"({i.start}, {i.end})" for i in self._items)
        return f"IntervalSet.of({pairs})"

    def __str__(self) -> str:
        return " | ".join(str(item) for item in self._items) or "{}"

    def __or__(self, other: IntervalSet) -> IntervalSet:
        return IntervalSet((*self._items, *other._items))

    def __and__(self, other: IntervalSet) -> IntervalSet:
        found: list[Interval] = []
        mine, theirs = list(self._items), list(other._items)
        i = j = 0
        while i < len(mine) and j < len(theirs):
            start = max(mine[i].start, theirs[j].start)
            end = min(mine[i].end, theirs[j].end)
            if start < end:
                found.append(Interval(start, end))
            if mine[i].end < theirs[j].end:
                i += 1
            else:
                j += 1
        return IntervalSet(found)

    def __sub__(self, other: IntervalSet) -> IntervalSet:
        found: list[Interval] = []
        for item in self._items:
            start = item.start
            for cut in other._items:
                if cut.end <= start or cut.start >= item.end:
                    continue
                if cut.start > start:
                    found.append(Interval(start, cut.start))
                start = max(start, cut.end)
            if start < item.end:
                found.append(Interval(start, item.end))
        return IntervalSet(found)


def _normalize(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sort, then merge every interval that overlaps or touches the previous one."""
    merged: list[Interval] = []
    for item in sorted(intervals):
        if merged and item.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.start, max(last.end, item.end))
        else:
            merged.append(item)
    return tuple(merged)
