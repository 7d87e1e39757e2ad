"""Issues and issue comments: list, create, get, update, and delete for comments.

Pull requests are issues here as on GitHub: they share numbers, the issues list shows
them (with a ``pull_request`` key), and their conversation is issue comments, which is
where the sticky report comment lives.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.github_server._call import ApiError, Call, Handler, Reply, node_id
from tests.github_server._json import label_json, schema_object, user_json
from tests.github_server._records import Comment, Issue

__all__ = ["HANDLERS", "author_association", "comment_count", "issue_json"]


def author_association(call: Call, repo: str, login: str) -> str:
    """``OWNER`` for the repository's owner, ``NONE`` for anyone else."""
    found = call.store.repo(repo)
    return "OWNER" if found is not None and found.owner.lower() == login.lower() else "NONE"


def comment_count(call: Call, issue: Issue) -> int:
    """How many comments ``issue`` has."""
    return sum(
        1
        for comment in call.store.comments.values()
        if comment.repo.lower() == issue.repo.lower() and comment.issue_number == issue.number
    )


def _html(call: Call, issue_repo: str, number: int) -> str:
    issue = call.store.issues.get((issue_repo.lower(), number))
    kind = "pull" if issue is not None and issue.pull is not None else "issues"
    return call.api(f"/{issue_repo}/{kind}/{number}")


def issue_json(call: Call, issue: Issue) -> dict[str, Any]:
    """An ``issue``; a pull request's carries ``pull_request`` links."""
    repo_api = call.api(f"/repos/{issue.repo}")
    url = f"{repo_api}/issues/{issue.number}"
    assignees = [user_json(call, login) for login in issue.assignees]
    found = schema_object(
        call,
        "issue",
        id=issue.id,
        node_id=node_id("Issue", issue.id),
        url=url,
        repository_url=repo_api,
        labels_url=f"{url}/labels{{/name}}",
        comments_url=f"{url}/comments",
        events_url=f"{url}/events",
        timeline_url=f"{url}/timeline",
        html_url=_html(call, issue.repo, issue.number),
        number=issue.number,
        state=issue.state,
        state_reason=issue.state_reason,
        title=issue.title,
        body=issue.body,
        user=user_json(call, issue.user),
        labels=[label_json(call, call.store.label(issue.repo, name)) for name in issue.labels],
        assignee=assignees[0] if assignees else None,
        assignees=assignees,
        locked=issue.locked,
        comments=comment_count(call, issue),
        created_at=issue.created_at,
        updated_at=issue.updated_at,
        closed_at=issue.closed_at,
        author_association=author_association(call, issue.repo, issue.user),
    )
    if issue.pull is not None:
        pull_url = f"{repo_api}/pulls/{issue.number}"
        found["pull_request"] = {
            "url": pull_url,
            "html_url": found["html_url"],
            "diff_url": f"{found['html_url']}.diff",
            "patch_url": f"{found['html_url']}.patch",
            "merged_at": None,
        }
    return found


def comment_json(call: Call, comment: Comment) -> dict[str, Any]:
    """An ``issue-comment``."""
    return schema_object(
        call,
        "issue-comment",
        id=comment.id,
        node_id=node_id("IssueComment", comment.id),
        url=call.api(f"/repos/{comment.repo}/issues/comments/{comment.id}"),
        html_url=f"{_html(call, comment.repo, comment.issue_number)}#issuecomment-{comment.id}",
        issue_url=call.api(f"/repos/{comment.repo}/issues/{comment.issue_number}"),
        body=comment.body,
        user=user_json(call, comment.user),
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        author_association=author_association(call, comment.repo, comment.user),
    )


def _issue(call: Call) -> Issue:
    found = call.store.issues.get((call.repo().full_name.lower(), call.number("issue_number")))
    if found is None:
        raise ApiError(404, "Not Found")
    return found


def _matches(issue: Issue, query: dict[str, str]) -> bool:
    state = query.get("state", "open")
    labels = {name.strip().lower() for name in query.get("labels", "").split(",") if name.strip()}
    assignee = query.get("assignee")
    return (
        state in ("all", issue.state)
        and labels <= {name.lower() for name in issue.labels}
        and query.get("creator", issue.user).lower() == issue.user.lower()
        and (
            assignee is None
            or (assignee == "*" and bool(issue.assignees))
            or (assignee == "none" and not issue.assignees)
            or assignee.lower() in {login.lower() for login in issue.assignees}
        )
    )


