"""The pipeline's history steps: each returns its result, or the store's problem as one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci.config import Settings
from ci.history import GitFacts, stored_durations
from ci.history.steps import (
    baseline_ref,
    coverage_trend,
    known_flaky,
    store_run,
    stored_baseline,
    trends,
)
from ci.report.model import BenchmarkComparison
from tests.unit.history._reports import bench_run, coverage, make_report, outcomes_of

MAIN = GitFacts(commit="c1", branch="main")
PROBLEM = "history {}: not a usable results store (file is not a database); delete it"


@pytest.fixture
def corrupt(tmp_path: Path) -> Path:
    """A store that is not SQLite."""
    path = tmp_path / "h.sqlite"
    path.write_text("x" * 5000, encoding="utf-8")
    return path


class TestSteps:
    def test_store_then_compare_and_trend(self, tmp_path: Path) -> None:
        """A stored run of main is the next commit's baseline and the start of its trend."""
        path = tmp_path / "h.sqlite"
        report = make_report(outcomes_of(b="failed"), benchmarks=[bench_run(x=[2.0])])
        ids = {"t::a", "t::b"}
        assert store_run(report, path, facts=MAIN, ids=ids, env={}) is None
        baseline, problem = stored_baseline(Settings(), path, GitFacts(commit="c2"))
        assert problem is None
        assert baseline is not None
        assert dict(baseline.outcomes) == outcomes_of(a="passed", b="failed")
        found, problem = trends([BenchmarkComparison(name="b.py::x")], Settings(), path)
        assert (found[0].history, problem) == ((2.0,), None)

    def test_known_flaky_failures(self, tmp_path: Path) -> None:
        """A test failing now that passed on this commit before is known to be flaky."""
        path = tmp_path / "h.sqlite"
        store_run(make_report({}), path, facts=MAIN, ids={"t::a", "t::b"}, env={})
        now = make_report(outcomes_of(a="failed", c="error")).tests
        assert known_flaky(now, path, MAIN) == (("t::a",), None)
        assert known_flaky(now, path, MAIN, failed=True) == ((), None)
        assert known_flaky(make_report({}).tests, path, MAIN) == ((), None)

    def test_baseline_ref_setting(self, tmp_path: Path) -> None:
        """baseline-ref chooses the branch; without it, main."""
        path = tmp_path / "h.sqlite"
        store_run(make_report({}), path, facts=MAIN, ids=set(), env={})
        assert (baseline_ref(Settings()), baseline_ref(Settings(baseline_ref="dev"))) == (
            "main",
            "dev",
        )
        assert stored_baseline(Settings(baseline_ref="dev"), path, GitFacts()) == (None, None)

    def test_problems_are_returned_not_raised(self, corrupt: Path) -> None:
        """A bad store gives each step's problem line; nothing raises."""
        _, problem = stored_baseline(Settings(), corrupt, MAIN)
        comparisons = (BenchmarkComparison(name="b.py::x"),)
        same, trend_problem = trends(comparisons, Settings(), corrupt)
        stored = store_run(make_report({}), corrupt, facts=MAIN, ids=None, env={})
        flaky, flaky_problem = known_flaky(
            make_report(outcomes_of(a="failed")).tests, corrupt, MAIN
        )
        assert (same, flaky) == (comparisons, ())
        for line in (problem, trend_problem, stored, flaky_problem):
            assert str(line).startswith(PROBLEM.format(corrupt))

    def test_later_steps_skip_after_a_failure(self, corrupt: Path) -> None:
        """Once a step failed the later ones do nothing, so the problem is told once."""
        comparisons = [BenchmarkComparison(name="b.py::x")]
        assert trends(comparisons, Settings(), corrupt, failed=True) == (tuple(comparisons), None)
        assert trends([], Settings(), corrupt) == ((), None)
        report = make_report({})
        assert store_run(report, corrupt, facts=MAIN, ids=None, env={}, failed=True) is None


class TestCoverageTrend:
    def test_earlier_totals_of_the_baseline_ref(self, tmp_path: Path) -> None:
        """The totals of baseline-ref's stored runs, oldest first; other branches left out."""
        path = tmp_path / "h.sqlite"
        for branch, covered in (("main", 5), ("topic", 9), ("main", 6), ("dev", 7)):
            report = make_report({}, cover=coverage(a=(covered, 10)))
            store_run(report, path, facts=GitFacts(branch=branch), ids=set(), env={})
        now = coverage(a=(8, 10))
        assert coverage_trend(now, Settings(), path) == ((50.0, 60.0), None)
        assert coverage_trend(now, Settings(baseline_ref="dev"), path) == ((70.0,), None)

    def test_nothing_without_coverage_or_after_a_failure(self, corrupt: Path) -> None:
        """No total now, or an earlier step's failure: no trend and no second problem."""
        assert coverage_trend(None, Settings(), corrupt) == ((), None)
        assert coverage_trend(coverage(a=(1, 2)), Settings(), corrupt, failed=True) == ((), None)

    def test_a_bad_store_is_a_problem_line(self, corrupt: Path) -> None:
        """A store that is not SQLite: no trend, its one-line problem."""
        found, problem = coverage_trend(coverage(a=(1, 2)), Settings(), corrupt)
        assert found == ()
        assert str(problem).startswith(PROBLEM.format(corrupt))


class TestStoreRunDurations:
    def test_every_test_is_stored_with_its_duration(self, tmp_path: Path) -> None:
        """The JUnit reader's durations of every test go into the store, to balance shards."""
        report = make_report(outcomes_of(b="failed"))
        path = tmp_path / "h.sqlite"
        durations = {"t::a": 1.25, "t::b": 3.0}
        assert (
            store_run(report, path, facts=MAIN, ids=set(durations), env={}, durations=durations)
            is None
        )
        assert stored_durations(path) == {"t::a": 1.25, "t::b": 3.0}

    def test_without_ids_only_the_kept_cases_are_timed(self, tmp_path: Path) -> None:
        """Without every test's id only the report's own cases are stored, with their times."""
        report = make_report(outcomes_of(b="failed"))
        path = tmp_path / "h.sqlite"
        assert store_run(report, path, facts=MAIN, ids=None, env={}) is None
        assert stored_durations(path) == {"t::b": 0.5}
