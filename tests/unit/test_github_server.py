"""The local GitHub API server: endpoints, pagination, faults, validation, standalone mode."""

from __future__ import annotations

import base64
import http.client
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import github
import pytest

from tests.github_server import (
    SECONDARY_RATE_LIMIT_MESSAGE,
    Annotation,
    Artifact,
    Branch,
    CheckRun,
    Comment,
    Commit,
    Fault,
    FaultKind,
    GitHubServer,
    Issue,
    PullRef,
    Repo,
    SeedError,
    Token,
    User,
    WorkflowRun,
)
from tests.github_server._cast import BOT, REPO, TOKEN
from tests.github_server._openapi import load_spec
from tests.github_server._records import record_from_json

pytest_plugins = ["tests.github_server.fixtures"]

ROOT = Path(__file__).resolve().parents[2]
SHA_A, SHA_B, SHA_C, SHA_D = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)


@dataclass(frozen=True, kw_only=True)
class Answer:
    """What a raw HTTP request got back."""

    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    server: GitHubServer,
    method: str,
    path: str,
    body: object = None,
    *,
    token: str | None = TOKEN,
    raw: bytes | None = None,
    timeout: float = 10.0,
) -> Answer:
    """One request on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    headers = {"Authorization": f"token {token}"} if token else {}
    payload = raw if raw is not None else None if body is None else json.dumps(body).encode()
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return Answer(status=response.status, headers=response.headers, body=response.read())
    finally:
        connection.close()


def seed_pull(server: GitHubServer, **pull: Any) -> Issue:
    """A pull request #1 of octo/proj from ``feature`` at SHA_B onto ``main`` at SHA_A."""
    server.seed(Branch(repo=REPO, name="main", sha=SHA_A))
    return server.add(
        Issue(repo=REPO, title="Add speed", body="why", pull=PullRef(head_sha=SHA_B, **pull))
    )


def seed_comments(server: GitHubServer, count: int) -> None:
    """``count`` comments on issue #1."""
    server.seed(Issue(repo=REPO, title="tracking"))
    server.seed(*(Comment(repo=REPO, issue_number=1, body=f"c{i}", user=BOT) for i in range(count)))


class TestSpec:
    def test_nullable_becomes_a_null_alternative(self) -> None:
        """OpenAPI ``nullable`` is rewritten so a null check-run conclusion validates."""
        spec = load_spec()
        pointer = "/components/schemas/check-run/properties/conclusion"
        assert spec.errors(pointer, None) == []
        assert spec.errors(pointer, "success") == []
        assert len(spec.errors(pointer, "bogus")) == 1

    def test_routes_prefer_literal_segments(self) -> None:
        """``issues/comments/5`` is a comment, ``issues/5/comments`` an issue's comments."""
        spec = load_spec()
        comment = spec.match("GET", "/repos/o/r/issues/comments/5")
        listing = spec.match("GET", "/repos/o/r/issues/5/comments")
        assert comment is not None
        assert listing is not None
        assert (comment.operation.operation_id, dict(comment.params)) == (
            "issues/get-comment",
            {"owner": "o", "repo": "r", "comment_id": "5"},
        )
        assert listing.operation.operation_id == "issues/list-comments"
        assert spec.match("PUT", "/repos/o/r/issues/5") is None

    def test_compare_takes_branch_names_with_slashes(self) -> None:
        """The ``basehead`` parameter spans slashes."""
        found = load_spec().match("GET", "/repos/o/r/compare/main...feature/x")
        assert found is not None
        assert found.params["basehead"] == "main...feature/x"

    def test_skeletons_are_valid(self) -> None:
        """A minimal instance of each schema the server answers with validates."""
        spec = load_spec()
        names = ("full-repository", "pull-request", "issue", "issue-comment", "check-run")
        for name in (*names, "artifact", "workflow-run", "commit-comparison", "simple-user"):
            pointer = f"/components/schemas/{name}"
            assert spec.errors(pointer, spec.skeleton(pointer)) == [], name

    def test_every_operation_is_served(self, github_api: GitHubServer) -> None:
        """The subset's 23 operations each reach a handler (none answers the route 404)."""
        operations = load_spec().operations()
        assert len(operations) == 23
        for operation in operations:
            path = operation.template.replace("{owner}/{repo}", REPO).replace(
                "{archive_format}", "zip"
            )
            path = path.replace("{basehead}", "main...main")
            for name in (
                "artifact_id",
                "run_id",
                "check_run_id",
                "comment_id",
                "issue_number",
                "pull_number",
            ):
                path = path.replace(f"{{{name}}}", "999")
            answer = send(
                github_api, operation.method, path, {} if operation.method != "GET" else None
            )
            assert answer.status in (200, 404, 422), (operation, answer.body)
        assert [failure.where for failure in github_api.validation_errors] == ["request"] * 4


