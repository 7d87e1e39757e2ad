"""What a report posts for each event: pure planning, before any request."""

from __future__ import annotations

from ci.config import Settings
from ci.report.model import Counts, GateResult, Outcome, Report, TestCase, TestsResult
from ci.report.publish.events import Event, EventKind
from ci.report.publish.plan import Conclusion
from ci.report.publishing import CHECK_LIMIT, COMMENT_LIMIT, SUMMARY_LIMIT, plan_publication

HEAD = "a" * 40


def report(passed: bool = True) -> Report:
    return Report(
        inputs=(),
        tests=TestsResult(counts=Counts(total=1, passed=1)),
        coverage=None,
        benchmarks=(),
        gates=(GateResult(name="tests", passed=passed, detail="x"),),
    )


def event(kind: EventKind, pr: int | None = 7, *, fork: bool = False) -> Event:
    return Event(kind=kind, repo="o/r", head_sha=HEAD, pr_number=pr, fork=fork)


class TestPlanPublication:
    def test_pull_request_gets_comment_and_check_run(self) -> None:
        """A same-repository PR: sticky comment and a check run on the head commit."""
        plan = plan_publication(
            report(), event=event(EventKind.PULL_REQUEST), markdown="# hi\n", settings=Settings()
        )
        assert plan.comment is not None
        assert (plan.comment.pr_number, plan.comment.marker, plan.comment.expect_head_sha) == (
            7,
            "<!-- noxci:report:default -->",
            None,
        )
        assert plan.check_run is not None
        assert (plan.check_run.head_sha, plan.check_run.conclusion, plan.check_run.title) == (
            HEAD,
            Conclusion.SUCCESS,
            "every gate passed",
        )

    def test_fork_pull_request_does_not_comment(self) -> None:
        """A fork's own run has a read-only token: the workflow_run workflow comments instead."""
        plan = plan_publication(
            report(False),
            event=event(EventKind.PULL_REQUEST, fork=True),
            markdown="x",
            settings=Settings(),
        )
        assert plan.comment is None
        assert plan.check_run is not None
        assert (plan.check_run.conclusion, plan.check_run.title) == (
            Conclusion.FAILURE,
            "failed: tests",
        )

    def test_workflow_run_checks_the_head(self) -> None:
        """workflow_run posts for the fork, only while the PR's head is the commit reported on."""
        plan = plan_publication(
            report(),
            event=event(EventKind.WORKFLOW_RUN, fork=True),
            markdown="x",
            settings=Settings(),
        )
        assert plan.comment is not None
        assert plan.comment.expect_head_sha == HEAD

    def test_push_has_no_comment(self) -> None:
        """A push or schedule has no pull request to comment on."""
        plan = plan_publication(
            report(), event=event(EventKind.PUSH, pr=None), markdown="x", settings=Settings()
        )
        assert plan.comment is None

    def test_comment_fits_with_its_marker(self) -> None:
        """A huge report is cut so that marker, newline and body fit GitHub's 65,536 characters."""
        cases = tuple(
            TestCase(
                stage="unit",
                classname="tests.test_a",
                name=f"test_{index}",
                outcome=Outcome.FAILED,
                message="assert False",
                excerpt="E   assert False\n" * 300,
            )
            for index in range(2_000)
        )
        big = Report(
            inputs=(),
            tests=TestsResult(counts=Counts(total=2_000, failed=2_000), cases=cases),
            coverage=None,
            benchmarks=(),
            gates=(GateResult(name="tests", passed=False, detail="2000 failed"),),
        )
        plan = plan_publication(big, event=event(EventKind.PULL_REQUEST), settings=Settings())
        assert plan.comment is not None
        assert plan.check_run is not None
        assert len(plan.comment.marker) + 1 + len(plan.comment.body) <= COMMENT_LIMIT
        assert plan.comment.body.startswith("### ❌ noxci: tests failed\n")
        assert ", see the job summary\n" in plan.comment.body
        assert len(plan.check_run.summary) <= CHECK_LIMIT
        assert len(plan.check_run.text) <= CHECK_LIMIT
        assert len(plan.summary.encode("utf-8")) <= SUMMARY_LIMIT
        assert plan.summary.count("- failed **tests.test\\_a::test\\_") == 2_000
