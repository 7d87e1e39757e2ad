"""A project that adopts noxci: ``nox`` in ``tests/sample_project`` runs end to end, for real.

Each test copies the sample project to a temporary directory and runs ``python -m nox``
there in a subprocess, with the interpreter that runs these tests (it has nox and noxci).
The nox virtualenvs live in one directory shared by every run of this test session, and
runs take a lock on it, so venvs are created once and reused even under pytest-xdist.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from coverage import CoverageData
from lxml import etree

from ci.config import TEST_STAGES
from tests.sample_harness import copy_sample, run_nox


@dataclasses.dataclass(frozen=True, kw_only=True)
class Counts:
    """The counts of a JUnit test suite."""

    tests: int
    failures: int = 0
    errors: int = 0
    skipped: int = 0


def junit_counts(path: Path) -> Counts:
    """The counts of the one test suite in a pytest JUnit file."""
    root = etree.parse(str(path)).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None, f"{path} holds no testsuite"
    return Counts(
        tests=int(suite.get("tests", "-1")),
        failures=int(suite.get("failures", "-1")),
        errors=int(suite.get("errors", "-1")),
        skipped=int(suite.get("skipped", "-1")),
    )


def executed_files(reports: Path, stage: str) -> set[str]:
    """The source files a stage ran code of, read from its data files with coverage's API.

    Coverage also records the files of ``source`` that nothing imported, with no lines.
    """
    files: set[str] = set()
    paths = sorted((reports / "coverage").glob(f".coverage.{stage}.*"))
    assert paths, f"no coverage data for {stage}"
    for path in paths:
        data = CoverageData(basename=str(path))
        data.read()
        assert data.has_arcs(), f"{path} lacks branch data"
        files.update(name for name in data.measured_files() if data.lines(name))
    return files


def benchmark_timings(path: Path) -> dict[str, dict[str, bool]]:
    """Per benchmark, whether its timings are real: rounds ran and every sample was kept."""
    timings = {}
    for bench in json.loads(path.read_text())["benchmarks"]:
        stats = bench["stats"]
        timings[bench["name"]] = {
            "rounds >= 5": stats["rounds"] >= 5,
            "min > 0": stats["min"] > 0,
            "a sample per round": len(stats.get("data", [])) == stats["rounds"],
        }
    return timings


def service_posts(log: str) -> Counter[str]:
    """The POST requests the service logged, as ``METHOD PATH STATUS`` with their counts."""
    found = re.findall(r'"(POST \S+) HTTP/1\.[01]" (\d{3})', log)
    return Counter(f"{request} {status}" for request, status in found)


def _tests_summary(report: dict[str, Any]) -> dict[str, Any]:
    tests = report["tests"]
    keys = ("total", "passed", "failed", "errors", "skipped")
    return {
        "verdict": report["passed"],
        **{key: tests[key] for key in keys},
        "stages": {stage: tests["stages"][stage]["total"] for stage in tests["stages"]},
    }


SOURCES = {"src/sampleproj/__init__.py", "src/sampleproj/intervals.py", "src/sampleproj/render.py"}


class TestSampleProject:
    def test_sessions_are_listed(self, tmp_path: Path, shared_envdir: Path) -> None:
        """``nox -l --json`` lists every stage and the report, the test stages tagged ``tests``."""
        project = copy_sample(tmp_path / "sample")
        run = run_nox(project, shared_envdir, "-l", "--json")
        assert run.returncode == 0, run.output
        listed = json.loads(run.output[run.output.index("[") :])
        assert [(s["session"], s["tags"]) for s in listed] == [
            ("lint", ["lint"]),
            ("unit", ["tests"]),
            ("integration", ["tests"]),
            ("snapshot", ["tests"]),
            ("property", ["tests"]),
            ("benchmark", ["benchmark"]),
            ("report", ["report"]),
        ]

    def test_nox_runs_every_stage_and_leaves_artifacts(
        self, tmp_path: Path, shared_envdir: Path
    ) -> None:
        """Plain ``nox`` passes and leaves JUnit, coverage, benchmark, service log and report."""
        run = run_nox(copy_sample(tmp_path / "sample"), shared_envdir)
        assert run.returncode == 0, run.output[-6000:]
        reports = run.reports

        assert {
            stage: junit_counts(reports / "junit" / f"{stage}.xml") for stage in TEST_STAGES
        } == {
            "unit": Counts(tests=17, skipped=1),
            "integration": Counts(tests=4),
            "snapshot": Counts(tests=5),
            "property": Counts(tests=3),
        }
        assert {stage: executed_files(reports, stage) for stage in TEST_STAGES} == {
            "unit": {*SOURCES, "src/sampleproj/server.py"},
            "integration": SOURCES,
            "snapshot": SOURCES,
            "property": SOURCES,
        }
        real = {"rounds >= 5": True, "min > 0": True, "a sample per round": True}
        assert benchmark_timings(reports / "benchmark" / "benchmark.json") == {
            "test_build": real,
            "test_intersection": real,
        }
        log = (reports / "services" / "intervals.log").read_text()
        assert "starting intervals: python -m sampleproj.server --port " in log
        assert service_posts(log) == {"POST /merge 200": 1, "POST /merge 400": 1}

        report = json.loads((reports / "report.json").read_text())
        assert _tests_summary(report) == {
            "verdict": True,
            "total": 31,
            "passed": 30,
            "failed": 0,
            "errors": 0,
            "skipped": 1,
            "stages": {"unit": 17, "integration": 4, "snapshot": 5, "property": 3, "benchmark": 2},
        }
        assert (reports / "report.md").is_file()

    def test_deliberate_failure_fails_the_run_after_the_report(
        self, tmp_path: Path, shared_envdir: Path
    ) -> None:
        """With SAMPLEPROJ_FAIL=1, ``nox -s unit report`` fails, and the report says why."""
        project = copy_sample(tmp_path / "sample")
        run = run_nox(
            project, shared_envdir, "-s", "unit", "report", extra={"SAMPLEPROJ_FAIL": "1"}
        )
        assert run.returncode == 1, run.output[-6000:]
        # unit lets pytest's "tests failed" through, so the report runs and gives the verdict.
        assert "Session unit was successful" in run.output
        assert "Session report failed" in run.output

        assert junit_counts(run.reports / "junit" / "unit.xml") == Counts(tests=17, failures=1)
        report = json.loads((run.reports / "report.json").read_text())
        assert _tests_summary(report) == {
            "verdict": False,
            "total": 17,
            "passed": 16,
            "failed": 1,
            "errors": 0,
            "skipped": 0,
            "stages": {"unit": 17},
        }
        assert [g["passed"] for g in report["gates"] if g["name"] == "tests"] == [False]
