"""One API call as the handlers see it, their answer, and GitHub's pagination.

A handler is a function ``Call -> Reply`` (or raises ``ApiError`` for GitHub's JSON
error answers). Pagination follows GitHub to the letter: ``per_page`` (default 30, at
most 100) and ``page``, and an RFC 8288 ``Link`` header with ``prev``, ``next``,
``last`` and ``first`` in that order, each the request's own query with ``page``
replaced, on the ``/repositories/{id}/...`` form of the path as GitHub writes it.
"""

from __future__ import annotations

import base64
import math
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tests.github_server._openapi import Spec
from tests.github_server._records import Repo
from tests.github_server._store import Store

__all__ = [
    "DOCS",
    "ApiError",
    "Call",
    "Handler",
    "Reply",
    "error_body",
    "node_id",
]

DOCS = "https://docs.github.com/rest"
_T = TypeVar("_T")
_REPO_PATH = re.compile(r"/repos/[^/]+/[^/]+")


def error_body(status: int, message: str, documentation_url: str = DOCS) -> dict[str, str]:
    """GitHub's JSON error object."""
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}


def node_id(kind: str, number: int) -> str:
    """A GitHub legacy global node id, e.g. ``MDQ6VXNlcjE=`` for ``04:User1``."""
    return base64.b64encode(f"{len(kind):02d}:{kind}{number}".encode()).decode("ascii")


class ApiError(Exception):
    """An error answer: ``status`` with GitHub's JSON error body."""

    def __init__(self, status: int, message: str, documentation_url: str = DOCS) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(status, message, documentation_url)


@dataclass(frozen=True, kw_only=True)
class Reply:
    """An answer: a JSON ``body`` (None for none) or ``raw`` bytes, and extra headers."""

    status: int
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class Call:
    """A request matched to an operation: who asks, what for, and the server around it."""

    store: Store
    spec: Spec
    base: str
    path: str
    raw_query: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    login: str | None

    def repo(self) -> Repo:
        """The repository of the path; 404 when unknown or private and asked anonymously."""
        found = self.store.repo(f"{self.params['owner']}/{self.params['repo']}")
        if found is None or (found.private and self.login is None):
            raise ApiError(404, "Not Found", f"{DOCS}/repos/repos#get-a-repository")
        return found

    def number(self, name: str) -> int:
        """The integer path parameter ``name``; 404 when it is not a number (like GitHub)."""
        value = self.params[name]
        if not value.isdigit():
            raise ApiError(404, "Not Found")
        return int(value)

    def api(self, path: str) -> str:
        """An absolute API URL on this server."""
        return f"{self.base}{path}"

    def paginate(self, items: Sequence[_T]) -> tuple[list[_T], tuple[tuple[str, str], ...]]:
        """The requested page of ``items`` and the ``Link`` header for the others."""
        per_page = min(max(int(self.query.get("per_page", "30")), 1), 100)
        page = max(int(self.query.get("page", "1")), 1)
        last = max(math.ceil(len(items) / per_page), 1)
        chunk = list(items[(page - 1) * per_page : page * per_page])
        rels: list[tuple[str, int]] = []
        if page > 1:
            rels.append(("prev", page - 1))
        if page < last:
            rels += [("next", page + 1), ("last", last)]
        if page > 1:
            rels.append(("first", 1))
        if not rels:
            return chunk, ()
        link = ", ".join(f'<{self._page_url(number)}>; rel="{rel}"' for rel, number in rels)
        return chunk, (("Link", link),)

    def _page_url(self, page: int) -> str:
        pairs = urllib.parse.parse_qsl(self.raw_query, keep_blank_values=True)
        if any(key == "page" for key, _ in pairs):
            pairs = [(key, str(page) if key == "page" else value) for key, value in pairs]
        else:
            pairs.append(("page", str(page)))
        path = self.path
        found = _REPO_PATH.match(path)
        repo = self.store.repo(found.group(0).removeprefix("/repos/")) if found else None
        if found is not None and repo is not None:
            path = f"/repositories/{repo.id}{path[found.end() :]}"
        return f"{self.base}{path}?{urllib.parse.urlencode(pairs, safe=',')}"


Handler = Callable[[Call], Reply]
