"""Reading the base side: a report.json, or a directory of artifacts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ci.report.baseline import load_baseline
from ci.report.model import Outcome
from ci.report.parse.coverage import parse_coverage

DATA = Path(__file__).resolve().parents[2] / "data"
BENCH = DATA / "benchmark" / "pytest-benchmark-5.3.1.json"
COVERAGE_JSON = DATA / "coverage" / "json" / "sample.json"

JUNIT = (
    '<testsuite name="s">'
    '<testcase classname="m" name="ok"/>'
    '<testcase classname="m" name="bad"><failure message="x"/></testcase>'
    '<testcase classname="m" name="skip"><skipped/></testcase>'
    "</testsuite>"
)


def _report_json(path: Path, **extra: object) -> Path:
    document = {
        "schema": "noxci.report/1",
        "tests": {"failing": ["m::bad"], "skipped_tests": ["m::skip"]},
        "coverage": {"percent": 87.5, "files": {"a.py": [7, 8], "bad.py": ["x", 1]}},
        "benchmarks": [
            {"name": "t.py::test_x", "runs": [[0.5, 1.0, 1.5], [2.0, "no", -1]]},
            {"name": "t.py::test_y", "runs": [[3.0]]},
            "junk",
        ],
        "run": {"commit": "abc123"},
        **extra,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class TestReportJson:
    def test_reads_what_a_later_report_needs(self, tmp_path: Path) -> None:
        """Failing and skipped ids, coverage per file, benchmark runs from quantiles, commit."""
        baseline, statuses = load_baseline(_report_json(tmp_path / "r.json"), project=tmp_path)
        assert [s.error for s in statuses] == [None]
        assert baseline is not None
        assert dict(baseline.outcomes) == {"m::bad": Outcome.FAILED, "m::skip": Outcome.SKIPPED}
        assert baseline.tests_complete is False
        assert baseline.coverage_percent == 87.5
        assert dict(baseline.coverage_files) == {"a.py": (7, 8)}
        assert baseline.commit == "abc123"
        runs = baseline.benchmark_runs
        assert [[(b.fullname, b.data) for b in run.benchmarks] for run in runs] == [
            [("t.py::test_x", (0.5, 1.0, 1.5)), ("t.py::test_y", (3.0,))],
            [("t.py::test_x", (2.0,))],
        ]
        assert runs[0].benchmarks[0].stats.median == 1.0

    def test_not_a_report(self, tmp_path: Path) -> None:
        """Another JSON file is refused in one line that says what to give instead."""
        path = tmp_path / "other.json"
        path.write_text('{"schema": "x"}', encoding="utf-8")
        baseline, statuses = load_baseline(path, project=tmp_path)
        assert baseline is None
        assert statuses[0].error == (
            f"baseline {path}: not a noxci report.json (schema noxci.report/1); give a "
            "report.json written by `noxci report`, or a directory of base artifacts"
        )

    def test_missing_path(self, tmp_path: Path) -> None:
        """A baseline that is not there: one line, no baseline."""
        baseline, statuses = load_baseline(tmp_path / "nope", project=tmp_path)
        assert baseline is None
        assert statuses[0].error == (
            f"baseline {tmp_path / 'nope'}: no such file or directory; give a report.json "
            "written by `noxci report`, or a directory of base artifacts"
        )

    def test_lenient_on_odd_sections(self, tmp_path: Path) -> None:
        """Sections of the wrong type read as empty, not as a crash."""
        path = _report_json(tmp_path / "r.json", tests=[1], coverage="x", benchmarks={}, run=3)
        baseline, _ = load_baseline(path, project=tmp_path)
        assert baseline is not None
        assert (dict(baseline.outcomes), baseline.coverage_percent) == ({}, None)
        assert (baseline.benchmark_runs, baseline.commit) == ((), None)


class TestDirectory:
    def test_artifacts(self, tmp_path: Path) -> None:
        """JUnit gives every test's outcome; coverage JSON the figures; each benchmark JSON a run."""
        (tmp_path / "junit").mkdir()
        (tmp_path / "junit" / "unit.xml").write_text(JUNIT, encoding="utf-8")
        shutil.copy(COVERAGE_JSON, tmp_path / "coverage.json")
        shutil.copy(BENCH, tmp_path / "run-1.json")
        shutil.copy(BENCH, tmp_path / "run-2.json")
        baseline, statuses = load_baseline(tmp_path, project=tmp_path)
        assert [s.error for s in statuses] == [None, None, None, None]
        assert baseline is not None
        assert dict(baseline.outcomes) == {
            "m::ok": Outcome.PASSED,
            "m::bad": Outcome.FAILED,
            "m::skip": Outcome.SKIPPED,
        }
        assert baseline.tests_complete is True
        expected = parse_coverage([COVERAGE_JSON])
        assert baseline.coverage_percent == expected.percent
        assert len(baseline.benchmark_runs) == 2
        assert baseline.commit == "unversioned"

    def test_report_json_fills_coverage(self, tmp_path: Path) -> None:
        """Beside JUnit only, the report.json at the top gives coverage and its commit."""
        (tmp_path / "unit.xml").write_text(JUNIT, encoding="utf-8")
        _report_json(tmp_path / "report.json")
        baseline, statuses = load_baseline(tmp_path, project=tmp_path)
        assert [Path(s.path).name for s in statuses] == ["unit.xml", "report.json"]
        assert baseline is not None
        assert baseline.tests_complete is True
        assert len(baseline.outcomes) == 3
        assert (baseline.coverage_percent, baseline.commit) == (87.5, "abc123")
        assert len(baseline.benchmark_runs) == 2

    def test_bad_files_are_reported_and_the_rest_used(self, tmp_path: Path) -> None:
        """A truncated JUnit file and a broken report.json each give one line; JSON still counts."""
        (tmp_path / "unit.xml").write_text(JUNIT[:40], encoding="utf-8")
        (tmp_path / "report.json").write_text("{", encoding="utf-8")
        shutil.copy(BENCH, tmp_path / "run-1.json")
        baseline, statuses = load_baseline(tmp_path, project=tmp_path)
        errors = [s.error for s in statuses if s.error]
        assert len(errors) == 2
        assert errors[0].startswith(f"{tmp_path / 'unit.xml'}: ")
        assert errors[1].startswith(f"{tmp_path / 'report.json'}: ")
        assert baseline is not None
        assert len(baseline.benchmark_runs) == 1
        assert baseline.tests_complete is False

    def test_empty_directory_is_no_baseline(self, tmp_path: Path) -> None:
        """Nothing to compare with: no baseline, no error."""
        assert load_baseline(tmp_path, project=tmp_path) == (None, [])
