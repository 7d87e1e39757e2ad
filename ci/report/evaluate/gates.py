"""The gates: each a pure function from the model to a :class:`GateResult`.

A gate's detail is one line a person understands ("coverage 88.4% < floor 90%",
"2 failed: test_a, test_b"). Rounding follows coverage.py: a floor of 100 means exactly
100, and a total shown as 90 after rounding passes a floor of 90 (``should_fail_under``).
"""

from __future__ import annotations

from collections.abc import Sequence

from coverage.results import display_covered, should_fail_under

from ci.report.model import CoverageReport, GateResult, InputStatus, Outcome, TestsResult

__all__ = ["coverage_gate", "evaluate_gates", "inputs_gate", "name_list", "tests_gate"]

#: How many test ids a gate's detail names before "and N more".
NAMED = 3


def _count(n: int, noun: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def name_list(ids: Sequence[str]) -> str:
    """The first few ids, then "and N more"."""
    shown = ", ".join(ids[:NAMED])
    return shown if len(ids) <= NAMED else f"{shown} and {len(ids) - NAMED} more"


def tests_gate(tests: TestsResult) -> GateResult:
    """Every test passed (failures and errors both fail it)."""
    counts = tests.counts
    if counts.ok:
        return GateResult(
            name="tests", passed=True, detail=f"{counts.passed} passed, {counts.skipped} skipped"
        )
    failing = [case.id for case in tests.cases if case.outcome in {Outcome.FAILED, Outcome.ERROR}]
    parts = [
        f"{counts.failed} failed" if counts.failed else "",
        _count(counts.errors, "error") if counts.errors else "",
    ]
    summary = ", ".join(part for part in parts if part)
    return GateResult(name="tests", passed=False, detail=f"{summary}: {name_list(failing)}")


def coverage_gate(
    coverage: CoverageReport | None, fail_under: float, precision: int = 0
) -> GateResult:
    """The combined coverage total is at least ``fail_under`` (coverage.py's rounding)."""
    if coverage is None:
        return GateResult(
            name="coverage", passed=False, detail=f"no coverage data, floor {fail_under:g}%"
        )
    shown = display_covered(coverage.percent, precision)
    if should_fail_under(coverage.percent, fail_under, precision):
        return GateResult(
            name="coverage", passed=False, detail=f"coverage {shown}% < floor {fail_under:g}%"
        )
    return GateResult(
        name="coverage", passed=True, detail=f"coverage {shown}% ≥ floor {fail_under:g}%"
    )


def inputs_gate(inputs: Sequence[InputStatus], missing: Sequence[str]) -> GateResult:
    """Every expected artifact is there and every input could be read."""
    unreadable = [status.path for status in inputs if not status.ok]
    problems = [
        f"missing: {', '.join(missing)}" if missing else "",
        f"unreadable: {name_list(unreadable)}" if unreadable else "",
    ]
    detail = "; ".join(p for p in problems if p)
    if detail:
        return GateResult(name="inputs", passed=False, detail=detail)
    return GateResult(name="inputs", passed=True, detail=f"{_count(len(inputs), 'input')} read")


def evaluate_gates(
    *,
    inputs: Sequence[InputStatus],
    missing: Sequence[str],
    tests: TestsResult,
    coverage: CoverageReport | None,
    fail_under: float,
    precision: int = 0,
) -> tuple[GateResult, ...]:
    """Every gate that applies: inputs and tests always; coverage when a floor is set."""
    gates = [inputs_gate(inputs, missing), tests_gate(tests)]
    if fail_under > 0:
        gates.append(coverage_gate(coverage, fail_under, precision))
    return tuple(gates)
