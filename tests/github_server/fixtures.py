"""Pytest fixtures of the local GitHub server (``pytest_plugins`` or import them).

``github_server`` is a fresh server per test, on a free port in a thread, stopped after;
``github_api`` is the same server seeded with the usual cast: user ``noxci-bot`` with
token ``t``, repository ``octo/proj`` and its ``main`` branch.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.github_server._cast import BOT, REPO, TOKEN
from tests.github_server._records import Branch, Repo, Token, User
from tests.github_server._server import GitHubServer

__all__ = ["BOT", "REPO", "TOKEN", "github_api", "github_server"]


@pytest.fixture
def github_server() -> Iterator[GitHubServer]:
    """A running, empty local GitHub server; stopped after the test."""
    with GitHubServer() as server:
        yield server


@pytest.fixture
def github_api(github_server: GitHubServer) -> GitHubServer:
    """The local GitHub server seeded with ``noxci-bot`` (token ``t``) and ``octo/proj``."""
    owner, name = REPO.split("/")
    github_server.seed(
        User(login=BOT, type="Bot"),
        Token(token=TOKEN, login=BOT),
        Repo(owner=owner, name=name),
        Branch(repo=REPO, name="main", sha="0" * 40),
    )
    return github_server
