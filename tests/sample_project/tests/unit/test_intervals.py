"""Unit tests of Interval and IntervalSet."""

from __future__ import annotations

import pytest

from sampleproj import Interval, IntervalSet


class TestInterval:
    def test_length_counts_integers(self) -> None:
        """[3, 7) holds four integers."""
        assert len(Interval(3, 7)) == 4

    def test_empty_interval_is_refused(self) -> None:
        """An interval whose start is not below its end is an error."""
        with pytest.raises(ValueError, match=r"empty interval \[5, 5\)"):
            Interval(5, 5)

    def test_str_is_half_open_notation(self) -> None:
        """Intervals print as [start, end)."""
        assert str(Interval(-2, 4)) == "[-2, 4)"


class TestIntervalSet:
    def test_overlapping_and_touching_intervals_merge(self) -> None:
        """Overlapping and adjacent pairs become one interval; gaps stay."""
        merged = IntervalSet.of((5, 8), (1, 3), (3, 4), (7, 10), (12, 13))
        assert merged.intervals == (Interval(1, 4), Interval(5, 10), Interval(12, 13))

    def test_size_and_membership(self) -> None:
        """size counts integers; membership is half-open and integers only."""
        numbers = IntervalSet.of((0, 3), (10, 12))
        assert numbers.size() == 5
        assert [x in numbers for x in (0, 2, 3, 10, 12)] == [True, True, False, True, False]
        assert ("1" in numbers) is False

    def test_union(self) -> None:
        """| merges both sets."""
        assert IntervalSet.of((0, 2)) | IntervalSet.of((2, 5), (8, 9)) == IntervalSet.of(
            (0, 5), (8, 9)
        )

    def test_intersection(self) -> None:
        """& keeps the integers in both sets."""
        left = IntervalSet.of((0, 10), (20, 30))
        right = IntervalSet.of((5, 25), (28, 40))
        assert (left & right).intervals == (Interval(5, 10), Interval(20, 25), Interval(28, 30))

    def test_difference(self) -> None:
        """- cuts holes and trims ends."""
        whole = IntervalSet.of((0, 20))
        cuts = IntervalSet.of((-5, 2), (5, 7), (9, 10), (18, 30))
        assert (whole - cuts).intervals == (Interval(2, 5), Interval(7, 9), Interval(10, 18))

    def test_empty_set(self) -> None:
        """The empty set prints as {} and has no intervals."""
        empty = IntervalSet()
        assert (str(empty), len(empty), empty.size()) == ("{}", 0, 0)

    def test_equal_sets_hash_alike(self) -> None:
        """Sets with the same points are equal, hash alike, and differ from other types."""
        assert hash(IntervalSet.of((1, 2), (2, 3))) == hash(IntervalSet.of((1, 3)))
        assert IntervalSet.of((1, 3)) != "[1, 3)"

    def test_repr_round_trips(self) -> None:
        """repr is the constructor call that rebuilds the set."""
        assert repr(IntervalSet.of((4, 6), (1, 2))) == "IntervalSet.of((1, 2), (4, 6))"
        assert list(IntervalSet.of((1, 2))) == [Interval(1, 2)]
