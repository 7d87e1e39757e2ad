"""From a request to an answer, checked against GitHub's description both ways.

``App.dispatch`` is the server without HTTP: resolve the caller from the token, match
the operation, validate the query and JSON body (a request that fails gets GitHub's
422 and is recorded), run the handler under the state lock, and validate the answer
(one that fails is a bug here: recorded, and answered 500). Also kept: the log of
every request and the list of validation failures that tests assert is empty.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Any, Literal

from tests.github_server import _api_actions, _api_checks, _api_issues, _api_pulls, _api_repos
from tests.github_server._call import DOCS, ApiError, Call, Handler, Reply, error_body
from tests.github_server._faults import Faults
from tests.github_server._openapi import Route, Spec
from tests.github_server._store import Store

__all__ = ["App", "Incoming", "RequestRecord", "ValidationFailure", "Where"]

_HANDLERS: dict[str, Handler] = {
    **_api_repos.HANDLERS,
    **_api_pulls.HANDLERS,
    **_api_issues.HANDLERS,
    **_api_checks.HANDLERS,
    **_api_actions.HANDLERS,
}
_REPOSITORIES = re.compile(r"/repositories/(\d+)(/.*)?")
_BLOB = re.compile(r"/_blobs/artifacts/(\d+)\.zip")
_INTEGER = re.compile(r"-?\d+")
#: Where a validation failure was found: the client's request, our answer, or a crash.
Where = Literal["request", "response", "server"]
_SIMPLE_USER = "/components/schemas/simple-user"
_BASIC_ERROR = "/components/schemas/basic-error"


@dataclass(frozen=True, kw_only=True)
class Incoming:
    """An API request as it arrived: method, path, raw query, ``Authorization``, body."""

    method: str
    path: str
    query: str = ""
    authorization: str | None = None
    body: bytes = b""


@dataclass(frozen=True, kw_only=True)
class RequestRecord:
    """One request as the server saw it; ``status`` None when the connection was dropped."""

    method: str
    path: str
    query: str
    status: int | None
    fault: str | None = None
    body: Any = None


@dataclass(frozen=True, kw_only=True)
class ValidationFailure:
    """A request or answer outside GitHub's description, or a crash of a handler."""

    where: Where
    method: str
    path: str
    status: int
    message: str


