"""The gates: exact decisions and one-line details."""

from __future__ import annotations

import pytest
from coverage.results import should_fail_under

from ci.report.evaluate.gates import coverage_gate, evaluate_gates, inputs_gate, tests_gate
from ci.report.model import (
    Counts,
    CoverageFormat,
    CoverageReport,
    CoverageTotals,
    GateResult,
    InputKind,
    InputStatus,
    Outcome,
    TestCase,
    TestsResult,
)


def coverage_of(
    covered: int, statements: int, covered_branches: int = 0, branches: int = 0
) -> CoverageReport:
    totals = CoverageTotals(
        covered_lines=covered,
        num_statements=statements,
        covered_branches=covered_branches,
        num_branches=branches,
    )
    return CoverageReport(
        format=CoverageFormat.DATA, paths=(), files=(), totals=totals, branch=branches > 0
    )


def failing(name: str, outcome: Outcome = Outcome.FAILED) -> TestCase:
    return TestCase(stage="unit", classname="tests.test_a", name=name, outcome=outcome)


class TestTestsGate:
    def test_all_passed(self) -> None:
        """No failure and no error passes, and says how many ran."""
        result = tests_gate(TestsResult(counts=Counts(total=5, passed=4, skipped=1)))
        assert result == GateResult(name="tests", passed=True, detail="4 passed, 1 skipped")

    def test_failures_are_named(self) -> None:
        """Failures and errors fail the gate; the first three are named."""
        cases = (*(failing(f"test_{i}") for i in range(4)), failing("test_e", Outcome.ERROR))
        result = tests_gate(
            TestsResult(counts=Counts(total=9, passed=4, failed=4, errors=1), cases=cases)
        )
        assert result == GateResult(
            name="tests",
            passed=False,
            detail="4 failed, 1 error: tests.test_a::test_0, tests.test_a::test_1, tests.test_a::test_2 and 2 more",
        )

    def test_error_only(self) -> None:
        """An error alone fails the gate."""
        result = tests_gate(
            TestsResult(counts=Counts(total=1, errors=1), cases=(failing("t", Outcome.ERROR),))
        )
        assert result == GateResult(name="tests", passed=False, detail="1 error: tests.test_a::t")


class TestCoverageGate:
    def test_under_the_floor(self) -> None:
        """88.4% under a 90% floor fails, shown as coverage.py would round it."""
        result = coverage_gate(coverage_of(884, 1000), 90)
        assert result == GateResult(
            name="coverage", passed=False, detail="coverage 88% < floor 90%"
        )

    def test_rounding_up_to_the_floor_passes(self) -> None:
        """89.6% rounds to 90 at precision 0, so a floor of 90 passes (coverage.py's rule)."""
        assert coverage_gate(coverage_of(896, 1000), 90).passed is True

    def test_a_floor_of_100_means_exactly_100(self) -> None:
        """99.99% never passes a floor of 100."""
        result = coverage_gate(coverage_of(9999, 10000), 100)
        assert result == GateResult(
            name="coverage", passed=False, detail="coverage 99% < floor 100%"
        )
        assert coverage_gate(coverage_of(10, 10), 100).passed is True

    def test_branches_count(self) -> None:
        """The total includes branches: 90 of 100 lines and 0 of 20 branches is 75%."""
        result = coverage_gate(coverage_of(90, 100, 0, 20), 80, precision=1)
        assert result == GateResult(
            name="coverage", passed=False, detail="coverage 75.0% < floor 80%"
        )

    def test_no_data(self) -> None:
        """A floor with no coverage data fails and says so."""
        assert coverage_gate(None, 90) == GateResult(
            name="coverage", passed=False, detail="no coverage data, floor 90%"
        )

    @pytest.mark.parametrize(
        ("covered", "floor"), [(0, 0), (1, 1), (500, 50), (899, 90), (905, 90.5), (1000, 100)]
    )
    def test_agrees_with_coverage_py(self, covered: int, floor: float) -> None:
        """The gate fails exactly when coverage.py's should_fail_under says so."""
        cov = coverage_of(covered, 1000)
        assert coverage_gate(cov, floor).passed is not should_fail_under(cov.percent, floor, 0)


class TestInputsGate:
    def test_all_read(self) -> None:
        """Every input read and nothing missing passes."""
        statuses = [InputStatus(path="a.xml", kind=InputKind.JUNIT)]
        assert inputs_gate(statuses, []) == GateResult(
            name="inputs", passed=True, detail="1 input read"
        )

    def test_missing_and_unreadable(self) -> None:
        """Missing artifacts and unreadable inputs are both named."""
        statuses = [InputStatus(path="a.xml", kind=InputKind.JUNIT, error="a.xml: truncated")]
        assert inputs_gate(statuses, ["reports/junit/unit.xml"]) == GateResult(
            name="inputs", passed=False, detail="missing: reports/junit/unit.xml; unreadable: a.xml"
        )


class TestEvaluateGates:
    def test_coverage_gate_only_with_a_floor(self) -> None:
        """Without fail-under there is no coverage gate; with one there is."""
        tests = TestsResult(counts=Counts(total=1, passed=1))
        names = [
            g.name
            for g in evaluate_gates(inputs=[], missing=[], tests=tests, coverage=None, fail_under=0)
        ]
        assert names == ["inputs", "tests"]
        gates = evaluate_gates(
            inputs=[], missing=[], tests=tests, coverage=coverage_of(1, 1), fail_under=90
        )
        assert [g.name for g in gates] == ["inputs", "tests", "coverage"]
        assert all(g.passed for g in gates)
