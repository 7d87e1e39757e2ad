"""Small reports to store: built from the model directly, every figure known."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ci.report.model import (
    Benchmark,
    BenchmarkRun,
    CommitInfo,
    Counts,
    CoverageFormat,
    CoverageReport,
    CoverageTotals,
    FileCoverage,
    MachineInfo,
    Outcome,
    Report,
    RunInfo,
    TestCase,
    TestsResult,
)
from ci.report.samples import stats_of

__all__ = ["bench_file", "bench_run", "coverage", "make_report", "outcomes_of"]

_FAILING = (Outcome.FAILED, Outcome.ERROR)


def _case(test: str, outcome: Outcome, *, flaky: bool = False) -> TestCase:
    classname, _, name = test.rpartition("::")
    return TestCase(
        stage="unit", classname=classname, name=name, outcome=outcome, duration_s=0.5, flaky=flaky
    )


def make_report(
    outcomes: Mapping[str, Outcome],
    *,
    flaky: Sequence[str] = (),
    time: str = "2026-11-20T10:00:00Z",
    cover: CoverageReport | None = None,
    benchmarks: Sequence[BenchmarkRun] = (),
) -> Report:
    """A report whose tests have these outcomes (ids ``classname::name``)."""
    cases = [_case(t, o) for t, o in outcomes.items() if o in _FAILING]
    cases += [_case(t, Outcome.PASSED, flaky=True) for t in flaky]
    count = {o: sum(v is o for v in outcomes.values()) for o in Outcome}
    tests = TestsResult(
        counts=Counts(
            total=len(outcomes),
            passed=count[Outcome.PASSED],
            failed=count[Outcome.FAILED],
            errors=count[Outcome.ERROR],
            skipped=count[Outcome.SKIPPED],
            flaky=len(flaky),
            duration_s=1.5,
        ),
        cases=tuple(cases),
        failing=tuple(sorted(t for t, o in outcomes.items() if o in _FAILING)),
        skipped_ids=tuple(sorted(t for t, o in outcomes.items() if o is Outcome.SKIPPED)),
    )
    return Report(
        inputs=(),
        tests=tests,
        coverage=cover,
        benchmarks=tuple(benchmarks),
        gates=(),
        run=RunInfo(time=time, run_url="https://ci.example/run/1"),
    )


def outcomes_of(**by_name: str) -> dict[str, Outcome]:
    """``a="passed"`` → ``{"t::a": Outcome.PASSED}``."""
    return {f"t::{name}": Outcome(value) for name, value in by_name.items()}


def coverage(**files: tuple[int, int]) -> CoverageReport:
    """Coverage of files with (covered, statements) lines, no branches."""
    entries = tuple(
        FileCoverage(
            path=path.replace("_", "/") + ".py",
            totals=CoverageTotals(covered_lines=covered, num_statements=statements),
        )
        for path, (covered, statements) in sorted(files.items())
    )
    totals = sum((entry.totals for entry in entries), start=CoverageTotals())
    return CoverageReport(
        format=CoverageFormat.JSON, paths=(Path("coverage.json"),), files=entries, totals=totals
    )


def bench_run(**timings: Sequence[float]) -> BenchmarkRun:
    """One pytest-benchmark file (of machine ``box``) with these benchmarks' round timings."""
    return bench_file(timings)


def bench_file(timings: Mapping[str, Sequence[float]], *, node: str = "box") -> BenchmarkRun:
    """One pytest-benchmark file of machine ``node`` with these benchmarks' round timings."""
    benches = tuple(
        Benchmark(name=name, fullname=f"b.py::{name}", stats=stats_of(data), data=tuple(data))
        for name, data in timings.items()
    )
    return BenchmarkRun(
        path=Path("bench.json"),
        version="5.1.0",
        datetime=None,
        machine_info=MachineInfo(
            node=node, cpu="cpu", python_implementation="CPython", python_version="3.11.7"
        ),
        commit_info=CommitInfo(),
        benchmarks=benches,
    )
