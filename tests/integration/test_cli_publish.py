"""``python -m ci report --publish github`` for real: a subprocess, an event file, the local server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.github_server import Fault, FaultKind, GitHubServer, Issue, PullRef
from tests.github_server._cast import REPO, TOKEN

pytest_plugins = ["tests.github_server.fixtures"]

DATA = Path(__file__).parents[1] / "data"
HEAD = "c" * 40
MARKER = "<!-- noxci:report:default -->"


def pull_request(server: GitHubServer, tmp_path: Path) -> dict[str, str]:
    """A same-repository pull request, its event file, and the variables Actions sets."""
    pull = server.add(Issue(repo=REPO, title="change", pull=PullRef(head_sha=HEAD)))
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "repository": {"full_name": REPO},
                "pull_request": {
                    "number": pull.number,
                    "head": {"sha": HEAD, "repo": {"full_name": REPO}},
                    "base": {"repo": {"full_name": REPO}},
                },
            }
        ),
        encoding="utf-8",
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NOXCI_"))}
    return {
        **keep,
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": "d" * 40,  # the merge commit: never where the check run goes
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": server.url,
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
    }


def report(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ci", "report", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def project_with_failures(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "reports" / "junit").mkdir(parents=True)
    shutil.copyfile(DATA / "junit" / "pytest_xunit2.xml", project / "reports/junit/unit.xml")
    return project


class TestPublishFromTheCommandLine:
    def test_three_runs_leave_one_comment_and_a_check_run(
        self, github_api: GitHubServer, tmp_path: Path
    ) -> None:
        """Three reports on one PR: one sticky comment, edited; check runs on the head commit."""
        env = pull_request(github_api, tmp_path)
        project = project_with_failures(tmp_path)
        for _ in range(3):
            result = report(project, env, "--publish-budget", "20")
            assert (result.returncode, result.stderr) == (1, "")
        store = github_api.store
        with store.lock:
            bodies = [c.body for c in store.comments.values()]
            runs = list(store.check_runs.values())
        assert len(bodies) == 1
        assert bodies[0].startswith(MARKER + "\n### ❌ noxci: tests failed")
        assert {(run.head_sha, run.conclusion, run.name) for run in runs} == {
            (HEAD, "failure", "noxci")
        }
        summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
        assert summary.count("### ❌ noxci: tests failed") == 3
        outputs = (tmp_path / "output.txt").read_text(encoding="utf-8")
        assert "passed<<" in outputs
        assert github_api.validation_errors == []

    def test_github_down_keeps_the_verdict(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """GitHub answering 503: a warning, the local report, and the verdict's exit code."""
        env = pull_request(github_api, tmp_path)
        project = project_with_failures(tmp_path)
        github_api.add_fault(Fault(kind=FaultKind.STATUS, status=503, path=".*", times=None))
        result = report(project, env, "--publish-budget", "2")
        assert result.returncode == 1
        assert "noxci: warning: not posted: comment not posted" in result.stderr
        assert "Traceback" not in result.stderr
        assert (project / "reports" / "report.json").is_file()
        assert "### ❌ noxci: tests failed" in (tmp_path / "summary.md").read_text(encoding="utf-8")
        strict = report(project, env, "--publish-budget", "2", "--strict-publish")
        assert strict.returncode == 3
