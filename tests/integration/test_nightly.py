"""The nightly tracking issue over a sequence of nights, against the local GitHub server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ci.cli import main_inner
from ci.errors import InputError, PublishError
from ci.github.nightly import BODY_LIMIT, Action, Night, cut, night_from_results, track
from ci.report.publish.retry import GaveUpError, RetryPolicy
from tests.github_server import Fault, FaultKind, GitHubServer, Issue, User
from tests.github_server._cast import BOT, REPO, TOKEN

pytest_plugins = ["tests.github_server.fixtures"]

LABEL = "noxci-nightly"
MARKER = f"<!-- noxci:nightly:{LABEL} -->"
FAILED = json.dumps({"plan": {"result": "success"}, "stage": {"result": "failure"}})
PASSED = json.dumps({"plan": {"result": "success"}, "stage": {"result": "success"}})


def actions_env(server: GitHubServer, run_id: int) -> dict[str, str]:
    """What Actions sets for the nightly's last step."""
    return {
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": server.url,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": str(run_id),
    }


def night(
    server: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *,
    run_id: int,
    needs: str,
    report: str = "## report\n",
) -> tuple[int, str]:
    """``python -m ci nightly`` as the workflow runs it; its exit code and output."""
    for key, value in actions_env(server, run_id).items():
        monkeypatch.setenv(key, value)
    path = tmp_path / f"report-{run_id}.md"
    path.write_text(report, encoding="utf-8")
    args = ["nightly", "--needs", needs, "--outcome", "report=success", "--report", str(path)]
    return main_inner(args), str(run_id)


def issues(server: GitHubServer) -> list[Issue]:
    with server.store.lock:
        return sorted(server.store.issues.values(), key=lambda issue: issue.number)


def comments(server: GitHubServer, number: int) -> list[str]:
    with server.store.lock:
        found = [c for c in server.store.comments.values() if c.issue_number == number]
    return [comment.body for comment in sorted(found, key=lambda c: c.id)]


