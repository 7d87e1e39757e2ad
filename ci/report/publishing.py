"""From a decided report to GitHub: what to post (pure planning), then posting it.

The decisions live in :func:`plan_publication`: whether a pull request gets the sticky
comment (never for a fork's own ``pull_request`` run, whose token is read-only: the
``workflow_run`` workflow posts for it), what the check run says, which text fits which
limit. :mod:`ci.report.publish` then only carries the plan out.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from ci.config import Settings
from ci.report.model import Report
from ci.report.publish.actions import step_outputs
from ci.report.publish.events import Event, EventKind, read_event
from ci.report.publish.github import publish_github
from ci.report.publish.plan import (
    CheckRunPlan,
    CommentPlan,
    Conclusion,
    Publication,
    exit_code,
)
from ci.report.publish.retry import RetryPolicy
from ci.report.render.annotations import render_annotations
from ci.report.render.markdown import fit
from ci.report.render.marker import comment_marker

__all__ = ["CHECK_LIMIT", "COMMENT_LIMIT", "SUMMARY_LIMIT", "plan_publication", "publish_to_github"]

#: GitHub's limits, in characters (the job summary's is 1 MiB of bytes).
COMMENT_LIMIT = 65_536
CHECK_LIMIT = 65_535
SUMMARY_LIMIT = 1_048_576


def _headline(report: Report) -> str:
    failed = [gate.name for gate in report.gates if not gate.passed]
    return "every gate passed" if not failed else "failed: " + ", ".join(failed)


def plan_publication(
    report: Report, *, event: Event, markdown: str, settings: Settings
) -> Publication:
    """Everything this report posts for ``event``, each text within its channel's limit."""
    marker = comment_marker(settings.comment_key)
    comment = None
    if event.pr_number is not None and not (event.fork and event.kind is EventKind.PULL_REQUEST):
        comment = CommentPlan(
            pr_number=event.pr_number,
            body=fit(markdown, COMMENT_LIMIT - len(marker) - 1),
            marker=marker,
            expect_head_sha=event.head_sha if event.kind is EventKind.WORKFLOW_RUN else None,
        )
    check_run = CheckRunPlan(
        name=settings.check_name,
        head_sha=event.head_sha,
        conclusion=Conclusion.SUCCESS if report.passed else Conclusion.FAILURE,
        title=_headline(report),
        summary=fit(markdown, CHECK_LIMIT),
        annotations=tuple(render_annotations(report, diff=report.diff)),
    )
    summary = fit(markdown, SUMMARY_LIMIT // 4)  # 4 bytes a character at most: stays under 1 MiB
    return Publication(
        repo=event.repo,
        comment=comment,
        check_run=check_run,
        summary=summary,
        outputs=step_outputs(report, diff=report.diff),
    )


def publish_to_github(
    report: Report, *, markdown: str, settings: Settings, env: Mapping[str, str], verdict: int
) -> int:
    """Post the report for the current GitHub Actions event; return the exit code."""
    event = read_event(env, uploaded=settings.event_file)
    publication = plan_publication(report, event=event, markdown=markdown, settings=settings)
    policy = RetryPolicy(budget_s=settings.publish_budget)
    result = publish_github(publication, env=env, policy=policy, stream=sys.stdout)
    for failure in result.failures:
        print(f"noxci: warning: not posted: {failure}", file=sys.stderr)
    return exit_code(verdict, result, strict=settings.strict_publish)
