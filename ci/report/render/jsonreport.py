"""``report.json`` (schema ``noxci.report/1``), exactly as DESIGN.md defines it.

Other tools and our own checks read this document, so it is versioned and only grows:
a field is never renamed or removed without a new schema version. Beyond DESIGN.md's
fields it holds what a later report needs to use this one as its baseline
(:mod:`ci.report.baseline`): the failing and skipped test ids, coverage per file, and
each head benchmark run as quantiles of its rounds; and the earlier coverage totals the
trend chart draws (``coverage.history``, oldest first, from the results store).
"""

from __future__ import annotations

import json
from typing import Any, Final

from ci.report.model import (
    Baseline,
    BenchmarkComparison,
    BenchmarkRun,
    Counts,
    CoverageReport,
    DiffCoverage,
    Report,
    RunInfo,
)
from ci.report.samples import quantiles

__all__ = ["SCHEMA", "render_json", "report_document"]

SCHEMA: Final = "noxci.report/1"


def _counts(counts: Counts) -> dict[str, Any]:
    return {
        "total": counts.total,
        "passed": counts.passed,
        "failed": counts.failed,
        "errors": counts.errors,
        "skipped": counts.skipped,
        "flaky": counts.flaky,
        "duration_s": round(counts.duration_s, 6),
    }


def _diff(diff: DiffCoverage | None) -> dict[str, Any] | None:
    if diff is None:
        return None
    return {
        "percent": diff.percent,
        "covered": diff.covered,
        "total": diff.total,
        "uncovered": {path: list(lines) for path, lines in diff.uncovered.items()},
        "partial": {path: list(lines) for path, lines in diff.partial.items()},
    }


def _coverage(report: Report) -> dict[str, Any] | None:
    coverage: CoverageReport | None = report.coverage
    if coverage is None:
        return None
    totals = coverage.totals
    return {
        "percent": coverage.percent,
        "covered_lines": totals.covered_lines,
        "num_statements": totals.num_statements,
        "covered_branches": totals.covered_branches,
        "num_branches": totals.num_branches,
        "delta": report.coverage_delta,
        "diff": _diff(report.diff),
        "stages": {
            stage.stage: {"percent": stage.percent, "fail_under": stage.fail_under}
            for stage in report.stage_coverage
        },
        "lost": [
            {"path": path, "base": base, "head": head} for path, base, head in report.coverage_lost
        ],
        "history": list(report.coverage_history),
        "files": {
            entry.path: [
                entry.totals.covered_lines + entry.totals.covered_branches,
                entry.totals.num_statements + entry.totals.num_branches,
            ]
            for entry in coverage.files
        },
    }


def _runs_of(runs: tuple[BenchmarkRun, ...]) -> dict[str, list[list[float]]]:
    """Each benchmark's head runs as quantiles of their rounds, by fullname."""
    found: dict[str, list[list[float]]] = {}
    for run in runs:
        for bench in run.benchmarks:
            data = bench.data or (bench.stats.median,)
            found.setdefault(bench.fullname, []).append(quantiles(data))
    return found


def _benchmarks(report: Report) -> list[dict[str, Any]]:
    runs = _runs_of(report.benchmarks)
    return [_comparison(item, runs.get(item.name, [])) for item in report.comparisons]


def _comparison(item: BenchmarkComparison, runs: list[list[float]]) -> dict[str, Any]:
    return {
        "name": item.name,
        "unit": item.unit,
        "base": item.base,
        "head": item.head,
        "change": item.change,
        "low": item.low,
        "high": item.high,
        "verdict": str(item.verdict),
        "statistic": item.statistic,
        "min_change": item.min_change,
        "head_runs": item.head_runs,
        "base_runs": item.base_runs,
        "note": item.note,
        "runs": runs,
    }


def _baseline(baseline: Baseline | None) -> dict[str, Any] | None:
    if baseline is None:
        return None
    return {
        "source": baseline.source,
        "commit": baseline.commit,
        "tests_complete": baseline.tests_complete,
    }


def _run(run: RunInfo) -> dict[str, Any]:
    return {"commit": run.commit, "run_url": run.run_url, "time": run.time}


def report_document(report: Report) -> dict[str, Any]:
    """The report as the JSON-compatible document of schema ``noxci.report/1``."""
    tests = report.tests
    return {
        "schema": SCHEMA,
        "passed": report.passed,
        "inputs": [
            {
                "path": status.path,
                "kind": None if status.kind is None else str(status.kind),
                "ok": status.ok,
                "error": status.error,
            }
            for status in report.inputs
        ],
        "tests": {
            **_counts(tests.counts),
            "stages": {stage: _counts(counts) for stage, counts in tests.stages.items()},
            "new_failures": list(tests.new_failures),
            "fixed": list(tests.fixed),
            "still_failing": list(tests.still_failing),
            "newly_skipped": list(tests.newly_skipped),
            "removed": list(tests.removed),
            "failing": list(tests.failing),
            "skipped_tests": list(tests.skipped_ids),
            "flaky_tests": sorted(case.id for case in tests.cases if case.flaky),
            "known_flaky": list(tests.known_flaky),
        },
        "coverage": _coverage(report),
        "benchmarks": _benchmarks(report),
        "gates": [{"name": g.name, "passed": g.passed, "detail": g.detail} for g in report.gates],
        "baseline": _baseline(report.baseline),
        "run": _run(report.run),
    }


def render_json(report: Report) -> str:
    """``report.json``'s text: indented, keys in contract order, ending in a newline."""
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"
