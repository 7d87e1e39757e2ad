"""Diff coverage invariants under any coverage and any change, and diffs read as difflib wrote them."""

from __future__ import annotations

import difflib
from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from ci.report.evaluate.diff_coverage import diff_coverage, diff_coverage_gate
from ci.report.model import (
    CoverageFormat,
    CoverageReport,
    CoverageTotals,
    DiffCoverage,
    FileCoverage,
)
from ci.report.parse.diff import parse_diff

ROOT = PurePosixPath("/repo")
PROJECT = PurePosixPath("/repo/proj")
PATH = "proj/pkg/a.py"
LINES = st.integers(min_value=1, max_value=60)


@st.composite
def file_coverage(draw: st.DrawFn) -> FileCoverage:
    """One file's coverage: disjoint executed, missing and excluded lines."""
    lines = draw(st.lists(LINES, unique=True, max_size=40))
    kinds = draw(st.lists(st.sampled_from("emx"), min_size=len(lines), max_size=len(lines)))
    by_kind = {
        kind: tuple(sorted(n for n, k in zip(lines, kinds, strict=True) if k == kind))
        for kind in "emx"
    }
    executed, missing = by_kind["e"], by_kind["m"]
    starts = draw(st.lists(st.sampled_from(executed), max_size=5)) if executed else []
    return FileCoverage(
        path="pkg/a.py",
        totals=CoverageTotals(
            covered_lines=len(executed), num_statements=len(executed) + len(missing)
        ),
        executed_lines=executed,
        missing_lines=missing,
        excluded_lines=by_kind["x"],
        missing_branches=tuple((start, -1) for start in starts),
    )


def report_of(entry: FileCoverage) -> CoverageReport:
    return CoverageReport(format=CoverageFormat.DATA, paths=(), files=(entry,), totals=entry.totals)


def measure(entry: FileCoverage, changed: set[int]) -> DiffCoverage:
    return diff_coverage({PATH: sorted(changed)}, report_of(entry), project=PROJECT, root=ROOT)


def with_executed(entry: FileCoverage, line: int) -> FileCoverage:
    """The same coverage with one more executed line (taken out of missing and excluded)."""
    return FileCoverage(
        path=entry.path,
        totals=entry.totals,
        executed_lines=tuple(sorted({*entry.executed_lines, line})),
        missing_lines=tuple(n for n in entry.missing_lines if n != line),
        excluded_lines=tuple(n for n in entry.excluded_lines if n != line),
        missing_branches=entry.missing_branches,
    )


class TestInvariants:
    @settings(deadline=500)
    @given(file_coverage(), st.sets(LINES))
    def test_counts_add_up(self, entry: FileCoverage, changed: set[int]) -> None:
        """covered + uncovered = total, uncovered lines are changed and missing, 0 ≤ % ≤ 100."""
        result = measure(entry, changed)
        uncovered = set(result.uncovered.get(PATH, ()))
        assert result.covered + len(uncovered) == result.total
        assert uncovered == changed & set(entry.missing_lines)
        assert result.total == len(changed & {*entry.executed_lines, *entry.missing_lines})
        assert result.percent is None or 0.0 <= result.percent <= 100.0
        assert (result.percent is None) == (result.total == 0)
        assert set(result.partial.get(PATH, ())) <= changed & set(entry.executed_lines)

    @settings(deadline=500)
    @given(file_coverage(), st.sets(LINES), LINES)
    def test_adding_a_covered_line_never_lowers_it(
        self, entry: FileCoverage, changed: set[int], line: int
    ) -> None:
        """One more changed line that ran never lowers the diff coverage."""
        before = measure(entry, changed)
        after = measure(with_executed(entry, line), changed | {line})
        assert after.percent is not None
        assert after.percent >= (before.percent if before.percent is not None else 0.0)
        assert after.covered >= before.covered

    @settings(deadline=500)
    @given(file_coverage(), st.sets(LINES), LINES)
    def test_running_a_changed_line_never_lowers_it(
        self, entry: FileCoverage, changed: set[int], line: int
    ) -> None:
        """Covering a line that was missing (more tests) never lowers the diff coverage."""
        before = measure(entry, changed | {line})
        after = measure(with_executed(entry, line), changed | {line})
        assert after.percent is not None
        assert before.percent is None or after.percent >= before.percent

    @settings(deadline=500)
    @given(file_coverage(), st.sets(LINES))
    def test_excluded_lines_never_count(self, entry: FileCoverage, changed: set[int]) -> None:
        """Changing excluded lines (pragma: no cover) leaves the figures as they were."""
        plain = measure(entry, changed - set(entry.excluded_lines))
        assert measure(entry, changed | set(entry.excluded_lines)) == plain

    @settings(deadline=500)
    @given(file_coverage(), st.sets(LINES))
    def test_absolute_and_relative_paths_agree(
        self, entry: FileCoverage, changed: set[int]
    ) -> None:
        """Coverage naming the file absolutely or relative to the project gives one result."""
        absolute = FileCoverage(
            path=f"{PROJECT}/{entry.path}",
            totals=entry.totals,
            executed_lines=entry.executed_lines,
            missing_lines=entry.missing_lines,
            excluded_lines=entry.excluded_lines,
            missing_branches=entry.missing_branches,
        )
        assert measure(absolute, changed) == measure(entry, changed)

    @settings(deadline=500)
    @given(file_coverage(), st.sets(LINES), st.floats(0, 100), st.floats(0, 100))
    def test_a_lower_floor_never_fails_what_a_higher_one_passes(
        self, entry: FileCoverage, changed: set[int], low: float, high: float
    ) -> None:
        """The floor gate is monotonic in the floor."""
        low, high = sorted((low, high))
        result = measure(entry, changed)
        if diff_coverage_gate(result, fail_under=high).passed:
            assert diff_coverage_gate(result, fail_under=low).passed


TEXT = st.lists(st.sampled_from(["a", "b", "c", "+x", "-y", "++ z", "-- w", " ", ""]), max_size=25)


def new_lines_changed(old: list[str], new: list[str]) -> dict[str, tuple[int, ...]]:
    """The 1-based new lines in difflib's insert and replace opcodes."""
    matcher = difflib.SequenceMatcher(None, old, new)
    lines = [
        j + 1
        for tag, _, _, j1, j2 in matcher.get_opcodes()
        if tag in {"insert", "replace"}
        for j in range(j1, j2)
    ]
    return {"f.py": tuple(lines)} if lines else {}


class TestParseDiff:
    @settings(deadline=500)
    @given(TEXT, TEXT, st.integers(min_value=0, max_value=3))
    def test_difflib_diffs_round_trip(self, old: list[str], new: list[str], context: int) -> None:
        """Any difflib unified diff, with any context, gives the lines difflib inserted."""
        text = "".join(
            difflib.unified_diff(
                [f"{line}\n" for line in old],
                [f"{line}\n" for line in new],
                "a/f.py",
                "b/f.py",
                n=context,
            )
        )
        assert parse_diff(text, source="d") == new_lines_changed(old, new)
