"""``python -m ci report`` as a user runs it: real files, a real subprocess, exact exit codes."""

from __future__ import annotations

import json
import os
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


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


class TestDiffCoverage:
    def make_repo(self, tmp_path: Path) -> Path:
        """A git repository whose second commit adds two lines, one of them never run."""
        repo = tmp_path / "repo"
        (repo / "pkg").mkdir(parents=True)
        (repo / "pkg" / "__init__.py").write_text("", encoding="utf-8")
        (repo / "pkg" / "calc.py").write_text(
            "def add(a, b):\n    return a + b\n", encoding="utf-8"
        )
        (repo / "pyproject.toml").write_text(
            "[tool.noxci]\nsources = ['pkg']\n[tool.coverage.run]\nrelative_files = true\n",
            encoding="utf-8",
        )
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", "base")
        (repo / "pkg" / "calc.py").write_text(
            "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
            encoding="utf-8",
        )
        git(repo, "commit", "-q", "-am", "sub")
        (repo / "run.py").write_text("import pkg.calc\n\npkg.calc.add(1, 2)\n", encoding="utf-8")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "coverage",
                "run",
                "--branch",
                "--source=pkg",
                "--data-file=reports/coverage/.coverage.unit.x",
                "run.py",
            ],
            cwd=repo,
            check=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")},
        )
        junit(repo, "unit", PASSING)
        return repo

    def test_diff_base_measures_the_changed_lines(self, tmp_path: Path) -> None:
        """--diff-base HEAD~1: the new function's body never ran, so every-line mode fails."""
        repo = self.make_repo(tmp_path)
        result = report(
            repo, "--diff-base", "HEAD~1", "--diff-mode", "every-line", "--format", "json"
        )
        assert (result.returncode, result.stderr) == (1, "")
        document = json.loads(result.stdout)
        assert document["coverage"]["diff"] == {
            "percent": 50.0,
            "covered": 1,
            "total": 2,
            "uncovered": {"pkg/calc.py": [6]},
            "partial": {},
        }
        assert document["gates"][-1]["name"] == "diff-coverage"
        assert document["gates"][-1]["passed"] is False

    def test_missing_ref_is_one_line_and_exit_2(self, tmp_path: Path) -> None:
        """A ref that is not there (a shallow clone) says to fetch it, with exit 2."""
        repo = self.make_repo(tmp_path)
        result = report(repo, "--diff-base", "origin/main", "--format", "json")
        assert result.returncode == 2
        (line,) = result.stderr.splitlines()
        assert line.startswith("noxci: error: git: origin/main is not a commit")
        assert "git fetch origin main" in line
