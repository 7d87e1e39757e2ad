"""Set-algebra laws, checked against Python's own sets of integers."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from sampleproj import IntervalSet

pairs = st.tuples(st.integers(-50, 50), st.integers(1, 20)).map(lambda p: (p[0], p[0] + p[1]))
interval_sets = st.lists(pairs, max_size=8).map(lambda ps: IntervalSet.of(*ps))


def points(intervals: IntervalSet) -> set[int]:
    """The integers in the set, the slow obvious way."""
    return {x for item in intervals for x in range(item.start, item.end)}


@given(interval_sets)
def test_normalized(intervals: IntervalSet) -> None:
    """Intervals are sorted, disjoint and never touch."""
    items = intervals.intervals
    assert all(a.end < b.start for a, b in itertools.pairwise(items))


@given(interval_sets, interval_sets)
def test_operations_match_python_sets(left: IntervalSet, right: IntervalSet) -> None:
    """|, & and - hold exactly the integers Python's set operations give."""
    assert points(left | right) == points(left) | points(right)
    assert points(left & right) == points(left) & points(right)
    assert points(left - right) == points(left) - points(right)


@given(interval_sets)
def test_size_counts_points(intervals: IntervalSet) -> None:
    """size() is the number of integers held."""
    assert intervals.size() == len(points(intervals))
