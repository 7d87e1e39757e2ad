"""Retrying GitHub calls: what is safe to repeat, how long to wait, and a total time budget.

PyGithub runs with its own retries off (its default never retries a PATCH and may send a
POST twice after a timeout). Here a failure is classified first: 5xx and Cloudflare's
524, dropped connections and timeouts are transient; a secondary rate limit (403 or 429)
says how long to wait in ``Retry-After``; anything else (403 without permission, 404,
422) is final. A transient failure of a write is *ambiguous* (it may have taken effect),
so before repeating a non-idempotent write :func:`call` asks ``recover`` whether it
went through. Every wait comes out of one :class:`Budget`; when the next wait does not
fit, the call gives up with :class:`GaveUpError`.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import requests
from github import GithubException

__all__ = [
    "Budget",
    "Failure",
    "FailureKind",
    "GaveUpError",
    "RetryPolicy",
    "call",
    "classify",
]

_T = TypeVar("_T")
_TRANSIENT_STATUSES = frozenset({500, 502, 503, 504, 524})


class FailureKind(enum.Enum):
    """Why a request failed, as far as retrying goes."""

    #: 5xx or 524: the server had a problem; a write may still have happened.
    SERVER = "server"
    #: No answer: dropped connection or timeout; a write may still have happened.
    CONNECTION = "connection"
    #: A rate limit with a time to wait; nothing happened.
    RATE_LIMITED = "rate_limited"
    #: 403 without a rate limit: this token may not do this (fork PRs).
    FORBIDDEN = "forbidden"
    #: 404: gone, or never there.
    NOT_FOUND = "not_found"
    #: Any other answer: repeating it would get the same.
    FINAL = "final"


@dataclass(frozen=True, kw_only=True, slots=True)
class Failure:
    """A classified failure with a one-line description."""

    kind: FailureKind
    detail: str
    status: int | None = None
    #: Seconds the server asked us to wait (``Retry-After`` or the rate-limit reset).
    retry_after_s: float | None = None

    @property
    def retryable(self) -> bool:
        """Trying again may succeed."""
        return self.kind in {FailureKind.SERVER, FailureKind.CONNECTION, FailureKind.RATE_LIMITED}

    @property
    def ambiguous(self) -> bool:
        """A write may have taken effect although it failed."""
        return self.kind in {FailureKind.SERVER, FailureKind.CONNECTION}


class GaveUpError(Exception):
    """A call failed for good (final failure, or no budget left for another try)."""

    def __init__(self, what: str, failure: Failure, attempts: int) -> None:
        self.what = what
        self.failure = failure
        self.attempts = attempts
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        super().__init__(f"{what}: {failure.detail} ({tries})")


def _retry_after(headers: Mapping[str, object], now: float) -> float | None:
    lowered = {str(key).lower(): str(value) for key, value in headers.items()}
    try:
        if "retry-after" in lowered:
            return max(0.0, float(lowered["retry-after"]))
        if lowered.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in lowered:
            return max(0.0, float(lowered["x-ratelimit-reset"]) - now)
    except ValueError:
        return None
    return None


def classify(error: GithubException | requests.RequestException) -> Failure:
    """The failure an exception of PyGithub or of requests (under PyGithub) stands for."""
    if isinstance(error, requests.Timeout):
        return Failure(kind=FailureKind.CONNECTION, detail="timed out")
    if isinstance(error, requests.ConnectionError):
        return Failure(kind=FailureKind.CONNECTION, detail="connection failed")
    if isinstance(error, requests.RequestException):
        return Failure(kind=FailureKind.FINAL, detail=f"request failed: {type(error).__name__}")
    return _classify_answer(error)


def _classify_answer(error: GithubException) -> Failure:
    status = error.status
    message = error.message or (error.data.get("message") if isinstance(error.data, dict) else None)
    detail = f"HTTP {status}" + (f" {message}" if isinstance(message, str) and message else "")
    wait = _retry_after(error.headers or {}, time.time())
    if status in _TRANSIENT_STATUSES:
        kind, detail = FailureKind.SERVER, f"HTTP {status}"  # bodies are HTML pages
    elif status == 429 or (status == 403 and wait is not None):
        kind = FailureKind.RATE_LIMITED
    elif status == 403:
        kind = FailureKind.FORBIDDEN
    elif status == 404:
        kind = FailureKind.NOT_FOUND
    else:
        kind = FailureKind.FINAL
    retry_after = wait if kind is FailureKind.RATE_LIMITED else None
    return Failure(kind=kind, detail=detail, status=status, retry_after_s=retry_after)


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryPolicy:
    """How long publishing may take and how it waits between tries."""

    #: Seconds all of publishing may spend, waits included.
    budget_s: float = 60.0
    #: Whole seconds one request may take (PyGithub takes whole seconds only); above
    #: GitHub's own 10 s, so a write that timed out has finished or failed on GitHub.
    timeout_s: int = 15
    #: The first wait after a transient failure; it doubles each time, jittered.
    backoff_s: float = 1.0
    #: The longest wait after a transient failure.
    max_backoff_s: float = 16.0


class Budget:
    """The time left for one publication; waits come out of it."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.policy = policy
        self.clock = clock
        self._sleep = sleep
        self._deadline = clock() + policy.budget_s

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self._deadline - self.clock())

    def delay(self, failure: Failure, attempt: int) -> float:
        """How long to wait before try ``attempt + 1`` (``Retry-After`` when given)."""
        if failure.retry_after_s is not None:
            return failure.retry_after_s
        backoff = min(self.policy.max_backoff_s, self.policy.backoff_s * 2.0**attempt)
        return backoff * float(random.uniform(0.5, 1.0))  # noqa: S311 (jitter, not security)

    def wait(self, failure: Failure, attempt: int) -> bool:
        """Sleep before another try if the wait fits the budget; False when it does not."""
        pause = self.delay(failure, attempt)
        if pause >= self.remaining():
            return False
        self._sleep(pause)
        return True


def call(
    budget: Budget,
    what: str,
    operation: Callable[[], _T],
    *,
    recover: Callable[[], _T | None] | None = None,
) -> _T:
    """``operation()``, tried again on transient failures while the budget lasts.

    ``recover`` makes a non-idempotent write safe: after an ambiguous failure it is called
    (itself retried) and a value it returns means the write did go through.
    """
    attempts = 0
    while True:
        attempts += 1
        try:
            return operation()
        except (GithubException, requests.RequestException) as error:
            failure = classify(error)
            if not failure.retryable or not budget.wait(failure, attempts - 1):
                raise GaveUpError(what, failure, attempts) from error
            if failure.ambiguous and recover is not None:
                done = call(budget, f"{what} (checking whether it went through)", recover)
                if done is not None:
                    return done
