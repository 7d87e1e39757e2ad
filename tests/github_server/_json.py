"""JSON of the objects every endpoint embeds: users, repositories, labels.

Each builder starts from a minimal instance of GitHub's schema (every required field,
plainest value) and sets what a client reads: ids, names, and URLs on this server
(``url`` under the API, ``html_url`` under the same base, as GitHub Enterprise does).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from tests.github_server._call import Call, node_id
from tests.github_server._records import Label, Repo, User

__all__ = ["label_json", "repo_json", "schema_object", "user_json", "user_object"]

_REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}
_USER_URLS = {
    "events_url": "/events{/privacy}",
    "followers_url": "/followers",
    "following_url": "/following{/other_user}",
    "gists_url": "/gists{/gist_id}",
    "organizations_url": "/orgs",
    "received_events_url": "/received_events",
    "repos_url": "/repos",
    "starred_url": "/starred{/owner}{/repo}",
    "subscriptions_url": "/subscriptions",
}


def schema_object(call: Call, schema: str, **fields: Any) -> dict[str, Any]:
    """A minimal instance of ``#/components/schemas/<schema>`` with ``fields`` set."""
    found = call.spec.skeleton(f"/components/schemas/{schema}")
    assert isinstance(found, dict), schema
    found.update(fields)
    return found


def user_json(call: Call, login: str) -> dict[str, Any]:
    """A ``simple-user`` (the user is created on first mention)."""
    return user_object(call, call.store.user(login))


def user_object(call: Call, user: User) -> dict[str, Any]:
    """A ``simple-user`` of ``user``, stored or not."""
    api = call.api(f"/users/{user.login}")
    return schema_object(
        call,
        "simple-user",
        login=user.login,
        id=user.id,
        node_id=node_id("User", user.id),
        avatar_url=call.api(f"/_avatars/u/{user.id}"),
        gravatar_id="",
        url=api,
        html_url=call.api(f"/{user.login}"),
        type=user.type,
        site_admin=False,
        user_view_type="public",
        **{key: api + suffix for key, suffix in _USER_URLS.items()},
    )


def repo_json(call: Call, repo: Repo) -> dict[str, Any]:
    """A ``full-repository``, also valid as ``repository`` and ``minimal-repository``."""
    api = call.api(f"/repos/{repo.full_name}")
    host = call.base.split("://", 1)[1].split(":", 1)[0]
    found = schema_object(call, "repository")
    found.update(schema_object(call, "full-repository"))
    found.update({key: api + suffix for key, suffix in _REPO_URLS.items()})
    found.update(
        id=repo.id,
        node_id=node_id("Repository", repo.id),
        name=repo.name,
        full_name=repo.full_name,
        owner=user_json(call, repo.owner),
        private=repo.private,
        visibility="private" if repo.private else "public",
        fork=repo.fork,
        description=repo.description,
        url=api,
        html_url=call.api(f"/{repo.full_name}"),
        clone_url=call.api(f"/{repo.full_name}.git"),
        git_url=f"git://{host}/{repo.full_name}.git",
        ssh_url=f"git@{host}:{repo.full_name}.git",
        svn_url=call.api(f"/{repo.full_name}"),
        default_branch=repo.default_branch,
        created_at=repo.created_at,
        updated_at=repo.created_at,
        pushed_at=repo.created_at,
        has_issues=True,
        has_downloads=True,
        archived=False,
        disabled=False,
        permissions={"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
    )
    return found


def label_json(call: Call, label: Label) -> dict[str, Any]:
    """A label as issues embed it."""
    return {
        "id": label.id,
        "node_id": node_id("Label", label.id),
        "url": call.api(f"/repos/{label.repo}/labels/{urllib.parse.quote(label.name)}"),
        "name": label.name,
        "description": label.description,
        "color": label.color,
        "default": False,
    }