class App:
    """State, faults, logs, and the dispatch of API requests."""

    def __init__(self, spec: Spec, store: Store | None = None) -> None:
        missing = {op.operation_id for op in spec.operations()} - set(_HANDLERS)
        assert not missing, f"operations without a handler: {sorted(missing)}"
        self.spec = spec
        self.store = store if store is not None else Store()
        self.faults = Faults()
        self.base = ""
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._failures: list[ValidationFailure] = []

    def log(self, record: RequestRecord) -> None:
        """Remember a request."""
        with self._lock:
            self._requests.append(record)

    def requests(self) -> list[RequestRecord]:
        """Every request so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def failures(self) -> list[ValidationFailure]:
        """Every validation failure so far."""
        with self._lock:
            return list(self._failures)

    def clear_logs(self) -> None:
        """Forget requests and failures."""
        with self._lock:
            self._requests.clear()
            self._failures.clear()

    def _fail(self, where: Where, request: Incoming, status: int, message: str) -> None:
        failure = ValidationFailure(
            where=where, method=request.method, path=request.path, status=status, message=message
        )
        with self._lock:
            self._failures.append(failure)

    def _login(self, authorization: str | None) -> tuple[str | None, bool]:
        """The caller's login and whether it may write; ApiError 401 for unknown tokens."""
        if not authorization:
            return None, False
        scheme, _, token = authorization.partition(" ")
        known = scheme.lower() in ("token", "bearer")
        found = self.store.tokens.get(token.strip()) if known else None
        if found is None:
            raise ApiError(401, "Bad credentials")
        return found.login, not found.read_only

    def _canonical(self, path: str) -> str:
        """``/repositories/{id}/...`` (the form of GitHub's Link URLs) as ``/repos/o/r/...``."""
        found = _REPOSITORIES.fullmatch(path)
        if found is None:
            return path
        repo_id = int(found.group(1))
        repo = next((repo for repo in self.store.repos.values() if repo.id == repo_id), None)
        return path if repo is None else f"/repos/{repo.full_name}{found.group(2) or ''}"

    def dispatch(self, request: Incoming) -> Reply:
        """The answer to one API request (never raises), all of it under the state lock."""
        with self.store.lock:
            request = dataclasses.replace(request, path=self._canonical(request.path))
            route = self.spec.match(request.method, request.path)
            try:
                reply = self._dispatch(request, route)
            except ApiError as error:
                reply = Reply(status=error.status, body=error.body)
            except Exception as error:  # a crash is reported, not raised
                message = f"local GitHub server crashed: {error!r}"
                self._fail("server", request, 500, message)
                reply = Reply(status=500, body=error_body(500, message))
            return self._checked_answer(request, route, reply)

    def _dispatch(self, request: Incoming, route: Route | None) -> Reply:
        login, writer = self._login(request.authorization)
        handler = self._handler(request, route)
        if request.method != "GET" and login is None:
            raise ApiError(401, "Requires authentication")
        if request.method != "GET" and not writer:
            raise ApiError(403, "Resource not accessible by integration")
        query = dict(urllib.parse.parse_qsl(request.query, keep_blank_values=True))
        call = Call(
            store=self.store,
            spec=self.spec,
            base=self.base,
            path=request.path,
            raw_query=request.query,
            params=route.params if route else {},
            query=query,
            body=self._checked_request(request, route, query) if route else None,
            login=login,
        )
        return handler(call)

    def _handler(self, request: Incoming, route: Route | None) -> Handler:
        blob = _BLOB.fullmatch(request.path)
        if route is not None:
            return _HANDLERS[route.operation.operation_id]
        if blob is not None and request.method == "GET":
            artifact_id = int(blob.group(1))
            return lambda call: _api_actions.blob_reply(call, artifact_id)
        if (request.method, request.path) == ("GET", "/user"):
            return _api_repos.get_user
        raise ApiError(404, "Not Found")

    def _reject(self, request: Incoming, route: Route, errors: list[str]) -> ApiError:
        self._fail("request", request, 422, "; ".join(errors))
        docs = self.spec.resolve(route.operation.pointer).get("externalDocs", {}).get("url", "")
        return ApiError(422, "Invalid request.\n\n" + "\n".join(errors), docs or DOCS)

    def _checked_request(self, request: Incoming, route: Route, query: dict[str, str]) -> Any:
        """The JSON body of a request that fits the operation; ApiError otherwise."""
        for name, (pointer, kind) in self.spec.query_parameters(route.operation).items():
            if name in query:
                errors = self.spec.errors(pointer, _coerce(query[name], kind))
                if errors:
                    raise self._reject(request, route, [f"query {name}: {errors[0]}"])
        schema = self.spec.request_schema(route.operation)
        if schema is None:
            return None
        pointer, required = schema
        if not request.body.strip():
            if required:
                raise self._reject(request, route, ["a JSON body is required"])
            return {}
        try:
            body = json.loads(request.body)
        except ValueError:
            self._fail("request", request, 400, "Problems parsing JSON")
            raise ApiError(400, "Problems parsing JSON") from None
        errors = self.spec.errors(pointer, body)
        if errors:
            raise self._reject(request, route, errors)
        return body

    def _answer_errors(self, request: Incoming, route: Route | None, reply: Reply) -> list[str]:
        if route is None:  # GET /user is not in the subset: simple-user is the nearest schema
            if (request.method, request.path) != ("GET", "/user") or reply.body is None:
                return []
            return self.spec.errors(
                _SIMPLE_USER if reply.status == 200 else _BASIC_ERROR, reply.body
            )
        if reply.status < 400 and not self.spec.documents(route.operation, reply.status):
            return [f"status {reply.status} is not documented for {route.operation.operation_id}"]
        pointer = self.spec.response_schema(route.operation, reply.status)
        if pointer is None:
            return [] if reply.body is None else ["a JSON body where none is documented"]
        return ["no JSON body"] if reply.body is None else self.spec.errors(pointer, reply.body)

    def _checked_answer(self, request: Incoming, route: Route | None, reply: Reply) -> Reply:
        """``reply`` when it fits GitHub's description, else a recorded failure and a 500."""
        errors = [] if reply.raw is not None else self._answer_errors(request, route, reply)
        if not errors:
            return reply
        message = f"answer {reply.status} outside GitHub's description: {'; '.join(errors)}"
        self._fail("response", request, reply.status, message)
        return Reply(status=500, body=error_body(500, f"local GitHub server: {message}"))


def _coerce(value: str, kind: str) -> object:
    """A query string value as the JSON type its schema expects (left as is when it is not)."""
    if kind == "integer" and _INTEGER.fullmatch(value):
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value
