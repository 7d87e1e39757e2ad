"""Invariants of the report's pure parts, over random inputs."""

from __future__ import annotations

import re

from coverage.results import should_fail_under
from hypothesis import given, settings
from hypothesis import strategies as st

from ci.report.evaluate.gates import coverage_gate
from ci.report.model import Counts, CoverageFormat, CoverageReport, CoverageTotals
from ci.report.render.markdown import inert

DEADLINE = settings(deadline=1_000)

counts = st.builds(
    Counts,
    total=st.integers(0, 10**6),
    passed=st.integers(0, 10**6),
    failed=st.integers(0, 10**6),
    errors=st.integers(0, 10**6),
    skipped=st.integers(0, 10**6),
    flaky=st.integers(0, 10**6),
    duration_s=st.integers(0, 10**6).map(float),
)


@st.composite
def coverage_reports(draw: st.DrawFn) -> CoverageReport:
    statements = draw(st.integers(0, 5_000))
    branches = draw(st.integers(0, 2_000))
    totals = CoverageTotals(
        covered_lines=draw(st.integers(0, statements)),
        num_statements=statements,
        covered_branches=draw(st.integers(0, branches)),
        num_branches=branches,
    )
    return CoverageReport(format=CoverageFormat.DATA, paths=(), files=(), totals=totals)


class TestCounts:
    @DEADLINE
    @given(st.lists(counts, max_size=6))
    def test_sum_is_fieldwise(self, parts: list[Counts]) -> None:
        """sum() of counts adds every field, whatever the order."""
        total = sum(parts, Counts())
        assert total == sum(reversed(parts), Counts())
        assert total.failed == sum(p.failed for p in parts)
        assert total.total == sum(p.total for p in parts)


class TestCoverageFloor:
    @DEADLINE
    @given(coverage_reports(), st.integers(0, 100), st.integers(0, 3))
    def test_agrees_with_coverage_py(
        self, report: CoverageReport, floor: int, precision: int
    ) -> None:
        """The gate fails exactly when coverage.py's should_fail_under says so."""
        failed = should_fail_under(report.percent, floor, precision)
        assert coverage_gate(report, floor, precision).passed is not failed

    @DEADLINE
    @given(coverage_reports(), st.integers(0, 99))
    def test_monotone_in_the_floor(self, report: CoverageReport, floor: int) -> None:
        """A total that passes a floor passes every lower floor."""
        if coverage_gate(report, floor + 1).passed:
            assert coverage_gate(report, floor).passed


class TestInert:
    @DEADLINE
    @given(st.text())
    def test_nothing_active_survives(self, text: str) -> None:
        """No mention, issue reference, raw HTML, unescaped pipe or line break gets through."""
        rendered = inert(text)
        assert re.search(r"@\w", rendered) is None
        assert re.search(r"#\d", rendered) is None
        assert "<" not in rendered
        assert re.search(r"(?<!\\)\|", rendered) is None
        assert "\n" not in rendered
