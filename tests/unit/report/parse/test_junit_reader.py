"""Tests of the JUnit reader's rules on synthetic files: recognition, attempts, nesting, limits."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from ci.errors import InputError
from ci.report.model import Counts, Outcome
from ci.report.parse._junit_tally import BATCH
from ci.report.parse.junit import (
    DETAILED_CASES,
    HEAD_BYTES,
    RERUN_WINDOW,
    is_junit,
    iter_junit,
    parse_junit,
)


def case(name: str, *, classname: str = "c", time: str = "1", body: str = "", **attrs: str) -> str:
    """One ``<testcase>`` element."""
    extra = "".join(f' {key}="{value}"' for key, value in attrs.items())
    return f'<testcase classname="{classname}" name="{name}" time="{time}"{extra}>{body}</testcase>'


FAIL = '<failure message="boom">trace</failure>'
SKIP = '<skipped message="later"/>'


def junit(tmp_path: Path, *cases: str, name: str = "unit.xml") -> Path:
    """A JUnit file holding ``cases`` in one suite."""
    path = tmp_path / name
    path.write_text(f"<testsuites><testsuite>{''.join(cases)}</testsuite></testsuites>")
    return path


def summary(path: Path) -> tuple[int, int, int, int, int, int]:
    """parse_junit's counts without the duration, checked against iter_junit's tests."""
    counts = parse_junit(path).counts
    tests = list(iter_junit(path))
    outcomes = [test.outcome for test in tests]
    assert (len(tests), sum(test.flaky for test in tests)) == (counts.total, counts.flaky)
    assert [outcomes.count(outcome) for outcome in Outcome] == [
        counts.passed,
        counts.failed,
        counts.errors,
        counts.skipped,
    ]
    return (counts.total, counts.passed, counts.failed, counts.errors, counts.skipped, counts.flaky)


class TestIsJUnit:
    """Recognising a JUnit file from its first bytes."""

    @pytest.mark.parametrize(
        "head",
        [
            b"<testsuites>",
            b"<testsuite name='x'/>",
            b'<?xml version="1.0" encoding="utf-8"?>\n<!-- by pytest -->\n<?pi x?>\n<testsuites\n>',
            b"\xef\xbb\xbf<testsuite>",
            "\ufeff<?xml version='1.0' encoding='UTF-16'?><testsuites>".encode("utf-16-le"),
            '<?xml version="1.0" encoding="UTF-16"?><testsuite>'.encode("utf-16-be"),
            b"  \n<testsuite>",
        ],
    )
    def test_junit(self, head: bytes) -> None:
        """A testsuites or testsuite root, after any prologue, in UTF-8 or UTF-16."""
        assert is_junit(head) is True

    @pytest.mark.parametrize(
        "head",
        [
            b"",
            b"<coverage/>",
            b"<testsuitesx/>",
            b"<!DOCTYPE testsuite><testsuite/>",
            b"<html><testsuite/></html>",
            b'{"testsuites": []}',
            b"<!-- " + b"x" * HEAD_BYTES,
        ],
    )
    def test_not_junit(self, head: bytes) -> None:
        """Other roots, JSON, a DTD and a prologue longer than the head are not JUnit."""
        assert is_junit(head) is False


class TestStructure:
    """Roots, nesting and missing attributes."""

    def test_root_testsuite(self, tmp_path: Path) -> None:
        """A lone testsuite root is read like testsuites."""
        path = tmp_path / "solo.xml"
        path.write_text(f"<testsuite>{case('a')}{case('b', body=FAIL)}</testsuite>")
        assert summary(path) == (2, 1, 1, 0, 0, 0)

    def test_nested_and_top_level_cases(self, tmp_path: Path) -> None:
        """Cases at every level of nested suites, and straight under testsuites, all count."""
        path = tmp_path / "nested.xml"
        path.write_text(
            f"<testsuites>{case('top')}<testsuite>{case('a')}<testsuite>{case('b', body=SKIP)}"
            f"</testsuite>{case('c', body=FAIL)}</testsuite>{case('last')}</testsuites>"
        )
        assert summary(path) == (5, 3, 1, 0, 1, 0)

    def test_no_classname_no_time(self, tmp_path: Path) -> None:
        """A case with only a name has an id of its name and 0 s."""
        path = tmp_path / "bare.xml"
        path.write_text(
            '<testsuite><testcase name="alone"><error message="x"/></testcase></testsuite>'
        )
        report = parse_junit(path)
        assert [(test.id, test.classname, test.duration_s) for test in report.cases] == [
            ("alone", "", 0.0)
        ]
        assert report.counts == Counts(total=1, errors=1)

    def test_empty_suite(self, tmp_path: Path) -> None:
        """A suite without cases counts nothing."""
        path = tmp_path / "empty.xml"
        path.write_text("<testsuites><testsuite tests='0'/></testsuites>")
        assert parse_junit(path).counts == Counts()
        assert list(iter_junit(path)) == []

    def test_precedence(self, tmp_path: Path) -> None:
        """failure beats error beats skipped within one case, whatever their order."""
        path = junit(
            tmp_path,
            case("fe", body='<error message="e"/><failure message="f"/>'),
            case("se", body='<skipped/><properties/><error message="e"/><system-err/>'),
            case("fs", body='<failure message="f"/><skipped message="s"/>'),
        )
        report = parse_junit(path)
        assert [(test.name, test.outcome, test.message) for test in report.cases] == [
            ("fe", Outcome.FAILED, "f"),
            ("se", Outcome.ERROR, "e"),
            ("fs", Outcome.FAILED, "f"),
        ]

    def test_status_only_when_dialect_uses_it(self, tmp_path: Path) -> None:
        """``status`` is honoured when the first case carries one, else ignored."""
        uses = junit(tmp_path, case("a", status="run"), case("b", status="NotRun"), name="u.xml")
        ignores = junit(tmp_path, case("a"), case("b", status="disabled"), name="i.xml")
        assert (summary(uses), summary(ignores)) == ((2, 1, 0, 0, 1, 0), (2, 2, 0, 0, 0, 0))

    def test_many_suites_and_batches(self, tmp_path: Path) -> None:
        """Thousands of cases over hundreds of suites are counted across batch boundaries."""
        suites = "".join(
            "<testsuite>"
            + "".join(
                case(f"t{index}", classname=f"s{suite}", body=FAIL if index % 10 == 0 else "")
                for index in range(12)
            )
            + "</testsuite>"
            for suite in range(500)
        )
        path = tmp_path / "many.xml"
        path.write_text(f"<testsuites>{suites}</testsuites>")
        assert summary(path) == (6000, 5000, 1000, 0, 0, 0)
        assert parse_junit(path).counts.duration_s == 6000.0


class TestAttempts:
    """Cases with the same id are attempts of one test."""

    def test_adjacent(self, tmp_path: Path) -> None:
        """Failed, then passed: one flaky pass that keeps the failure's message."""
        path = junit(tmp_path, case("t", time="2", body=FAIL), case("t", time="3"))
        report = parse_junit(path)
        (test,) = report.cases
        assert (test.outcome, test.reruns, test.flaky, test.message, test.excerpt) == (
            Outcome.PASSED,
            1,
            True,
            "boom",
            "trace",
        )
        assert report.counts == Counts(total=1, passed=1, flaky=1, duration_s=3.0)

    def test_three_attempts_all_failing(self, tmp_path: Path) -> None:
        """Two plain-looking attempts and a failure: failed, two reruns, not flaky."""
        path = junit(tmp_path, case("t"), case("t"), case("t", body=FAIL), case("u"))
        assert summary(path) == (2, 1, 1, 0, 0, 0)
        assert [(test.reruns, test.flaky) for test in parse_junit(path).cases] == [(2, False)]

    def test_flaky_then_superseded(self, tmp_path: Path) -> None:
        """A fourth attempt that fails again turns a flaky pass back into a failure."""
        path = junit(tmp_path, case("t", body=FAIL), case("t"), case("t", body=FAIL))
        assert summary(path) == (1, 0, 1, 0, 0, 0)

    def test_skip_attempts(self, tmp_path: Path) -> None:
        """A skipped earlier attempt is replaced by the later outcome, and vice versa."""
        path = junit(tmp_path, case("a", body=SKIP), case("a"), case("b"), case("b", body=SKIP))
        assert summary(path) == (2, 1, 0, 0, 1, 1)

    def test_same_name_other_class(self, tmp_path: Path) -> None:
        """Tests that share a name but not a classname or file stay distinct."""
        path = junit(
            tmp_path,
            case("t", classname="A"),
            case("t", classname="B"),
            case("t", classname="A", file="x.py"),
            case("t", classname="A", body=FAIL),
        )
        assert summary(path) == (3, 2, 1, 0, 0, 0)
        assert [(test.id, test.reruns) for test in parse_junit(path).cases] == [("A::t", 1)]

    def test_interleaved_within_window(self, tmp_path: Path) -> None:
        """Attempts far apart, but within the window, still fold into one test."""
        others = [case(f"o{index}") for index in range(RERUN_WINDOW - 2)]
        path = junit(tmp_path, case("t", body=FAIL), *others, case("t"))
        assert summary(path) == (RERUN_WINDOW - 1, RERUN_WINDOW - 1, 0, 0, 0, 1)

    def test_beyond_window(self, tmp_path: Path) -> None:
        """Attempts two full windows apart count as two tests."""
        others = [case(f"o{index}") for index in range(2 * RERUN_WINDOW)]
        path = junit(tmp_path, case("t", body=FAIL), *others, case("t"))
        assert summary(path) == (2 * RERUN_WINDOW + 2, 2 * RERUN_WINDOW + 1, 1, 0, 0, 0)

    def test_duration_is_final_attempt(self, tmp_path: Path) -> None:
        """Earlier attempts' times leave the total, whether plain, skipped or failed."""
        path = junit(
            tmp_path,
            case("a", time="1"),
            case("a", time="2", body=SKIP),
            case("a", time="4", body=FAIL),
            case("a", time="8"),
        )
        assert parse_junit(path).counts.duration_s == 8.0
        assert [test.duration_s for test in iter_junit(path)] == [8.0]


