"""``python -m ci report --baseline …`` in a subprocess: verdicts against a base side."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).parents[1] / "data"
BENCH = DATA / "benchmark" / "pytest-benchmark-5.3.1.json"


def _suite(**outcomes: str) -> str:
    cases = []
    for name, outcome in outcomes.items():
        inner = {"pass": "", "fail": '<failure message="boom">tb</failure>', "skip": "<skipped/>"}
        cases.append(
            f'<testcase classname="t" name="{name}" time="0.01">{inner[outcome]}</testcase>'
        )
    return f'<testsuite name="pytest">{"".join(cases)}</testsuite>'


def _project(root: Path, **outcomes: str) -> Path:
    (root / "reports" / "junit").mkdir(parents=True)
    (root / "reports" / "junit" / "unit.xml").write_text(_suite(**outcomes), encoding="utf-8")
    return root


def _report(project: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = subprocess.run(
        [sys.executable, "-m", "ci", "report", "--format", "json", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, json.loads(result.stdout), result.stderr


class TestBaselineReportJson:
    def test_previous_report_is_the_baseline(self, tmp_path: Path) -> None:
        """A report.json written by an earlier run fills new failures, fixed and still failing."""
        base = _project(tmp_path / "base", a="pass", b="fail", c="fail", d="pass")
        code, _, _ = _report(base)
        assert code == 1
        head = _project(tmp_path / "head", a="fail", b="pass", c="fail", d="skip", e="fail")
        code, document, stderr = _report(head, "--baseline", str(base / "reports" / "report.json"))
        assert (code, stderr) == (1, "")
        tests = document["tests"]
        assert tests["new_failures"] == ["t::a", "t::e"]
        assert tests["fixed"] == ["t::b"]
        assert tests["still_failing"] == ["t::c"]
        assert tests["newly_skipped"] == ["t::d"]
        assert tests["removed"] == []
        assert document["baseline"] == {
            "source": str(base / "reports" / "report.json"),
            "commit": None,
            "tests_complete": False,
        }

    def test_fail_on_new_failures(self, tmp_path: Path) -> None:
        """Only old failures: the tests gate passes under fail-on new-failures, exit 0."""
        base = _project(tmp_path / "base", a="pass", b="fail")
        head = _project(tmp_path / "head", a="pass", b="fail")
        args = ("--baseline", str(base / "reports"), "--fail-on", "new-failures")
        code, document, _ = _report(head, *args)
        assert code == 0
        assert document["gates"][1] == {
            "name": "tests",
            "passed": True,
            "detail": "no new failures (1 still failing, as in the baseline)",
        }
        code, document, _ = _report(head, "--baseline", str(base / "reports"))
        assert (code, document["gates"][1]["passed"]) == (1, False)

    def test_removed_from_an_artifacts_baseline(self, tmp_path: Path) -> None:
        """A directory of JUnit files knows every test: a vanished passing test is removed."""
        base = _project(tmp_path / "base", a="pass", gone="pass")
        head = _project(tmp_path / "head", a="pass")
        code, document, _ = _report(head, "--baseline", str(base / "reports"))
        assert code == 0
        assert document["tests"]["removed"] == ["t::gone"]
        assert document["baseline"]["tests_complete"] is True

    def test_missing_baseline_is_exit_2(self, tmp_path: Path) -> None:
        """A baseline path that is not there: one stderr line, exit 2, the head still reported."""
        head = _project(tmp_path / "head", a="pass")
        code, document, stderr = _report(head, "--baseline", "nowhere")
        assert code == 2
        assert stderr.splitlines() == [
            "noxci: error: baseline nowhere: no such file or directory; give a "
            "report.json written by `noxci report`, or a directory of base artifacts"
        ]
        assert document["tests"]["total"] == 1


class TestBaselineCoverageAndBenchmarks:
    def test_max_drop_and_benchmark_verdicts(self, tmp_path: Path) -> None:
        """Coverage delta against the base's report.json; identical benchmark runs: unchanged."""
        base = _project(tmp_path / "base", a="pass")
        shutil.copy(DATA / "coverage" / "json" / "sample.json", base / "reports" / "cov.json")
        shutil.copy(BENCH, base / "reports" / "run-1.json")
        code, base_doc, _ = _report(base)
        assert code == 0
        head = _project(tmp_path / "head", a="pass")
        shutil.copy(DATA / "coverage" / "json" / "sample.json", head / "reports" / "cov.json")
        shutil.copy(BENCH, head / "reports" / "run-1.json")
        code, document, stderr = _report(
            head, "--baseline", str(base / "reports"), "--max-drop", "0"
        )
        assert (code, stderr) == (0, "")
        assert document["coverage"]["delta"] == 0.0
        assert document["coverage"]["percent"] == base_doc["coverage"]["percent"]
        gates = {g["name"]: g for g in document["gates"]}
        assert gates["coverage-drop"]["passed"] is True
        assert gates["benchmarks"]["passed"] is True
        verdicts = [(b["name"], b["verdict"], b["base_runs"]) for b in document["benchmarks"]]
        assert verdicts == [
            ("test_bench.py::test_sort[10]", "unchanged", 1),
            ("test_bench.py::test_sort[1000]", "unchanged", 1),
            ("test_bench.py::test_join", "unchanged", 1),
        ]
