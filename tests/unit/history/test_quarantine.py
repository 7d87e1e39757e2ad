"""Quarantine: failing tests matched by patterns are shown but do not fail the tests gate."""

from __future__ import annotations

from ci.report.evaluate.gates import tests_gate
from ci.report.evaluate.outcomes import new_failures_gate
from ci.report.evaluate.quarantine import quarantine_gate, quarantined, without_quarantined
from ci.report.model import Counts, GateResult, Outcome, TestCase, TestsResult

NET = "tests/unit/test_net.py::TestNet::test_fetch"
DISK = "tests/unit/test_disk.py::test_write"
MATH = "tests/unit/test_math.py::test_add"


def _case(test: str, outcome: Outcome) -> TestCase:
    file, _, name = test.rpartition("::")
    file, _, classname = file.partition("::")
    return TestCase(stage="unit", file=file, classname=classname, name=name, outcome=outcome)


TESTS = TestsResult(
    counts=Counts(total=10, passed=7, failed=2, errors=1),
    cases=(_case(NET, Outcome.FAILED), _case(DISK, Outcome.ERROR), _case(MATH, Outcome.FAILED)),
    failing=tuple(sorted((NET, DISK, MATH))),
    new_failures=(DISK, NET),
    still_failing=(MATH,),
)


class TestQuarantined:
    def test_fnmatch_patterns(self) -> None:
        """Patterns match whole ids, with * and ?, case-sensitively."""
        ids = [NET, DISK, MATH]
        assert quarantined(ids, ["tests/unit/test_net.py::*"]) == {NET}
        assert quarantined(ids, ["*test_d?sk*", "*::test_add"]) == {DISK, MATH}
        assert quarantined(ids, ["TESTS/*"]) == set()
        assert quarantined(ids, []) == set()


class TestWithoutQuarantined:
    def test_counts_and_lists_lose_the_quarantined_failures(self) -> None:
        """Counts, cases and failing lists drop the set-aside tests; nothing else changes."""
        reduced = without_quarantined(TESTS, {NET, DISK})
        assert reduced.counts == Counts(total=8, passed=7, failed=1, errors=0)
        assert [case.id for case in reduced.cases] == [MATH]
        assert (reduced.failing, reduced.new_failures, reduced.still_failing) == (
            (MATH,),
            (),
            (MATH,),
        )


class TestQuarantineGate:
    def test_all_failures_quarantined_passes_and_names_them(self) -> None:
        """Every failure quarantined: the gate passes and says which were set aside."""
        gate = quarantine_gate(TESTS, ["tests/unit/*"], tests_gate)
        assert gate == GateResult(
            name="tests",
            passed=True,
            detail=(
                f"7 passed, 0 skipped; 3 quarantined failures not gating: {DISK}, {MATH}, {NET}"
            ),
        )

    def test_other_failures_still_fail(self) -> None:
        """A failure outside the quarantine still fails the gate."""
        gate = quarantine_gate(TESTS, ["*test_net.py::*", "*test_disk.py::*"], tests_gate)
        assert gate == GateResult(
            name="tests",
            passed=False,
            detail=f"1 failed: {MATH}; 2 quarantined failures not gating: {DISK}, {NET}",
        )

    def test_with_new_failures_gate(self) -> None:
        """Under fail-on new-failures, a quarantined new failure does not count."""
        gate = quarantine_gate(TESTS, [NET, DISK], lambda t: new_failures_gate(t, baseline=True))
        assert gate == GateResult(
            name="tests",
            passed=True,
            detail=(
                "no new failures (1 still failing, as in the baseline); "
                f"2 quarantined failures not gating: {DISK}, {NET}"
            ),
        )

    def test_one_quarantined_failure_singular(self) -> None:
        """One set-aside failure is named in the singular."""
        gate = quarantine_gate(TESTS, [NET], tests_gate)
        assert gate.detail.endswith(f"; 1 quarantined failure not gating: {NET}")

    def test_nothing_quarantined_is_the_plain_gate(self) -> None:
        """No pattern, or none matching a failure: exactly the gate's own result."""
        assert quarantine_gate(TESTS, [], tests_gate) == tests_gate(TESTS)
        assert quarantine_gate(TESTS, ["nothing"], tests_gate) == tests_gate(TESTS)
