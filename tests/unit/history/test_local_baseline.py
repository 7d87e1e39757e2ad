"""A stored run as a local report's baseline: which run is chosen, and what it holds."""

from __future__ import annotations

from pathlib import Path

from ci.history import branch_name, local_baseline, record_run
from ci.history.baseline import run_label
from ci.report.evaluate.benchmarks import BenchmarkPolicy, compare_benchmarks
from ci.report.model import Verdict
from tests.unit.history._reports import bench_run, coverage, make_report, outcomes_of


def _record(path: Path, *, commit: str | None, branch: str | None, time: str, **tests: str) -> int:
    outcomes = outcomes_of(**tests)
    report = make_report(
        outcomes,
        time=time,
        cover=coverage(a=(3, 4)),
        benchmarks=[bench_run(x=[1.0, 2.0, 3.0]), bench_run(x=[2.0, 3.0, 4.0])],
    )
    return record_run(path, report, commit=commit, branch=branch, outcomes=outcomes, env={})


class TestLocalBaseline:
    def test_newest_run_of_the_ref_not_of_this_commit(self, tmp_path: Path) -> None:
        """The newest main run of another commit is chosen, and its source says which."""
        path = tmp_path / "h.sqlite"
        _record(path, commit="1111111aaa", branch="main", time="2026-11-19T08:00:00Z", a="failed")
        _record(path, commit="2222222bbb", branch="main", time="2026-11-20T10:00:59Z", a="passed")
        _record(path, commit="3333333ccc", branch="topic", time="2026-11-21T10:00:00Z", a="error")
        _record(path, commit="4444444ddd", branch="main", time="2026-11-22T10:00:00Z", a="skipped")
        baseline = local_baseline(path, ref="main", exclude_commit="4444444ddd")
        assert baseline is not None
        assert baseline.source == "history run 2 (main @ 2222222, 2026-11-20T10:00Z)"
        assert baseline.commit == "2222222bbb"
        assert dict(baseline.outcomes) == outcomes_of(a="passed")
        assert baseline.tests_complete is True

    def test_without_exclusion_the_newest_run(self, tmp_path: Path) -> None:
        """With no current commit known, the newest run of the ref is the baseline."""
        path = tmp_path / "h.sqlite"
        _record(path, commit=None, branch="main", time="2026-11-19T08:00:00Z", a="failed")
        _record(path, commit="c2", branch="main", time="2026-11-20T08:00:00Z", a="passed")
        baseline = local_baseline(path, ref="refs/heads/main", exclude_commit=None)
        assert baseline is not None
        assert baseline.source == "history run 2 (main @ c2, 2026-11-20T08:00Z)"

    def test_run_without_commit_is_kept_when_excluding(self, tmp_path: Path) -> None:
        """A run whose commit is unknown is still a candidate when another commit is excluded."""
        path = tmp_path / "h.sqlite"
        _record(path, commit=None, branch="main", time="2026-11-19T08:00:00Z", a="failed")
        baseline = local_baseline(path, ref="main", exclude_commit="abc")
        assert baseline is not None
        assert (baseline.source, baseline.commit) == (
            "history run 1 (main, 2026-11-19T08:00Z)",
            None,
        )

    def test_no_run_of_the_ref(self, tmp_path: Path) -> None:
        """A store holding only other branches, or only this commit, gives no baseline."""
        path = tmp_path / "h.sqlite"
        _record(path, commit="c1", branch="topic", time="2026-11-19T08:00:00Z", a="failed")
        _record(path, commit="c2", branch="main", time="2026-11-19T09:00:00Z", a="failed")
        assert local_baseline(path, ref="develop", exclude_commit=None) is None
        assert local_baseline(path, ref="main", exclude_commit="c2") is None

    def test_coverage_and_benchmarks_come_back(self, tmp_path: Path) -> None:
        """Coverage per file and each benchmark file's rounds are restored for verdicts."""
        path = tmp_path / "h.sqlite"
        _record(path, commit="c1", branch="main", time="2026-11-19T08:00:00Z", a="passed")
        baseline = local_baseline(path, ref="main", exclude_commit=None)
        assert baseline is not None
        assert (baseline.coverage_percent, dict(baseline.coverage_files)) == (
            75.0,
            {"a.py": (3, 4)},
        )
        runs = baseline.benchmark_runs
        assert [run.path.name for run in runs] == [
            "history run 1 (main @ c1, 2026-11-19T08:00Z)#run-1",
            "history run 1 (main @ c1, 2026-11-19T08:00Z)#run-2",
        ]
        assert [b.data for run in runs for b in run.benchmarks] == [
            (1.0, 2.0, 3.0),
            (2.0, 3.0, 4.0),
        ]
        assert [(b.name, b.fullname, b.stats.median) for b in runs[1].benchmarks] == [
            ("x", "b.py::x", 3.0)
        ]
        assert (runs[0].machine_info.node, runs[0].commit_info.id) == ("box", "c1")

    def test_stored_runs_compare_like_the_originals(self, tmp_path: Path) -> None:
        """The same runs as head and as stored baseline compare as unchanged."""
        path = tmp_path / "h.sqlite"
        _record(path, commit="c1", branch="main", time="2026-11-19T08:00:00Z", a="passed")
        baseline = local_baseline(path, ref="main", exclude_commit=None)
        assert baseline is not None
        head = [bench_run(x=[1.0, 2.0, 3.0]), bench_run(x=[2.0, 3.0, 4.0])]
        (comparison,) = compare_benchmarks(head, list(baseline.benchmark_runs), BenchmarkPolicy())
        assert (comparison.verdict, comparison.change) == (Verdict.UNCHANGED, 0.0)


class TestNames:
    def test_branch_name_of_refs(self) -> None:
        """Full refs and origin's remote branches name the branch itself."""
        names = [
            branch_name(r)
            for r in ("refs/heads/main", "origin/main", "main", "refs/remotes/origin/x")
        ]
        assert names == ["main", "main", "main", "x"]

    def test_run_label_of_an_odd_time(self) -> None:
        """A time shorter than minutes is shown as stored; no branch or commit, no '@'."""
        assert run_label(3, branch=None, commit=None, time="today") == "history run 3 (today)"
