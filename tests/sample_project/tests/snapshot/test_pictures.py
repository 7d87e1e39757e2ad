"""Golden pictures of interval sets (``nox -s snapshot -- --snapshot-update`` refreshes them)."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from sampleproj import IntervalSet, draw

CASES = {
    "empty": IntervalSet(),
    "one": IntervalSet.of((3, 9)),
    "gaps": IntervalSet.of((0, 4), (10, 12), (15, 25)),
    "negative": IntervalSet.of((-8, -3), (-1, 2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_picture(name: str, snapshot: SnapshotAssertion) -> None:
    """The picture of each case over [-10, 30) is unchanged."""
    assert draw(CASES[name], -10, 30) == snapshot


def test_set_algebra_pictures(snapshot: SnapshotAssertion) -> None:
    """Union, intersection and difference of two sets, drawn one under the other."""
    left, right = IntervalSet.of((0, 12), (20, 26)), IntervalSet.of((8, 22))
    pictures = {
        op: draw(value, 0, 30)
        for op, value in (("|", left | right), ("&", left & right), ("-", left - right))
    }
    assert pictures == snapshot
