"""Recording a report into the store, and pruning a branch to its newest runs."""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from pathlib import Path

import pytest

from ci.history import head_outcomes, prune, record_run
from ci.history.store import writing
from ci.report.model import Outcome, RunInfo
from ci.report.samples import quantiles
from tests.unit.history._reports import bench_file, bench_run, coverage, make_report, outcomes_of


def _rows(path: Path, query: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def _record(path: Path, branch: str | None = "main", commit: str = "abc", **outcomes: str) -> int:
    stored = outcomes_of(**outcomes)
    return record_run(
        path, make_report(stored), commit=commit, branch=branch, outcomes=stored, env={}
    )


def _insert_then_fail(path: Path) -> None:
    with writing(path) as db:
        db.execute("INSERT INTO runs (time, tests_complete) VALUES ('now', 1)")
        msg = "stop"
        raise ValueError(msg)


class TestRecordRun:
    def test_run_metadata(self, tmp_path: Path) -> None:
        """The run row holds commit, branch, time, machine, link, ref and counts."""
        path = tmp_path / "h.sqlite"
        outcomes = outcomes_of(a="passed", b="failed", c="skipped")
        report = make_report(outcomes, cover=coverage(a=(3, 4)))
        env = {"RUNNER_NAME": "runner-7", "GITHUB_REF": "refs/pull/5/merge"}
        run = record_run(path, report, commit="abc1234", branch="pr", outcomes=outcomes, env=env)
        assert run == 1
        assert _rows(path, "SELECT * FROM runs") == [
            (
                1,
                "abc1234",
                "pr",
                "2026-11-20T10:00:00Z",
                "runner-7",
                "https://ci.example/run/1",
                1,
                3,
                1,
                1,
                0,
                1,
                1.5,
                75.0,
                "refs/pull/5/merge",
            )
        ]

    def test_every_outcome_duration_and_flaky_flag(self, tmp_path: Path) -> None:
        """Each test is stored once with its outcome; durations given or from the report."""
        path = tmp_path / "h.sqlite"
        outcomes = outcomes_of(a="passed", b="failed", c="skipped", d="error", e="passed")
        report = make_report(outcomes, flaky=["t::e"])
        record_run(
            path,
            report,
            commit="abc",
            branch="main",
            outcomes=outcomes,
            env={},
            durations={"t::a": 0.25, "t::c": 0.0},
        )
        rows = _rows(
            path,
            "SELECT n.name, t.outcome, t.duration_s, t.flaky FROM tests t"
            " JOIN test_ids n ON n.id = t.test ORDER BY n.name",
        )
        assert rows == [  # outcome codes: 0 passed, 1 failed, 2 error, 3 skipped
            ("t::a", 0, 0.25, 0),
            ("t::b", 1, 0.5, 0),
            ("t::c", 3, 0.0, 0),
            ("t::d", 2, 0.5, 0),
            ("t::e", 0, 0.5, 1),
        ]

    def test_without_ids_only_what_the_report_keeps(self, tmp_path: Path) -> None:
        """Without every outcome the failing, flaky and skipped tests are stored, run incomplete."""
        path = tmp_path / "h.sqlite"
        report = make_report(outcomes_of(a="passed", b="failed", c="skipped"))
        record_run(path, report, commit=None, branch=None, outcomes=None, env={})
        names = _rows(
            path,
            "SELECT n.name, t.outcome FROM tests t JOIN test_ids n ON n.id = t.test ORDER BY 1",
        )
        assert names == [("t::b", 1), ("t::c", 3)]  # failed, skipped
        assert _rows(path, "SELECT tests_complete, coverage_percent FROM runs") == [(0, None)]

    def test_coverage_per_file(self, tmp_path: Path) -> None:
        """Each file's covered and coverable counts are kept."""
        path = tmp_path / "h.sqlite"
        report = make_report({}, cover=coverage(pkg_a=(3, 4), pkg_b=(0, 2)))
        record_run(path, report, commit="c", branch="main", outcomes={}, env={})
        assert _rows(path, "SELECT * FROM coverage ORDER BY file") == [
            (1, "pkg/a.py", 3, 4),
            (1, "pkg/b.py", 0, 2),
        ]

    def test_benchmark_statistics_and_quantiles(self, tmp_path: Path) -> None:
        """Each benchmark of each file keeps median, mean, min and its rounds' quantiles."""
        path = tmp_path / "h.sqlite"
        rounds = [float(x) for x in range(1, 202)]
        runs = [bench_run(fast=[1.0, 2.0, 6.0]), bench_file({"fast": rounds}, node="other")]
        record_run(
            path, make_report({}, benchmarks=runs), commit="c", branch="m", outcomes={}, env={}
        )
        rows = _rows(path, "SELECT idx, name, median, mean, min, quantiles FROM benchmarks")
        assert [row[:5] for row in rows] == [
            (0, "b.py::fast", 2.0, 3.0, 1.0),
            (1, "b.py::fast", 101.0, 101.0, 1.0),
        ]
        assert json.loads(str(rows[0][5])) == [1.0, 2.0, 6.0]
        assert json.loads(str(rows[1][5])) == quantiles(rounds)
        assert len(json.loads(str(rows[1][5]))) == 101
        assert _rows(path, "SELECT idx, node FROM bench_runs") == [(0, "box"), (1, "other")]

    def test_time_now_when_the_report_has_none(self, tmp_path: Path) -> None:
        """A report without a time is stored at the current UTC time, to the second."""
        path = tmp_path / "h.sqlite"
        report = dataclasses.replace(make_report({}), run=RunInfo())
        record_run(path, report, commit=None, branch=None, outcomes={}, env={})
        ((time,),) = _rows(path, "SELECT time FROM runs")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(time))

    def test_failed_write_leaves_nothing(self, tmp_path: Path) -> None:
        """A write transaction that raises is rolled back whole."""
        path = tmp_path / "h.sqlite"
        with pytest.raises(ValueError, match=r"^stop$"):
            _insert_then_fail(path)
        assert _rows(path, "SELECT count(*) FROM runs") == [(0,)]

    def test_test_ids_are_shared_between_runs(self, tmp_path: Path) -> None:
        """A test id is stored once however many runs name it."""
        path = tmp_path / "h.sqlite"
        for commit in ("a", "b", "c"):
            _record(path, commit=commit, x="passed", y="failed")
        assert _rows(path, "SELECT count(*) FROM test_ids") == [(2,)]
        assert _rows(path, "SELECT count(*) FROM tests") == [(6,)]


