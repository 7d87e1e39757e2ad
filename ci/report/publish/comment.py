"""The sticky pull-request comment: found by marker and author, edited in place, never twice.

One run: list every comment (100 a page), keep those whose first line is our marker and
whose author is the token's user. Found: edit the oldest if its text changed, delete the
others. None: create one, then list the comments since shortly before we started looking
and, if racing jobs created more, keep the oldest (with our text) and delete the rest;
every racer does the same, so exactly one remains. A create that fails ambiguously
(timeout, dropped connection, 5xx) is checked by listing again before it is repeated;
with a client timeout above GitHub's own 10 s limit a timed-out create has landed or died
by then. A create landing later still would be one duplicate, removed by the next run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from github.IssueComment import IssueComment
from github.PaginatedList import PaginatedList

from ci.report.publish.client import GitHubClient
from ci.report.publish.plan import CommentPlan
from ci.report.publish.retry import FailureKind, GaveUpError, call

__all__ = ["comment_text", "upsert_comment"]

#: Extra seconds looked back for racing jobs' comments (clock and latency slack).
_SLACK_S = 60.0


def comment_text(plan: CommentPlan) -> str:
    """The whole comment: the marker on the first line, then the body."""
    return f"{plan.marker}\n{plan.body}"


def _listing(comments: PaginatedList[IssueComment]) -> Callable[[], list[IssueComment]]:
    """Read a list; after a failure, reading it again resumes at the page that failed."""
    return lambda: list(comments)


def _ours(
    client: GitHubClient, comments: Iterable[IssueComment], marker: str
) -> list[IssueComment]:
    """Our comments, oldest first: the marker on the first line and the token's user as author."""
    marked = [c for c in comments if (c.body or "").startswith(marker)]
    if not marked:
        return []
    login = client.login()
    return sorted((c for c in marked if c.user.login == login), key=lambda c: c.id)


def _delete(client: GitHubClient, comment: IssueComment) -> None:
    try:
        call(client.budget, f"delete duplicate comment {comment.id}", comment.delete)
    except GaveUpError as error:
        if error.failure.kind is not FailureKind.NOT_FOUND:  # gone already: fine
            raise


def _settle(client: GitHubClient, ours: list[IssueComment], text: str) -> IssueComment:
    """Keep the oldest with ``text``, delete the others."""
    keep, *extra = ours
    if keep.body != text:
        call(client.budget, f"edit comment {keep.id}", lambda: keep.edit(text))
    for duplicate in extra:
        _delete(client, duplicate)
    return keep


def upsert_comment(client: GitHubClient, repo: str, plan: CommentPlan) -> IssueComment:
    """Make ours the one comment with ``plan``'s marker on pull request ``plan.pr_number``."""
    text = comment_text(plan)
    issue = client.repo(repo).get_issue(plan.pr_number)
    where = f"{repo}#{plan.pr_number}"
    started = client.budget.clock()
    listed = call(client.budget, f"list the comments of {where}", _listing(issue.get_comments()))
    ours = _ours(client, listed, plan.marker)
    if ours:
        return _settle(client, ours, text)

    def recover() -> IssueComment | None:
        found = _ours(client, _listing(issue.get_comments())(), plan.marker)
        return found[0] if found else None

    created = call(
        client.budget,
        f"create the comment on {where}",
        lambda: issue.create_comment(text),
        recover=recover,
    )
    client.learn_login(created.user.login)
    looked = client.budget.clock() - started + _SLACK_S
    since = created.created_at.astimezone(dt.UTC) - dt.timedelta(seconds=looked)
    recent = call(
        client.budget,
        f"list the recent comments of {where}",
        _listing(issue.get_comments(since=since)),
    )
    return _settle(client, _ours(client, recent, plan.marker) or [created], text)
