"""Test verdicts against a baseline: new failures, fixed, still failing, newly skipped, removed.

Pure functions of the head's tests and the baseline's outcomes, each list sorted by id:

- **new failure**: failing now (failed or error), and passed, was skipped or did not
  exist in the baseline;
- **still failing**: failing in both; **fixed**: failing in the baseline, passed now;
- **newly skipped**: skipped now, passed or failed in the baseline (a ``report.json``
  baseline lists only its failing and skipped tests: a test it does not list passed);
- **removed**: in the baseline, not run now (as far as the baseline lists its tests);
- flaky tests (passed after a rerun in this run) are counted by the reader already.

The tests gate follows ``fail-on``: ``any-failure`` fails on every failing test;
``new-failures`` only on new ones (without a baseline, every failure is new).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Set

from ci.report.evaluate.gates import name_list
from ci.report.model import Baseline, GateResult, Outcome, TestsResult

__all__ = ["compare_tests", "new_failures_gate"]

_FAILING = (Outcome.FAILED, Outcome.ERROR)


def compare_tests(tests: TestsResult, baseline: Baseline, head_ids: Set[str]) -> TestsResult:
    """``tests`` with its comparison lists filled from ``baseline``.

    ``head_ids`` holds every test id of the head run (the reader collects them on request).
    """
    base = baseline.outcomes
    failing = set(tests.failing)
    skipped = set(tests.skipped_ids)
    base_failing = {test for test, outcome in base.items() if outcome in _FAILING}
    listed_ran = {test for test, outcome in base.items() if outcome is not Outcome.SKIPPED}
    if baseline.tests_complete:
        newly_skipped = skipped & listed_ran
    else:  # tests the baseline does not list passed there, or did not exist
        newly_skipped = skipped - {t for t, o in base.items() if o is Outcome.SKIPPED}
    return dataclasses.replace(
        tests,
        new_failures=tuple(sorted(failing - base_failing)),
        still_failing=tuple(sorted(failing & base_failing)),
        fixed=tuple(sorted((base_failing & head_ids) - failing - skipped)),
        newly_skipped=tuple(sorted(newly_skipped)),
        removed=tuple(sorted(set(base) - head_ids)),
    )


def new_failures_gate(tests: TestsResult, *, baseline: bool) -> GateResult:
    """The tests gate under ``fail-on = "new-failures"``."""
    new = tests.new_failures if baseline else tests.failing
    still = len(tests.still_failing)
    if not new:
        detail = "no new failures"
        if still:
            detail += f" ({still} still failing, as in the baseline)"
        return GateResult(name="tests", passed=True, detail=detail)
    shown = name_list(new)
    noun = "new failure" if len(new) == 1 else "new failures"
    suffix = "" if baseline else " (no baseline: every failure counts as new)"
    return GateResult(name="tests", passed=False, detail=f"{len(new)} {noun}: {shown}{suffix}")
