"""``python -m ci report --baseline … --diff-base …`` on a real project's real artifacts.

The sample project becomes a git repository; ``nox -s unit report`` runs on its first
commit (the baseline), then on a second commit that adds an untested helper, with the
deliberately failing test switched on. The report compares the two runs' artifacts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.git_repo import git
from tests.sample_harness import copy_sample, run_nox

HELPER = '''

def _unused_helper(value: int) -> int:
    """Added by the second commit and never called."""
    return value + 1
'''


def _report(project: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = subprocess.run(
        [sys.executable, "-m", "ci", "report", "--format", "json", "--publish", "none", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode, json.loads(result.stdout), result.stderr


class TestBaselineOnRealArtifacts:
    def test_new_failure_diff_coverage_and_fail_on(
        self, tmp_path: Path, shared_envdir: Path
    ) -> None:
        """The failing test is new, the helper's body is the uncovered changed line, exit 1."""
        project = copy_sample(tmp_path / "sample")
        git(project, "init", "-q", "-b", "main")
        git(project, "add", "-A")
        git(project, "commit", "-q", "-m", "base")
        base_run = run_nox(project, shared_envdir, "-s", "unit", "report")
        assert base_run.returncode == 0, base_run.output[-4000:]
        base = tmp_path / "base"
        shutil.copytree(project / "reports", base)

        with (project / "src" / "sampleproj" / "intervals.py").open("a") as source:
            source.write(HELPER)
        git(project, "commit", "-q", "-am", "helper")
        head_run = run_nox(
            project, shared_envdir, "-s", "unit", "report", extra={"SAMPLEPROJ_FAIL": "1"}
        )
        assert head_run.returncode == 1, head_run.output[-4000:]

        code, document, stderr = _report(project, "--baseline", str(base), "--diff-base", "HEAD~1")
        assert (code, stderr) == (1, "")
        tests = document["tests"]
        failing = "tests.unit.test_deliberate_failure::test_deliberate_failure"
        assert (tests["failed"], tests["new_failures"], tests["fixed"]) == (1, [failing], [])
        assert (tests["still_failing"], tests["removed"], tests["newly_skipped"]) == ([], [], [])
        assert document["baseline"]["tests_complete"] is True
        coverage = document["coverage"]
        assert (coverage["diff"]["covered"], coverage["diff"]["total"]) == (1, 2)
        assert coverage["diff"]["uncovered"] == {"src/sampleproj/intervals.py": [127]}
        assert coverage["delta"] < 0
        gates = {g["name"]: (g["passed"], g["detail"]) for g in document["gates"]}
        assert gates["tests"] == (False, f"1 failed: {failing}")

        code, document, _ = _report(
            project, "--baseline", str(project / "reports"), "--fail-on", "new-failures"
        )
        assert code == 0
        assert document["tests"]["still_failing"] == [failing]
