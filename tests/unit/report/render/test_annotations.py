"""The report as annotations, most important first."""

from __future__ import annotations

from ci.report.model import (
    Annotation,
    AnnotationLevel,
    DiffCoverage,
    Outcome,
    Report,
    TestCase,
    TestsResult,
)
from ci.report.render.annotations import MESSAGE_LIMIT, TITLE_LIMIT, render_annotations


def report(*cases: TestCase, new: tuple[str, ...] = ()) -> Report:
    """A report holding ``cases``, with ``new`` as its new failures."""
    tests = TestsResult(cases=cases, new_failures=new)
    return Report(inputs=(), tests=tests, coverage=None, benchmarks=(), gates=())


def case(name: str, **fields: object) -> TestCase:
    """A failed test of ``tests.test_a`` unless ``fields`` say otherwise."""
    values: dict[str, object] = {
        "stage": "unit",
        "classname": "tests.test_a",
        "name": name,
        "outcome": Outcome.FAILED,
    }
    return TestCase(**{**values, **fields})  # type: ignore[arg-type]


class TestFailures:
    def test_new_failures_come_first(self) -> None:
        """New failures lead, the others keep their order; passed and skipped are left out."""
        found = render_annotations(
            report(
                case("test_old"),
                case("test_skip", outcome=Outcome.SKIPPED),
                case("test_err", outcome=Outcome.ERROR),
                case("test_new"),
                case("test_flaky", outcome=Outcome.PASSED, flaky=True),
                new=("tests.test_a::test_new",),
            )
        )
        assert [note.title for note in found] == [
            "new failure: tests.test_a::test_new",
            "failed: tests.test_a::test_old",
            "error: tests.test_a::test_err",
        ]

    def test_file_line_message_details(self) -> None:
        """A known file and line are used; message and excerpt go in message and details."""
        found = render_annotations(
            report(case("t", file="src/t.py", line=12, message="boom", excerpt="Traceback"))
        )
        assert found == [
            Annotation(
                path="src/t.py",
                start_line=12,
                end_line=12,
                level=AnnotationLevel.FAILURE,
                title="failed: src/t.py::tests.test_a::t",
                message="boom",
                raw_details="Traceback",
            )
        ]

    def test_path_from_classname(self) -> None:
        """A pytest classname gives the module's path and line 1; a bare name gives none."""
        found = render_annotations(
            report(
                case("t", classname="tests.unit.test_b.TestX.TestInner", line=0),
                case("u", classname="My suite"),
                case("v", classname="", outcome=Outcome.ERROR),
            )
        )
        assert [(note.path, note.start_line, note.message) for note in found] == [
            ("tests/unit/test_b.py", 1, "tests.unit.test_b.TestX.TestInner::t failed")
        ]

    def test_long_texts_are_clipped(self) -> None:
        """Titles and messages stay within GitHub's limits, ending in an ellipsis."""
        [note] = render_annotations(report(case("t" * 300, message="m" * 5000)))
        assert (len(note.title), note.title[-1], len(note.message)) == (
            TITLE_LIMIT,
            "…",
            MESSAGE_LIMIT,
        )


class TestRegressionsAndCoverage:
    def test_order_and_ranges(self) -> None:
        """Failures, then regressions at their test file, then uncovered changed line ranges."""
        diff = DiffCoverage(covered=1, total=6, uncovered={"b.py": (9,), "a.py": (3, 1, 2, 7)})
        found = render_annotations(
            report(case("t")),
            diff=diff,
            regressed={"tests/bench/test_p.py::test_parse": "median +12%", "odd-name": "x"},
        )
        assert [(n.level.value, n.path, n.start_line, n.end_line, n.message) for n in found] == [
            ("failure", "tests/test_a.py", 1, 1, "tests.test_a::t failed"),
            ("warning", "tests/bench/test_p.py", 1, 1, "median +12%"),
            ("warning", "a.py", 1, 3, "Changed lines 1-3 never ran during the tests."),
            ("warning", "a.py", 7, 7, "Changed line 7 never ran during the tests."),
            ("warning", "b.py", 9, 9, "Changed line 9 never ran during the tests."),
        ]
        assert found[1].title == "benchmark regressed: tests/bench/test_p.py::test_parse"

    def test_nothing_to_say(self) -> None:
        """No failures, regressions or uncovered lines: no annotations."""
        assert render_annotations(report(), diff=DiffCoverage(uncovered={"a.py": ()})) == []
