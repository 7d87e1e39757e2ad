"""Quantiles that keep a run's rounds small, and summary statistics computed from rounds."""

from __future__ import annotations

import pytest

from ci.report.samples import quantiles, stats_of


class TestQuantiles:
    def test_short_data_is_kept_sorted(self) -> None:
        """Up to ``count`` values come back whole, sorted."""
        assert quantiles([3.0, 1.0, 2.0], count=5) == [1.0, 2.0, 3.0]

    def test_evenly_spaced_with_interpolation(self) -> None:
        """Five quantiles of 0..8 are the minimum, quartiles, median and maximum."""
        assert quantiles([float(x) for x in range(9)], count=5) == [0.0, 2.0, 4.0, 6.0, 8.0]
        assert quantiles([0.0, 1.0, 2.0, 3.0], count=3) == [0.0, 1.5, 3.0]

    def test_default_keeps_101_points(self) -> None:
        """A long run shrinks to 101 points with its minimum, median and maximum intact."""
        data = [float(x) for x in range(1001)]
        kept = quantiles(data)
        assert (len(kept), kept[0], kept[50], kept[100]) == (101, 0.0, 500.0, 1000.0)


class TestStatsOf:
    def test_pytest_benchmark_fields(self) -> None:
        """Min, max, mean, median, quartiles, fences and outliers of a small sample."""
        stats = stats_of([1.0, 2.0, 3.0, 4.0, 100.0])
        assert (stats.min, stats.max, stats.median, stats.mean) == (1.0, 100.0, 3.0, 22.0)
        assert (stats.q1, stats.q3, stats.iqr) == (1.5, 52.0, 50.5)
        assert (stats.rounds, stats.iqr_outliers, stats.stddev_outliers) == (5, 0, 1)
        assert stats.outliers == "1;0"
        assert stats.ops == pytest.approx(1 / 22.0)

    def test_one_round(self) -> None:
        """A single round: every statistic is that round, spread zero."""
        stats = stats_of([0.5])
        assert (stats.median, stats.q1, stats.q3, stats.stddev, stats.iqr) == (
            0.5,
            0.5,
            0.5,
            0.0,
            0.0,
        )

    def test_empty_is_refused(self) -> None:
        """No rounds: a ValueError, not a wrong figure."""
        with pytest.raises(ValueError, match="at least one timing"):
            stats_of([])
