"""Tests of the JUnit reader on real tools' files, one per dialect (tests/data/junit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci.report.model import Counts, JUnitReport, Outcome, TestCase
from ci.report.parse.junit import iter_junit, parse_junit

DATA = Path(__file__).parents[3] / "data" / "junit"


def counts(*figures: int) -> Counts:
    """Counts from (total, passed, failed, errors, skipped, flaky); no duration."""
    total, passed, failed, errors, skipped, flaky = figures
    return Counts(
        total=total, passed=passed, failed=failed, errors=errors, skipped=skipped, flaky=flaky
    )


#: sample -> (counts without duration, duration_s, ids of the failed/errored/flaky tests)
EXPECTED: dict[str, tuple[Counts, float, list[str]]] = {
    "pytest_xunit1": (
        counts(9, 4, 2, 1, 2, 0),
        0.001,
        [
            "test_sample.py::test_sample::test_fail",
            "test_sample.py::test_sample::test_error",
            "test_sample.py::test_sample::test_xpass_strict",
        ],
    ),
    "pytest_xunit2": (
        counts(9, 4, 2, 1, 2, 0),
        0.001,
        ["test_sample::test_fail", "test_sample::test_error", "test_sample::test_xpass_strict"],
    ),
    "pytest_xdist": (
        counts(9, 4, 2, 1, 2, 0),
        0.002,
        ["test_sample::test_fail", "test_sample::test_error", "test_sample::test_xpass_strict"],
    ),
    "pytest_rerunfailures": (
        counts(3, 2, 1, 0, 0, 1),
        0.0,
        ["test_flaky.py::test_flaky::test_flaky", "test_flaky.py::test_flaky::test_always_fails"],
    ),
    "pytest_xdist_rerunfailures": (
        counts(3, 2, 1, 0, 0, 1),
        0.001,
        ["test_flaky::test_always_fails", "test_flaky::test_flaky"],
    ),
    "unittest_xml_reporting": (
        counts(7, 1, 2, 2, 2, 0),
        0.004,
        [
            "test_sample.py::test_sample.SampleTest::test_fail",
            "test_sample.py::test_sample.SampleTest::test_subtests (i=2)",
            "test_sample.py::test_sample.SampleTest::test_error",
            "test_sample.py::test_sample.SampleTest::test_unexpected_success",
        ],
    ),
    "robot_xunit": (
        counts(5, 2, 2, 0, 1, 0),
        0.005,
        ["Sample.Nested.Deeper::Fails In Nested Suite", "Sample.Sample::Fails"],
    ),
    "behave": (
        counts(6, 2, 2, 1, 1, 0),
        0.000678,
        [
            "sample.Sample::fails",
            "sample.Sample::undefined step",
            "sample.Sample::outline 7 -- @1.2 ",
        ],
    ),
    "node_test": (
        counts(6, 2, 2, 0, 2, 0),
        0.005581,
        ["test::fails", "test::top level throws"],
    ),
    "jest_junit": (
        counts(6, 3, 2, 0, 1, 0),
        0.009,
        [
            "jest/sample.test.js::math fails::math fails",
            "jest/sample.test.js:: top level throws:: top level throws",
        ],
    ),
    "mocha_junit_reporter": (
        counts(4, 2, 2, 0, 0, 0),
        0.004,
        [
            "fails::math fails",
            '"before all" hook for "never runs"::broken hook "before all" hook for "never runs"',
        ],
    ),
    "ctest": (counts(6, 2, 1, 0, 3, 0), 0.00571898, ["fails::fails"]),
    "handwritten/surefire": (
        counts(7, 4, 1, 1, 1, 2),
        0.077,
        [
            "com.example.CalculatorTest::divides",
            "com.example.CalculatorTest::connects",
            "com.example.CalculatorTest::timesOut",
            "com.example.CalculatorTest::readsCache",
        ],
    ),
    "handwritten/go_junit_report": (
        counts(7, 3, 2, 1, 1, 0),
        0.007,
        [
            "example.com/calc::TestDivide",
            "example.com/calc::TestTable/large",
            "example.com/calc/broken::[build failed]",
        ],
    ),
    "handwritten/phpunit": (
        counts(6, 2, 1, 1, 2, 0),
        0.009355,
        [
            '/app/tests/Unit/CalculatorTest.php::Tests.Unit.CalculatorTest::testDivides with data set "by zero"',
            "/app/tests/Unit/CalculatorTest.php::Tests.Unit.CalculatorTest::testFails",
        ],
    ),
}


def read(sample: str) -> JUnitReport:
    """Parse one sample of tests/data/junit."""
    return parse_junit(DATA / f"{sample}.xml")


def case(report: JUnitReport, name: str) -> TestCase:
    """The kept case of ``report`` with this name."""
    (found,) = [kept for kept in report.cases if kept.name == name]
    return found


class TestDialects:
    """Every dialect's real (or faithfully hand-written) file counts as its tool reported."""

    @pytest.mark.parametrize("sample", sorted(EXPECTED))
    def test_counts(self, sample: str) -> None:
        """Each distinct test counts once, by its final outcome."""
        expected, _duration, _ids = EXPECTED[sample]
        got = read(sample).counts
        assert got.total == got.passed + got.failed + got.errors + got.skipped
        assert (got.total, got.passed, got.failed, got.errors, got.skipped, got.flaky) == (
            expected.total,
            expected.passed,
            expected.failed,
            expected.errors,
            expected.skipped,
            expected.flaky,
        )

    @pytest.mark.parametrize("sample", sorted(EXPECTED))
    def test_duration(self, sample: str) -> None:
        """The duration sums the final attempts' times."""
        assert read(sample).counts.duration_s == pytest.approx(EXPECTED[sample][1], abs=1e-9)

    @pytest.mark.parametrize("sample", sorted(EXPECTED))
    def test_kept_ids(self, sample: str) -> None:
        """The failed, errored and flaky tests are kept, by stable id, in file order."""
        assert [kept.id for kept in read(sample).cases] == EXPECTED[sample][2]

    @pytest.mark.parametrize("sample", sorted(EXPECTED))
    def test_iter_agrees(self, sample: str) -> None:
        """iter_junit yields the same tests that parse_junit counts."""
        tests = list(iter_junit(DATA / f"{sample}.xml"))
        expected = EXPECTED[sample][0]
        by_outcome = dict.fromkeys(Outcome, 0)
        for test in tests:
            by_outcome[test.outcome] += 1
        assert (len(tests), *by_outcome.values(), sum(t.flaky for t in tests)) == (
            expected.total,
            expected.passed,
            expected.failed,
            expected.errors,
            expected.skipped,
            expected.flaky,
        )


