"""A local GitHub REST API for the tests, checked against GitHub's OpenAPI description.

A real HTTP server on 127.0.0.1 (standard library only) serving the endpoints noxci
uses, keeping state, validating every request and answer against
``tests/data/github-api/openapi-subset.json``, and failing on demand (5xx, Cloudflare's
524, secondary rate limits, slow answers, dropped connections). In-process::

    with GitHubServer() as server:
        server.seed(User(login="bot"), Token(token="t", login="bot"), Repo(owner="o", name="r"))
        Github(auth=Auth.Token("t"), base_url=server.url).get_repo("o/r")
        assert server.validation_errors == []

Standalone: ``python -m tests.github_server --port N`` (see ``__main__``), driven through
the control endpoints ``/_health``, ``/_seed``, ``/_faults``, ``/_requests``, ``/_state``.
"""

from __future__ import annotations

from tests.github_server._app import RequestRecord, ValidationFailure
from tests.github_server._faults import SECONDARY_RATE_LIMIT_MESSAGE, Fault, FaultKind
from tests.github_server._records import (
    Annotation,
    Artifact,
    Branch,
    CheckRun,
    Comment,
    Commit,
    Issue,
    Label,
    PullRef,
    Repo,
    SeedError,
    Token,
    User,
    WorkflowRun,
)
from tests.github_server._server import GitHubServer

__all__ = [
    "SECONDARY_RATE_LIMIT_MESSAGE",
    "Annotation",
    "Artifact",
    "Branch",
    "CheckRun",
    "Comment",
    "Commit",
    "Fault",
    "FaultKind",
    "GitHubServer",
    "Issue",
    "Label",
    "PullRef",
    "Repo",
    "RequestRecord",
    "SeedError",
    "Token",
    "User",
    "ValidationFailure",
    "WorkflowRun",
]
