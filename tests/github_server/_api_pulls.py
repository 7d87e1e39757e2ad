"""Pull requests: get and list, and the minimal form check runs and workflow runs embed.

A pull request is an ``Issue`` record with a ``PullRef``: title, body, state and labels
live on the issue, head and base on the ref. A fork's head repository is a repository
of its own (created as a fork when a seed names one nobody seeded).
"""

from __future__ import annotations

from typing import Any

from tests.github_server._api_issues import author_association, comment_count
from tests.github_server._call import ApiError, Call, Handler, Reply, node_id
from tests.github_server._json import label_json, repo_json, schema_object, user_json
from tests.github_server._records import Issue, PullRef, Repo

__all__ = ["HANDLERS", "pull_json", "pull_minimal_json", "pulls_for_sha"]


def _repo(call: Call, full_name: str) -> Repo:
    found = call.store.repo(full_name)
    assert found is not None, full_name
    return found


def _ref_json(call: Call, full_name: str, ref: str, sha: str) -> dict[str, Any]:
    repo = _repo(call, full_name)
    return {
        "label": f"{repo.owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user_json(call, repo.owner),
        "repo": repo_json(call, repo),
    }


def _pull(issue: Issue) -> PullRef:
    assert issue.pull is not None
    return issue.pull


def pull_json(call: Call, issue: Issue) -> dict[str, Any]:
    """A ``pull-request`` (also valid as ``pull-request-simple`` in lists)."""
    pull = _pull(issue)
    api = call.api(f"/repos/{issue.repo}/pulls/{issue.number}")
    issue_api = call.api(f"/repos/{issue.repo}/issues/{issue.number}")
    html = call.api(f"/{issue.repo}/pull/{issue.number}")
    links = {
        "self": api,
        "html": html,
        "issue": issue_api,
        "comments": f"{issue_api}/comments",
        "review_comments": f"{api}/comments",
        "review_comment": call.api(f"/repos/{issue.repo}/pulls/comments{{/number}}"),
        "commits": f"{api}/commits",
        "statuses": call.api(f"/repos/{issue.repo}/statuses/{pull.head_sha}"),
    }
    found = schema_object(call, "pull-request-simple")
    found.update(schema_object(call, "pull-request"))
    found.update(
        id=issue.id,
        node_id=node_id("PullRequest", issue.id),
        number=issue.number,
        url=api,
        html_url=html,
        diff_url=f"{html}.diff",
        patch_url=f"{html}.patch",
        issue_url=issue_api,
        commits_url=links["commits"],
        review_comments_url=links["review_comments"],
        review_comment_url=links["review_comment"],
        comments_url=links["comments"],
        statuses_url=links["statuses"],
        _links={name: {"href": href} for name, href in links.items()},
        state=issue.state,
        locked=issue.locked,
        title=issue.title,
        body=issue.body,
        user=user_json(call, issue.user),
        labels=[label_json(call, call.store.label(issue.repo, name)) for name in issue.labels],
        assignees=[user_json(call, login) for login in issue.assignees],
        requested_reviewers=[],
        requested_teams=[],
        created_at=issue.created_at,
        updated_at=issue.updated_at,
        closed_at=issue.closed_at,
        head=_ref_json(call, pull.head_repo, pull.head_ref, pull.head_sha),
        base=_ref_json(call, issue.repo, pull.base_ref, pull.base_sha),
        draft=pull.draft,
        merged=pull.merged,
        mergeable_state="clean",
        comments=comment_count(call, issue),
        commits=1,
        author_association=author_association(call, issue.repo, issue.user),
    )
    return found


def pull_minimal_json(call: Call, issue: Issue) -> dict[str, Any]:
    """A ``pull-request-minimal``, as check runs and workflow runs list them."""
    pull = _pull(issue)

    def ref(full_name: str, name: str, sha: str) -> dict[str, Any]:
        repo = _repo(call, full_name)
        url = call.api(f"/repos/{repo.full_name}")
        return {"ref": name, "sha": sha, "repo": {"id": repo.id, "url": url, "name": repo.name}}

    return {
        "id": issue.id,
        "number": issue.number,
        "url": call.api(f"/repos/{issue.repo}/pulls/{issue.number}"),
        "head": ref(pull.head_repo, pull.head_ref, pull.head_sha),
        "base": ref(issue.repo, pull.base_ref, pull.base_sha),
    }


def pulls_for_sha(call: Call, repo: str, sha: str) -> list[Issue]:
    """The open pull requests of ``repo`` whose head is ``sha``."""
    return [
        issue
        for issue in call.store.issues.values()
        if issue.repo.lower() == repo.lower()
        and issue.pull is not None
        and issue.pull.head_sha == sha
        and issue.state == "open"
    ]


def _matches(call: Call, issue: Issue) -> bool:
    if issue.pull is None:
        return False
    head = call.query.get("head")
    head_label = f"{issue.pull.head_repo.split('/')[0]}:{issue.pull.head_ref}"
    return (
        call.query.get("state", "open") in ("all", issue.state)
        and (head is None or head.lower() == head_label.lower())
        and call.query.get("base", issue.pull.base_ref) == issue.pull.base_ref
    )


def list_pulls(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/pulls``: state, head (``owner:ref``), base."""
    repo = call.repo()
    pulls = [
        issue
        for (name, _), issue in call.store.issues.items()
        if name == repo.full_name.lower() and _matches(call, issue)
    ]
    pulls.sort(key=lambda issue: (issue.created_at, issue.number), reverse=True)
    if call.query.get("direction") == "asc":
        pulls.reverse()
    page, headers = call.paginate(pulls)
    return Reply(status=200, body=[pull_json(call, issue) for issue in page], headers=headers)


def get_pull(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/pulls/{pull_number}``."""
    repo = call.repo()
    found = call.store.issues.get((repo.full_name.lower(), call.number("pull_number")))
    if found is None or found.pull is None:
        raise ApiError(
            404, "Not Found", "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"
        )
    return Reply(status=200, body=pull_json(call, found))


HANDLERS: dict[str, Handler] = {"pulls/list": list_pulls, "pulls/get": get_pull}
