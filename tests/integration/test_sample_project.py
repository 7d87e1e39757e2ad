"""A project that adopts noxci: ``nox`` in ``tests/sample_project`` runs end to end, for real.

Each test copies the sample project to a temporary directory and runs ``python -m nox``
there in a subprocess, with the interpreter that runs these tests (it has nox and noxci).
The nox virtualenvs live in one directory shared by every run of this test session, and
runs take a lock on it, so venvs are created once and reused even under pytest-xdist.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from coverage import CoverageData
from lxml import etree

SAMPLE = Path(__file__).parents[1] / "sample_project"
#: Generous: the first run of a session creates seven virtualenvs.
NOX_TIMEOUT = 900
TEST_STAGES = ("unit", "integration", "snapshot", "property")
#: Outer variables that would steer the nested run: noxci's own settings, the outer pytest
#: and coverage runs, and CI/GitHub (the sample's report must not publish anywhere).
DROPPED_PREFIXES = ("NOXCI_", "PYTEST_", "COV_CORE_", "GITHUB_", "NOX_")
DROPPED = frozenset({"CI", "COVERAGE_FILE", "COVERAGE_RCFILE", "SAMPLEPROJ_FAIL"})


@dataclasses.dataclass(frozen=True, kw_only=True)
class Counts:
    """The counts of a JUnit test suite."""

    tests: int
    failures: int = 0
    errors: int = 0
    skipped: int = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoxRun:
    """A finished ``nox`` run in a copy of the sample project."""

    project: Path
    returncode: int
    output: str
    seconds: float

    @property
    def reports(self) -> Path:
        """The sample's reports directory."""
        return self.project / "reports"


@pytest.fixture(scope="session")
def shared_envdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One nox envdir for every run in this test session (all xdist workers included)."""
    root = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        root = root.parent  # shared by the workers of this run only
    envdir = root / "sample-nox-envs"
    envdir.mkdir(exist_ok=True)
    return envdir


@contextlib.contextmanager
def _locked(envdir: Path) -> Iterator[None]:
    """Hold the envdir's lock: two nox runs must not install into the same venvs at once."""
    with (envdir.parent / f"{envdir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _copy_sample(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".nox",
        ".noxci",
        "reports",
        "__pycache__",
        ".*_cache",
        ".hypothesis",
        ".benchmarks",
        ".coverage*",
    )
    shutil.copytree(SAMPLE, dest, ignore=ignore)
    return dest


def _environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment minus what would steer the nested run, plus ``extra``.

    ``COVERAGE_PROCESS_CONFIG`` stays: it measures noxci's own code inside the nested nox
    (the stages drop it from what they run). ``NOX_SCRIPT_MODE=none``: the noxfile's
    PEP 723 dependencies are installed here already, and nox must never fetch them.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DROPPED and not key.startswith(DROPPED_PREFIXES)
    }
    return {**env, "NOX_SCRIPT_MODE": "none", **extra}


def run_nox(
    project: Path, envdir: Path, *args: str, extra: Mapping[str, str] | None = None
) -> NoxRun:
    """``python -m nox ARGS`` in ``project``, with the shared envdir, under its lock."""
    argv = [sys.executable, "-m", "nox", "--envdir", str(envdir), "--no-color", *args]
    with _locked(envdir):
        start = time.monotonic()
        # Its own process group, so a run that hangs is killed with its sessions and services.
        with subprocess.Popen(
            argv,
            cwd=project,
            env=_environment(extra or {}),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        ) as process:
            try:
                output, _ = process.communicate(timeout=NOX_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
                pytest.fail(f"nox {' '.join(args)} took over {NOX_TIMEOUT}s:\n{output[-6000:]}")
        seconds = time.monotonic() - start
    print(f"nox {' '.join(args)}: exit {process.returncode} after {seconds:.1f}s")
    return NoxRun(project=project, returncode=process.returncode, output=output, seconds=seconds)


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
        project = _copy_sample(tmp_path / "sample")
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
        run = run_nox(_copy_sample(tmp_path / "sample"), shared_envdir)
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
        project = _copy_sample(tmp_path / "sample")
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
