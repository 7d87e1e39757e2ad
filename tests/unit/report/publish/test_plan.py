"""The exit code after publishing."""

from __future__ import annotations

from ci.errors import ExitCode
from ci.report.publish.plan import PublishResult, exit_code


class TestExitCode:
    def test_the_verdict_stands(self) -> None:
        """Without --strict-publish a publishing failure keeps the verdict's code."""
        failed = PublishResult(failures=("comment not posted: HTTP 503",))
        assert (exit_code(0, failed, strict=False), exit_code(1, failed, strict=False)) == (0, 1)

    def test_strict(self) -> None:
        """--strict-publish turns a publishing failure into 3, and only a failure."""
        failed = PublishResult(failures=("comment not posted: HTTP 503",))
        assert (exit_code(0, failed, strict=True), exit_code(1, PublishResult(), strict=True)) == (
            ExitCode.PUBLISH_FAILED,
            1,
        )
