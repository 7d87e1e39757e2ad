"""Publishing to the local GitHub API server: sticky comment, check run, faults, fork path."""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from ci.errors import ExitCode, InputError
from ci.report.model import Annotation, AnnotationLevel
from ci.report.publish.events import EventKind, read_event
from ci.report.publish.github import publish_github
from ci.report.publish.plan import (
    CheckRunPlan,
    CommentPlan,
    Conclusion,
    Publication,
    PublishResult,
    exit_code,
)
from ci.report.publish.retry import RetryPolicy
from ci.report.render.marker import comment_marker
from tests.github_server import (
    Comment,
    Fault,
    FaultKind,
    GitHubServer,
    Issue,
    PullRef,
    Repo,
    Token,
    User,
    WorkflowRun,
)
from tests.github_server._cast import BOT, REPO, TOKEN

pytest_plugins = ["tests.github_server.fixtures"]

HEAD = "b" * 40
MARKER = comment_marker()
OLD = "2024-01-01T00:00:00Z"
#: Quick retries; a timed-out write (1.05 s on a 1 s timeout) has landed before the check.
FAST = RetryPolicy(budget_s=10, timeout_s=1, backoff_s=0.5, max_backoff_s=1.0)
#: A budget too small to outlast a fault that never clears.
SHORT = RetryPolicy(budget_s=1.5, timeout_s=1, backoff_s=0.3, max_backoff_s=0.6)


def seed_pull(server: GitHubServer, *, others: int = 0, head_repo: str = "") -> int:
    """An open pull request with ``others`` old comments by someone else; its number."""
    pull = server.add(
        Issue(repo=REPO, title="change", pull=PullRef(head_sha=HEAD, head_repo=head_repo))
    )
    server.seed(
        *(
            Comment(
                repo=REPO,
                issue_number=pull.number,
                body=f"chatter {index}",
                user="someone",
                created_at=OLD,
                updated_at=OLD,
            )
            for index in range(others)
        )
    )
    return pull.number


def actions_env(server: GitHubServer, tmp_path: Path, token: str = TOKEN) -> dict[str, str]:
    """The variables a report step sees, its summary and output files under ``tmp_path``."""
    return {
        "GITHUB_TOKEN": token,
        "GITHUB_API_URL": server.url,
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
    }


def failures(count: int) -> tuple[Annotation, ...]:
    """``count`` failure annotations on lines 1..count."""
    return tuple(
        Annotation(
            path="tests/test_a.py",
            start_line=line,
            end_line=line,
            level=AnnotationLevel.FAILURE,
            title=f"failed: test_{line}" if line % 2 else "",
            message=f"assert {line} == 0",
            raw_details="Traceback..." if line % 2 else "",
        )
        for line in range(1, count + 1)
    )


def publication(
    number: int | None = 1, *, body: str = "all good", annotations: int = 0, check: bool = True
) -> Publication:
    """A report's publication: a comment on ``number``, a check run, summary and outputs."""
    return Publication(
        repo=REPO,
        comment=CommentPlan(pr_number=number, body=body, marker=MARKER) if number else None,
        check_run=CheckRunPlan(
            name="noxci",
            head_sha=HEAD,
            conclusion=Conclusion.FAILURE if annotations else Conclusion.SUCCESS,
            title="2 gates failed" if annotations else "every gate passed",
            summary="summary",
            text="details",
            annotations=failures(annotations),
        )
        if check
        else None,
        summary="### noxci verdict\n",
        outputs={"passed": "false" if annotations else "true", "tests": "3"},
    )


def publish(
    server: GitHubServer, tmp_path: Path, pub: Publication, policy: RetryPolicy = FAST, **env: str
) -> tuple[PublishResult, str]:
    """Publish once; the result and what went to the step's stdout."""
    stream = io.StringIO()
    result = publish_github(
        pub, env={**actions_env(server, tmp_path), **env}, policy=policy, stream=stream
    )
    return result, stream.getvalue()


