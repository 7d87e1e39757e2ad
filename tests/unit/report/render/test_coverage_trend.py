"""The coverage trend chart: earlier stored totals and this run's, folded in the coverage section."""

from __future__ import annotations

import dataclasses

from ci.report.model import (
    CoverageFormat,
    CoverageReport,
    CoverageTotals,
    DiffCoverage,
    GateResult,
    Report,
    TestsResult,
)
from ci.report.render._budget import Budget, pack
from ci.report.render._metrics_parts import coverage_parts
from ci.report.render.markdown import render_check, render_markdown, render_summary

CHART = (
    "<details><summary>📈 Coverage trend (3 earlier runs)</summary>\n\n"
    "```mermaid\n"
    "xychart-beta\n"
    '    title "Coverage total (%)"\n'
    '    x-axis ["-3", "-2", "-1", "now"]\n'
    '    y-axis "%"\n'
    "    line [80.00, 81.26, 89.50, 90.25]\n"
    "```\n\n"
    "</details>"
)


def report(history: tuple[float, ...], *, covered: int | None = 3_610) -> Report:
    """A report whose coverage total is ``covered`` of 4,000 lines, with earlier totals."""
    coverage = None
    if covered is not None:
        totals = CoverageTotals(covered_lines=covered, num_statements=4_000)
        coverage = CoverageReport(format=CoverageFormat.JSON, paths=(), files=(), totals=totals)
    return Report(
        inputs=(),
        tests=TestsResult(),
        coverage=coverage,
        benchmarks=(),
        gates=(GateResult(name="coverage", passed=True, detail="no floor"),),
        coverage_history=history,
    )


class TestCoverageChart:
    def test_chart_of_earlier_totals_and_this_run(self) -> None:
        """Three earlier totals and this one, two decimals, labelled -3 … now, after the total."""
        text = render_markdown(report((80.0, 81.256, 89.5)))
        assert text == (
            "### ✅ noxci: every gate passed\n\n"
            "- ✅ **coverage**: no floor\n\n"
            "**No baseline**: new failures, fixed tests, the coverage change and benchmark "
            "changes are unavailable.\n\n"
            "#### Coverage\n\n"
            "**90.25%** · 3,610/4,000 lines\n\n"
            f"{CHART}\n"
        )

    def test_two_earlier_totals_are_enough(self) -> None:
        """Two earlier values draw a chart of three points."""
        text = render_markdown(report((70.0, 75.5)))
        assert (
            '    x-axis ["-2", "-1", "now"]\n    y-axis "%"\n    line [70.00, 75.50, 90.25]\n'
            in (text)
        )
        assert "📈 Coverage trend (2 earlier runs)" in text

    def test_fewer_than_two_earlier_totals_draw_nothing(self) -> None:
        """One earlier total, or none, is no trend: the section ends with the total."""
        for history in ((), (80.0,)):
            assert render_markdown(report(history)).endswith(
                "#### Coverage\n\n**90.25%** · 3,610/4,000 lines\n"
            )

    def test_no_coverage_this_run_no_chart(self) -> None:
        """Without this run's total (a diff alone shows the section) there is no chart."""
        found = dataclasses.replace(report((80.0, 81.0), covered=None), diff=DiffCoverage())
        assert render_markdown(found).count("mermaid") == 0

    def test_channels(self) -> None:
        """The job summary shows the chart; the check run's summary shows no chart at all."""
        found = report((80.0, 81.256, 89.5))
        assert render_summary(found).count(CHART) == 1
        _, summary, text = render_check(found)
        assert (summary.count("mermaid"), summary.count("Coverage trend"), text) == (0, 0, "")

    def test_cut_by_the_budget_like_other_parts(self) -> None:
        """A budget without room for the chart leaves it out and says where it is."""
        parts = coverage_parts(report((80.0, 81.256, 89.5)))
        whole = pack(parts, Budget(where="W"))
        cut = pack(parts, Budget(limit=len(whole) - 1, where="W"))
        assert whole == "#### Coverage\n\n**90.25%** · 3,610/4,000 lines\n\n" + CHART + "\n"
        assert cut == (
            "#### Coverage\n\n**90.25%** · 3,610/4,000 lines\n\n… and 1 more trend chart, see W\n"
        )

    def test_no_charts_view(self) -> None:
        """``charts=False`` leaves the chart's part out entirely."""
        found = report((80.0, 81.256, 89.5))
        assert len(coverage_parts(found)) == 5
        assert len(coverage_parts(found, charts=False)) == 4