class TestHeadOutcomes:
    def test_every_id_with_its_outcome(self) -> None:
        """Ids not failing or skipped passed; flaky ones passed too; no ids, no outcomes."""
        report = make_report(outcomes_of(b="failed", c="skipped", d="error"), flaky=["t::e"])
        ids = {"t::a", "t::b", "t::c", "t::d", "t::e"}
        assert head_outcomes(report.tests, ids) == outcomes_of(
            a="passed", b="failed", c="skipped", d="error", e="passed"
        )
        assert head_outcomes(report.tests, None) is None


class TestPrune:
    def test_keep_newest_runs_of_the_branch(self, tmp_path: Path) -> None:
        """record_run keeps a branch's newest `keep` runs; other branches are untouched."""
        path = tmp_path / "h.sqlite"
        _record(path, branch="feature", commit="f", z="passed")
        for number in range(5):
            stored = {f"t::only{number}": Outcome.PASSED, "t::always": Outcome.FAILED}
            record_run(
                path,
                make_report(stored, cover=coverage(a=(1, 2)), benchmarks=[bench_run(x=[1.0])]),
                commit=str(number),
                branch="main",
                outcomes=stored,
                env={},
                keep=3,
            )
        assert _rows(path, "SELECT id, branch FROM runs ORDER BY id") == [
            (1, "feature"),
            (4, "main"),
            (5, "main"),
            (6, "main"),
        ]
        assert _rows(path, "SELECT name FROM test_ids ORDER BY name") == [
            ("t::always",),
            ("t::only2",),
            ("t::only3",),
            ("t::only4",),
            ("t::z",),
        ]
        assert _rows(path, "SELECT DISTINCT run_id FROM tests ORDER BY 1") == [
            (1,),
            (4,),
            (5,),
            (6,),
        ]
        assert _rows(path, "SELECT DISTINCT run_id FROM coverage ORDER BY 1") == [(4,), (5,), (6,)]
        assert _rows(path, "SELECT run_id FROM benchmarks ORDER BY 1") == [(4,), (5,), (6,)]
        assert _rows(path, "SELECT run_id FROM bench_runs ORDER BY 1") == [(4,), (5,), (6,)]

    def test_prune_on_its_own(self, tmp_path: Path) -> None:
        """prune returns how many runs it deleted; a branch within its limit loses none."""
        path = tmp_path / "h.sqlite"
        for commit in "abcd":
            _record(path, branch=None, commit=commit, a="passed")
        assert prune(path, branch=None, keep=10) == 0
        assert prune(path, branch=None, keep=1) == 3
        assert _rows(path, "SELECT id, commit_sha FROM runs") == [(4, "d")]

    def test_ids_are_never_reused_after_pruning(self, tmp_path: Path) -> None:
        """A new run after pruning gets a fresh id, so 'history run N' stays unambiguous."""
        path = tmp_path / "h.sqlite"
        for commit in "abc":
            _record(path, commit=commit, a="passed")
        prune(path, branch="main", keep=0)
        assert _record(path, commit="d", a="passed") == 4
