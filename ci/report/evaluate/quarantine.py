"""Quarantine: known-flaky tests that are shown but kept from failing the tests gate.

``quarantine`` in ``[tool.noxci]`` lists test ids as fnmatch patterns
(``tests/unit/test_net.py::*``). A quarantined test that fails is still reported (it
stays in the failing lists), but the tests gate is decided without it, and its detail
says how many quarantined failures were set aside. Pure functions of the model.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable, Iterable, Sequence, Set

from ci.report.evaluate.gates import name_list
from ci.report.model import GateResult, Outcome, TestsResult

__all__ = ["quarantine_gate", "quarantined", "without_quarantined"]


def quarantined(ids: Iterable[str], patterns: Sequence[str]) -> set[str]:
    """The ids that match any of the fnmatch ``patterns`` (case-sensitive)."""
    return {test for test in ids if any(fnmatch.fnmatchcase(test, p) for p in patterns)}


def without_quarantined(tests: TestsResult, ids: Set[str]) -> TestsResult:
    """``tests`` as if the failing tests in ``ids`` had not failed (for the gate only)."""
    set_aside = [
        case for case in tests.cases if case.id in ids and case.outcome is not Outcome.PASSED
    ]
    failed = sum(case.outcome is Outcome.FAILED for case in set_aside)
    errors = sum(case.outcome is Outcome.ERROR for case in set_aside)
    counts = dataclasses.replace(
        tests.counts,
        total=tests.counts.total - failed - errors,
        failed=tests.counts.failed - failed,
        errors=tests.counts.errors - errors,
    )

    def kept(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(test for test in values if test not in ids)

    return dataclasses.replace(
        tests,
        counts=counts,
        cases=tuple(case for case in tests.cases if case not in set_aside),
        failing=kept(tests.failing),
        new_failures=kept(tests.new_failures),
        still_failing=kept(tests.still_failing),
    )


def quarantine_gate(
    tests: TestsResult,
    patterns: Sequence[str],
    gate: Callable[[TestsResult], GateResult],
) -> GateResult:
    """The tests gate ``gate`` decides without quarantined failures, which its detail names.

    Without patterns, or when no failing test is quarantined, this is ``gate(tests)``.
    """
    held = sorted(quarantined(tests.failing, patterns)) if patterns else []
    if not held:
        return gate(tests)
    result = gate(without_quarantined(tests, set(held)))
    noun = "quarantined failure" if len(held) == 1 else "quarantined failures"
    detail = f"{result.detail}; {len(held)} {noun} not gating: {name_list(held)}"
    return dataclasses.replace(result, detail=detail)