class TestRepository:
    def test_get(self, github_api: GitHubServer) -> None:
        """The repository answers with its name, branch and URLs on this server."""
        answer = send(github_api, "GET", "/repos/octo/proj")
        body = answer.json()
        assert answer.status == 200
        assert (body["full_name"], body["id"], body["default_branch"], body["owner"]["login"]) == (
            "octo/proj",
            1,
            "main",
            "octo",
        )
        assert body["url"] == f"{github_api.url}/repos/octo/proj"
        assert body["html_url"] == f"{github_api.url}/octo/proj"
        assert body["issues_url"] == f"{github_api.url}/repos/octo/proj/issues{{/number}}"
        assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
        assert answer.headers["X-RateLimit-Limit"] == "5000"
        assert answer.headers["Server"] == "GitHub.com"

    def test_unknown_is_not_found(self, github_api: GitHubServer) -> None:
        """An unknown repository is GitHub's 404 body."""
        answer = send(github_api, "GET", "/repos/octo/nope")
        assert (answer.status, answer.json()["message"]) == (404, "Not Found")

    def test_private_is_hidden_from_anonymous(self, github_api: GitHubServer) -> None:
        """A private repository is 404 without a token and 200 with one."""
        github_api.seed(Repo(owner="octo", name="secret", private=True))
        assert send(github_api, "GET", "/repos/octo/secret", token=None).status == 404
        assert send(github_api, "GET", "/repos/octo/secret").status == 200

    def test_unknown_path(self, github_api: GitHubServer) -> None:
        """A path outside the subset is 404, like an endpoint GitHub does not have."""
        answer = send(github_api, "GET", "/repos/octo/proj/branches")
        assert (answer.status, answer.json()["documentation_url"]) == (
            404,
            "https://docs.github.com/rest",
        )

    def test_rate_limit(self, github_api: GitHubServer) -> None:
        """``/rate_limit`` reports the core budget."""
        body = send(github_api, "GET", "/rate_limit").json()
        assert (body["resources"]["core"]["limit"], body["rate"]["remaining"]) == (5000, 4999)


class TestAuthentication:
    def test_unknown_token(self, github_api: GitHubServer) -> None:
        """An unknown token is 401 Bad credentials, even on reads."""
        answer = send(github_api, "GET", "/repos/octo/proj", token="wrong")
        assert (answer.status, answer.json()["message"]) == (401, "Bad credentials")

    def test_anonymous_write(self, github_api: GitHubServer) -> None:
        """Writing without a token is 401."""
        seed_comments(github_api, 0)
        answer = send(
            github_api, "POST", "/repos/octo/proj/issues/1/comments", {"body": "x"}, token=None
        )
        assert (answer.status, answer.json()["message"]) == (401, "Requires authentication")

    def test_read_only_token(self, github_api: GitHubServer) -> None:
        """A read-only token (a fork PR's) reads but gets 403 on writes."""
        github_api.seed(Token(token="ro", login="forker", read_only=True))
        seed_comments(github_api, 0)
        answer = send(
            github_api, "POST", "/repos/octo/proj/issues/1/comments", {"body": "x"}, token="ro"
        )
        assert (answer.status, answer.json()["message"]) == (
            403,
            "Resource not accessible by integration",
        )
        assert send(github_api, "GET", "/repos/octo/proj/issues/1", token="ro").status == 200

    def test_bearer_and_user(self, github_api: GitHubServer) -> None:
        """``Bearer`` works like ``token``; ``GET /user`` names the token's user."""
        connection = http.client.HTTPConnection("127.0.0.1", github_api.port, timeout=10)
        connection.request("GET", "/user", headers={"Authorization": f"Bearer {TOKEN}"})
        body = json.loads(connection.getresponse().read())
        connection.close()
        assert (body["login"], body["type"]) == (BOT, "Bot")

    def test_user_needs_a_token(self, github_api: GitHubServer) -> None:
        """``GET /user`` without a token is 401."""
        assert send(github_api, "GET", "/user", token=None).status == 401
        assert github_api.validation_errors == []


class TestPulls:
    def test_get(self, github_api: GitHubServer) -> None:
        """A pull request answers with number, head and base."""
        seed_pull(github_api)
        body = send(github_api, "GET", "/repos/octo/proj/pulls/1").json()
        assert (body["number"], body["head"]["sha"], body["head"]["ref"]) == (1, SHA_B, "feature")
        assert (body["base"]["ref"], body["base"]["sha"], body["head"]["repo"]["fork"]) == (
            "main",
            SHA_A,
            False,
        )
        assert body["comments_url"] == f"{github_api.url}/repos/octo/proj/issues/1/comments"
        assert github_api.validation_errors == []

    def test_fork(self, github_api: GitHubServer) -> None:
        """A fork's head repository is created as a fork."""
        seed_pull(github_api, head_repo="contrib/proj", head_ref="fix")
        body = send(github_api, "GET", "/repos/octo/proj/pulls/1").json()
        assert (body["head"]["repo"]["full_name"], body["head"]["repo"]["fork"]) == (
            "contrib/proj",
            True,
        )
        assert body["head"]["label"] == "contrib:fix"

    def test_issue_is_not_a_pull(self, github_api: GitHubServer) -> None:
        """An issue number is 404 as a pull request; a non-number too."""
        github_api.seed(Issue(repo=REPO, title="bug"))
        assert send(github_api, "GET", "/repos/octo/proj/pulls/1").status == 404
        assert send(github_api, "GET", "/repos/octo/proj/pulls/x").status == 404

    def test_list_filters(self, github_api: GitHubServer) -> None:
        """``state``, ``head`` and ``direction`` filter and order the list."""
        seed_pull(github_api)
        github_api.seed(
            Issue(
                repo=REPO, title="old", state="closed", pull=PullRef(head_sha=SHA_C, head_ref="old")
            )
        )
        numbers = [
            pull["number"] for pull in send(github_api, "GET", "/repos/octo/proj/pulls").json()
        ]
        everything = send(
            github_api, "GET", "/repos/octo/proj/pulls?state=all&direction=asc"
        ).json()
        by_head = send(github_api, "GET", "/repos/octo/proj/pulls?state=all&head=octo:old").json()
        assert numbers == [1]
        assert [pull["number"] for pull in everything] == [1, 2]
        assert [pull["number"] for pull in by_head] == [2]
        assert github_api.validation_errors == []