class TestSequenceOfNights:
    def test_fail_fail_pass_fail(
        self,
        github_api: GitHubServer,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """One issue opened, commented, closed; the next failure opens a second one."""
        for run_id, needs in [(101, FAILED), (102, FAILED), (103, PASSED), (104, FAILED)]:
            code, _ = night(github_api, monkeypatch, tmp_path, run_id=run_id, needs=needs)
            assert code == 0
        first, second = issues(github_api)
        assert (first.number, first.state, first.state_reason, first.labels, first.user) == (
            1,
            "closed",
            "completed",
            (LABEL,),
            BOT,
        )
        assert first.title == "Nightly run failing"
        assert first.body == (
            f"{MARKER}\n❌ [the nightly run](https://github.example/{REPO}/actions/runs/101) "
            "failed (stage: failure).\n\n## report\n"
        )
        assert [body.splitlines()[0] for body in comments(github_api, 1)] == [
            f"❌ [the nightly run](https://github.example/{REPO}/actions/runs/102) failed (stage: failure).",
            f"✅ [the nightly run](https://github.example/{REPO}/actions/runs/103) passed again: closing.",
        ]
        assert (second.number, second.state, second.labels) == (2, "open", (LABEL,))
        assert "actions/runs/104" in (second.body or "")
        assert comments(github_api, 2) == []
        assert capsys.readouterr().out.splitlines() == [
            "noxci: the nightly run failed; tracking issue: opened #1",
            "noxci: the nightly run failed; tracking issue: commented #1",
            "noxci: the nightly run passed; tracking issue: closed #1",
            "noxci: the nightly run failed; tracking issue: opened #2",
        ]
        assert github_api.validation_errors == []

    def test_green_nights_do_nothing(
        self, github_api: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Passing nights without an open issue neither open nor touch one."""
        for run_id in (1, 2):
            assert night(github_api, monkeypatch, tmp_path, run_id=run_id, needs=PASSED)[0] == 0
        assert issues(github_api) == []

    def test_a_huge_report_is_cut_to_the_limit(
        self, github_api: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """A report larger than GitHub's limit is cut at a line end, saying so."""
        report = "".join(f"| test_{n} | failed |\n" for n in range(10_000))
        night(github_api, monkeypatch, tmp_path, run_id=7, needs=FAILED, report=report)
        night(github_api, monkeypatch, tmp_path, run_id=8, needs=FAILED, report=report)
        (opened,) = issues(github_api)
        body = opened.body or ""
        (comment,) = comments(github_api, opened.number)
        assert (len(body) <= BODY_LIMIT, len(comment) <= BODY_LIMIT) == (True, True)
        assert "characters cut to fit GitHub's limit" in body
        assert body.split("\n\n… ")[0].endswith("| failed |")


class TestWhoseIssue:
    def test_other_labelled_issues_are_not_ours(
        self, github_api: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """A person's issue with the label, or a marked one by someone else, is left alone."""
        github_api.seed(User(login="someone"))
        github_api.add(Issue(repo=REPO, title="flaky?", labels=(LABEL,), user="someone"))
        github_api.add(
            Issue(repo=REPO, title="forged", body=MARKER, labels=(LABEL,), user="someone")
        )
        night(github_api, monkeypatch, tmp_path, run_id=5, needs=FAILED)
        titles = [(issue.number, issue.title, issue.state) for issue in issues(github_api)]
        assert titles == [
            (1, "flaky?", "open"),
            (2, "forged", "open"),
            (3, "Nightly run failing", "open"),
        ]
        assert comments(github_api, 1) == comments(github_api, 2) == []

    def test_the_oldest_of_two_is_kept(self, github_api: GitHubServer) -> None:
        """Two open tracking issues (left from the past): the oldest gets the comment."""
        for _ in range(2):
            github_api.add(Issue(repo=REPO, title="t", body=MARKER, labels=(LABEL,), user=BOT))
        env = actions_env(github_api, 9)
        failing = Night(passed=False, failures=("stage: failure",))
        assert track(env, failing, repo=REPO) == (Action.COMMENTED, 1)


class TestFailures:
    def test_github_down_is_exit_3(
        self, github_api: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """GitHub answering 503 throughout: PublishError (exit 3), one line, no issue."""
        github_api.add_fault(Fault(kind=FaultKind.STATUS, status=503, path=".*", times=None))
        monkeypatch.setenv("NOXCI_PUBLISH_BUDGET", "1")
        env = actions_env(github_api, 1)
        with pytest.raises(GaveUpError, match=r"^list the open noxci-nightly issues of octo/proj"):
            track(env, Night(passed=False), repo=REPO, policy=RetryPolicy(budget_s=1.0))
        with pytest.raises(PublishError, match=r"^nightly tracking issue not updated: "):
            night(github_api, monkeypatch, tmp_path, run_id=1, needs=FAILED)

    def test_without_a_token(
        self, github_api: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """No GITHUB_TOKEN: exit 3 naming the fix."""
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        env = actions_env(github_api, 1)
        monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
        monkeypatch.setenv("GITHUB_API_URL", env["GITHUB_API_URL"])
        with pytest.raises(PublishError, match="GITHUB_TOKEN is not set"):
            main_inner(["nightly", "--needs", FAILED])

    def test_outside_actions(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """No GITHUB_REPOSITORY: a usage error saying where to run it."""
        monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
        with pytest.raises(InputError, match="GITHUB_REPOSITORY is not set"):
            main_inner(["nightly", "--needs", PASSED])


class TestCommandLine:
    def test_the_workflow_step_for_real(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """The nightly step's exact command line, in a subprocess, opens the issue."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NOXCI_"))}
        env = {**keep, **actions_env(github_api, 42), "NEEDS": FAILED, "MERGE": "success"}
        env["REPORT"] = "failure"
        script = (
            'python -m ci nightly --needs "$NEEDS" --outcome "merge=$MERGE" '
            '--outcome "report=$REPORT" --report reports/report.md'
        )
        bin_dir = str(Path(sys.executable).parent)
        env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stdout, done.stderr) == (
            0,
            "noxci: the nightly run failed; tracking issue: opened #1\n",
            "",
        )
        (opened,) = issues(github_api)
        assert "failed (stage: failure, report: failure)" in (opened.body or "")
        assert "No report was written; see the run's logs." in (opened.body or "")


class TestNightFromResults:
    def test_skipped_is_not_a_failure(self) -> None:
        """Skipped jobs and successful steps make a green night."""
        needs = json.dumps({"plan": {"result": "success"}, "stage": {"result": "skipped"}})
        assert night_from_results(needs, ["report=success"]) == Night(passed=True)

    def test_a_cancelled_step_fails_the_night(self) -> None:
        """Any other result or an empty outcome counts as a failure, named."""
        result = night_from_results("", ["merge=cancelled", "report="])
        assert result.failures == ("merge: cancelled", "report: unknown")

    @pytest.mark.parametrize(
        ("needs", "outcomes", "problem"),
        [
            ("[1]", [], "--needs: not the JSON"),
            ('{"plan": {}}', [], "--needs: not the JSON"),
            ("{", [], "--needs: not the JSON"),
            ("", ["report"], "--outcome 'report': give NAME=OUTCOME"),
            ("", ["=success"], "--outcome '=success': give NAME=OUTCOME"),
        ],
    )
    def test_bad_results(self, needs: str, outcomes: list[str], problem: str) -> None:
        """Malformed results are one line naming the flag."""
        with pytest.raises(InputError, match=f"^{problem}"):
            night_from_results(needs, outcomes)

    def test_cut_keeps_short_text(self) -> None:
        """Text within the limit is kept whole."""
        assert cut("abc\n", 10) == "abc\n"