class TestPytest:
    """pytest's own details: xfail/xpass, file and line, messages, reruns."""

    def test_xfail_is_skipped_and_xpass_passed(self) -> None:
        """xfail counts as skipped, non-strict xpass as passed, strict xpass as failed."""
        tests = {test.name: test.outcome for test in iter_junit(DATA / "pytest_xunit2.xml")}
        assert (tests["test_xfail"], tests["test_xpass"], tests["test_xpass_strict"]) == (
            Outcome.SKIPPED,
            Outcome.PASSED,
            Outcome.FAILED,
        )

    def test_xunit1_file_and_line(self) -> None:
        """xunit1 gives file and line, which the case and its id keep."""
        failed = case(read("pytest_xunit1"), "test_fail")
        assert (failed.file, failed.line, failed.classname) == ("test_sample.py", 14, "test_sample")

    def test_xunit2_has_no_file(self) -> None:
        """xunit2 gives no file, and none is guessed from the classname."""
        assert case(read("pytest_xunit2"), "test_fail").file is None

    def test_message_and_excerpt(self) -> None:
        """The message is the first line of the failure message; the excerpt its text."""
        failed = case(read("pytest_xunit1"), "test_fail")
        assert failed.message == "assert [1, 2, 3] == [1, 2, 4]"
        assert failed.excerpt.splitlines()[0] == "def test_fail() -> None:"
        assert failed.excerpt.splitlines()[-1] == "pytest/test_sample.py:17: AssertionError"

    def test_error_message(self) -> None:
        """A setup error keeps pytest's message."""
        errored = case(read("pytest_xunit1"), "test_error")
        assert (errored.outcome, errored.message) == (
            Outcome.ERROR,
            'failed on setup with "RuntimeError: fixture could not start"',
        )

    @pytest.mark.parametrize("sample", ["pytest_rerunfailures", "pytest_xdist_rerunfailures"])
    def test_reruns(self, sample: str) -> None:
        """Adjacent or interleaved attempts fold into one test with a rerun count."""
        report = read(sample)
        flaky, failing = case(report, "test_flaky"), case(report, "test_always_fails")
        assert (flaky.outcome, flaky.reruns, flaky.flaky) == (Outcome.PASSED, 1, True)
        assert (failing.outcome, failing.reruns, failing.flaky) == (Outcome.FAILED, 2, False)
        assert failing.message == "assert 0 == 1"

    def test_stage_is_file_stem(self) -> None:
        """The stage defaults to the file's stem and is carried by every case."""
        report = read("pytest_xunit2")
        assert (report.stage, {kept.stage for kept in report.cases}) == (
            "pytest_xunit2",
            {"pytest_xunit2"},
        )

    def test_stage_given(self) -> None:
        """A given stage wins over the stem."""
        report = parse_junit(DATA / "pytest_xunit2.xml", stage="unit")
        assert (report.stage, report.path) == ("unit", DATA / "pytest_xunit2.xml")
        assert {test.stage for test in iter_junit(DATA / "pytest_xunit2.xml", stage="unit")} == {
            "unit"
        }


