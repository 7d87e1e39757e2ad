"""Test verdicts against a baseline, and the tests gate under ``fail-on = new-failures``."""

from __future__ import annotations

from ci.report.evaluate.outcomes import compare_tests, new_failures_gate
from ci.report.model import Baseline, GateResult, Outcome, TestsResult

HEAD_IDS = frozenset({"a", "b", "c", "d", "e", "f", "g"})
#: Head: a, b fail; c, d skipped; e, f, g pass.
HEAD = TestsResult(failing=("a", "b"), skipped_ids=("c", "d"))
BASE = {
    "a": Outcome.FAILED,  # still failing
    "b": Outcome.PASSED,  # new failure
    "c": Outcome.PASSED,  # newly skipped
    "d": Outcome.SKIPPED,  # skipped in both
    "e": Outcome.ERROR,  # fixed
    "f": Outcome.SKIPPED,  # was skipped, passes now
    "gone": Outcome.PASSED,  # removed
    "gone_failing": Outcome.FAILED,  # removed (not fixed)
}


class TestCompareTests:
    def test_complete_baseline(self) -> None:
        """A baseline of artifacts knows every test: each list is exact."""
        result = compare_tests(HEAD, Baseline(source="b", outcomes=BASE), HEAD_IDS)
        assert result.new_failures == ("b",)
        assert result.still_failing == ("a",)
        assert result.fixed == ("e",)
        assert result.newly_skipped == ("c",)
        assert result.removed == ("gone", "gone_failing")

    def test_report_json_baseline_lists_only_failing_and_skipped(self) -> None:
        """A test a report.json baseline does not list passed there (or did not exist)."""
        listed = {k: v for k, v in BASE.items() if v is not Outcome.PASSED}
        baseline = Baseline(source="r.json", outcomes=listed, tests_complete=False)
        result = compare_tests(HEAD, baseline, HEAD_IDS)
        assert result.new_failures == ("b",)
        assert result.still_failing == ("a",)
        assert result.fixed == ("e",)
        assert result.newly_skipped == ("c",)
        assert result.removed == ("gone_failing",)

    def test_identical_baseline_gives_no_change(self) -> None:
        """A baseline equal to the head: nothing new, fixed, skipped anew or removed."""
        same = {"a": Outcome.FAILED, "b": Outcome.FAILED, "c": Outcome.SKIPPED}
        same |= {"d": Outcome.SKIPPED, "e": Outcome.PASSED, "f": Outcome.PASSED}
        same |= {"g": Outcome.PASSED}
        result = compare_tests(HEAD, Baseline(source="b", outcomes=same), HEAD_IDS)
        assert (result.new_failures, result.fixed, result.newly_skipped, result.removed) == (
            (),
            (),
            (),
            (),
        )
        assert result.still_failing == ("a", "b")


class TestNewFailuresGate:
    def test_passes_with_only_old_failures(self) -> None:
        """Failures the baseline already had do not fail the gate; the detail says so."""
        tests = TestsResult(failing=("a",), still_failing=("a",))
        assert new_failures_gate(tests, baseline=True) == GateResult(
            name="tests",
            passed=True,
            detail="no new failures (1 still failing, as in the baseline)",
        )

    def test_fails_on_new_failures(self) -> None:
        """New failures are named, three at most."""
        new = ("t1", "t2", "t3", "t4")
        tests = TestsResult(failing=new, new_failures=new)
        assert new_failures_gate(tests, baseline=True) == GateResult(
            name="tests", passed=False, detail="4 new failures: t1, t2, t3 and 1 more"
        )

    def test_without_baseline_every_failure_is_new(self) -> None:
        """Without a baseline there is nothing to excuse a failure."""
        tests = TestsResult(failing=("x",))
        assert new_failures_gate(tests, baseline=False) == GateResult(
            name="tests",
            passed=False,
            detail="1 new failure: x (no baseline: every failure counts as new)",
        )

    def test_all_green(self) -> None:
        """No failure at all passes."""
        assert new_failures_gate(TestsResult(), baseline=False).detail == "no new failures"