class TestIssueComments:
    def test_round_trip(self, github_api: GitHubServer) -> None:
        """Create, get, edit and delete a comment."""
        seed_pull(github_api)
        created = send(github_api, "POST", "/repos/octo/proj/issues/1/comments", {"body": "hi"})
        comment = created.json()
        path = f"/repos/octo/proj/issues/comments/{comment['id']}"
        assert (created.status, created.headers["Location"]) == (201, f"{github_api.url}{path}")
        assert (comment["body"], comment["user"]["login"]) == ("hi", BOT)
        assert comment["html_url"] == f"{github_api.url}/octo/proj/pull/1#issuecomment-1"
        edited = send(github_api, "PATCH", path, {"body": "edited"})
        assert (edited.status, edited.json()["body"]) == (200, "edited")
        assert send(github_api, "GET", path).json()["body"] == "edited"
        assert send(github_api, "DELETE", path).status == 204
        assert send(github_api, "GET", path).status == 404
        assert github_api.validation_errors == []

    def test_unknown_issue(self, github_api: GitHubServer) -> None:
        """Commenting on an unknown issue is 404."""
        answer = send(github_api, "POST", "/repos/octo/proj/issues/7/comments", {"body": "x"})
        assert answer.status == 404

    def test_comment_of_another_repository(self, github_api: GitHubServer) -> None:
        """A comment id is looked up within the repository of the path."""
        seed_comments(github_api, 1)
        github_api.seed(Repo(owner="octo", name="other"))
        assert send(github_api, "GET", "/repos/octo/other/issues/comments/1").status == 404

    def test_link_header(self, github_api: GitHubServer) -> None:
        """Pages carry prev/next/last/first links exactly like GitHub's."""
        seed_comments(github_api, 5)
        first = send(github_api, "GET", "/repos/octo/proj/issues/1/comments?per_page=2")
        middle = send(github_api, "GET", "/repos/octo/proj/issues/1/comments?per_page=2&page=2")
        last = send(github_api, "GET", "/repos/octo/proj/issues/1/comments?per_page=2&page=3")
        base = f"{github_api.url}/repositories/1/issues/1/comments?per_page=2"
        assert first.headers["Link"] == (
            f'<{base}&page=2>; rel="next", <{base}&page=3>; rel="last"'
        )
        assert middle.headers["Link"] == (
            f'<{base}&page=1>; rel="prev", <{base}&page=3>; rel="next", '
            f'<{base}&page=3>; rel="last", <{base}&page=1>; rel="first"'
        )
        assert last.headers["Link"] == f'<{base}&page=2>; rel="prev", <{base}&page=1>; rel="first"'
        assert [comment["body"] for comment in middle.json()] == ["c2", "c3"]
        assert [comment["body"] for comment in last.json()] == ["c4"]

    def test_link_is_followed(self, github_api: GitHubServer) -> None:
        """The ``/repositories/{id}`` form of a link serves the same list."""
        seed_comments(github_api, 3)
        answer = send(github_api, "GET", "/repositories/1/issues/1/comments?per_page=2&page=2")
        assert [comment["body"] for comment in answer.json()] == ["c2"]

    def test_page_sizes(self, github_api: GitHubServer) -> None:
        """30 by default, at most 100, and no Link header when one page holds all."""
        seed_comments(github_api, 101)
        default = send(github_api, "GET", "/repos/octo/proj/issues/1/comments")
        capped = send(github_api, "GET", "/repos/octo/proj/issues/1/comments?per_page=500")
        assert (len(default.json()), len(capped.json())) == (30, 100)
        assert 'page=4>; rel="last"' in default.headers["Link"]
        assert send(github_api, "GET", "/repos/octo/proj/issues/2/comments").status == 404
        github_api.seed(Issue(repo=REPO, title="quiet"))
        assert send(github_api, "GET", "/repos/octo/proj/issues/2/comments").headers["Link"] is None


class TestIssues:
    def test_create_list_close(self, github_api: GitHubServer) -> None:
        """A nightly tracking issue is created with a label, found by it, and closed."""
        created = send(
            github_api,
            "POST",
            "/repos/octo/proj/issues",
            {"title": "Nightly", "labels": ["nightly"]},
        )
        issue = created.json()
        assert (created.status, issue["number"], issue["labels"][0]["name"]) == (201, 1, "nightly")
        github_api.seed(Issue(repo=REPO, title="other", labels=("bug",)))
        found = send(github_api, "GET", "/repos/octo/proj/issues?labels=nightly").json()
        assert [item["title"] for item in found] == ["Nightly"]
        closed = send(github_api, "PATCH", "/repos/octo/proj/issues/1", {"state": "closed"}).json()
        assert (closed["state"], closed["state_reason"], closed["closed_at"] is None) == (
            "closed",
            "completed",
            False,
        )
        assert send(github_api, "GET", "/repos/octo/proj/issues?labels=nightly").json() == []
        reopened = send(github_api, "PATCH", "/repos/octo/proj/issues/1", {"state": "open"}).json()
        assert (reopened["state_reason"], reopened["closed_at"]) == ("reopened", None)
        assert github_api.validation_errors == []

    def test_update_fields(self, github_api: GitHubServer) -> None:
        """Title, body, labels and assignees are replaced; comments counted."""
        seed_comments(github_api, 2)
        change = {"title": "T", "body": "B", "labels": [{"name": "x"}], "assignees": ["ann"]}
        body = send(github_api, "PATCH", "/repos/octo/proj/issues/1", change).json()
        assert (body["title"], body["body"], body["comments"]) == ("T", "B", 2)
        assert ([label["name"] for label in body["labels"]], body["assignee"]["login"]) == (
            ["x"],
            "ann",
        )
        assert (
            send(github_api, "GET", "/repos/octo/proj/issues?assignee=ann").json()[0]["number"] == 1
        )
        assert send(github_api, "GET", "/repos/octo/proj/issues?assignee=none").json() == []
        assert len(send(github_api, "GET", "/repos/octo/proj/issues?assignee=*").json()) == 1

    def test_pull_requests_are_issues(self, github_api: GitHubServer) -> None:
        """A pull request appears in the issues list with ``pull_request`` links."""
        seed_pull(github_api)
        body = send(github_api, "GET", "/repos/octo/proj/issues/1").json()
        assert body["pull_request"]["url"] == f"{github_api.url}/repos/octo/proj/pulls/1"
        assert body["html_url"] == f"{github_api.url}/octo/proj/pull/1"

    def test_sort_and_creator(self, github_api: GitHubServer) -> None:
        """``sort=updated&direction=asc`` orders oldest update first; ``creator`` filters."""
        github_api.seed(
            Issue(repo=REPO, title="a", updated_at="2024-01-02T00:00:00Z", user="ann"),
            Issue(repo=REPO, title="b", updated_at="2024-01-01T00:00:00Z"),
        )
        ordered = send(
            github_api, "GET", "/repos/octo/proj/issues?sort=updated&direction=asc"
        ).json()
        by_ann = send(github_api, "GET", "/repos/octo/proj/issues?creator=ann").json()
        assert [item["title"] for item in ordered] == ["b", "a"]
        assert [item["title"] for item in by_ann] == ["a"]


