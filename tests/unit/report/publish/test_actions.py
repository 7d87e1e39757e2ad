"""Job summary, step outputs and workflow commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ci.report.model import (
    Annotation,
    AnnotationLevel,
    Counts,
    CoverageFormat,
    CoverageReport,
    CoverageTotals,
    DiffCoverage,
    GateResult,
    Report,
    TestsResult,
)
from ci.report.publish.actions import (
    WorkflowCommands,
    append_step_summary,
    escape_data,
    escape_property,
    format_output,
    most_important,
    step_outputs,
    write_outputs,
)


def note(level: AnnotationLevel, line: int) -> Annotation:
    """An annotation of ``level`` on ``line``."""
    return Annotation(path="a.py", start_line=line, end_line=line, level=level, message="m")


class TestEscaping:
    def test_data(self) -> None:
        """Percent first, then CR and LF, so an escape is never escaped twice."""
        assert escape_data("100%\r\n::x") == "100%25%0D%0A::x"

    def test_property(self) -> None:
        """Properties also escape ':' and ','."""
        assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


class TestWorkflowCommands:
    def test_annotation(self) -> None:
        """A failure is an ``::error`` with file, lines and title, every part escaped."""
        stream = io.StringIO()
        WorkflowCommands(stream).annotate(
            Annotation(
                path="t,x.py",
                start_line=3,
                end_line=4,
                level=AnnotationLevel.FAILURE,
                title="failed: a::b",
                message="line 1\nline 2 100%",
            )
        )
        assert stream.getvalue() == (
            "::error file=t%2Cx.py,line=3,endLine=4,title=failed%3A a%3A%3Ab"
            "::line 1%0Aline 2 100%25\n"
        )

    def test_levels_and_empty_properties(self) -> None:
        """Warnings and notices keep their names; an empty title is left out."""
        stream = io.StringIO()
        commands = WorkflowCommands(stream)
        commands.annotate(note(AnnotationLevel.WARNING, 1))
        commands.annotate(note(AnnotationLevel.NOTICE, 2))
        commands.warning("no file")
        assert stream.getvalue().splitlines() == [
            "::warning file=a.py,line=1,endLine=1::m",
            "::notice file=a.py,line=2,endLine=2::m",
            "::warning::no file",
        ]


class TestMostImportant:
    def test_ten_per_level_in_order(self) -> None:
        """The first ten of each level are kept, in their order."""
        notes = [note(AnnotationLevel.FAILURE, line) for line in range(1, 13)]
        notes += [note(AnnotationLevel.WARNING, line) for line in range(1, 4)]
        chosen = most_important(notes)
        assert [(n.level.value, n.start_line) for n in chosen] == [
            *(("failure", line) for line in range(1, 11)),
            ("warning", 1),
            ("warning", 2),
            ("warning", 3),
        ]


class TestOutputs:
    def test_format(self) -> None:
        """The multi-line form with the given delimiter."""
        assert format_output("passed", "true", delimiter="EOF") == "passed<<EOF\ntrue\nEOF\n"

    def test_delimiter_inside_the_value_is_replaced(self) -> None:
        """A delimiter the value contains is replaced by a random one it does not contain."""
        text = format_output("x", "a\nEOF\nevil=1", delimiter="EOF")
        delimiter = text.split("\n", 1)[0].split("<<", 1)[1]
        assert delimiter.startswith("ghadelimiter_")
        assert text == f"x<<{delimiter}\na\nEOF\nevil=1\n{delimiter}\n"

    def test_bad_name(self) -> None:
        """A name that could break the file is refused."""
        with pytest.raises(ValueError, match="output name 'a<<b'"):
            format_output("a<<b", "v")

    def test_write_appends(self, tmp_path: Path) -> None:
        """Outputs are appended to ``$GITHUB_OUTPUT``; nothing happens outside Actions."""
        target = tmp_path / "out"
        target.write_text("earlier<<D\n1\nD\n", encoding="utf-8")
        assert write_outputs({"GITHUB_OUTPUT": str(target)}, {"a": "1\n2"}) == target
        lines = target.read_text(encoding="utf-8").splitlines()
        assert (lines[:3], lines[4:6], lines[3][:3], lines[3][3:] == lines[6]) == (
            ["earlier<<D", "1", "D"],
            ["1", "2"],
            "a<<",
            True,
        )
        assert write_outputs({}, {"a": "1"}) is None
        assert write_outputs({"GITHUB_OUTPUT": str(target)}, {}) is None


class TestStepSummary:
    def test_append(self, tmp_path: Path) -> None:
        """The summary is appended with a final newline; nothing happens outside Actions."""
        target = tmp_path / "summary.md"
        env = {"GITHUB_STEP_SUMMARY": str(target)}
        assert append_step_summary(env, "# one") == target
        assert append_step_summary(env, "two\n") == target
        assert target.read_text(encoding="utf-8") == "# one\ntwo\n"
        assert append_step_summary({}, "x") is None
        assert append_step_summary(env, "") is None


class TestStepOutputs:
    def test_counts_and_coverage(self) -> None:
        """Every output of a measured report."""
        totals = CoverageTotals(covered_lines=2, num_statements=3)
        report = Report(
            inputs=(),
            tests=TestsResult(counts=Counts(total=5, passed=2, failed=1, errors=1, skipped=1)),
            coverage=CoverageReport(format=CoverageFormat.JSON, paths=(), files=(), totals=totals),
            benchmarks=(),
            gates=(GateResult(name="tests", passed=False, detail="1 failed"),),
        )
        assert step_outputs(report, diff=DiffCoverage(covered=1, total=8)) == {
            "passed": "false",
            "tests": "5",
            "failed": "1",
            "errors": "1",
            "skipped": "1",
            "flaky": "0",
            "coverage": "66.67",
            "diff-coverage": "12.50",
        }

    def test_unmeasured(self) -> None:
        """Without coverage the percentages are empty."""
        report = Report(inputs=(), tests=TestsResult(), coverage=None, benchmarks=(), gates=())
        outputs = step_outputs(report, diff=DiffCoverage())
        assert (outputs["passed"], outputs["coverage"], outputs["diff-coverage"]) == (
            "true",
            "",
            "",
        )
