"""``python -m ci report`` run three times into one store: the third draws the coverage trend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.git_repo import git

CHART = (
    "<details><summary>📈 Coverage trend (2 earlier runs)</summary>\n\n"
    "```mermaid\n"
    "xychart-beta\n"
    '    title "Coverage total (%)"\n'
    '    x-axis ["-2", "-1", "now"]\n'
    '    y-axis "%"\n'
    "    line [75.00, 87.50, 90.00]\n"
    "```\n\n"
    "</details>\n"
)


def _coverage_json(covered: int, statements: int) -> str:
    """coverage.py's JSON report of one file with ``covered`` of ``statements`` lines run."""
    summary = {
        "covered_lines": covered,
        "num_statements": statements,
        "missing_lines": statements - covered,
        "excluded_lines": 0,
        "percent_covered": 100.0 * covered / statements,
    }
    document = {
        "meta": {"format": 3, "branch_coverage": False},
        "files": {
            "src/app.py": {
                "executed_lines": list(range(1, covered + 1)),
                "missing_lines": list(range(covered + 1, statements + 1)),
                "excluded_lines": [],
                "summary": summary,
            }
        },
        "totals": summary,
    }
    return json.dumps(document)


def _commit(project: Path, message: str, covered: int, statements: int) -> None:
    """Commit a change on the current branch and leave this run's JUnit and coverage."""
    (project / "src.txt").write_text(message, encoding="utf-8")
    git(project, "add", "src.txt")
    git(project, "commit", "--quiet", "-m", message)
    reports = project / "reports"
    (reports / "junit").mkdir(parents=True, exist_ok=True)
    (reports / "junit" / "unit.xml").write_text(
        '<testsuite name="pytest"><testcase classname="t" name="a" time="0.5"/></testsuite>',
        encoding="utf-8",
    )
    (reports / "coverage").mkdir(exist_ok=True)
    (reports / "coverage" / "coverage.json").write_text(
        _coverage_json(covered, statements), encoding="utf-8"
    )


def _report(project: Path, store: Path) -> tuple[int, dict[str, Any], str]:
    """``python -m ci report --history STORE --format json`` in ``project``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NOXCI_"))}
    done = subprocess.run(
        [sys.executable, "-m", "ci", "report", "--format", "json", "--history", str(store)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean,
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def _project(root: Path) -> Path:
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    return root


class TestCoverageTrend:
    def test_third_report_draws_the_earlier_totals(self, tmp_path: Path) -> None:
        """Two stored runs of main, then a third: its comment charts 75 %, 87.5 % and now 90 %."""
        project, store = _project(tmp_path / "p"), tmp_path / "history.sqlite"
        for message, covered, statements in (("one", 3, 4), ("two", 7, 8)):
            _commit(project, message, covered, statements)
            code, document, stderr = _report(project, store)
            assert (code, stderr) == (0, "")
        markdown = (project / "reports" / "report.md").read_text(encoding="utf-8")
        assert (document["coverage"]["history"], markdown.count("mermaid")) == ([75.0], 0)
        _commit(project, "three", 9, 10)
        code, document, stderr = _report(project, store)
        assert (code, stderr, document["coverage"]["history"]) == (0, "", [75.0, 87.5])
        markdown = (project / "reports" / "report.md").read_text(encoding="utf-8")
        assert markdown.count("mermaid") == 1
        assert f"**90.00%** (+2.50 pp against the baseline) · 9/10 lines\n\n{CHART}" in markdown

    def test_a_topic_branch_charts_the_baseline_ref(self, tmp_path: Path) -> None:
        """On a topic branch the earlier totals are main's (baseline-ref), not the branch's own."""
        project, store = _project(tmp_path / "p"), tmp_path / "history.sqlite"
        for message, covered, statements in (("one", 3, 4), ("two", 7, 8)):
            _commit(project, message, covered, statements)
            _report(project, store)
        git(project, "checkout", "--quiet", "-b", "topic")
        _commit(project, "topic one", 1, 10)
        _report(project, store)
        _commit(project, "topic two", 9, 10)
        code, document, _ = _report(project, store)
        assert (code, document["coverage"]["history"]) == (0, [75.0, 87.5])
        assert CHART in (project / "reports" / "report.md").read_text(encoding="utf-8")
