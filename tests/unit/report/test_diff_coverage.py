"""Diff coverage: changed lines against coverage, paths that meet, and the gate's one line."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from ci.report.evaluate.diff_coverage import diff_coverage, diff_coverage_gate, line_ranges
from ci.report.model import (
    CoverageFormat,
    CoverageReport,
    CoverageTotals,
    DiffCoverage,
    FileCoverage,
    GateResult,
)

ROOT = PurePosixPath("/repo")
PROJECT = PurePosixPath("/repo/proj")


def measured(
    path: str,
    executed: tuple[int, ...] = (),
    missing: tuple[int, ...] = (),
    excluded: tuple[int, ...] = (),
    missing_branches: tuple[tuple[int, int], ...] = (),
) -> FileCoverage:
    return FileCoverage(
        path=path,
        totals=CoverageTotals(
            covered_lines=len(executed), num_statements=len(executed) + len(missing)
        ),
        executed_lines=executed,
        missing_lines=missing,
        excluded_lines=excluded,
        missing_branches=missing_branches,
    )


def report(*files: FileCoverage) -> CoverageReport:
    return CoverageReport(
        format=CoverageFormat.DATA,
        paths=(),
        files=files,
        totals=sum((entry.totals for entry in files), CoverageTotals()),
    )


def diff(covered: int, total: int, **uncovered: tuple[int, ...]) -> DiffCoverage:
    return DiffCoverage(
        covered=covered,
        total=total,
        uncovered={name.replace("_", "/") + ".py": lines for name, lines in uncovered.items()},
    )


class TestDiffCoverage:
    def test_counts_measured_changed_lines(self) -> None:
        """Only changed lines coverage measured count; excluded and blank lines never do."""
        coverage = report(
            measured("pkg/a.py", executed=(1, 2, 3, 5), missing=(6, 7), excluded=(9, 10))
        )
        changed = {"proj/pkg/a.py": (2, 4, 6, 8, 9, 10)}
        result = diff_coverage(changed, coverage, project=PROJECT, root=ROOT, source="m...HEAD")
        assert result == DiffCoverage(
            source="m...HEAD", covered=1, total=2, uncovered={"proj/pkg/a.py": (6,)}
        )
        assert result.percent == 50.0

    def test_no_executable_change(self) -> None:
        """A change of unmeasured files and excluded lines has no percentage."""
        coverage = report(measured("pkg/a.py", executed=(1,), excluded=(3,)))
        changed = {"README.md": (1, 2), "proj/pkg/a.py": (3,), "proj/pkg/new.py": (1,)}
        result = diff_coverage(changed, coverage, project=PROJECT, root=ROOT)
        assert (result.covered, result.total, result.percent) == (0, 0, None)

    def test_absolute_coverage_paths(self) -> None:
        """Absolute coverage paths meet git's root-relative ones."""
        coverage = report(measured("/repo/proj/pkg/a.py", executed=(1,), missing=(2,)))
        result = diff_coverage({"proj/pkg/a.py": (1, 2)}, coverage, project=PROJECT, root=ROOT)
        assert dict(result.uncovered) == {"proj/pkg/a.py": (2,)}

    def test_windows_separators_and_dots(self) -> None:
        """Backslashes and ``./`` in coverage paths are normalised before they meet."""
        coverage = report(measured(".\\pkg\\a.py", executed=(1,), missing=(2,)))
        result = diff_coverage({"proj/pkg/a.py": (2,)}, coverage, project=PROJECT, root=ROOT)
        assert (result.total, dict(result.uncovered)) == (1, {"proj/pkg/a.py": (2,)})

    def test_windows_drive_paths(self) -> None:
        """A drive-letter path is absolute: it meets the changed file under that root."""
        coverage = report(measured("C:\\r\\pkg\\a.py", missing=(4,)))
        result = diff_coverage(
            {"pkg/a.py": (4,)},
            coverage,
            project=PurePosixPath("C:/r"),
            root=PurePosixPath("C:/r"),
        )
        assert dict(result.uncovered) == {"pkg/a.py": (4,)}

    def test_project_is_the_root(self) -> None:
        """When the project is the repository, paths meet as they are."""
        coverage = report(measured("pkg/a.py", executed=(1,)))
        result = diff_coverage({"pkg/a.py": (1,)}, coverage, project=ROOT, root=ROOT)
        assert (result.covered, result.total) == (1, 1)

    def test_another_checkout_by_unique_suffix(self) -> None:
        """Coverage made in another checkout meets by path suffix when one file fits."""
        coverage = report(
            measured("/app/pkg/a.py", executed=(1,), missing=(2,)),
            measured("/app/pkg/b.py", executed=(1,)),
        )
        result = diff_coverage({"proj/pkg/a.py": (1, 2)}, coverage, project=PROJECT, root=ROOT)
        assert (result.covered, result.total) == (1, 2)

    def test_ambiguous_suffix_is_not_guessed(self) -> None:
        """Two other checkouts' files fitting one changed file match neither."""
        coverage = report(
            measured("/app/pkg/a.py", missing=(1,)), measured("/old/pkg/a.py", missing=(1,))
        )
        result = diff_coverage({"proj/pkg/a.py": (1,)}, coverage, project=PROJECT, root=ROOT)
        assert result.total == 0

    def test_suffix_never_takes_a_file_of_this_checkout(self) -> None:
        """A changed file that coverage did not measure never borrows a measured one's lines."""
        coverage = report(measured("vendor/pkg/a.py", missing=(1,)))
        result = diff_coverage({"proj/pkg/a.py": (1,)}, coverage, project=PROJECT, root=ROOT)
        assert result.total == 0

    def test_files_outside_the_project(self) -> None:
        """Changed files outside the project are never measured."""
        coverage = report(measured("/elsewhere/docs/a.py", missing=(1,)))
        result = diff_coverage({"docs/a.py": (1,)}, coverage, project=PROJECT, root=ROOT)
        assert result.total == 0

    def test_partial_branches(self) -> None:
        """A changed line that ran with a branch never taken is partial, and still covered."""
        coverage = report(
            measured(
                "pkg/a.py", executed=(1, 2, 4), missing=(3,), missing_branches=((2, 4), (3, 4))
            )
        )
        result = diff_coverage({"proj/pkg/a.py": (1, 2, 3)}, coverage, project=PROJECT, root=ROOT)
        assert result == DiffCoverage(
            covered=2,
            total=3,
            uncovered={"proj/pkg/a.py": (3,)},
            partial={"proj/pkg/a.py": (2,)},
        )


