"""``report.json`` (schema ``noxci.report/1``), exactly as DESIGN.md defines it.

Other tools and our own checks read this document, so it is versioned and only grows:
a field is never renamed or removed without a new schema version.
"""

from __future__ import annotations

import json
from typing import Any, Final

from ci.report.model import BenchmarkRun, Counts, CoverageReport, DiffCoverage, Report

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


def _coverage(coverage: CoverageReport | None, diff: DiffCoverage | None) -> dict[str, Any] | None:
    if coverage is None:
        return None
    totals = coverage.totals
    return {
        "percent": coverage.percent,
        "covered_lines": totals.covered_lines,
        "num_statements": totals.num_statements,
        "covered_branches": totals.covered_branches,
        "num_branches": totals.num_branches,
        "delta": None,
        "diff": _diff(diff),
    }


def _benchmarks(runs: tuple[BenchmarkRun, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": bench.fullname,
            "unit": "s",
            "base": None,
            "head": bench.stats.median,
            "change": None,
            "low": None,
            "high": None,
            "verdict": "new",
        }
        for run in runs
        for bench in run.benchmarks
    ]


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
        },
        "coverage": _coverage(report.coverage, report.diff),
        "benchmarks": _benchmarks(report.benchmarks),
        "gates": [{"name": g.name, "passed": g.passed, "detail": g.detail} for g in report.gates],
    }


def render_json(report: Report) -> str:
    """``report.json``'s text: indented, keys in contract order, ending in a newline."""
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"
