"""From a decided report to GitHub: what to post (pure planning), then posting it.

The decisions live in :func:`plan_publication`: whether a pull request gets the sticky
comment (never for a fork's own ``pull_request`` run, whose token is read-only: the
``workflow_run`` workflow posts for it), what the check run says, and each channel's text,
rendered from the report within that channel's budget (:mod:`ci.report.render.markdown`).
:mod:`ci.report.publish` then only carries the plan out.
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
from ci.report.render.markdown import (
    CHECK_LIMIT,
    COMMENT_EXCERPT,
    COMMENT_LIMIT,
    JOB_SUMMARY,
    SUMMARY_LIMIT,
    render_check,
    render_markdown,
    render_summary,
)
from ci.report.render.marker import comment_marker

__all__ = [
    "CHECK_LIMIT",
    "COMMENT_LIMIT",
    "SUMMARY_LIMIT",
    "comment_body",
    "plan_publication",
    "publish_to_github",
]


def comment_body(report: Report, marker: str) -> str:
    """The comment's Markdown, leaving room for the marker line the publisher puts first."""
    room = COMMENT_LIMIT - len(marker) - 1  # the marker is ASCII
    return render_markdown(report, limit=room, where=JOB_SUMMARY, excerpt_chars=COMMENT_EXCERPT)


def plan_publication(
    report: Report, *, event: Event, markdown: str = "", settings: Settings
) -> Publication:
    """Everything this report posts for ``event``, each text within its channel's limit.

    Every text is rendered from ``report`` for its channel; ``markdown`` (the whole
    report, as ``reports/report.md`` holds it) is accepted for callers and not needed.
    """
    del markdown
    marker = comment_marker(settings.comment_key)
    comment = None
    if event.pr_number is not None and not (event.fork and event.kind is EventKind.PULL_REQUEST):
        comment = CommentPlan(
            pr_number=event.pr_number,
            body=comment_body(report, marker),
            marker=marker,
            expect_head_sha=event.head_sha if event.kind is EventKind.WORKFLOW_RUN else None,
        )
    title, summary, text = render_check(report)
    check_run = CheckRunPlan(
        name=settings.check_name,
        head_sha=event.head_sha,
        conclusion=Conclusion.SUCCESS if report.passed else Conclusion.FAILURE,
        title=title,
        summary=summary,
        text=text,
        annotations=tuple(render_annotations(report, diff=report.diff)),
    )
    return Publication(
        repo=event.repo,
        comment=comment,
        check_run=check_run,
        summary=render_summary(report),
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