def ours(server: GitHubServer, number: int = 1) -> list[Comment]:
    """The comments carrying our marker on pull request ``number``."""
    with server.store.lock:
        comments = list(server.store.comments.values())
    return [c for c in comments if c.issue_number == number and c.body.startswith(MARKER)]


def calls(server: GitHubServer) -> list[tuple[str, str]]:
    """Every API request as (method, path)."""
    return [(request.method, request.path) for request in server.requests]


def read_outputs(path: Path) -> dict[str, str]:
    """Parse ``$GITHUB_OUTPUT`` the way the runner does (``name<<DELIMITER`` blocks)."""
    found: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").split("\n"))
    for line in lines:
        if not line:
            continue
        name, delimiter = line.split("<<", 1)
        value = []
        for item in lines:
            if item == delimiter:
                break
            value.append(item)
        found[name] = "\n".join(value)
    return found


class TestStickyComment:
    def test_three_runs_leave_one_comment(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """Three runs create the comment once and then edit it in place."""
        seed_pull(github_api)
        for body in ("first", "second", "third"):
            result, _ = publish(github_api, tmp_path, publication(body=body, check=False))
            assert result.failures == ()
        assert [c.body for c in ours(github_api)] == [f"{MARKER}\nthird"]
        posts = [call for call in calls(github_api) if call[0] == "POST"]
        assert posts == [("POST", "/repos/octo/proj/issues/1/comments")]
        assert github_api.validation_errors == []

    def test_five_concurrent_runs_leave_one_comment(
        self, github_api: GitHubServer, tmp_path: Path
    ) -> None:
        """Five report jobs racing on each of three pull requests leave one comment on each."""
        numbers = [seed_pull(github_api) for _ in range(3)]
        for number in numbers:
            start = threading.Barrier(5)
            results: list[PublishResult] = []

            def job(
                start: threading.Barrier = start,
                number: int = number,
                results: list[PublishResult] = results,
            ) -> None:
                start.wait()
                results.append(publish(github_api, tmp_path, publication(number, check=False))[0])

            threads = [threading.Thread(target=job) for _ in range(5)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert [len(r.failures) for r in results] == [0] * 5
            assert len(ours(github_api, number)) == 1
            assert {r.comment_url for r in results} == {
                f"{github_api.url}/octo/proj/pull/{number}#issuecomment-{ours(github_api, number)[0].id}"
            }
        assert github_api.validation_errors == []

    def test_requests_on_a_busy_pull_request(
        self, github_api: GitHubServer, tmp_path: Path
    ) -> None:
        """With 250 earlier comments: 5 requests to create, 5 to edit, 4 when nothing changed."""
        seed_pull(github_api, others=250)
        counts = []
        for body in ("first", "second", "second"):
            github_api.clear_requests()
            publish(github_api, tmp_path, publication(body=body, check=False))
            counts.append(len(github_api.requests))
        assert counts == [5, 5, 4]
        assert calls(github_api) == [
            ("GET", "/repos/octo/proj/issues/1/comments"),
            ("GET", "/repositories/1/issues/1/comments"),
            ("GET", "/repositories/1/issues/1/comments"),
            ("GET", "/user"),
        ]
        assert len(ours(github_api)) == 1

    def test_a_forged_marker_is_not_ours(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """Someone else's comment with our marker is neither edited nor deleted."""
        seed_pull(github_api)
        forged = github_api.add(
            Comment(repo=REPO, issue_number=1, body=f"{MARKER}\nfake", user="mallory")
        )
        publish(github_api, tmp_path, publication(body="real", check=False))
        assert [(c.user, c.body) for c in ours(github_api)] == [
            ("mallory", f"{MARKER}\nfake"),
            (BOT, f"{MARKER}\nreal"),
        ]
        assert ours(github_api)[0].id == forged.id

    def test_leftover_duplicates_are_removed(
        self, github_api: GitHubServer, tmp_path: Path
    ) -> None:
        """Two of ours from an interrupted run become one: the oldest, edited."""
        seed_pull(github_api)
        github_api.seed(
            *(Comment(repo=REPO, issue_number=1, body=f"{MARKER}\nold", user=BOT) for _ in "ab")
        )
        publish(github_api, tmp_path, publication(body="new", check=False))
        assert [(c.id, c.body) for c in ours(github_api)] == [(1, f"{MARKER}\nnew")]

    def test_another_key_keeps_its_comment(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """A comment of another configuration's key is left alone."""
        seed_pull(github_api)
        other = f"{comment_marker('docs')}\ndocs report"
        github_api.seed(Comment(repo=REPO, issue_number=1, body=other, user=BOT))
        publish(github_api, tmp_path, publication(check=False))
        with github_api.store.lock:
            bodies = sorted(c.body for c in github_api.store.comments.values())
        assert bodies == sorted([other, f"{MARKER}\nall good"])

    def test_a_moved_head_is_not_commented(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """A comment meant for another head commit is refused with a failure line."""
        seed_pull(github_api)
        plan = CommentPlan(pr_number=1, body="late", marker=MARKER, expect_head_sha="c" * 40)
        result, _ = publish(github_api, tmp_path, Publication(repo=REPO, comment=plan))
        assert result.failures == (
            "comment not posted: octo/proj#1 no longer has the head commit this report is about",
        )
        assert ours(github_api) == []


class TestCheckRun:
    def test_all_annotations_arrive(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """120 failures become 120 annotations in 3 requests, with the run's output."""
        result, stdout = publish(github_api, tmp_path, publication(None, annotations=120))
        assert [call for call in calls(github_api) if "check-runs" in call[1]] == [
            ("POST", "/repos/octo/proj/check-runs"),
            ("PATCH", "/repos/octo/proj/check-runs/1"),
            ("PATCH", "/repos/octo/proj/check-runs/1"),
        ]
        with github_api.store.lock:
            run = github_api.store.check_runs[1]
            lines = [a.start_line for a in github_api.store.annotations]
        assert (run.head_sha, run.conclusion, run.title, run.summary, run.text) == (
            HEAD,
            "failure",
            "2 gates failed",
            "summary",
            "details",
        )
        assert lines == list(range(1, 121))
        assert (result.check_run_url, stdout) == (f"{github_api.url}/octo/proj/runs/1", "")
        assert github_api.validation_errors == []

    def test_without_annotations_one_request(
        self, github_api: GitHubServer, tmp_path: Path
    ) -> None:
        """A passing run is one request."""
        publish(github_api, tmp_path, publication(None))
        assert calls(github_api) == [("POST", "/repos/octo/proj/check-runs")]

    def test_read_only_token_falls_back(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """A fork PR's token: workflow commands for the 10 most important, said in the summary."""
        github_api.seed(Token(token="ro", login="forker", read_only=True))
        seed_pull(github_api)
        result, stdout = publish(
            github_api, tmp_path, publication(annotations=12), GITHUB_TOKEN="ro"
        )
        lines = stdout.splitlines()
        assert lines[0] == (
            "::error file=tests/test_a.py,line=1,endLine=1,title=failed%3A test_1::assert 1 == 0"
        )
        assert len([line for line in lines if line.startswith("::error ")]) == 10
        assert result.failures == (
            "comment not posted: create the comment on octo/proj#1: "
            "HTTP 403 Resource not accessible by integration (1 attempt)",
        )
        assert lines[-1].startswith("::warning title=noxci%3A not posted::comment not posted")
        summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
        assert "> No check run: this token may not write checks" in summary
        assert "The 10 most important of 12 annotations" in summary
        assert github_api.store.check_runs == {}


class TestOutputs:
    def test_summary_and_outputs(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """The summary is appended and the outputs carry the comment's URL."""
        seed_pull(github_api)
        (tmp_path / "summary.md").write_text("earlier step\n", encoding="utf-8")
        result, _ = publish(github_api, tmp_path, publication())
        assert (tmp_path / "summary.md").read_text(encoding="utf-8") == (
            "earlier step\n### noxci verdict\n"
        )
        assert read_outputs(tmp_path / "output.txt") == {
            "passed": "true",
            "tests": "3",
            "comment-url": f"{github_api.url}/octo/proj/pull/1#issuecomment-1",
        }
        assert result.comment_url == f"{github_api.url}/octo/proj/pull/1#issuecomment-1"

    def test_without_a_token(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """No token: nothing posted, said once; the summary and outputs still land."""
        result, stdout = publish(github_api, tmp_path, publication(), GITHUB_TOKEN="")
        assert result.failures == (
            "nothing posted: GITHUB_TOKEN is not set "
            "(give the step `env: GITHUB_TOKEN: ${{ github.token }}`)",
        )
        assert "No check run: nothing could be posted." in (tmp_path / "summary.md").read_text(
            encoding="utf-8"
        )
        assert read_outputs(tmp_path / "output.txt")["comment-url"] == ""
        assert stdout.count("::warning") == 1
        assert github_api.requests == []


def on_create(kind: FaultKind, **details: Any) -> Fault:
    """A fault of the comment's create."""
    return Fault(kind=kind, method="POST", path=r"/issues/1/comments$", **details)


def comment_faults() -> list[Any]:
    """Each fault a client must survive, on the comment's create."""
    return [
        pytest.param(on_create(FaultKind.STATUS, status=status), id=str(status))
        for status in (500, 502, 503, 524)
    ] + [
        pytest.param(on_create(FaultKind.SECONDARY_RATE_LIMIT, retry_after=0), id="403"),
        pytest.param(on_create(FaultKind.TOO_MANY_REQUESTS, retry_after=0), id="429"),
        pytest.param(on_create(FaultKind.DROP), id="drop-before"),
        pytest.param(on_create(FaultKind.DROP, after_apply=True), id="drop-after"),
        pytest.param(on_create(FaultKind.DELAY, seconds=1.05), id="timeout"),
    ]


def with_times(fault: Fault, times: int | None) -> Fault:
    """The same fault applying ``times`` times (None: forever)."""
    return dataclasses.replace(fault, times=times)


class TestFaults:
    @pytest.mark.parametrize("times", [1, 2])
    @pytest.mark.parametrize("fault", comment_faults())
    def test_a_fault_that_clears(
        self, github_api: GitHubServer, tmp_path: Path, fault: Fault, times: int
    ) -> None:
        """The comment is posted exactly once when the fault clears within the budget."""
        seed_pull(github_api)
        github_api.add_fault(with_times(fault, times))
        result, _ = publish(github_api, tmp_path, publication(check=False))
        assert (result.failures, len(ours(github_api))) == ((), 1)
        assert result.comment_url == (
            f"{github_api.url}/octo/proj/pull/1#issuecomment-{ours(github_api)[0].id}"
        )
        assert github_api.validation_errors == []

    @pytest.mark.parametrize("fault", comment_faults())
    def test_a_fault_that_stays(
        self, github_api: GitHubServer, tmp_path: Path, fault: Fault
    ) -> None:
        """GitHub stays down: a warning, the summary and outputs, and the verdict's exit code."""
        seed_pull(github_api)
        github_api.add_fault(dataclasses.replace(fault, times=None, method=None, path=""))
        result, stdout = publish(github_api, tmp_path, publication(check=False), SHORT)
        assert len(result.failures) == 1
        assert result.failures[0].startswith("comment not posted: list the comments of octo/proj#1")
        assert "::warning title=noxci%3A not posted::comment not posted" in stdout
        summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
        assert summary.startswith("### noxci verdict\n")
        assert "**noxci could not post to GitHub** (the verdict above stands)" in summary
        assert read_outputs(tmp_path / "output.txt")["passed"] == "true"
        assert ours(github_api) == []
        assert exit_code(ExitCode.GATE_FAILED, result, strict=False) == ExitCode.GATE_FAILED
        assert exit_code(ExitCode.OK, result, strict=True) == ExitCode.PUBLISH_FAILED

    @pytest.mark.parametrize("after_apply", [True, False], ids=["drop-after", "timeout"])
    def test_a_create_that_always_goes_through(
        self, github_api: GitHubServer, tmp_path: Path, after_apply: bool
    ) -> None:
        """Every create fails although it took effect: the first one is found and kept."""
        seed_pull(github_api)
        kind = FaultKind.DROP if after_apply else FaultKind.DELAY
        github_api.add_fault(
            Fault(kind=kind, after_apply=after_apply, seconds=1.05, method="POST", times=None)
        )
        result, _ = publish(github_api, tmp_path, publication(check=False))
        assert (result.failures, [c.body for c in ours(github_api)]) == (
            (),
            [f"{MARKER}\nall good"],
        )
        assert [call for call in calls(github_api) if call[0] == "POST"] == [
            ("POST", "/repos/octo/proj/issues/1/comments")
        ]

    @pytest.mark.parametrize(
        "fault",
        [
            Fault(kind=FaultKind.STATUS, status=502, method="PATCH"),
            Fault(kind=FaultKind.DROP, after_apply=True, method="PATCH"),
            Fault(kind=FaultKind.SECONDARY_RATE_LIMIT, retry_after=1, method="PATCH"),
        ],
        ids=["502", "drop-after", "403-retry-after-1"],
    )
    def test_edits_and_annotations_survive(
        self, github_api: GitHubServer, tmp_path: Path, fault: Fault
    ) -> None:
        """A failed edit is repeated; a batch of annotations that went through is not resent."""
        seed_pull(github_api)
        github_api.seed(Comment(repo=REPO, issue_number=1, body=f"{MARKER}\nold", user=BOT))
        github_api.add_fault(dataclasses.replace(fault, path="/issues/comments/"))
        github_api.add_fault(dataclasses.replace(fault, path="/check-runs/"))
        result, _ = publish(github_api, tmp_path, publication(annotations=60))
        with github_api.store.lock:
            count = len(github_api.store.annotations)
        assert (result.failures, [c.body for c in ours(github_api)], count) == (
            (),
            [f"{MARKER}\nall good"],
            60,
        )

    def test_check_run_while_github_is_down(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """No check run: a failure line, and the annotations as workflow commands."""
        github_api.add_fault(
            Fault(kind=FaultKind.STATUS, status=503, path="check-runs", times=None)
        )
        result, stdout = publish(github_api, tmp_path, publication(None, annotations=3), SHORT)
        assert result.failures[0].startswith("check run not created: create check run 'noxci'")
        assert result.notes == (
            "No check run: GitHub did not take it. The 3 most important of 3 annotations "
            "are shown as workflow-command annotations instead.",
        )
        assert [line[:9] for line in stdout.splitlines()] == ["::error f"] * 3 + ["::warning"]

    def test_duplicates_that_cannot_be_deleted(
        self, github_api: GitHubServer, tmp_path: Path
    ) -> None:
        """A duplicate that cannot be deleted while GitHub is down is reported."""
        seed_pull(github_api)
        github_api.seed(
            *(
                Comment(repo=REPO, issue_number=1, body=f"{MARKER}\nall good", user=BOT)
                for _ in "ab"
            )
        )
        github_api.add_fault(Fault(kind=FaultKind.STATUS, status=500, method="DELETE", times=None))
        result, _ = publish(github_api, tmp_path, publication(check=False), SHORT)
        assert result.failures[0].startswith(
            "comment not posted: delete duplicate comment 2: HTTP 500"
        )

    def test_who_am_i_while_rate_limited(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """A login that cannot be read stops the comment, with the reason."""
        seed_pull(github_api)
        github_api.seed(Comment(repo=REPO, issue_number=1, body=f"{MARKER}\nold", user=BOT))
        github_api.add_fault(
            Fault(kind=FaultKind.TOO_MANY_REQUESTS, path="^/user$", retry_after=5, times=None)
        )
        result, _ = publish(github_api, tmp_path, publication(check=False), SHORT)
        [failure] = result.failures
        assert (failure[:56], failure[-12:]) == (
            "comment not posted: read the token's user: HTTP 429 You ",
            " (1 attempt)",
        )

    def test_reads_are_retried(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """A failed page of the comment list is fetched again, not the whole list."""
        seed_pull(github_api, others=150)
        github_api.add_fault(Fault(kind=FaultKind.STATUS, status=503, path="^/repositories/"))
        result, _ = publish(github_api, tmp_path, publication(check=False))
        pages = [(r.query, r.status) for r in github_api.requests if r.method == "GET"][:3]
        assert pages == [
            ("per_page=100", 200),
            ("page=2&per_page=100", 503),
            ("page=2&per_page=100", 200),
        ]
        assert (result.failures, len(ours(github_api))) == ((), 1)


def get_json(server: GitHubServer, path: str) -> Any:
    """GET a path of the server's API as the bot."""
    request = urllib.request.Request(
        f"{server.url}{path}", headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


class TestForkPath:
    def seed_fork(self, server: GitHubServer, tmp_path: Path) -> tuple[dict[str, str], Path]:
        """A fork's PR, its finished pull_request run, and both event files as GitHub writes them."""
        server.seed(User(login="contrib"), Repo(owner="contrib", name="proj", fork=True))
        seed_pull(server, head_repo="contrib/proj")
        run = server.add(
            WorkflowRun(repo=REPO, head_sha=HEAD, head_repo="contrib/proj", event="pull_request")
        )
        listed = get_json(server, f"/repos/{REPO}/actions/runs?head_sha={HEAD}")
        assert [item["id"] for item in listed["workflow_runs"]] == [run.id]
        payload = dict(listed["workflow_runs"][0], pull_requests=[])  # empty for forks
        event = tmp_path / "event.json"
        event.write_text(json.dumps({"action": "completed", "workflow_run": payload}))
        uploaded = tmp_path / "pr-event.json"
        pull = get_json(server, f"/repos/{REPO}/pulls/1")
        uploaded.write_text(json.dumps({"action": "synchronize", "pull_request": pull}))
        env = {
            "GITHUB_EVENT_NAME": "workflow_run",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": REPO,
        }
        return env, uploaded

    def test_workflow_run_posts_for_the_fork(
        self, github_api: GitHubServer, tmp_path: Path
    ) -> None:
        """The trusted run gives repository and head; the uploaded file, once checked, the PR."""
        env, uploaded = self.seed_fork(github_api, tmp_path)
        event = read_event(env, uploaded=uploaded)
        assert (event.kind, event.repo, event.head_sha, event.pr_number, event.fork) == (
            EventKind.WORKFLOW_RUN,
            REPO,
            HEAD,
            1,
            True,
        )
        assert event.pr_number is not None
        plan = CommentPlan(
            pr_number=event.pr_number, body="fork", marker=MARKER, expect_head_sha=event.head_sha
        )
        pub = Publication(repo=event.repo, comment=plan, check_run=publication().check_run)
        result, _ = publish(github_api, tmp_path, pub)
        assert (result.failures, [c.body for c in ours(github_api)]) == ((), [f"{MARKER}\nfork"])
        with github_api.store.lock:
            assert [run.head_sha for run in github_api.store.check_runs.values()] == [HEAD]
        assert github_api.validation_errors == []

    def test_a_tampered_upload_is_refused(self, github_api: GitHubServer, tmp_path: Path) -> None:
        """An uploaded event naming another head commit is refused before anything is posted."""
        env, uploaded = self.seed_fork(github_api, tmp_path)
        data = json.loads(uploaded.read_text())
        data["pull_request"]["head"]["sha"] = "e" * 40
        uploaded.write_text(json.dumps(data))
        with pytest.raises(InputError, match="refusing to publish for it"):
            read_event(env, uploaded=uploaded)