def annotation(line: int) -> dict[str, Any]:
    return {
        "path": "ci/x.py",
        "start_line": line,
        "end_line": line,
        "annotation_level": "failure",
        "message": "m",
    }


def output(lines: range, summary: str = "s") -> dict[str, Any]:
    return {"title": "t", "summary": summary, "annotations": [annotation(i) for i in lines]}


def pygithub(server: GitHubServer) -> github.Github:
    """PyGithub on the server, without retries or throttling (they would only slow tests)."""
    return github.Github(
        auth=github.Auth.Token(TOKEN),
        base_url=server.url,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


class TestCheckRuns:
    def test_create_and_update_append_annotations(self, github_api: GitHubServer) -> None:
        """50 annotations on create and 3 more on update make 53, listed in pages."""
        created = send(
            github_api,
            "POST",
            "/repos/octo/proj/check-runs",
            {
                "name": "noxci",
                "head_sha": SHA_B,
                "status": "in_progress",
                "output": output(range(1, 51)),
            },
        )
        run = created.json()
        assert (
            created.status,
            run["status"],
            run["conclusion"],
            run["output"]["annotations_count"],
        ) == (
            201,
            "in_progress",
            None,
            50,
        )
        path = f"/repos/octo/proj/check-runs/{run['id']}"
        update = {"conclusion": "failure", "output": output(range(51, 54), "s2")}
        updated = send(github_api, "PATCH", path, update).json()
        assert (updated["status"], updated["conclusion"], updated["output"]["summary"]) == (
            "completed",
            "failure",
            "s2",
        )
        assert updated["output"]["annotations_count"] == 53
        assert updated["completed_at"] is not None
        listed = send(github_api, "GET", f"{path}/annotations?per_page=50&page=2").json()
        assert [item["start_line"] for item in listed] == [51, 52, 53]
        assert listed[0]["blob_href"] == f"{github_api.url}/octo/proj/blob/{SHA_B}/ci/x.py"
        assert github_api.validation_errors == []

    def test_fifty_one_annotations_are_refused(self, github_api: GitHubServer) -> None:
        """A request with 51 annotations is 422 and recorded as invalid."""
        answer = send(
            github_api,
            "POST",
            "/repos/octo/proj/check-runs",
            {"name": "n", "head_sha": SHA_B, "output": output(range(1, 52))},
        )
        assert answer.status == 422
        assert [(failure.where, failure.status) for failure in github_api.validation_errors] == [
            ("request", 422)
        ]
        assert "is too long" in github_api.validation_errors[0].message

    def test_completed_needs_a_conclusion(self, github_api: GitHubServer) -> None:
        """``status: completed`` alone is 422 and leaves no check run."""
        answer = send(
            github_api,
            "POST",
            "/repos/octo/proj/check-runs",
            {"name": "n", "head_sha": SHA_B, "status": "completed"},
        )
        assert answer.status == 422
        assert github_api.store.check_runs == {}

    def test_get_lists_pull_requests(self, github_api: GitHubServer) -> None:
        """A check run on a pull request's head lists that pull request."""
        seed_pull(github_api)
        run = github_api.add(CheckRun(repo=REPO, name="n", head_sha=SHA_B))
        body = send(github_api, "GET", f"/repos/octo/proj/check-runs/{run.id}").json()
        assert [pull["number"] for pull in body["pull_requests"]] == [1]
        assert body["app"]["slug"] == "github-actions"
        assert send(github_api, "GET", "/repos/octo/proj/check-runs/2").status == 404


class TestActions:
    def seed(self, server: GitHubServer) -> WorkflowRun:
        server.seed(Commit(repo=REPO, sha=SHA_B, message="speed"))
        run = server.add(WorkflowRun(repo=REPO, head_sha=SHA_B, event="pull_request"))
        server.seed(
            Artifact(repo=REPO, name="reports", data=b"PK-zip", run_id=run.id),
            Artifact(repo=REPO, name="other", data=b"x"),
            Artifact(repo=REPO, name="old", data=b"y", expired=True),
        )
        return run

    def test_runs(self, github_api: GitHubServer) -> None:
        """Runs are listed and filtered by head sha and event."""
        seed_pull(github_api)
        run = self.seed(github_api)
        body = send(
            github_api, "GET", f"/repos/octo/proj/actions/runs?head_sha={SHA_B}&status=success"
        ).json()
        assert (body["total_count"], body["workflow_runs"][0]["id"]) == (1, run.id)
        assert body["workflow_runs"][0]["head_commit"]["message"] == "speed"
        assert [pull["number"] for pull in body["workflow_runs"][0]["pull_requests"]] == [1]
        assert (
            send(github_api, "GET", "/repos/octo/proj/actions/runs?event=push").json()[
                "total_count"
            ]
            == 0
        )
        excluded = send(
            github_api, "GET", "/repos/octo/proj/actions/runs?exclude_pull_requests=true"
        ).json()
        assert excluded["workflow_runs"][0]["pull_requests"] == []
        assert github_api.validation_errors == []

    def test_artifacts(self, github_api: GitHubServer) -> None:
        """Repository and run artifacts list, newest first, filtered by name."""
        run = self.seed(github_api)
        everything = send(github_api, "GET", "/repos/octo/proj/actions/artifacts").json()
        named = send(github_api, "GET", "/repos/octo/proj/actions/artifacts?name=reports").json()
        of_run = send(github_api, "GET", f"/repos/octo/proj/actions/runs/{run.id}/artifacts").json()
        assert [item["name"] for item in everything["artifacts"]] == ["old", "other", "reports"]
        assert (named["total_count"], named["artifacts"][0]["workflow_run"]["id"]) == (1, run.id)
        assert [item["name"] for item in of_run["artifacts"]] == ["reports"]
        assert send(github_api, "GET", "/repos/octo/proj/actions/runs/9/artifacts").status == 404
        single = send(github_api, "GET", "/repos/octo/proj/actions/artifacts/1").json()
        assert (single["size_in_bytes"], single["archive_download_url"]) == (
            6,
            f"{github_api.url}/repos/octo/proj/actions/artifacts/1/zip",
        )
        assert github_api.validation_errors == []

    def test_download(self, github_api: GitHubServer) -> None:
        """A download redirects to the zip bytes; expired is 410; anonymous is 401."""
        self.seed(github_api)
        answer = send(github_api, "GET", "/repos/octo/proj/actions/artifacts/1/zip")
        assert (answer.status, answer.headers["Location"]) == (
            302,
            f"{github_api.url}/_blobs/artifacts/1.zip",
        )
        with urllib.request.urlopen(answer.headers["Location"], timeout=10) as response:
            assert (response.read(), response.headers["Content-Type"]) == (
                b"PK-zip",
                "application/zip",
            )
        assert send(github_api, "GET", "/repos/octo/proj/actions/artifacts/3/zip").status == 410
        assert (
            send(github_api, "GET", "/repos/octo/proj/actions/artifacts/1/zip", token=None).status
            == 401
        )
        assert send(github_api, "GET", "/repos/octo/proj/actions/artifacts/1/tar").status == 404
        assert send(github_api, "GET", "/_blobs/artifacts/9.zip").status == 404
        assert github_api.validation_errors == []


class TestCompare:
    def seed(self, server: GitHubServer) -> None:
        """A on main, B after A on main, C and D after A on feature/x."""
        server.seed(
            Commit(repo=REPO, sha=SHA_A),
            Commit(repo=REPO, sha=SHA_B, parents=(SHA_A,)),
            Commit(repo=REPO, sha=SHA_C, parents=(SHA_A,)),
            Commit(repo=REPO, sha=SHA_D, parents=(SHA_C,)),
            Branch(repo=REPO, name="main", sha=SHA_B),
            Branch(repo=REPO, name="feature/x", sha=SHA_D),
        )

    def test_merge_base(self, github_api: GitHubServer) -> None:
        """The merge base of diverged branches, with ahead/behind counts."""
        self.seed(github_api)
        body = send(github_api, "GET", "/repos/octo/proj/compare/main...feature/x").json()
        assert (body["merge_base_commit"]["sha"], body["base_commit"]["sha"], body["status"]) == (
            SHA_A,
            SHA_B,
            "diverged",
        )
        assert (body["ahead_by"], body["behind_by"], [c["sha"] for c in body["commits"]]) == (
            2,
            1,
            [SHA_C, SHA_D],
        )
        assert github_api.validation_errors == []

    def test_statuses(self, github_api: GitHubServer) -> None:
        """Identical, ahead and behind, with shas (short ones too) as refs."""
        self.seed(github_api)

        def status(basehead: str) -> str:
            return str(
                send(github_api, "GET", f"/repos/octo/proj/compare/{basehead}").json()["status"]
            )

        assert [
            status("main...main"),
            status(f"{SHA_A[:7]}...main"),
            status(f"main...{SHA_A}"),
        ] == [
            "identical",
            "ahead",
            "behind",
        ]

    def test_not_found(self, github_api: GitHubServer) -> None:
        """Unknown refs, a missing ``...`` and unrelated histories are 404."""
        self.seed(github_api)
        github_api.seed(Commit(repo=REPO, sha="e" * 40))
        assert send(github_api, "GET", "/repos/octo/proj/compare/main...nope").status == 404
        assert send(github_api, "GET", "/repos/octo/proj/compare/main").status == 404
        unrelated = send(github_api, "GET", f"/repos/octo/proj/compare/main...{'e' * 40}")
        assert unrelated.json()["message"] == f"No common ancestor between main and {'e' * 40}."


class TestValidation:
    def test_bad_body(self, github_api: GitHubServer) -> None:
        """A body that breaks the schema is 422 with GitHub's message, and recorded."""
        seed_comments(github_api, 0)
        answer = send(github_api, "POST", "/repos/octo/proj/issues/1/comments", {"body": 5})
        assert answer.status == 422
        assert answer.json()["message"] == "Invalid request.\n\nbody: 5 is not of type 'string'"
        (failure,) = github_api.validation_errors
        assert (failure.where, failure.method, failure.path) == (
            "request",
            "POST",
            "/repos/octo/proj/issues/1/comments",
        )

    def test_missing_and_unparsable_bodies(self, github_api: GitHubServer) -> None:
        """No body where one is required is 422; a body that is not JSON is 400."""
        seed_comments(github_api, 0)
        assert send(github_api, "POST", "/repos/octo/proj/issues/1/comments").status == 422
        broken = send(github_api, "POST", "/repos/octo/proj/issues/1/comments", raw=b"{nope")
        assert (broken.status, broken.json()["message"]) == (400, "Problems parsing JSON")
        assert send(github_api, "PATCH", "/repos/octo/proj/issues/1").status == 200
        assert [failure.status for failure in github_api.validation_errors] == [422, 400]

    def test_bad_query(self, github_api: GitHubServer) -> None:
        """A query parameter outside its schema is 422."""
        answer = send(github_api, "GET", "/repos/octo/proj/issues?state=maybe")
        assert answer.status == 422
        assert github_api.validation_errors[0].message.startswith("query state: ")

    def test_bad_answer_is_a_500(self, github_api: GitHubServer) -> None:
        """An answer outside the schema (a seeded bad enum) is recorded and becomes a 500."""
        github_api.seed(Issue(repo=REPO, title="odd", state_reason="bogus"))
        answer = send(github_api, "GET", "/repos/octo/proj/issues/1")
        assert answer.status == 500
        (failure,) = github_api.validation_errors
        assert (failure.where, failure.status) == ("response", 200)
        assert "state_reason" in failure.message

    def test_crash_is_a_500(self, github_api: GitHubServer) -> None:
        """A handler that raises is recorded as a server failure."""
        github_api.seed(Artifact(repo=REPO, name="a", created_at="yesterday"))
        answer = send(github_api, "GET", "/repos/octo/proj/actions/artifacts/1")
        assert answer.status == 500
        assert [failure.where for failure in github_api.validation_errors] == ["server"]


class TestFaults:
    @pytest.mark.parametrize(
        ("status", "content_type"),
        [
            (500, "application/json; charset=utf-8"),
            (502, "application/json; charset=utf-8"),
            (503, "text/html; charset=utf-8"),
            (524, "text/html; charset=UTF-8"),
        ],
    )
    def test_status_once(self, github_api: GitHubServer, status: int, content_type: str) -> None:
        """An error status answers once, with its body type, then the API answers again."""
        github_api.add_fault(Fault(kind=FaultKind.STATUS, status=status))
        failed = send(github_api, "GET", "/repos/octo/proj")
        assert (failed.status, failed.headers["Content-Type"]) == (status, content_type)
        assert send(github_api, "GET", "/repos/octo/proj").status == 200
        assert [(r.status, r.fault) for r in github_api.requests] == [
            (status, "status"),
            (200, None),
        ]

    def test_cloudflare_headers(self, github_api: GitHubServer) -> None:
        """A 524 comes from Cloudflare."""
        github_api.add_fault(Fault(kind=FaultKind.STATUS, status=524))
        answer = send(github_api, "GET", "/repos/octo/proj")
        assert answer.headers["Server"] == "cloudflare"
        assert b"524: A timeout occurred" in answer.body

    def test_repeated_then_cleared(self, github_api: GitHubServer) -> None:
        """``times`` counts matching requests only; a forever rule lasts until cleared."""
        github_api.add_fault(
            Fault(kind=FaultKind.STATUS, status=502, method="post", path=r"/comments$", times=2)
        )
        seed_comments(github_api, 0)
        statuses = [
            send(github_api, "POST", "/repos/octo/proj/issues/1/comments", {"body": "x"}).status
            for _ in range(3)
        ]
        assert statuses == [502, 502, 201]
        assert send(github_api, "GET", "/repos/octo/proj/issues/1/comments").status == 200
        github_api.add_fault(Fault(kind=FaultKind.STATUS, times=None))
        assert [send(github_api, "GET", "/repos/octo/proj").status for _ in range(3)] == [500] * 3
        github_api.clear_faults()
        assert send(github_api, "GET", "/repos/octo/proj").status == 200

    def test_secondary_rate_limit(self, github_api: GitHubServer) -> None:
        """403 with ``Retry-After`` and GitHub's secondary-rate-limit message."""
        github_api.add_fault(Fault(kind=FaultKind.SECONDARY_RATE_LIMIT, retry_after=7))
        answer = send(github_api, "GET", "/repos/octo/proj")
        assert (answer.status, answer.headers["Retry-After"]) == (403, "7")
        assert answer.json()["message"].startswith(SECONDARY_RATE_LIMIT_MESSAGE)
        assert answer.headers["X-RateLimit-Remaining"] == "4999"

    def test_too_many_requests(self, github_api: GitHubServer) -> None:
        """429 with ``Retry-After``."""
        github_api.add_fault(Fault(kind=FaultKind.TOO_MANY_REQUESTS, retry_after=3))
        answer = send(github_api, "GET", "/repos/octo/proj")
        assert (answer.status, answer.headers["Retry-After"], answer.json()["status"]) == (
            429,
            "3",
            "429",
        )

    def test_delay_outlasts_the_client(self, github_api: GitHubServer) -> None:
        """A slow answer times the client out, and still happens on the server."""
        seed_comments(github_api, 0)
        github_api.add_fault(Fault(kind=FaultKind.DELAY, seconds=0.5))
        with pytest.raises(TimeoutError):
            send(
                github_api,
                "POST",
                "/repos/octo/proj/issues/1/comments",
                {"body": "slow"},
                timeout=0.1,
            )
        deadline = time.monotonic() + 10
        while not github_api.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [(r.status, r.fault) for r in github_api.requests] == [(201, "delay")]
        assert [c.body for c in github_api.store.comments.values()] == ["slow"]

    def test_drop_before(self, github_api: GitHubServer) -> None:
        """A drop closes the connection with nothing done."""
        seed_comments(github_api, 0)
        github_api.add_fault(Fault(kind=FaultKind.DROP))
        with pytest.raises(http.client.RemoteDisconnected):
            send(github_api, "POST", "/repos/octo/proj/issues/1/comments", {"body": "lost"})
        assert github_api.store.comments == {}
        assert [(r.status, r.fault, r.body) for r in github_api.requests] == [
            (None, "drop", {"body": "lost"})
        ]

    def test_drop_after_apply(self, github_api: GitHubServer) -> None:
        """The POST went through but the client saw the connection drop."""
        seed_comments(github_api, 0)
        github_api.add_fault(Fault(kind=FaultKind.DROP, after_apply=True))
        with pytest.raises(http.client.RemoteDisconnected):
            send(github_api, "POST", "/repos/octo/proj/issues/1/comments", {"body": "kept"})
        assert [c.body for c in github_api.store.comments.values()] == ["kept"]

    def test_bad_rules(self) -> None:
        """Statuses other than 500/502/503/524 and broken regexes are refused."""
        with pytest.raises(ValueError, match="status 404 is not one of"):
            Fault(kind=FaultKind.STATUS, status=404)
        with pytest.raises(ValueError, match="is not a regular expression"):
            Fault(kind=FaultKind.DROP, path="(")


class TestControl:
    def test_health_seed_state_requests(self, github_server: GitHubServer) -> None:
        """Seed over HTTP, see the state and the request log."""
        assert send(github_server, "GET", "/_health").json() == {"status": "ok"}
        seed = {
            "users": [{"login": "bot"}],
            "tokens": [{"token": "t", "login": "bot"}],
            "repos": [{"owner": "o", "name": "r"}],
        }
        assert send(github_server, "POST", "/_seed", seed).json() == {
            "added": {"users": 1, "tokens": 1, "repos": 1}
        }
        assert send(github_server, "GET", "/repos/o/r?x=1").status == 200
        state = send(github_server, "GET", "/_state").json()
        assert [repo["owner"] for repo in state["repos"]] == ["o"]
        log = send(github_server, "GET", "/_requests").json()
        assert log == [
            {
                "method": "GET",
                "path": "/repos/o/r",
                "query": "x=1",
                "status": 200,
                "fault": None,
                "body": None,
            }
        ]
        assert send(github_server, "DELETE", "/_requests").status == 200
        assert send(github_server, "GET", "/_requests").json() == []

    def test_faults_over_http(self, github_api: GitHubServer) -> None:
        """Fault rules are added, listed and cleared over HTTP."""
        rules = [
            {"kind": "status", "status": 503, "times": 2},
            {"kind": "drop", "path": "^/nothing"},
        ]
        assert send(github_api, "POST", "/_faults", rules).json() == {"added": 2}
        listed = send(github_api, "GET", "/_faults").json()
        assert [(rule["kind"], rule["left"]) for rule in listed] == [("status", 2), ("drop", 1)]
        assert send(github_api, "GET", "/repos/octo/proj").status == 503
        assert send(github_api, "DELETE", "/_faults").status == 200
        assert send(github_api, "GET", "/repos/octo/proj").status == 200
        bad = send(github_api, "POST", "/_faults", {"kind": "explode"})
        assert (bad.status, bad.json()["message"]) == (400, "'explode' is not a valid FaultKind")

    def test_errors_and_reset(self, github_api: GitHubServer) -> None:
        """Validation failures are listed; reset empties everything."""
        seed_comments(github_api, 0)
        send(github_api, "POST", "/repos/octo/proj/issues/1/comments", {})
        failures = send(github_api, "GET", "/_validation_errors").json()
        assert [failure["where"] for failure in failures] == ["request"]
        assert send(github_api, "POST", "/_reset").json() == {"reset": True}
        assert send(github_api, "GET", "/_state").json()["repos"] == []
        assert github_api.validation_errors == []

    def test_bad_control_requests(self, github_server: GitHubServer) -> None:
        """Bad seeds are 400 with a message that says what to fix; unknown endpoints 404."""
        cases = {
            b"[]": "control: a seed is a JSON object",
            b"{nope": "control: the body is not JSON",
            b'{"people": []}': "seed: unknown key(s) people; known: users",
            b'{"repos": {}}': "seed: 'repos' must be a list of objects",
            b'{"repos": [{"owner": "o"}]}': "Repo: Repo.__init__() missing 1 required keyword-only",
            b'{"issues": [{"repo": "x/y", "title": "t"}]}': "issue 't': unknown repository 'x/y'",
        }
        for raw, message in cases.items():
            answer = send(github_server, "POST", "/_seed", raw=raw)
            assert (answer.status, answer.json()["message"].startswith(message)) == (400, True), (
                answer.body
            )
        assert send(github_server, "GET", "/_nothing").status == 404


class TestRecords:
    def test_dump_seeds_a_fresh_server(self, github_api: GitHubServer) -> None:
        """A state dump is a seed document: a fresh server seeded with it dumps the same."""
        seed_pull(github_api)
        seed_comments(github_api, 1)
        github_api.seed(CheckRun(repo=REPO, name="n", head_sha=SHA_B), Commit(repo=REPO, sha=SHA_A))
        github_api.seed(
            Annotation(
                check_run_id=1,
                path="p",
                start_line=1,
                end_line=1,
                annotation_level="notice",
                message="m",
            )
        )
        github_api.seed(Artifact(repo=REPO, name="a", data=b"\x00\xff"))
        dump = github_api.store.dump()
        with GitHubServer() as fresh:
            fresh.store.seed(dump)
            assert fresh.store.dump() == dump
        assert dump["artifacts"][0]["data"] == base64.b64encode(b"\x00\xff").decode()

    def test_bad_records(self) -> None:
        """Records from JSON name the class and the problem."""
        with pytest.raises(SeedError, match="User: expected a JSON object"):
            record_from_json(User, [])
        with pytest.raises(SeedError, match="User: unknown field"):
            record_from_json(User, {"login": "x", "age": 3})
        with pytest.raises(SeedError, match=r"Artifact\.data: not base64"):
            record_from_json(Artifact, {"repo": "o/r", "name": "a", "data": "!!"})

    def test_references_are_checked(self, github_api: GitHubServer) -> None:
        """Comments, annotations and artifacts need what they refer to."""
        with pytest.raises(SeedError, match="unknown issue #9"):
            github_api.seed(Comment(repo=REPO, issue_number=9, body="b", user="u"))
        with pytest.raises(SeedError, match="unknown check run 9"):
            github_api.seed(
                Annotation(
                    check_run_id=9,
                    path="p",
                    start_line=1,
                    end_line=1,
                    annotation_level="notice",
                    message="m",
                )
            )
        with pytest.raises(SeedError, match="unknown workflow run 9"):
            github_api.seed(Artifact(repo=REPO, name="a", run_id=9))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else b""
        try:
            with urllib.request.urlopen(f"{url}/_health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{url} never became healthy")


class TestStandalone:
    def test_service_lifecycle(self, tmp_path: Path) -> None:
        """Runs as ``python -m tests.github_server``, healthy, stops on SIGTERM, saves state."""
        port, state = free_port(), tmp_path / "state.json"
        command = [
            sys.executable,
            "-m",
            "tests.github_server",
            "--port",
            str(port),
            "--state-file",
            str(state),
        ]
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process)
            request = urllib.request.Request(
                f"{url}/_seed",
                data=json.dumps({"repos": [{"owner": "o", "name": "r"}]}).encode(),
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=30)
        assert (process.returncode, stderr) == (0, b"")
        assert json.loads(stdout) == {"url": url}
        assert [repo["name"] for repo in json.loads(state.read_text())["repos"]] == ["r"]

    def test_unreadable_state_file(self, tmp_path: Path) -> None:
        """A state file that is not a seed is one line on stderr and exit code 2."""
        state = tmp_path / "state.json"
        state.write_text('{"repos": 3}')
        command = [
            sys.executable,
            "-m",
            "tests.github_server",
            "--port",
            "0",
            "--state-file",
            str(state),
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=60, check=False)
        assert (done.returncode, done.stderr) == (
            2,
            b"github-server: cannot start: seed: 'repos' must be a list of objects\n",
        )