class TestLimits:
    """What the report keeps is bounded."""

    def test_detailed_cases(self, tmp_path: Path) -> None:
        """Only the first DETAILED_CASES failures keep their text; later ones the message."""
        failing = [case(f"f{index}", body=FAIL) for index in range(DETAILED_CASES + 5)]
        report = parse_junit(junit(tmp_path, *failing))
        excerpts = [test.excerpt for test in report.cases]
        assert (len(excerpts), excerpts[DETAILED_CASES - 1], excerpts[DETAILED_CASES]) == (
            DETAILED_CASES + 5,
            "trace",
            "boom",
        )
        assert {test.message for test in report.cases} == {"boom"}

    def test_later_failures_from_their_message_alone(self, tmp_path: Path) -> None:
        """Past DETAILED_CASES, a failure or error keeps its message alone, entities decoded."""
        failing = [case(f"f{index}", body=FAIL) for index in range(DETAILED_CASES)]
        later = [
            case("e&amp;1", body='<error message="a &amp; b">trace</error>', line="7"),
            case("late", body='<failure message="c &lt; d"/>'),
            case("out", body='<failure message="e">trace</failure><system-out>o</system-out>'),
        ]
        cases = parse_junit(junit(tmp_path, *failing, *later)).cases[DETAILED_CASES:]
        assert [(t.name, t.outcome, t.message, t.excerpt, t.line) for t in cases] == [
            ("e&1", Outcome.ERROR, "a & b", "a & b", 7),
            ("late", Outcome.FAILED, "c < d", "c < d", None),
            ("out", Outcome.FAILED, "e", "e", None),
        ]

    def test_a_batch_that_ends_on_a_later_failure(self, tmp_path: Path) -> None:
        """A failure counted from its message that closes a batch is counted once."""
        failing = [case(f"f{index}", body=FAIL) for index in range(BATCH)]
        report = parse_junit(junit(tmp_path, *failing, case("p")))
        assert (report.counts.total, report.counts.failed, len(report.cases)) == (
            BATCH + 1,
            BATCH,
            BATCH,
        )

    def test_message_is_one_bounded_line(self, tmp_path: Path) -> None:
        """A message keeps its first line, at most 500 characters."""
        body = f'<failure message="{"m" * 900}&#10;second line"/>'
        (test,) = parse_junit(junit(tmp_path, case("t", body=body))).cases
        assert test.message == "m" * 500

    def test_bad_time_in_a_batch(self, tmp_path: Path) -> None:
        """One unusable time among many plain passes warns once and keeps the others."""
        cases = [case(f"t{index}", time="0.5") for index in range(1500)]
        cases[700] = case("t700", time="-0.5")
        report = parse_junit(junit(tmp_path, *cases))
        assert (report.counts.duration_s, len(report.warnings)) == (749.5, 1)

    def test_times_with_a_minus_in_the_exponent(self, tmp_path: Path) -> None:
        """A time such as 5e-1 is summed exactly and draws no warning."""
        cases = [case(f"t{index}", time="5e-1") for index in range(3)]
        report = parse_junit(junit(tmp_path, *cases))
        assert (report.counts.duration_s, report.warnings) == (1.5, ())

    def test_non_digit_line(self, tmp_path: Path) -> None:
        """A line attribute that is not a number is dropped."""
        (test,) = parse_junit(junit(tmp_path, case("t", body=FAIL, line="n/a"))).cases
        assert test.line is None


