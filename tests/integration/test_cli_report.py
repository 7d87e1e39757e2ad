"""``python -m ci report`` as a user runs it: real files, a real subprocess, exact exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parents[1] / "data"
PASSING = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2" failures="0" errors="0" skipped="1" time="0.3">
<testcase classname="tests.test_a" name="test_one" time="0.1"/>
<testcase classname="tests.test_a" name="test_two" time="0.2"><skipped message="later"/></testcase>
</testsuite></testsuites>
"""


def report(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ci", "report", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def junit(project: Path, stage: str, text: str) -> None:
    path = project / "reports" / "junit" / f"{stage}.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class TestReportCommand:
    def test_all_green_exits_0(self, tmp_path: Path) -> None:
        """Every gate passed: exit 0, the closing line CI reads, and report.json/md written."""
        junit(tmp_path, "unit", PASSING)
        result = report(tmp_path)
        assert (result.returncode, result.stderr) == (0, "")
        assert result.stdout.splitlines()[-1] == "report: 1 passed, 0 failed, 1 skipped"
        document = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
        assert (document["schema"], document["passed"], document["tests"]["total"]) == (
            "noxci.report/1",
            True,
            2,
        )
        assert (
            (tmp_path / "reports" / "report.md")
            .read_text(encoding="utf-8")
            .startswith("### ✅ noxci: every gate passed")
        )

    def test_failing_test_exits_1(self, tmp_path: Path) -> None:
        """A failing test fails the tests gate: exit 1."""
        shutil.copyfile(DATA / "junit" / "pytest_xunit2.xml", tmp_path / "unit.xml")
        result = report(tmp_path, "unit.xml", "--format", "json")
        assert result.returncode == 1
        document = json.loads(result.stdout)
        assert [(g["name"], g["passed"]) for g in document["gates"]] == [
            ("inputs", True),
            ("tests", False),
        ]

    def test_unreadable_input_exits_2_and_keeps_the_rest(self, tmp_path: Path) -> None:
        """A truncated file is one stderr line and exit 2; the good file is still reported."""
        junit(tmp_path, "unit", PASSING)
        junit(tmp_path, "integration", PASSING[:120])
        result = report(tmp_path, "--format", "json")
        assert result.returncode == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1
        assert lines[0].startswith("noxci: error: reports/junit/integration.xml: ")
        assert "Traceback" not in result.stderr
        document = json.loads(result.stdout)
        assert document["tests"]["stages"] == {
            "unit": {
                "total": 2,
                "passed": 1,
                "failed": 0,
                "errors": 0,
                "skipped": 1,
                "flaky": 0,
                "duration_s": 0.3,
            }
        }
        assert [(i["path"], i["ok"]) for i in document["inputs"]] == [
            ("reports/junit/integration.xml", False),
            ("reports/junit/unit.xml", True),
        ]

    def test_missing_expected_artifact_exits_2(self, tmp_path: Path) -> None:
        """A stage that left no JUnit file is named, with what to run."""
        junit(tmp_path, "unit", PASSING)
        result = report(tmp_path, "--expect", "unit,snapshot", "--output", "out.txt")
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            "noxci: error: missing artifact reports/coverage/.coverage.unit.* (run `nox -s unit` first)",
            "noxci: error: missing artifact reports/junit/snapshot.xml (run `nox -s snapshot` first)",
            "noxci: error: missing artifact reports/coverage/.coverage.snapshot.* (run `nox -s snapshot` first)",
        ]
        assert (
            (tmp_path / "out.txt")
            .read_text(encoding="utf-8")
            .endswith("report: 1 passed, 0 failed, 1 skipped\n")
        )

    def test_coverage_floor(self, tmp_path: Path) -> None:
        """--fail-under over a coverage JSON report: 86.11% fails a floor of 90 with exit 1."""
        junit(tmp_path, "unit", PASSING)
        shutil.copyfile(
            DATA / "coverage" / "json" / "sample.json", tmp_path / "reports" / "cov.json"
        )
        result = report(tmp_path, "--fail-under", "90", "--format", "json")
        assert result.returncode == 1
        gates = json.loads(result.stdout)["gates"]
        assert gates[-1] == {
            "name": "coverage",
            "passed": False,
            "detail": "coverage 86% < floor 90%",
        }
