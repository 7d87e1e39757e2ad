"""Coverage against the baseline and per stage: delta, max-drop, stage floors, lost files."""

from __future__ import annotations

from pathlib import Path

from ci.report.evaluate.coverage_verdicts import (
    coverage_delta,
    coverage_lost,
    max_drop_gate,
    stage_floor_gates,
)
from ci.report.model import (
    Baseline,
    CoverageFormat,
    CoverageReport,
    CoverageTotals,
    FileCoverage,
    GateResult,
    StageCoverage,
)


def _report(files: dict[str, tuple[int, int]]) -> CoverageReport:
    entries = tuple(
        FileCoverage(path=p, totals=CoverageTotals(covered_lines=c, num_statements=t))
        for p, (c, t) in files.items()
    )
    totals = sum((e.totals for e in entries), start=CoverageTotals())
    return CoverageReport(
        format=CoverageFormat.JSON, paths=(Path("c.json"),), files=entries, totals=totals
    )


HEAD = _report({"a.py": (8, 10), "b.py": (10, 10), "c.py": (1, 4), "new.py": (0, 5)})
BASE = Baseline(
    source="b",
    coverage_percent=90.0,
    coverage_files={"a.py": (10, 10), "b.py": (9, 10), "c.py": (3, 4), "gone.py": (1, 1)},
)


class TestDelta:
    def test_delta_in_points(self) -> None:
        """Head 19/29 against 90%: the difference in percentage points."""
        assert coverage_delta(HEAD, BASE) == HEAD.percent - 90.0
        assert round(HEAD.percent, 4) == 65.5172

    def test_no_delta_without_both(self) -> None:
        """No baseline, no baseline coverage or no head coverage: ``None``."""
        assert coverage_delta(HEAD, None) is None
        assert coverage_delta(HEAD, Baseline(source="b")) is None
        assert coverage_delta(None, BASE) is None


class TestMaxDrop:
    def test_within_and_beyond(self) -> None:
        """A drop equal to max-drop passes; a larger one fails, in one line."""
        assert max_drop_gate(-0.5, 0.5) == GateResult(
            name="coverage-drop",
            passed=True,
            detail="coverage -0.50 pp against the baseline (max drop 0.5 pp)",
        )
        assert max_drop_gate(-0.51, 0.5) == GateResult(
            name="coverage-drop",
            passed=False,
            detail="coverage -0.51 pp against the baseline, more than the 0.5 pp allowed",
        )
        assert max_drop_gate(1.25, 0.0).passed is True

    def test_without_baseline(self) -> None:
        """Nothing to compare with: the gate passes and says it did not check."""
        assert max_drop_gate(None, 1.0) == GateResult(
            name="coverage-drop",
            passed=True,
            detail="no baseline coverage to compare with (max drop 1 pp not checked)",
        )


class TestStageFloors:
    def test_coverage_py_rounding(self) -> None:
        """89.5 rounds to 90 and passes 90; a floor of 100 needs exactly 100."""
        gates = stage_floor_gates(
            [
                StageCoverage(stage="unit", percent=89.5, fail_under=90),
                StageCoverage(stage="integration", percent=99.99, fail_under=100),
                StageCoverage(stage="property", percent=12.0),
            ]
        )
        assert gates == (
            GateResult(name="coverage-unit", passed=True, detail="unit coverage 90% ≥ floor 90%"),
            GateResult(
                name="coverage-integration",
                passed=False,
                detail="integration coverage 99% < floor 100%",
            ),
        )


class TestLostFiles:
    def test_most_lost_first(self) -> None:
        """Only files in both runs that fell, by points lost."""
        assert coverage_lost(HEAD, BASE) == (("c.py", 75.0, 25.0), ("a.py", 100.0, 80.0))

    def test_nothing_without_baseline_files(self) -> None:
        """No per-file baseline: nothing to list."""
        assert coverage_lost(HEAD, Baseline(source="b", coverage_percent=90.0)) == ()
        assert coverage_lost(None, BASE) == ()