class TestReaders:
    """parse_junit's parser target, and the tree reader it leaves some files to, agree."""

    NESTED = case("o", body=case("i", body=FAIL))

    def test_case_inside_case(self, tmp_path: Path) -> None:
        """A case inside a case counts as a case of its own; the outer one passes."""
        path = junit(tmp_path, self.NESTED, case("p"))
        assert summary(path) == (3, 2, 1, 0, 0, 0)
        assert [test.name for test in parse_junit(path).cases] == ["i"]

    @pytest.mark.parametrize("prefix", [(), (NESTED,)], ids=["target", "tree"])
    def test_batches_end_on_a_skip_and_a_failure(
        self, tmp_path: Path, prefix: tuple[str, ...]
    ) -> None:
        """Batches that end on a plain skip or on a failure are summed and aged alike."""
        first, second = 1023 - 2 * len(prefix), 2047 - 2 * len(prefix)
        cases = [
            case(f"t{index}", body=SKIP if index == first else FAIL if index == second else "")
            for index in range(second + 1)
        ]
        path = junit(tmp_path, *prefix, *cases)
        assert summary(path) == (2048, 2046 - len(prefix), 1 + len(prefix), 0, 1, 0)
        assert parse_junit(path).counts.duration_s == 2048.0

    def test_suites_nested_deeper_than_the_target_goes(self, tmp_path: Path) -> None:
        """Suites nested 1,100 deep are left to the tree reader, which reads them."""
        depth = 1100
        path = tmp_path / "deep.xml"
        path.write_text("<testsuite>" * depth + case("t", body=SKIP) + "</testsuite>" * depth)
        assert summary(path) == (1, 0, 0, 0, 1, 0)

    def test_gigabyte_file(self, tmp_path: Path) -> None:
        """A file of 1 GB or more is left to the tree reader (a sparse one here: not XML)."""
        path = junit(tmp_path, case("t"))
        with path.open("r+b") as stream:
            stream.truncate(10**9)
        with pytest.raises(InputError) as raised:
            parse_junit(path)
        assert str(raised.value).startswith(f"{path}: not well-formed XML (line 1, column ")

    def test_stack_trace_after_other_children(self, tmp_path: Path) -> None:
        """A failure without text takes its stackTrace child's, after other children."""
        body = '<error message="m"><detail/><stackTrace>st</stackTrace></error>'
        path = junit(tmp_path, case("t", body=body))
        assert [test.excerpt for test in parse_junit(path).cases] == ["st"]
        assert [test.excerpt for test in iter_junit(path)] == ["st"]

    def test_ampersands_in_attributes(self, tmp_path: Path) -> None:
        """An ``&`` in an id, time or message reads as ``&``, in passes, skips and failures."""
        path = junit(
            tmp_path,
            case("a&amp;b", classname="c&#38;d", time="1&amp;"),
            case("e&amp;", body=SKIP),
            case("f&amp;", body='<failure message="x &amp; y">t</failure>'),
            case("a&amp;b", classname="c&amp;d", time="2"),
        )
        report = parse_junit(path)
        assert [(test.id, test.message, test.reruns) for test in report.cases] == [
            ("c::f&", "x & y", 0),
            ("c&d::a&b", "", 1),
        ]
        assert (report.counts.total, report.counts.duration_s, report.warnings) == (
            3,
            4.0,
            (
                f"{path}: 1 test case(s) have an unusable time (first: '1&'); counted as 0 s; "
                "fix the tool's time format",
            ),
        )
        assert [test.id for test in iter_junit(path)] == ["c::e&", "c::f&", "c&d::a&b"]


class TestCollector:
    """parse_junit pauses the cycle collector while it reads, and leaves it as it was."""

    @pytest.mark.parametrize("enabled", [True, False])
    def test_collector_state_is_restored(self, tmp_path: Path, enabled: bool) -> None:
        """Whether it was on or off before, it is the same after, also after bad input."""
        was = gc.isenabled()
        (tmp_path / "bad.xml").write_text("<testsuite><testcase", encoding="utf-8")
        try:
            if not enabled:
                gc.disable()
            parse_junit(junit(tmp_path, case("t")))
            after_good = gc.isenabled()
            with pytest.raises(InputError):
                parse_junit(tmp_path / "bad.xml")
            assert (after_good, gc.isenabled()) == (enabled, enabled)
        finally:
            if was:
                gc.enable()