class TestPyGithub:
    def test_the_real_client(self, github_api: GitHubServer) -> None:
        """PyGithub reads a pull request, upserts a comment, posts a check run, pages comments."""
        seed_pull(github_api)
        client = pygithub(github_api)
        repo = client.get_repo(REPO)
        pull = repo.get_pull(1)
        assert (pull.number, pull.head.sha, pull.base.ref) == (1, SHA_B, "main")
        comment = pull.create_issue_comment("<!-- noxci --> first")
        comment.edit("<!-- noxci --> second")
        issue = repo.get_issue(1)
        for index in range(3):
            issue.create_comment(f"chatter {index}")
        bodies = [item.body for item in pull.get_issue_comments()]
        assert bodies == ["<!-- noxci --> second", "chatter 0", "chatter 1", "chatter 2"]
        client.per_page = 2
        assert [item.body for item in repo.get_issue(1).get_comments()] == bodies
        assert [(request.path, request.query) for request in github_api.requests][-2:] == [
            ("/repos/octo/proj/issues/1/comments", "per_page=2"),
            ("/repositories/1/issues/1/comments", "page=2&per_page=2"),
        ]
        run = repo.create_check_run(
            name="noxci",
            head_sha=SHA_B,
            status="completed",
            conclusion="failure",
            output=output(range(1, 51)),
        )
        assert (run.conclusion, run.output.annotations_count) == ("failure", 50)
        assert len(list(run.get_annotations())) == 50
        assert client.get_user().login == BOT
        assert github_api.validation_errors == []
        assert sum(1 for request in github_api.requests if request.method == "POST") == 5

    def test_the_real_client_on_issues_runs_and_compare(self, github_api: GitHubServer) -> None:
        """PyGithub tracks a nightly issue, finds runs and artifacts, and compares commits."""
        TestCompare().seed(github_api)
        run = github_api.add(WorkflowRun(repo=REPO, head_sha=SHA_B))
        github_api.seed(Artifact(repo=REPO, name="reports", data=b"zip", run_id=run.id))
        client = pygithub(github_api)
        repo = client.get_repo(REPO)
        issue = repo.create_issue(title="Nightly failing", labels=["nightly"])
        assert [item.number for item in repo.get_issues(labels=["nightly"])] == [1]
        issue.create_comment("still failing")
        issue.edit(state="closed")
        assert (issue.state, repo.get_issues(state="open").totalCount) == ("closed", 0)
        runs = repo.get_workflow_runs(head_sha=SHA_B)
        assert [item.id for item in runs] == [run.id]
        assert [item.name for item in runs[0].get_artifacts()] == ["reports"]
        assert [item.size_in_bytes for item in repo.get_artifacts(name="reports")] == [3]
        comparison = repo.compare("main", "feature/x")
        assert (comparison.merge_base_commit.sha, comparison.ahead_by) == (SHA_A, 2)
        assert client.get_rate_limit().resources.core.limit == 5000
        assert github_api.validation_errors == []
