"""Coverage against a baseline and per stage: the delta, ``max-drop``, stage floors, lost files.

Pure functions. Percentages compare the way coverage.py computes its total (lines plus
branches when measured); floors use coverage.py's own rounding (``should_fail_under``),
so a floor of 100 means exactly 100.
"""

from __future__ import annotations

from collections.abc import Sequence

from coverage.results import display_covered, should_fail_under

from ci.report.baseline import coverage_files
from ci.report.model import Baseline, CoverageReport, GateResult, StageCoverage

__all__ = ["LOST_FILES", "coverage_delta", "coverage_lost", "max_drop_gate", "stage_floor_gates"]

#: How many files that lost coverage the report keeps, most lost first.
LOST_FILES = 20


def coverage_delta(coverage: CoverageReport | None, baseline: Baseline | None) -> float | None:
    """Head total minus the baseline's, in percentage points (``None`` without both)."""
    if coverage is None or baseline is None or baseline.coverage_percent is None:
        return None
    return coverage.percent - baseline.coverage_percent


def max_drop_gate(delta: float | None, max_drop: float) -> GateResult:
    """Coverage fell by at most ``max_drop`` percentage points against the baseline."""
    if delta is None:
        return GateResult(
            name="coverage-drop",
            passed=True,
            detail=f"no baseline coverage to compare with (max drop {max_drop:g} pp not checked)",
        )
    shown = f"{delta:+.2f} pp"
    if -delta > max_drop + 1e-9:
        return GateResult(
            name="coverage-drop",
            passed=False,
            detail=f"coverage {shown} against the baseline, more than the {max_drop:g} pp allowed",
        )
    return GateResult(
        name="coverage-drop",
        passed=True,
        detail=f"coverage {shown} against the baseline (max drop {max_drop:g} pp)",
    )


def stage_floor_gates(
    stages: Sequence[StageCoverage], *, precision: int = 0
) -> tuple[GateResult, ...]:
    """One gate per stage with its own floor: that stage's tests alone reach it."""
    gates = []
    for stage in stages:
        if stage.fail_under is None:
            continue
        shown = display_covered(stage.percent, precision)
        failed = should_fail_under(stage.percent, stage.fail_under, precision)
        relation = "<" if failed else "≥"
        gates.append(
            GateResult(
                name=f"coverage-{stage.stage}",
                passed=not failed,
                detail=f"{stage.stage} coverage {shown}% {relation} floor {stage.fail_under:g}%",
            )
        )
    return tuple(gates)


def coverage_lost(
    coverage: CoverageReport | None, baseline: Baseline | None
) -> tuple[tuple[str, float, float], ...]:
    """Files in both runs whose coverage fell: (path, base %, head %), most lost first."""
    if coverage is None or baseline is None or not baseline.coverage_files:
        return ()
    lost = []
    for path, (covered, total) in coverage_files(coverage).items():
        base = baseline.coverage_files.get(path)
        if base is None or not base[1] or not total:
            continue
        before, after = 100.0 * base[0] / base[1], 100.0 * covered / total
        if after < before:
            lost.append((path, before, after))
    lost.sort(key=lambda item: (item[2] - item[1], item[0]))
    return tuple(lost[:LOST_FILES])
