"""What is retried, how long it waits, and the budget that bounds it all."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from github import GithubException, RateLimitExceededException

from ci.report.publish.retry import (
    Budget,
    Failure,
    FailureKind,
    GaveUpError,
    RetryPolicy,
    call,
    classify,
)


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def budget(seconds: float = 60.0, fake: FakeTime | None = None) -> Budget:
    """A budget on a fake clock."""
    fake = fake or FakeTime()
    return Budget(RetryPolicy(budget_s=seconds), clock=fake.clock, sleep=fake.sleep)


def http(status: int, message: str | None = None, **headers: str) -> GithubException:
    """The exception PyGithub raises for an answer of ``status``."""
    return GithubException(status, {"message": message} if message else None, headers, message)


def flaky(*errors: Exception, value: str = "done") -> tuple[Callable[[], str], list[int]]:
    """An operation raising ``errors`` one per call, then returning ``value``; and its calls."""
    made: list[int] = []

    def operation() -> str:
        made.append(1)
        if len(made) <= len(errors):
            raise errors[len(made) - 1]
        return value

    return operation, made


class TestClassify:
    @pytest.mark.parametrize("status", [500, 502, 503, 504, 524])
    def test_server_errors(self, status: int) -> None:
        """5xx and 524 are transient and ambiguous, described by status only."""
        failure = classify(http(status, "<html>"))
        assert (failure.kind, failure.detail, failure.retryable, failure.ambiguous) == (
            FailureKind.SERVER,
            f"HTTP {status}",
            True,
            True,
        )

    def test_secondary_rate_limit(self) -> None:
        """A 403 with Retry-After waits that long and is not ambiguous."""
        error = RateLimitExceededException(
            403, {"message": "You have exceeded a secondary rate limit"}, {"retry-after": "3"}
        )
        failure = classify(error)
        assert (failure.kind, failure.retry_after_s, failure.ambiguous) == (
            FailureKind.RATE_LIMITED,
            3.0,
            False,
        )

    def test_429_without_retry_after(self) -> None:
        """A 429 is a rate limit even without a time to wait."""
        assert classify(http(429, "slow down")) == Failure(
            kind=FailureKind.RATE_LIMITED, detail="HTTP 429 slow down", status=429
        )

    def test_primary_rate_limit_waits_for_the_reset(self) -> None:
        """Remaining 0 waits until the reset time (a reset in the past waits 0)."""
        failure = classify(
            http(403, "API rate limit", **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"})
        )
        assert (failure.kind, failure.retry_after_s) == (FailureKind.RATE_LIMITED, 0.0)

    def test_unreadable_retry_after(self) -> None:
        """A Retry-After that is not a number leaves a 403 forbidden."""
        failure = classify(
            http(403, "Resource not accessible by integration", **{"Retry-After": "soon"})
        )
        assert (failure.kind, failure.detail) == (
            FailureKind.FORBIDDEN,
            "HTTP 403 Resource not accessible by integration",
        )

    @pytest.mark.parametrize(
        ("status", "kind"), [(404, FailureKind.NOT_FOUND), (422, FailureKind.FINAL)]
    )
    def test_final(self, status: int, kind: FailureKind) -> None:
        """404 and 422 are not retried."""
        failure = classify(http(status))
        assert (failure.kind, failure.detail, failure.retryable) == (kind, f"HTTP {status}", False)

    def test_message_from_data(self) -> None:
        """Without PyGithub's message the body's message is used."""
        assert classify(GithubException(422, {"message": "Validation Failed"})).detail == (
            "HTTP 422 Validation Failed"
        )

    @pytest.mark.parametrize(
        ("error", "kind", "detail"),
        [
            (requests.ReadTimeout(), FailureKind.CONNECTION, "timed out"),
            (requests.ConnectionError(), FailureKind.CONNECTION, "connection failed"),
            (requests.TooManyRedirects(), FailureKind.FINAL, "request failed: TooManyRedirects"),
        ],
    )
    def test_transport(
        self, error: requests.RequestException, kind: FailureKind, detail: str
    ) -> None:
        """Timeouts and dropped connections are transient; other transport errors are not."""
        assert (classify(error).kind, classify(error).detail) == (kind, detail)


class TestBudget:
    def test_backoff_doubles_up_to_the_cap(self) -> None:
        """Waits double from the first backoff, jittered between half and all of it, capped."""
        policy = RetryPolicy(backoff_s=1.0, max_backoff_s=4.0)
        waits = Budget(policy)
        failure = Failure(kind=FailureKind.SERVER, detail="HTTP 500")
        delays = [waits.delay(failure, attempt) for attempt in range(5)]
        bounds = [(0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (2.0, 4.0), (2.0, 4.0)]
        assert [low <= d <= high for d, (low, high) in zip(delays, bounds, strict=True)] == [
            True
        ] * 5

    def test_a_wait_that_does_not_fit(self) -> None:
        """A wait longer than what is left is not slept."""
        fake = FakeTime()
        left = budget(2.0, fake)
        failure = Failure(kind=FailureKind.RATE_LIMITED, detail="x", retry_after_s=1.5)
        assert (left.wait(failure, 0), left.wait(failure, 0), fake.slept) == (True, False, [1.5])
        assert left.remaining() == 0.5


class TestCall:
    def test_transient_failures_are_retried(self) -> None:
        """A 502 then a timeout, then success: three attempts."""
        operation, made = flaky(http(502), requests.ReadTimeout())
        assert (call(budget(), "read", operation), len(made)) == ("done", 3)

    def test_final_failure_is_not_retried(self) -> None:
        """A 422 gives up at once, naming the call and the answer."""
        operation, made = flaky(http(422, "Validation Failed"))
        with pytest.raises(
            GaveUpError, match=r"^create: HTTP 422 Validation Failed \(1 attempt\)$"
        ):
            call(budget(), "create", operation)
        assert len(made) == 1

    def test_gives_up_when_the_budget_is_spent(self) -> None:
        """Rate limits asking for 10 s each exhaust a 25 s budget after three attempts."""
        limited = http(429, "slow", **{"Retry-After": "10"})
        operation, made = flaky(limited, limited, limited, limited)
        with pytest.raises(GaveUpError, match=r"\(3 attempts\)$") as raised:
            call(budget(25.0), "edit", operation)
        assert (raised.value.failure.kind, len(made)) == (FailureKind.RATE_LIMITED, 3)

    def test_recover_finds_the_write(self) -> None:
        """After an ambiguous failure a write that went through is not repeated."""
        operation, made = flaky(requests.ConnectionError())
        assert call(budget(), "create", operation, recover=lambda: "found") == "found"
        assert len(made) == 1

    def test_recover_finds_nothing(self) -> None:
        """When the check finds nothing, the write is tried again."""
        operation, made = flaky(http(500))
        assert call(budget(), "create", operation, recover=lambda: None) == "done"
        assert len(made) == 2

    def test_rate_limit_needs_no_recovery(self) -> None:
        """A rate-limited write did not happen: no check before trying again."""
        checked: list[int] = []

        def recover() -> str | None:
            checked.append(1)
            return None

        operation, _ = flaky(http(429, **{"Retry-After": "0"}))
        assert (call(budget(), "create", operation, recover=recover), checked) == ("done", [])