class TestLineRanges:
    @pytest.mark.parametrize(
        ("lines", "text"),
        [((), ""), ((7,), "7"), ((1, 2, 3), "1-3"), ((1, 2, 4, 6, 7), "1-2, 4, 6-7")],
    )
    def test_ranges(self, lines: tuple[int, ...], text: str) -> None:
        """Runs of consecutive lines become ranges."""
        assert line_ranges(lines) == text


class TestDiffCoverageGate:
    def test_no_coverage(self) -> None:
        """Without coverage data the changed lines cannot be measured: the gate fails."""
        assert diff_coverage_gate(None, fail_under=80) == GateResult(
            name="diff-coverage",
            passed=False,
            detail="no coverage data to measure the changed lines against",
        )

    def test_nothing_executable(self) -> None:
        """A change without an executable line passes either mode."""
        for mode in ("floor", "every-line"):
            assert diff_coverage_gate(DiffCoverage(), mode=mode, fail_under=100) == GateResult(
                name="diff-coverage", passed=True, detail="no changed executable line"
            )

    def test_under_the_floor(self) -> None:
        """Under the floor fails and names the uncovered lines by file."""
        result = diff_coverage_gate(diff(8, 11, ci_x=(12, 13, 14)), fail_under=80)
        assert result == GateResult(
            name="diff-coverage",
            passed=False,
            detail="diff coverage 72.7% < floor 80% (3 lines uncovered in ci/x.py: 12-14)",
        )

    def test_several_files(self) -> None:
        """Several files each show their ranges."""
        result = diff_coverage_gate(diff(7, 10, ci_x=(1, 2), ci_y=(40,)), fail_under=75)
        assert result.detail == (
            "diff coverage 70.0% < floor 75% (3 lines uncovered in 2 files: "
            "ci/x.py: 1-2; ci/y.py: 40)"
        )

    def test_shown_percentage_never_reaches_a_missed_floor(self) -> None:
        """79.96% is shown as 79.9%, not as a rounded-up 80.0%."""
        result = diff_coverage_gate(diff(1999, 2500, a=(1,)), fail_under=80)
        assert (result.passed, result.detail.split(" (")[0]) == (
            False,
            "diff coverage 79.9% < floor 80%",
        )

    def test_exactly_the_floor_passes(self) -> None:
        """Reaching the floor exactly passes."""
        result = diff_coverage_gate(diff(4, 5, a=(3,)), fail_under=80)
        assert result == GateResult(
            name="diff-coverage",
            passed=True,
            detail="diff coverage 80.0% ≥ floor 80% (1 line uncovered in a.py: 3)",
        )

    def test_no_floor_informs(self) -> None:
        """With no floor the gate passes and still tells the figure."""
        result = diff_coverage_gate(diff(3, 3))
        assert result == GateResult(
            name="diff-coverage",
            passed=True,
            detail="diff coverage 100.0% (3 of 3 changed lines covered)",
        )

    def test_every_line_passes(self) -> None:
        """every-line passes when each changed executable line ran."""
        result = diff_coverage_gate(diff(1, 1), mode="every-line")
        assert result == GateResult(
            name="diff-coverage", passed=True, detail="every changed line covered (1 line)"
        )

    def test_every_line_names_what_is_missing(self) -> None:
        """every-line fails on one uncovered line and names the first few."""
        result = diff_coverage_gate(
            diff(90, 99, ci_x=(12,), ci_y=(40, 41, 43, 45, 47, 49)), mode="every-line"
        )
        assert result == GateResult(
            name="diff-coverage",
            passed=False,
            detail="7 changed lines not covered: ci/x.py:12, ci/y.py:40-41, ci/y.py:43, "
            "ci/y.py:45, ci/y.py:47 and 1 more",
        )

    def test_every_line_fails_on_a_partial_branch(self) -> None:
        """A changed line that never took one of its branches fails every-line mode."""
        partial = DiffCoverage(covered=5, total=5, partial={"ci/x.py": (3,)})
        assert diff_coverage_gate(partial, mode="every-line") == GateResult(
            name="diff-coverage",
            passed=False,
            detail="1 changed line with a branch never taken: ci/x.py:3",
        )
        assert diff_coverage_gate(partial, fail_under=100).passed is True
