"""Repositories, commit comparison (the merge-base), the rate limit and the caller.

Compare walks the seeded commit graph: refs are branch names or commit shas, the
merge base is the nearest commit reachable from both, and ``ahead_by``/``behind_by``
count what each side has that the other lacks, as ``git rev-list --count`` would.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from tests.github_server._call import ApiError, Call, Handler, Reply, node_id
from tests.github_server._json import repo_json, schema_object, user_json
from tests.github_server._records import Commit

__all__ = ["HANDLERS", "get_user", "rate_limit_headers"]


def get_repo(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}``."""
    return Reply(status=200, body=repo_json(call, call.repo()))


def get_user(call: Call) -> Reply:
    """``GET /user``: the token's user (not in the subset; checked as ``simple-user``)."""
    if call.login is None:
        raise ApiError(401, "Requires authentication")
    return Reply(status=200, body=user_json(call, call.login))


def _rate(resource: str) -> dict[str, Any]:
    reset = int(time.time()) + 3600
    return {"limit": 5000, "remaining": 4999, "reset": reset, "used": 1, "resource": resource}


def rate_limit_headers() -> tuple[tuple[str, str], ...]:
    """The ``X-RateLimit-*`` headers GitHub sends with every answer."""
    rate = _rate("core")
    return tuple((f"X-RateLimit-{key.title()}", str(rate[key])) for key in rate)


def get_rate_limit(call: Call) -> Reply:
    """``GET /rate_limit``."""
    names = ("core", "search", "graphql", "integration_manifest", "code_scanning_upload")
    resources = {name: _rate(name) for name in names}
    return Reply(status=200, body={"resources": resources, "rate": resources["core"]})


def _commit(call: Call, repo: str, ref: str) -> Commit:
    branch = call.store.branches.get((repo.lower(), ref))
    sha = branch.sha if branch is not None else ref
    found = call.store.commits.get((repo.lower(), sha))
    if found is None:
        matches = [
            c
            for (name, key), c in call.store.commits.items()
            if name == repo.lower() and key.startswith(ref)
        ]
        found = matches[0] if len(ref) >= 7 and len(matches) == 1 else None
    if found is None:
        raise ApiError(
            404, "Not Found", "https://docs.github.com/rest/commits/commits#compare-two-commits"
        )
    return found


def _ancestry(call: Call, repo: str, start: Commit) -> list[Commit]:
    """``start`` and every commit reachable from it, nearest first."""
    seen: dict[str, Commit] = {}
    queue = deque([start])
    while queue:
        commit = queue.popleft()
        if commit.sha in seen:
            continue
        seen[commit.sha] = commit
        for parent in commit.parents:
            known = call.store.commits.get((repo.lower(), parent))
            if known is not None:
                queue.append(known)
    return list(seen.values())


def commit_json(call: Call, commit: Commit) -> dict[str, Any]:
    """A ``commit``."""
    api = call.api(f"/repos/{commit.repo}")
    person = {
        "name": commit.author,
        "email": f"{commit.author}@users.noreply.local",
        "date": commit.date,
    }
    parents = [
        {
            "sha": sha,
            "url": f"{api}/commits/{sha}",
            "html_url": call.api(f"/{commit.repo}/commit/{sha}"),
        }
        for sha in commit.parents
    ]
    details = {
        "url": f"{api}/git/commits/{commit.sha}",
        "author": person,
        "committer": person,
        "message": commit.message,
        "comment_count": 0,
        "tree": {"sha": commit.sha, "url": f"{api}/git/trees/{commit.sha}"},
    }
    return schema_object(
        call,
        "commit",
        url=f"{api}/commits/{commit.sha}",
        sha=commit.sha,
        node_id=node_id("Commit", int(commit.sha[:8], 16) if _is_hex(commit.sha) else 0),
        html_url=call.api(f"/{commit.repo}/commit/{commit.sha}"),
        comments_url=f"{api}/commits/{commit.sha}/comments",
        commit=details,
        author=user_json(call, commit.author),
        committer=user_json(call, commit.author),
        parents=parents,
    )


def _is_hex(text: str) -> bool:
    return len(text) >= 8 and all(char in "0123456789abcdef" for char in text[:8])


def compare(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/compare/{base}...{head}``."""
    repo = call.repo().full_name
    base_ref, separator, head_ref = call.params["basehead"].partition("...")
    if not separator:
        raise ApiError(404, "Not Found")
    base, head = _commit(call, repo, base_ref), _commit(call, repo, head_ref)
    base_line, head_line = _ancestry(call, repo, base), _ancestry(call, repo, head)
    base_shas = {commit.sha for commit in base_line}
    head_shas = {commit.sha for commit in head_line}
    merge_base = next((commit for commit in head_line if commit.sha in base_shas), None)
    if merge_base is None:
        raise ApiError(404, f"No common ancestor between {base_ref} and {head_ref}.")
    ahead = [commit for commit in reversed(head_line) if commit.sha not in base_shas]
    behind = len(base_shas - head_shas)
    status = ("identical", "behind", "ahead", "diverged")[bool(ahead) * 2 + bool(behind)]
    url = call.api(f"/repos/{repo}/compare/{call.params['basehead']}")
    html = call.api(f"/{repo}/compare/{call.params['basehead']}")
    body = schema_object(
        call,
        "commit-comparison",
        url=url,
        html_url=html,
        permalink_url=call.api(f"/{repo}/compare/{base.sha}...{head.sha}"),
        diff_url=f"{html}.diff",
        patch_url=f"{html}.patch",
        base_commit=commit_json(call, base),
        merge_base_commit=commit_json(call, merge_base),
        status=status,
        ahead_by=len(ahead),
        behind_by=behind,
        total_commits=len(ahead),
        commits=[commit_json(call, commit) for commit in ahead],
        files=[],
    )
    return Reply(status=200, body=body)


HANDLERS: dict[str, Handler] = {
    "repos/get": get_repo,
    "rate-limit/get": get_rate_limit,
    "repos/compare-commits-with-basehead": compare,
}
