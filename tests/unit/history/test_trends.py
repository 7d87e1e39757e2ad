"""Trends from the store: benchmark statistics and coverage totals over runs, oldest first."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ci.history import benchmark_history, coverage_history, record_run, with_history
from ci.report.model import BenchmarkComparison, BenchmarkRun
from tests.unit.history._reports import bench_file, bench_run, coverage, make_report


def _record(path: Path, branch: str, runs: list[BenchmarkRun], covered: int | None = None) -> None:
    cover = None if covered is None else coverage(a=(covered, 10))
    report = make_report({}, cover=cover, benchmarks=runs)
    record_run(path, report, commit=None, branch=branch, outcomes={}, env={})


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Four runs: main 1, 2 (two files), topic, main 3 (no `y`)."""
    path = tmp_path / "h.sqlite"
    _record(path, "main", [bench_run(x=[1.0, 2.0, 9.0], y=[5.0])], covered=5)
    _record(path, "main", [bench_run(x=[2.0]), bench_run(x=[8.0])], covered=6)
    _record(path, "topic", [bench_run(x=[100.0], y=[7.0])])
    _record(path, "main", [bench_run(x=[3.0, 4.0])], covered=8)
    return path


class TestBenchmarkHistory:
    def test_median_per_run_oldest_first(self, store: Path) -> None:
        """Each run gives one value: its files' statistic, geometric mean over files."""
        found = benchmark_history(store, ["b.py::x", "b.py::y", "b.py::unknown"])
        assert found == {"b.py::x": (2.0, 4.0, 100.0, 3.5), "b.py::y": (5.0, 7.0)}

    def test_other_statistic_branch_and_limit(self, store: Path) -> None:
        """`min` of main's runs, the last two only."""
        found = benchmark_history(store, ["b.py::x"], statistic="min", branch="main", limit=2)
        assert found == {"b.py::x": (4.0, 3.0)}

    def test_mean_column(self, store: Path) -> None:
        """The mean is stored too."""
        assert benchmark_history(store, ["b.py::y"], statistic="mean", branch="topic") == {
            "b.py::y": (7.0,)
        }

    def test_no_store_no_history(self, tmp_path: Path) -> None:
        """Without a store there is nothing to show."""
        assert benchmark_history(tmp_path / "none.sqlite", ["b.py::x"]) == {}
        assert coverage_history(tmp_path / "none.sqlite") == ()

    def test_zero_values_are_averaged_plainly(self, tmp_path: Path) -> None:
        """A zero statistic has no logarithm: the run's value is the plain mean."""
        path = tmp_path / "h.sqlite"
        _record(path, "main", [bench_run(z=[0.0]), bench_run(z=[4.0])])
        assert benchmark_history(path, ["b.py::z"]) == {"b.py::z": (2.0,)}

    def test_many_names_are_queried_in_chunks(self, tmp_path: Path) -> None:
        """More names than one query takes still find every benchmark."""
        path = tmp_path / "h.sqlite"
        _record(path, "main", [bench_file({f"n{i}": [float(i + 1)] for i in range(1200)})])
        found = benchmark_history(path, [f"b.py::n{i}" for i in range(1200)])
        assert (len(found), found["b.py::n1199"]) == (1200, (1200.0,))

    def test_geometric_mean_of_files(self, store: Path) -> None:
        """Two files of 2 s and 8 s give 4 s, not 5 s."""
        assert math.isclose(benchmark_history(store, ["b.py::x"], branch="main")["b.py::x"][1], 4.0)


class TestCoverageHistory:
    def test_totals_oldest_first(self, store: Path) -> None:
        """Runs with coverage give their total; a run without is skipped."""
        assert coverage_history(store) == (50.0, 60.0, 80.0)
        assert coverage_history(store, branch="main", limit=2) == (60.0, 80.0)
        assert coverage_history(store, branch="topic") == ()


class TestWithHistory:
    def test_each_comparison_in_its_statistic(self, store: Path) -> None:
        """Comparisons get their history in their own statistic; unknown ones keep theirs."""
        comparisons = [
            BenchmarkComparison(name="b.py::x", statistic="min"),
            BenchmarkComparison(name="b.py::y"),
            BenchmarkComparison(name="b.py::new", history=(9.0,)),
        ]
        filled = with_history(comparisons, store, branch="main")
        assert [c.history for c in filled] == [(1.0, 4.0, 3.0), (5.0,), (9.0,)]
