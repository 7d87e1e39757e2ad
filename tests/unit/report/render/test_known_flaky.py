"""A failing test the history store knows to be flaky is marked as such in the comment."""

from __future__ import annotations

import dataclasses

from ci.report.model import Counts, Outcome, Report, TestCase, TestsResult
from ci.report.render.markdown import render_markdown


def _report(known: tuple[str, ...]) -> Report:
    cases = (
        TestCase(stage="unit", classname="m", name="wobbly", outcome=Outcome.FAILED),
        TestCase(stage="unit", classname="m", name="broken", outcome=Outcome.FAILED),
    )
    tests = TestsResult(
        counts=Counts(total=2, failed=2),
        stages={"unit": Counts(total=2, failed=2)},
        cases=cases,
        failing=("m::broken", "m::wobbly"),
    )
    report = Report(inputs=(), tests=tests, coverage=None, benchmarks=(), gates=())
    return dataclasses.replace(report, tests=dataclasses.replace(tests, known_flaky=known))


class TestKnownFlaky:
    def test_marked(self) -> None:
        """Only the known-flaky failure carries the mark."""
        text = render_markdown(_report(("m::wobbly",)))
        assert "- failed **m::wobbly** (unit · known flaky)" in text
        assert "- failed **m::broken** (unit)" in text

    def test_unmarked_without_history(self) -> None:
        """No history, no mark."""
        assert "known flaky" not in render_markdown(_report(()))
