"""Publishing a report on GitHub: sticky comment, check run, job summary and step outputs.

:func:`publish_github` carries out a :class:`~ci.report.publish.plan.Publication` and
decides nothing about content. What GitHub does not take is a line in
``PublishResult.failures``, a ``::warning`` and a note in the job summary; the summary
and outputs are written whatever GitHub does, so the verdict always lands. Without a
check run (a fork PR's token may not write checks, or GitHub is down) the most important
annotations become workflow commands (the Actions UI shows 10 per level).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from ci.report.publish.actions import (
    WorkflowCommands,
    append_step_summary,
    most_important,
    write_outputs,
)
from ci.report.publish.checks import create_check_run
from ci.report.publish.client import GitHubClient, MissingTokenError
from ci.report.publish.comment import upsert_comment
from ci.report.publish.plan import CheckRunPlan, CommentPlan, Publication, PublishResult
from ci.report.publish.retry import FailureKind, GaveUpError, RetryPolicy, call

__all__ = ["publish_actions", "publish_github"]


def _comment(client: GitHubClient, repo: str, plan: CommentPlan) -> str | None:
    """Post the comment and return its URL; None when the PR's head is not the expected one."""
    if plan.expect_head_sha is not None:
        pull = call(
            client.budget,
            f"read pull request {repo}#{plan.pr_number}",
            lambda: client.repo(repo).get_pull(plan.pr_number).head.sha,
        )
        if pull != plan.expect_head_sha:
            return None
    return upsert_comment(client, repo, plan).html_url


def _check_run(
    client: GitHubClient | None, repo: str, plan: CheckRunPlan, stream: TextIO
) -> tuple[str | None, str | None, str]:
    """Create the check run: its URL, or a failure line and workflow commands instead."""
    failure, why = None, "nothing could be posted"
    if client is not None:
        try:
            return create_check_run(client, repo, plan).html_url, None, ""
        except GaveUpError as error:
            if error.failure.kind is FailureKind.FORBIDDEN:
                why = "this token may not write checks (as on pull requests from forks)"
            else:
                failure, why = f"check run not created: {error}", "GitHub did not take it"
    shown = most_important(plan.annotations)
    commands = WorkflowCommands(stream)
    for annotation in shown:
        commands.annotate(annotation)
    note = (
        f"No check run: {why}. The {len(shown)} most important of {len(plan.annotations)} "
        "annotations are shown as workflow-command annotations instead."
    )
    return None, failure, note


def _summary_notes(result: PublishResult) -> str:
    lines = [f"> {note}" for note in result.notes]
    if result.failures:
        lines += ["> **noxci could not post to GitHub** (the verdict above stands):"]
        lines += [f"> - {failure}" for failure in result.failures]
    return "\n\n" + "\n".join(lines) + "\n" if lines else ""


def publish_actions(
    publication: Publication, result: PublishResult, *, env: Mapping[str, str], stream: TextIO
) -> None:
    """The Actions side: warnings, the job summary (with notes) and the step outputs."""
    commands = WorkflowCommands(stream)
    for failure in result.failures:
        commands.warning(failure, title="noxci: not posted")
    append_step_summary(env, publication.summary + _summary_notes(result))
    write_outputs(env, {**publication.outputs, "comment-url": result.comment_url or ""})


def publish_github(
    publication: Publication,
    *,
    env: Mapping[str, str],
    policy: RetryPolicy | None = None,
    client: GitHubClient | None = None,
    stream: TextIO = sys.stdout,
) -> PublishResult:
    """Post ``publication`` to GitHub, then write the job summary and step outputs."""
    comment_url = check_url = None
    failures: list[str] = []
    notes: list[str] = []
    try:
        client = client or GitHubClient.from_env(env, policy or RetryPolicy())
    except MissingTokenError as error:
        client = None
        failures.append(f"nothing posted: {error}")
    if client is not None and publication.comment is not None:
        try:
            comment_url = _comment(client, publication.repo, publication.comment)
        except GaveUpError as error:
            failures.append(f"comment not posted: {error}")
        else:
            if comment_url is None:
                failures.append(
                    f"comment not posted: {publication.repo}#{publication.comment.pr_number} "
                    "no longer has the head commit this report is about"
                )
    if publication.check_run is not None:
        check_url, failure, note = _check_run(
            client, publication.repo, publication.check_run, stream
        )
        failures += [failure] if failure else []
        notes += [note] if note else []
    result = PublishResult(
        comment_url=comment_url,
        check_run_url=check_url,
        failures=tuple(failures),
        notes=tuple(notes),
    )
    publish_actions(publication, result, env=env, stream=stream)
    return result
