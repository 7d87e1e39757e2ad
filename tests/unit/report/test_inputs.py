"""The head's inputs: per-stage coverage for stage floors, and the compare run's base side."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ci.config import Settings, StageSpec
from ci.report import discover
from ci.report.inputs import benchmark_base, read_inputs, stage_coverage
from ci.report.model import StageCoverage
from ci.report.parse.coverage import parse_coverage

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The coverage sample project, with run-a's data as the unit stage's, run-b's as integration's."""
    shutil.copytree(DATA / "coverage", tmp_path / "coverage")
    project = tmp_path / "coverage" / "project"
    data = tmp_path / "coverage" / "data" / "parallel"
    reports = project / "reports" / "coverage"
    reports.mkdir(parents=True)
    shutil.copy(data / ".coverage.run-a", reports / ".coverage.unit.host.1.x")
    shutil.copy(data / ".coverage.run-b", reports / ".coverage.integration.host.2.y")
    return project


class TestStageCoverage:
    def test_each_floored_stage_alone(self, project: Path) -> None:
        """A stage with a floor gets the coverage of its own data files, nothing else."""
        reports = project / "reports"
        head = read_inputs(discover.discover([reports]), project=project)
        assert sorted(head.stage_data) == ["integration", "unit"]
        settings = Settings(
            stage={"unit": StageSpec(fail_under=95.0), "property": StageSpec(args=("-x",))}
        )
        found, errors = stage_coverage(settings, head, project, None)
        unit_alone = parse_coverage(head.stage_data["unit"], project=project)
        assert found == [StageCoverage(stage="unit", percent=unit_alone.percent, fail_under=95.0)]
        assert head.coverage is not None
        assert unit_alone.percent < head.coverage.percent
        assert errors == []

    def test_floor_without_data_is_an_error(self, project: Path) -> None:
        """A floor on a stage that left no data: one line saying to run it."""
        head = read_inputs(discover.discover([project / "reports"]), project=project)
        settings = Settings(stage={"snapshot": StageSpec(fail_under=50.0)})
        found, errors = stage_coverage(settings, head, project, None)
        assert found == []
        assert [e.error for e in errors] == [
            "coverage-snapshot: no coverage data of stage 'snapshot' (.coverage.snapshot.*) "
            "for its floor; run `nox -s snapshot` first"
        ]


class TestBenchmarkBase:
    def test_reads_each_run_and_reports_bad_ones(self, tmp_path: Path) -> None:
        """Each JSON file in reports/benchmark-base/ is a base run; a broken one is one line."""
        base = tmp_path / "benchmark-base"
        base.mkdir()
        shutil.copy(DATA / "benchmark" / "pytest-benchmark-5.3.1.json", base / "run-1.json")
        (base / "run-2.json").write_text("{", encoding="utf-8")
        runs, statuses = benchmark_base(tmp_path)
        assert [len(run.benchmarks) for run in runs] == [3]
        assert [s.ok for s in statuses] == [True, False]
        assert (statuses[1].error or "").startswith(f"{base / 'run-2.json'}: ")

    def test_nothing_there(self, tmp_path: Path) -> None:
        """No compare run: no base runs, no statuses."""
        assert benchmark_base(tmp_path) == ([], [])

    def test_discover_skips_the_base_side(self, tmp_path: Path) -> None:
        """Walking reports/ never takes the base side's runs for the head's."""
        (tmp_path / "benchmark-base").mkdir()
        shutil.copy(
            DATA / "benchmark" / "pytest-benchmark-5.3.1.json",
            tmp_path / "benchmark-base" / "r.json",
        )
        assert discover.discover([tmp_path]) == []


class TestDurations:
    def test_every_test_a_later_file_winning(self, tmp_path: Path) -> None:
        """With ids asked for, each test's seconds come from the last JUnit file that ran it."""
        junit = tmp_path / "reports" / "junit"
        junit.mkdir(parents=True)
        (junit / "integration.xml").write_text(
            '<testsuite><testcase classname="a" name="t" time="4"/></testsuite>', encoding="utf-8"
        )
        (junit / "unit.xml").write_text(
            '<testsuite><testcase classname="a" name="t" time="1.5"/>'
            '<testcase classname="a" name="u" time="2"><skipped/></testcase></testsuite>',
            encoding="utf-8",
        )
        found = discover.discover([tmp_path / "reports"])
        head = read_inputs(found, project=tmp_path, ids=True)
        assert [item.path.name for item in found] == ["integration.xml", "unit.xml"]
        assert head.durations == {"a::t": 1.5, "a::u": 2.0}
        assert read_inputs(found, project=tmp_path).durations is None
