"""The PyGithub client as publishing uses it: one budget, no hidden retries, few requests.

``GITHUB_API_URL`` becomes PyGithub's ``base_url`` (so tests point it at a local server),
the token comes from ``GITHUB_TOKEN``. PyGithub's own retries and throttling are off
(:mod:`ci.report.publish.retry` decides), objects are lazy (a repository or issue costs
no request until it is read) and lists come 100 per page. The authenticated login is
fetched once, only when needed; an Actions token may not read ``/user`` (403), and then
the login is ``github-actions[bot]``, the account ``GITHUB_TOKEN`` writes as.
"""

from __future__ import annotations

from collections.abc import Mapping

from github import Auth, Github
from github.Repository import Repository

from ci.report.publish.retry import Budget, FailureKind, GaveUpError, RetryPolicy, call

__all__ = ["ACTIONS_LOGIN", "DEFAULT_API_URL", "GitHubClient", "MissingTokenError"]

DEFAULT_API_URL = "https://api.github.com"
#: Who writes with an Actions ``GITHUB_TOKEN``.
ACTIONS_LOGIN = "github-actions[bot]"
_PER_PAGE = 100


class MissingTokenError(Exception):
    """``GITHUB_TOKEN`` is not set, so nothing can be posted."""


class GitHubClient:
    """PyGithub with a time budget and the authenticated login, fetched lazily."""

    def __init__(self, github: Github, budget: Budget, *, login: str | None = None) -> None:
        self.github = github
        self.budget = budget
        self._login = login

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], policy: RetryPolicy, *, budget: Budget | None = None
    ) -> GitHubClient:
        """A client for ``GITHUB_API_URL`` with ``GITHUB_TOKEN``; MissingTokenError without one."""
        token = env.get("GITHUB_TOKEN", "")
        if not token:
            msg = "GITHUB_TOKEN is not set (give the step `env: GITHUB_TOKEN: ${{ github.token }}`)"
            raise MissingTokenError(msg)
        github = Github(
            auth=Auth.Token(token),
            base_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
            timeout=policy.timeout_s,
            user_agent="noxci",
            per_page=_PER_PAGE,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )
        return cls(github, budget or Budget(policy))

    def repo(self, full_name: str) -> Repository:
        """The repository ``owner/name`` (no request)."""
        return self.github.get_repo(full_name)

    def login(self) -> str:
        """The login the token writes as (``GET /user`` the first time only)."""
        if self._login is None:
            try:
                self._login = call(self.budget, "read the token's user", self._fetch_login)
            except GaveUpError as error:
                if error.failure.kind is not FailureKind.FORBIDDEN:
                    raise
                self._login = ACTIONS_LOGIN
        return self._login

    def learn_login(self, login: str) -> None:
        """Remember who the token writes as, learnt from something it wrote."""
        if self._login is None:
            self._login = login

    def _fetch_login(self) -> str:
        return self.github.get_user().login