def list_issues(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/issues``: state, labels, creator, assignee, sort."""
    repo = call.repo()
    issues = [
        issue
        for (name, _), issue in call.store.issues.items()
        if name == repo.full_name.lower() and _matches(issue, dict(call.query))
    ]
    key = "updated_at" if call.query.get("sort") == "updated" else "created_at"
    issues.sort(key=lambda issue: (getattr(issue, key), issue.number))
    if call.query.get("direction", "desc") == "desc":
        issues.reverse()
    page, headers = call.paginate(issues)
    return Reply(status=200, body=[issue_json(call, issue) for issue in page], headers=headers)


def _labels(body: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(item["name"] if isinstance(item, dict) else item) for item in body["labels"])


def _assignees(body: dict[str, Any]) -> tuple[str, ...]:
    logins = [item["login"] if isinstance(item, dict) else item for item in body["assignees"]]
    return tuple(str(login) for login in logins)


def create_issue(call: Call) -> Reply:
    """``POST /repos/{owner}/{repo}/issues``."""
    repo = call.repo()
    body: dict[str, Any] = call.body
    issue = Issue(
        repo=repo.full_name,
        title=str(body["title"]),
        body=body.get("body"),
        user=call.login or "",
        labels=_labels(body) if "labels" in body else (),
        assignees=_assignees(body) if "assignees" in body else (),
    )
    stored = call.store.add(issue)
    assert isinstance(stored, Issue)
    found = issue_json(call, stored)
    return Reply(status=201, body=found, headers=(("Location", found["url"]),))


def get_issue(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/issues/{issue_number}``."""
    return Reply(status=200, body=issue_json(call, _issue(call)))


def update_issue(call: Call) -> Reply:
    """``PATCH /repos/{owner}/{repo}/issues/{issue_number}``: title, body, state, labels."""
    issue = _issue(call)
    body: dict[str, Any] = call.body
    now = call.store.now()
    changes: dict[str, Any] = {"updated_at": now}
    for key in ("title", "body"):
        if key in body:
            changes[key] = body[key] if key == "body" else str(body[key])
    if "labels" in body:
        changes["labels"] = _labels(body)
        for name in changes["labels"]:
            call.store.label(issue.repo, name)
    if "assignees" in body:
        changes["assignees"] = _assignees(body)
    state = body.get("state", issue.state)
    if state != issue.state:
        closing = state == "closed"
        changes.update(
            state=state,
            closed_at=now if closing else None,
            state_reason=body.get("state_reason") or ("completed" if closing else "reopened"),
        )
    updated = dataclasses.replace(issue, **changes)
    call.store.issues[issue.repo.lower(), issue.number] = updated
    return Reply(status=200, body=issue_json(call, updated))


def list_comments(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/issues/{issue_number}/comments`` (oldest first)."""
    issue = _issue(call)
    since = call.query.get("since", "")
    comments = sorted(
        (
            comment
            for comment in call.store.comments.values()
            if comment.repo.lower() == issue.repo.lower()
            and comment.issue_number == issue.number
            and comment.updated_at >= since
        ),
        key=lambda comment: comment.id,
    )
    page, headers = call.paginate(comments)
    return Reply(status=200, body=[comment_json(call, item) for item in page], headers=headers)


def create_comment(call: Call) -> Reply:
    """``POST /repos/{owner}/{repo}/issues/{issue_number}/comments``."""
    issue = _issue(call)
    comment = Comment(
        repo=issue.repo, issue_number=issue.number, body=call.body["body"], user=call.login or ""
    )
    stored = call.store.add(comment)
    assert isinstance(stored, Comment)
    call.store.issues[issue.repo.lower(), issue.number] = dataclasses.replace(
        issue, updated_at=stored.created_at
    )
    found = comment_json(call, stored)
    return Reply(status=201, body=found, headers=(("Location", found["url"]),))


def _comment(call: Call) -> Comment:
    repo = call.repo()
    found = call.store.comments.get(call.number("comment_id"))
    if found is None or found.repo.lower() != repo.full_name.lower():
        raise ApiError(404, "Not Found")
    return found


def get_comment(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/issues/comments/{comment_id}``."""
    return Reply(status=200, body=comment_json(call, _comment(call)))


def update_comment(call: Call) -> Reply:
    """``PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}``."""
    comment = dataclasses.replace(
        _comment(call), body=call.body["body"], updated_at=call.store.now()
    )
    call.store.comments[comment.id] = comment
    return Reply(status=200, body=comment_json(call, comment))


def delete_comment(call: Call) -> Reply:
    """``DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}``."""
    del call.store.comments[_comment(call).id]
    return Reply(status=204)


HANDLERS: dict[str, Handler] = {
    "issues/list-for-repo": list_issues,
    "issues/create": create_issue,
    "issues/get": get_issue,
    "issues/update": update_issue,
    "issues/list-comments": list_comments,
    "issues/create-comment": create_comment,
    "issues/get-comment": get_comment,
    "issues/update-comment": update_comment,
    "issues/delete-comment": delete_comment,
}
