"""What a report posts for each event: pure planning, before any request."""

from __future__ import annotations

from ci.config import Settings
from ci.report.model import Counts, GateResult, Report, TestsResult
from ci.report.publish.events import Event, EventKind
from ci.report.publish.plan import Conclusion
from ci.report.publishing import COMMENT_LIMIT, plan_publication
from ci.report.render.markdown import fit

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
        """A huge body is cut so that marker, newline and body fit GitHub's 65,536 characters."""
        body = "line\n" * 40_000
        plan = plan_publication(
            report(), event=event(EventKind.PULL_REQUEST), markdown=body, settings=Settings()
        )
        assert plan.comment is not None
        assert len(plan.comment.marker) + 1 + len(plan.comment.body) <= COMMENT_LIMIT
        assert plan.comment.body.endswith(
            "the whole report is `reports/report.md` in the job's artifacts.\n"
        )


class TestFit:
    def test_short_text_is_kept(self) -> None:
        """Text within the limit comes back as it was."""
        assert fit("abc\n", 10) == "abc\n"

    def test_cut_at_a_line_end_says_how_much(self) -> None:
        """A long text is cut at a line end, within the limit, naming how much was left out."""
        text = "".join(f"row {i}\n" for i in range(100))
        cut = fit(text, 300)
        assert len(cut) <= 300
        kept = cut.split("\n\n… cut")[0]
        assert text.startswith(kept)
        assert f"{len(text) - len(kept):,} characters left out" in cut
