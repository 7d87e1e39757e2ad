"""The Markdown views: what each section says, in which order, and within which budget."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ci.report.model import Counts, DiffCoverage, GateResult, Report, TestsResult
from ci.report.publishing import comment_body
from ci.report.render.markdown import (
    CHECK_LIMIT,
    COMMENT_LIMIT,
    SUMMARY_LIMIT,
    check_title,
    render_check,
    render_markdown,
    render_summary,
)
from ci.report.render.marker import comment_marker
from tests.snapshot.model_reports import hostile, over_budget, with_baseline

MARKER = comment_marker()
FENCED = re.compile(r"(?ms)^ *(`{3,})[^\n]*\n.*?^ *\1$")


def section(text: str, start: str, end: str) -> str:
    """The text from ``start`` up to (not including) ``end``."""
    first = text.index(start)
    return text[first : text.index(end, first)]


def passing() -> Report:
    """A report with no tests, no coverage, and one passing gate."""
    return Report(
        inputs=(),
        tests=TestsResult(),
        coverage=None,
        benchmarks=(),
        gates=(GateResult(name="inputs", passed=True, detail="0 inputs read"),),
    )


class TestSections:
    def test_passing_report_is_short(self) -> None:
        """Every gate passed, nothing else to say but that there is no baseline."""
        assert render_markdown(passing()) == (
            "### ✅ noxci: every gate passed\n\n"
            "- ✅ **inputs**: 0 inputs read\n\n"
            "**No baseline**: new failures, fixed tests, the coverage change and benchmark "
            "changes are unavailable.\n"
        )

    def test_headline_and_stage_table(self) -> None:
        """Failed gates in the headline, one line per gate, stages with their own coverage."""
        text = render_markdown(with_baseline())
        assert text.startswith(
            "### ❌ noxci: tests failed, benchmarks failed\n\n"
            "- ❌ **tests**: 2 failed, 1 error (2 new)\n"
            "- ✅ **coverage**: coverage 84% ≥ floor 80%\n"
            "- ❌ **benchmarks**: 1 regressed\n\n"
            "| stage | tests | passed | failed | errors | skipped | flaky | time | coverage |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            "| unit | 100 | 95 | 1 | 1 | 3 | 0 | 4.2s | 81.25% |\n"
            "| integration | 20 | 17 | 1 | 0 | 2 | 1 | 5.2s | 62.50% |\n"
            "| **total** | 120 | 112 | 2 | 1 | 5 | 1 | 9.5s | 84.76% |\n\n"
            "**Against the baseline** (base artifacts of 1a2b3c4, commit 1a2b3c4d5e6f): "
            "2 new failures · 1 fixed · 1 still failing · 1 newly skipped · 0 removed · 1 flaky\n"
        )

    def test_new_failures_come_first(self) -> None:
        """New failures, then still failing, then flaky tests, each line with its id and stage."""
        lines = [
            line
            for line in render_markdown(with_baseline()).splitlines()
            if line.startswith(("#### ", "- failed", "- error", "- **"))
        ]
        assert lines[:7] == [
            "#### New failures (2)",
            "- failed **tests/test\\_app.py::tests.test\\_app::test\\_parse\\_empty** (unit): "
            "ValueError: empty input",
            "- error **tests/test\\_app.py::tests.test\\_app::test\\_retry** (unit): failed on setup",
            "#### Still failing (1)",
            "- failed **tests/test\\_app.py::tests.test\\_app::test\\_totals** (integration): "
            "assert 2 == 1",
            "#### Flaky (1)",
            "- **tests/test\\_app.py::tests.test\\_app::test\\_flaky\\_io** (unit): "
            "passed after 1 rerun",
        ]

    def test_traceback_is_folded_in_a_fence(self) -> None:
        """A failure's excerpt sits in a collapsed details block, inside its list item."""
        text = render_markdown(with_baseline())
        assert section(text, "  <details>", "- error") == (
            "  <details><summary>traceback</summary>\n\n"
            "  ```text\n"
            "      def test_parse_empty():\n"
            "          value = compute()\n"
            "          step_0 = value + 0\n"
            "          step_1 = value + 1\n"
            "  >       assert value == 1\n"
            "  E       assert 2 == 1\n"
            "  ```\n\n"
            "  </details>\n\n"
        )

    def test_coverage(self) -> None:
        """Total with its change, stage floors, uncovered changed lines, files that lost most, trend."""
        text = render_markdown(with_baseline())
        assert section(text, "#### Coverage", "#### Benchmarks") == (
            "#### Coverage\n\n"
            "**84.76%** (-1.50 pp against the baseline) · 850/1,000 lines · 40/50 branches\n\n"
            "Stage floors:\n\n"
            "- unit: 81.25% ✅ (floor 80%)\n\n"
            "**Diff coverage** 75.00%: 30 of 40 changed lines ran (origin/main...HEAD).\n\n"
            "Changed lines not covered:\n\n"
            "- ci/app.py: 10\u201314, 20; branches not taken: 30\n"
            "- ci/io.py: 5\n\n"
            "Files that lost most coverage:\n\n"
            "- ci/app.py: 92.00% → 81.50% (-10.50 pp)\n"
            "- ci/io.py: 75.00% → 70.00% (-5.00 pp)\n\n"
            "<details><summary>📈 Coverage trend (3 earlier runs)</summary>\n\n"
            "```mermaid\n"
            "xychart-beta\n"
            '    title "Coverage total (%)"\n'
            '    x-axis ["-3", "-2", "-1", "now"]\n'
            '    y-axis "%"\n'
            "    line [85.90, 86.41, 86.26, 84.76]\n"
            "```\n\n"
            "</details>\n\n"
        )

    def test_benchmarks_regressions_first_with_trends(self) -> None:
        """Regressions, improvements, the rest; a Mermaid trend per benchmark with history."""
        text = render_markdown(with_baseline())
        assert section(text, "#### Benchmarks", "```mermaid") == (
            "#### Benchmarks (median, against the baseline)\n\n"
            "1 regressed · 1 improved · 1 unchanged\n\n"
            "| benchmark | base | head | change | verdict |\n"
            "|---|---:|---:|---:|---|\n"
            "| tests/benchmark/test\\_app.py::test\\_parse\\[big\\] | 12.1 µs | 16 µs "
            "| +32.2% (+25.1% to +39.8%) | ❌ regressed |\n"
            "| tests/benchmark/test\\_app.py::test\\_sort\\[1000\\] | 17.4 µs | 13.1 µs "
            "| -24.7% (-28.0% to -21.2%) | ✅ improved (3 runs a side) |\n"
            "| tests/benchmark/test\\_app.py::test\\_join | 940 ns | 930 ns "
            "| -1.1% (-2.5% to +0.4%) | unchanged |\n\n"
            "<details><summary>📈 Trends (2)</summary>\n\n"
        )
        benchmarks = text[text.index("#### Benchmarks") :]
        assert section(benchmarks, "```mermaid", "\n\n") == (
            "```mermaid\n"
            "xychart-beta\n"
            '    title "test_parse[big] (median, µs)"\n'
            '    x-axis ["-4", "-3", "-2", "-1", "head"]\n'
            '    y-axis "µs"\n'
            "    line [12, 12.2, 11.9, 12.1, 16]\n"
            "```"
        )

    def test_footer(self) -> None:
        """Commit, run link and time close the report."""
        assert render_markdown(with_baseline()).endswith(
            "</details>\n\n---\n\n<sub>noxci · commit 0123456789ab · "
            "[run](https://github.com/o/r/actions/runs/42) · 2026-01-02T03:04:05Z</sub>\n"
        )

    def test_no_baseline_lists_all_failures_together(self) -> None:
        """Without a baseline: one failure list, and the comparisons are said to be unavailable."""
        report = dataclasses.replace(with_baseline(), baseline=None, coverage_delta=None)
        text = render_markdown(report)
        headings = [line for line in text.splitlines() if line.startswith("####")]
        assert headings == [
            "#### Failures (3)",
            "#### Flaky (1)",
            "#### Coverage",
            "#### Benchmarks (median)",
        ]
        assert "**No baseline**: new failures, fixed tests, the coverage change" in text

    def test_counts_without_tests(self) -> None:
        """No JUnit input at all: no stage table."""
        report = dataclasses.replace(passing(), tests=TestsResult(counts=Counts()))
        assert "| stage |" not in render_markdown(report)

    def test_coverage_without_data_or_baseline_total(self) -> None:
        """No coverage data but a diff without executable lines; a baseline without coverage."""
        report = dataclasses.replace(
            with_baseline(),
            coverage=None,
            coverage_delta=None,
            stage_coverage=(),
            coverage_lost=(),
            diff=DiffCoverage(source="d.diff"),
        )
        assert section(render_markdown(report), "#### Coverage", "#### Benchmarks") == (
            "#### Coverage\n\nNo coverage data.\n\n"
            "**Diff coverage**: no changed line is executable (d.diff).\n\n"
        )
        kept = dataclasses.replace(with_baseline(), coverage_delta=None)
        assert "**84.76%** (the baseline has no coverage) · 850/1,000 lines" in render_markdown(
            kept
        )


