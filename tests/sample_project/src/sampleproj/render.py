"""Text pictures of interval sets: one character per integer, for logs and snapshots."""

from __future__ import annotations

from sampleproj.intervals import IntervalSet

__all__ = ["draw"]


def draw(intervals: IntervalSet, start: int, end: int) -> str:
    """The integers ``start <= x < end`` as ``#`` (in the set) or ``.``, with an axis below."""
    if start >= end:
        msg = f"cannot draw [{start}, {end}): start must be below end"
        raise ValueError(msg)
    marks = "".join("#" if x in intervals else "." for x in range(start, end))
    axis = "".join("|" if x % 10 == 0 else " " for x in range(start, end))
    return f"{marks}\n{axis.rstrip()}\n{start}..{end}: {intervals}"