class TestOtherDialects:
    """What the other tools write that pytest does not."""

    def test_surefire_flaky(self) -> None:
        """flakyFailure/flakyError mean passed after reruns; their message is kept."""
        report = read("handwritten/surefire")
        times_out, reads_cache = case(report, "timesOut"), case(report, "readsCache")
        assert (times_out.outcome, times_out.reruns, times_out.flaky) == (Outcome.PASSED, 1, True)
        assert times_out.message == "timed out after 10 ms"
        assert times_out.excerpt.splitlines()[0] == (
            "java.util.concurrent.TimeoutException: timed out after 10 ms"
        )
        assert (reads_cache.reruns, reads_cache.flaky) == (2, True)

    def test_surefire_reruns_that_failed(self) -> None:
        """rerunFailure/rerunError count as reruns of a test that still failed."""
        report = read("handwritten/surefire")
        divides, connects = case(report, "divides"), case(report, "connects")
        assert (divides.outcome, divides.reruns, divides.flaky) == (Outcome.FAILED, 2, False)
        assert (connects.outcome, connects.reruns) == (Outcome.ERROR, 1)

    def test_ctest_status(self) -> None:
        """ctest's childless ``status="disabled"`` case counts as skipped."""
        tests = {test.name: test.outcome for test in iter_junit(DATA / "ctest.xml")}
        assert (tests["disabled"], tests["missing_command"], tests["with space"]) == (
            Outcome.SKIPPED,
            Outcome.SKIPPED,
            Outcome.PASSED,
        )

    def test_ctest_message_from_output(self) -> None:
        """A failure without text takes its excerpt and message from system-out."""
        failed = case(read("ctest"), "fails")
        assert (failed.message, failed.excerpt) == ("expected 3, got 4", "expected 3, got 4")

    def test_node_skip_reason(self) -> None:
        """Skip reasons are kept on skipped tests that iter_junit yields."""
        tests = {test.name: test for test in iter_junit(DATA / "node_test.xml")}
        assert (tests["is skipped"].message, tests["is todo"].message) == (
            "not on this platform",
            "write it",
        )

    def test_phpunit_nested_suites_and_text_only_failure(self) -> None:
        """Cases three suites deep are read; a failure without message uses its first line."""
        failed = case(read("handwritten/phpunit"), "testFails")
        assert (failed.message, failed.line) == ("Tests\\Unit\\CalculatorTest::testFails", 30)

    def test_unicode_names(self) -> None:
        """Names in any script survive."""
        names = {test.name for test in iter_junit(DATA / "robot_xunit.xml")}
        assert "Ünïcode ☃ Passes" in names