class TestCheck:
    def test_title_summary_and_text(self) -> None:
        """Summary without tracebacks or charts; the text holds the tracebacks."""
        title, summary, text = render_check(with_baseline())
        assert (title, summary.count("<details>"), text.count("<details>")) == (
            "failed: tests, benchmarks",
            0,
            3,
        )
        assert [line for line in text.splitlines() if line.startswith("####")] == [
            "#### New failures (2)",
            "#### Still failing (1)",
        ]

    def test_nothing_failed(self) -> None:
        """A passing report: its title says so and the text is empty."""
        assert (check_title(passing()), render_check(passing())[2]) == ("every gate passed", "")


@pytest.fixture(scope="module")
def huge() -> Report:
    """5,000 failures with 5 KB tracebacks, the last 500 of them new."""
    return over_budget(5_000, 5_000)


class TestBudgets:
    """The acceptance test: 5,000 failures with 5 KB tracebacks fit every channel."""

    def test_comment(self, huge: Report) -> None:
        """≤ 65,536 characters with the marker, new failures first, what was left out said."""
        body = comment_body(huge, MARKER)
        assert len(MARKER) + 1 + len(body) <= COMMENT_LIMIT
        first = re.search(r"^- failed \*\*(.*?)\*\*", body, re.MULTILINE)
        assert first is not None
        assert first.group(1) == "tests/test\\_app.py::tests.test\\_app::test\\_case\\_04500"
        new = section(body, "#### New failures (500)", "#### Still failing")
        shown = new.count("\n- failed")
        note = re.search(
            r"… and ([\d,]+) more \(([\d,]+) tracebacks left out\), see the job summary", new
        )
        assert note is not None
        assert (int(note.group(1).replace(",", "")) + shown, int(note.group(2)) + 10) == (
            500,
            shown,
        )
        assert "… and 4,495 more, see the job summary" in body

    def test_job_summary(self, huge: Report) -> None:
        """≤ 1 MiB of UTF-8 bytes, every failure line still listed."""
        text = render_summary(huge)
        assert len(text.encode("utf-8")) <= SUMMARY_LIMIT
        assert text.count("\n- failed **") == 5_000

    def test_check_run(self, huge: Report) -> None:
        """Summary and text ≤ 65,535 characters each, both saying what was left out."""
        _, summary, text = render_check(huge)
        assert len(summary) <= CHECK_LIMIT
        assert len(text) <= CHECK_LIMIT
        assert "more, see the job summary" in summary
        assert "more, see the job summary" in text

    def test_summary_limit_is_in_bytes(self) -> None:
        """A smaller byte budget is honoured even when most characters are multi-byte."""
        report = hostile("é" * 3_000)
        text = render_summary(report, limit=8_000)
        assert len(text.encode("utf-8")) <= 8_000


class TestHostile:
    def test_nothing_active_survives(self) -> None:
        """No mention, reference, unbalanced details or marker anywhere, in any channel."""
        report = hostile()
        texts = [MARKER + "\n" + comment_body(report, MARKER), *render_check(report)[1:]]
        texts.append(render_summary(report))
        for text in texts:
            outside = FENCED.sub("", text)
            assert re.findall(r"@\w|#\d|<!--|https://github", outside) == (
                ["<!--"] if MARKER in text else []
            )
            assert re.findall(r"@\w", text) == []
            assert text.count("<details>") == text.count("</details>")
            assert text.count(MARKER) == (1 if text.startswith(MARKER) else 0)

    def test_tables_keep_their_columns(self) -> None:
        """Every row of every table has as many cells as its header."""
        text = render_markdown(hostile())
        for table in re.findall(r"(?m)(?:^\|.*\n)+", text):
            cells = [len(re.findall(r"(?<!\\)\|", row)) for row in table.splitlines()]
            assert set(cells) == {cells[0]}
