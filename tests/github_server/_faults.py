"""Faults on demand: the failures a GitHub client must survive, as rules.

A rule matches a method (any when None) and a path regex (``re.search`` on the path,
query excluded), applies ``times`` times (forever when None), then lapses; the first
live rule that matches wins. Kinds: an error ``status`` (500, 502, 503, or Cloudflare's
524, with the bodies those send), GitHub's secondary rate limit (403 or 429 with
``Retry-After``), a ``delay`` before a normal answer (to outlast a client timeout), and
``drop``: the connection closes without an answer, before or after the request took
effect (``after_apply``: "the POST went through but the client saw a failure").
"""

from __future__ import annotations

import enum
import json
import re
import threading
import uuid
from dataclasses import dataclass

from tests.github_server._call import Reply
from tests.github_server._records import record_from_json

__all__ = ["SECONDARY_RATE_LIMIT_MESSAGE", "Fault", "FaultKind", "Faults", "fault_reply"]

SECONDARY_RATE_LIMIT_MESSAGE = "You have exceeded a secondary rate limit"
_SECONDARY_DOCS = (
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)
_UNICORN = (
    "No server is currently available to service your request. Sorry about that. "
    "Please try resubmitting your request and contact us if the problem persists."
)
_CLOUDFLARE_524 = """<!DOCTYPE html>
<html lang="en-US"><head><title>127.0.0.1 | 524: A timeout occurred</title></head>
<body><div id="cf-wrapper"><h1><span class="cf-error-type">Error</span>
<span class="cf-error-code">524</span></h1><h2>A timeout occurred</h2>
<p>The origin web server timed out responding to this request.</p>
<p>Cloudflare Ray ID: <strong>{ray}</strong></p></div></body></html>
"""


class FaultKind(enum.StrEnum):
    """What a fault does to a matching request."""

    STATUS = "status"
    SECONDARY_RATE_LIMIT = "secondary_rate_limit"
    TOO_MANY_REQUESTS = "too_many_requests"
    DELAY = "delay"
    DROP = "drop"


@dataclass(frozen=True, kw_only=True)
class Fault:
    """A fault rule (JSON: the same fields, ``kind`` as its string value)."""

    kind: FaultKind
    method: str | None = None
    path: str = ""
    times: int | None = 1
    status: int = 500
    retry_after: int = 1
    seconds: float = 0.0
    after_apply: bool = False

    def __post_init__(self) -> None:
        """Reject rules that could never mean anything."""
        object.__setattr__(self, "kind", FaultKind(self.kind))
        if self.method is not None:
            object.__setattr__(self, "method", self.method.upper())
        if self.kind is FaultKind.STATUS and self.status not in (500, 502, 503, 524):
            msg = f"fault: status {self.status} is not one of 500, 502, 503, 524"
            raise ValueError(msg)
        try:
            re.compile(self.path)
        except re.error as error:
            msg = f"fault: path {self.path!r} is not a regular expression: {error}"
            raise ValueError(msg) from None

    @classmethod
    def from_json(cls, obj: object) -> Fault:
        """A fault from its JSON object (ValueError with a message when it does not fit)."""
        return record_from_json(cls, obj)


@dataclass(kw_only=True)
class _Rule:
    fault: Fault
    left: int | None


class Faults:
    """The live rules of one server; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []

    def add(self, fault: Fault) -> None:
        """Append a rule (rules are tried in the order they were added)."""
        with self._lock:
            self._rules.append(_Rule(fault=fault, left=fault.times))

    def clear(self) -> None:
        """Drop every rule."""
        with self._lock:
            self._rules.clear()

    def active(self) -> list[tuple[Fault, int | None]]:
        """The live rules with how many times each still applies (None: forever)."""
        with self._lock:
            return [(rule.fault, rule.left) for rule in self._rules]

    def take(self, method: str, path: str) -> Fault | None:
        """The first live rule matching the request, used up once; None when none match."""
        with self._lock:
            for rule in self._rules:
                fault = rule.fault
                if fault.method not in (None, method) or not re.search(fault.path, path):
                    continue
                if rule.left is not None:
                    rule.left -= 1
                    if rule.left <= 0:
                        self._rules.remove(rule)
                return fault
        return None


def fault_reply(fault: Fault) -> Reply:
    """The answer of a ``status`` or rate-limit fault."""
    request_id = uuid.uuid4().hex[:16].upper()
    if fault.kind in (FaultKind.SECONDARY_RATE_LIMIT, FaultKind.TOO_MANY_REQUESTS):
        status = 403 if fault.kind is FaultKind.SECONDARY_RATE_LIMIT else 429
        message = (
            f"{SECONDARY_RATE_LIMIT_MESSAGE}. Please wait a few minutes before you try again. "
            f"If you reach out to GitHub Support for help, please include the request ID "
            f"{request_id}."
        )
        body = {"message": message, "documentation_url": _SECONDARY_DOCS, "status": str(status)}
        headers = (("Retry-After", str(fault.retry_after)), ("X-GitHub-Request-Id", request_id))
        return Reply(status=status, raw=json.dumps(body).encode(), headers=headers)
    if fault.status == 503:
        return Reply(status=503, raw=_UNICORN.encode(), content_type="text/html; charset=utf-8")
    if fault.status == 524:
        page = _CLOUDFLARE_524.format(ray=request_id.lower())
        headers = (("Server", "cloudflare"), ("CF-RAY", f"{request_id.lower()}-IAD"))
        return Reply(
            status=524, raw=page.encode(), content_type="text/html; charset=UTF-8", headers=headers
        )
    body = {"message": "Server Error"}
    return Reply(status=fault.status, raw=json.dumps(body).encode())
