"""``python -m ci report`` run twice in a git repository: the store, the local baseline."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

STORE = Path(".noxci") / "history.sqlite"


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _suite(**outcomes: str) -> str:
    inner = {"pass": "", "fail": '<failure message="boom">tb</failure>', "skip": "<skipped/>"}
    cases = "".join(
        f'<testcase classname="t" name="{name}" time="0.25">{inner[outcome]}</testcase>'
        for name, outcome in outcomes.items()
    )
    return f'<testsuite name="pytest">{cases}</testsuite>'


def _commit(project: Path, message: str, **outcomes: str) -> str:
    """Commit a change on the current branch and leave this run's JUnit file."""
    (project / "src.txt").write_text(message, encoding="utf-8")
    _git(project, "add", "src.txt")
    _git(project, "commit", "--quiet", "-m", message)
    junit = project / "reports" / "junit" / "unit.xml"
    junit.parent.mkdir(parents=True, exist_ok=True)
    junit.write_text(_suite(**outcomes), encoding="utf-8")
    return _git(project, "rev-parse", "HEAD")


def _project(root: Path) -> Path:
    root.mkdir()
    _git(root, "init", "--quiet", "--initial-branch=main")
    return root


def _report(project: Path, *args: str, **env: str) -> tuple[int, dict[str, Any], str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NOXCI_"))}
    result = subprocess.run(
        [sys.executable, "-m", "ci", "report", "--format", "json", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean | env,
    )
    return result.returncode, json.loads(result.stdout), result.stderr


def _runs(store: Path) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(store)
    try:
        return connection.execute("SELECT id, commit_sha, branch, total FROM runs").fetchall()
    finally:
        connection.close()


class TestHistoryCli:
    def test_second_report_compares_with_the_first(self, tmp_path: Path) -> None:
        """The second report on main compares with the stored first run and names it."""
        project = _project(tmp_path / "p")
        first = _commit(project, "one", a="pass", b="fail")
        code, document, _ = _report(project)
        assert (code, document["baseline"]) == (1, None)
        second = _commit(project, "two", a="fail", b="pass", c="pass")
        code, document, stderr = _report(project)
        assert (code, stderr) == (1, "")
        assert re.fullmatch(
            rf"history run 1 \(main @ {first[:7]}, \d{{4}}-\d\d-\d\dT\d\d:\d\dZ\)",
            document["baseline"]["source"],
        )
        assert (document["baseline"]["commit"], document["baseline"]["tests_complete"]) == (
            first,
            True,
        )
        tests = document["tests"]
        assert (tests["new_failures"], tests["fixed"], tests["removed"]) == (["t::a"], ["t::b"], [])
        assert _runs(project / STORE) == [(1, first, "main", 2), (2, second, "main", 3)]

    def test_same_commit_is_not_its_own_baseline(self, tmp_path: Path) -> None:
        """Reporting one commit twice finds no baseline: only other commits count."""
        project = _project(tmp_path / "p")
        _commit(project, "one", a="pass")
        _report(project)
        code, document, _ = _report(project)
        assert (code, document["baseline"]) == (0, None)
        assert len(_runs(project / STORE)) == 2

    def test_other_store_and_baseline_ref(self, tmp_path: Path) -> None:
        """--history and NOXCI_HISTORY choose the file; --baseline-ref the branch compared with."""
        project = _project(tmp_path / "p")
        store = tmp_path / "elsewhere.sqlite"
        first = _commit(project, "one", a="pass")
        _report(project, "--history", str(store))
        _git(project, "checkout", "--quiet", "-b", "topic")
        second = _commit(project, "two", a="fail")
        code, document, _ = _report(project, NOXCI_HISTORY=str(store))
        assert (code, document["baseline"]["commit"]) == (1, first)
        _commit(project, "three", a="fail")
        code, document, _ = _report(project, "--history", str(store), "--baseline-ref", "topic")
        assert (code, document["baseline"]["commit"]) == (1, second)
        assert document["tests"]["still_failing"] == ["t::a"]
        assert [row[2] for row in _runs(store)] == ["main", "topic", "topic"]
        assert (project / STORE).exists() is False

    def test_corrupt_store_still_reports(self, tmp_path: Path) -> None:
        """A store that is not SQLite: one warning line, the report made, the gates decide."""
        project = _project(tmp_path / "p")
        _commit(project, "one", a="pass")
        (project / STORE).parent.mkdir()
        (project / STORE).write_text("garbage " * 600, encoding="utf-8")
        code, document, stderr = _report(project)
        assert (code, document["passed"], document["baseline"]) == (0, True, None)
        assert stderr == (
            f"noxci: warning: history {STORE}: not a usable results store (file is "
            "not a database); delete it (it is only a cache of earlier reports) or choose "
            "another with --history PATH (report made without history)\n"
        )

    def test_quarantined_failure_does_not_fail_the_gate(self, tmp_path: Path) -> None:
        """A failing test matched by quarantine is listed as failing, and the gate passes."""
        project = _project(tmp_path / "p")
        (project / "pyproject.toml").write_text(
            '[tool.noxci]\nquarantine = ["t::fl*"]\n', encoding="utf-8"
        )
        _commit(project, "one", flaky="fail", ok="pass")
        code, document, _ = _report(project)
        tests_gate = next(gate for gate in document["gates"] if gate["name"] == "tests")
        assert (code, document["tests"]["failing"]) == (0, ["t::flaky"])
        assert tests_gate == {
            "name": "tests",
            "passed": True,
            "detail": "1 passed, 0 skipped; 1 quarantined failure not gating: t::flaky",
        }
