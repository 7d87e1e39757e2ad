"""Numbers as the views show them: times, changes, line ranges, benchmark order."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci.report.model import BenchmarkComparison, Counts, Report, TestsResult, Verdict
from ci.report.parse.benchmark import parse_benchmark
from ci.report.render._format import (
    change,
    comparisons,
    line_ranges,
    number,
    points,
    seconds,
    signed,
    time_unit,
)

DATA = Path(__file__).parents[3] / "data" / "benchmark" / "pytest-benchmark-5.3.1.json"


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (17.44, "17.4"),
            (0.012345, "0.0123"),
            (1e-5, "0.00001"),
            (1234.5, "1234"),
            (0.0, "0"),
            (17.0, "17"),
            (-2.5, "-2.5"),
        ],
    )
    def test_number(self, value: float, expected: str) -> None:
        """Three significant digits, never an exponent, no trailing zeros."""
        assert number(value) == expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (1.5, "1.5 s"),
            (0.00231, "2.31 ms"),
            (1.74e-5, "17.4 µs"),
            (7.01e-7, "701 ns"),
            (1e-12, "0.001 ns"),
            (None, "—"),
        ],
    )
    def test_seconds(self, value: float | None, expected: str) -> None:
        """Seconds in the unit that gives 1 to 3 digits before the point."""
        assert seconds(value) == expected

    def test_time_unit_and_points(self) -> None:
        """A chart's values share the unit of their largest value."""
        scale, unit = time_unit(1.6e-5)
        assert (unit, points([1.2e-5, 1.6e-5, 9e-7], scale)) == ("µs", "12, 16, 0.9")

    def test_signed(self) -> None:
        """A change always carries its sign."""
        assert (signed(1.25), signed(-0.4, " pp", 2), signed(0.0)) == ("+1.2%", "-0.40 pp", "+0.0%")


class TestChange:
    def test_with_interval(self) -> None:
        """The change and where the true change lies."""
        found = BenchmarkComparison(name="b", change=31.0, low=25.2, high=37.1)
        assert change(found) == "+31.0% (+25.2% to +37.1%)"

    def test_without_interval_or_change(self) -> None:
        """No interval: the change alone; no change at all: a dash."""
        assert (
            change(BenchmarkComparison(name="b", change=-3.0)),
            change(BenchmarkComparison(name="b")),
        ) == (
            "-3.0%",
            "—",
        )


class TestLineRanges:
    def test_ranges(self) -> None:
        """Consecutive lines join into en-dash ranges, in order, duplicates once."""
        assert line_ranges([20, 10, 11, 12, 13, 14, 14, 30]) == "10\u201314, 20, 30"

    def test_limit(self) -> None:
        """Past the limit, the number of ranges left out."""
        assert line_ranges([1, 3, 5, 7], limit=2) == "1, 3, … 2 more ranges"

    def test_empty(self) -> None:
        """No lines: nothing to say."""
        assert line_ranges([]) == ""


class TestComparisons:
    def test_regressions_first(self) -> None:
        """Regressions, then improvements, then missing, new and unchanged ones."""
        verdicts = [
            Verdict.UNCHANGED,
            Verdict.NEW,
            Verdict.IMPROVED,
            Verdict.MISSING,
            Verdict.REGRESSED,
        ]
        report = Report(
            inputs=(),
            tests=TestsResult(),
            coverage=None,
            benchmarks=(),
            gates=(),
            comparisons=tuple(BenchmarkComparison(name=v.value, verdict=v) for v in verdicts),
        )
        assert [c.name for c in comparisons(report)] == [
            "regressed",
            "improved",
            "missing",
            "new",
            "unchanged",
        ]

    def test_runs_without_comparisons(self) -> None:
        """Without comparisons, the head's benchmarks are shown as new, by their median."""
        run = parse_benchmark(DATA)
        report = Report(
            inputs=(),
            tests=TestsResult(counts=Counts()),
            coverage=None,
            benchmarks=(run,),
            gates=(),
        )
        found = comparisons(report)
        assert [(c.name, c.head, c.verdict) for c in found] == [
            (b.fullname, b.stats.median, Verdict.NEW) for b in run.benchmarks
        ]
