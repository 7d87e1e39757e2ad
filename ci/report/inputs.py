"""The head's inputs, parsed: what the report reads before it compares and decides.

:func:`read_inputs` parses every discovered input (an unreadable one becomes a status
with its one-line error); the stage floors' per-stage coverage and the base side of a
same-runner benchmark comparison (``reports/benchmark-base/``) are read here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ci.config import TEST_STAGES, Settings
from ci.errors import InputError
from ci.report import discover
from ci.report.model import (
    BenchmarkRun,
    Counts,
    CoverageReport,
    InputKind,
    InputStatus,
    JUnitReport,
    Outcome,
    StageCoverage,
    TestsResult,
)
from ci.report.parse.benchmark import parse_benchmark
from ci.report.parse.coverage import parse_coverage
from ci.report.parse.junit import parse_junit

__all__ = [
    "BENCHMARK_BASE",
    "HeadInputs",
    "benchmark_base",
    "missing_artifacts",
    "read_inputs",
    "stage_coverage",
]

_FAILING = (Outcome.FAILED, Outcome.ERROR)
#: Where `nox -s benchmark -- --compare REF` leaves the base side's runs, under ``reports``.
BENCHMARK_BASE = "benchmark-base"


def missing_artifacts(reports: Path, expect: Sequence[str]) -> list[str]:
    """One line per artifact an expected stage should have left and did not."""
    missing = []
    for stage in expect:
        if stage == "benchmark":
            if not any((reports / "benchmark").glob("*.json")):
                missing.append(f"{reports / 'benchmark'}/*.json (run `nox -s benchmark` first)")
            continue
        junit = reports / "junit"
        if not (junit / f"{stage}.xml").is_file() and not any(junit.glob(f"{stage}-shard-*.xml")):
            missing.append(f"{reports / 'junit' / f'{stage}.xml'} (run `nox -s {stage}` first)")
        if stage in TEST_STAGES and not any((reports / "coverage").glob(f".coverage.{stage}.*")):
            missing.append(
                f"{reports / 'coverage' / f'.coverage.{stage}.*'} (run `nox -s {stage}` first)"
            )
    return missing


@dataclass(frozen=True, kw_only=True, slots=True)
class HeadInputs:
    """What the head's inputs hold, parsed."""

    statuses: list[InputStatus]
    tests: TestsResult
    coverage: CoverageReport | None
    runs: list[BenchmarkRun]
    #: Every test id, when asked for (a baseline comparison needs them).
    ids: frozenset[str] | None
    #: Every test's duration in seconds by id, with ``ids`` (a later file wins).
    durations: Mapping[str, float] | None
    #: The coverage data files of each stage (``.coverage.<stage>.*``), for stage floors.
    stage_data: dict[str, list[Path]]


def read_inputs(
    found: Sequence[discover.Input],
    *,
    project: Path,
    rcfile: Path | None = None,
    ids: bool = False,
) -> HeadInputs:
    """Parse every discovered input; an unreadable one becomes a status with its error.

    ``rcfile`` is the coverage configuration the stages measured with (relative paths,
    branches, the same sources), so their data files combine the way they were written.
    """
    statuses: list[InputStatus] = []
    junit: list[JUnitReport] = []
    runs: list[BenchmarkRun] = []
    coverage: CoverageReport | None = None
    stage_data: dict[str, list[Path]] = {}
    for item in found:
        error = item.error
        if error is None:
            try:
                if item.kind is InputKind.JUNIT:
                    junit.append(parse_junit(item.path, ids=ids))
                elif item.kind is InputKind.COVERAGE and coverage is not None:
                    error = (
                        f"{item.path}: a second coverage input beside {coverage.paths[0]}; "
                        "give the report one coverage format (data files, JSON or Cobertura)"
                    )
                elif item.kind is InputKind.COVERAGE:
                    coverage = parse_coverage(item.paths, project=project, rcfile=rcfile)
                    for path in item.paths:
                        stage = path.name.split(".")[2] if path.name.count(".") >= 2 else ""
                        stage_data.setdefault(stage, []).append(path)
                elif item.kind is InputKind.BENCHMARK:
                    runs.append(parse_benchmark(item.path))
            except InputError as exc:
                error = str(exc)
        statuses.append(InputStatus(path=str(item.path), kind=item.kind, error=error))
    stages: dict[str, Counts] = {}
    for result in junit:
        stages[result.stage] = stages.get(result.stage, Counts()) + result.counts
    cases = tuple(case for r in junit for case in r.cases)
    tests = TestsResult(
        counts=sum((r.counts for r in junit), start=Counts()),
        stages=stages,
        cases=cases,
        failing=tuple(sorted({c.id for c in cases if c.outcome in _FAILING})),
        skipped_ids=tuple(sorted({i for r in junit for i in r.skipped_ids})),
    )
    durations = {i: s for r in junit for i, s in (r.durations or {}).items()} if ids else None
    head_ids = None if durations is None else frozenset(durations)
    return HeadInputs(
        statuses=statuses,
        tests=tests,
        coverage=coverage,
        runs=runs,
        ids=head_ids,
        durations=durations,
        stage_data=stage_data,
    )


def benchmark_base(reports: Path) -> tuple[list[BenchmarkRun], list[InputStatus]]:
    """The base runs `nox -s benchmark -- --compare REF` left in ``reports/benchmark-base/``."""
    runs: list[BenchmarkRun] = []
    statuses: list[InputStatus] = []
    for path in sorted((reports / BENCHMARK_BASE).glob("*.json")):
        try:
            runs.append(parse_benchmark(path))
            statuses.append(InputStatus(path=str(path), kind=InputKind.BENCHMARK))
        except InputError as exc:
            statuses.append(InputStatus(path=str(path), kind=InputKind.BENCHMARK, error=str(exc)))
    return runs, statuses


def stage_coverage(
    settings: Settings, head: HeadInputs, project: Path, rcfile: Path | None
) -> tuple[list[StageCoverage], list[InputStatus]]:
    """The coverage of each stage with its own floor, from that stage's data files alone."""
    found: list[StageCoverage] = []
    statuses: list[InputStatus] = []
    for stage, spec in settings.stage.items():
        if spec.fail_under is None:
            continue
        paths = head.stage_data.get(stage)
        if not paths:
            error = (
                f"coverage-{stage}: no coverage data of stage {stage!r} (.coverage.{stage}.*) "
                f"for its floor; run `nox -s {stage}` first"
            )
            statuses.append(InputStatus(path=f".coverage.{stage}.*", kind=None, error=error))
            continue
        try:
            coverage = parse_coverage(paths, project=project, rcfile=rcfile)
        except InputError as exc:  # pragma: no cover - the combined read failed first
            statuses.append(InputStatus(path=str(paths[0]), kind=None, error=str(exc)))
            continue
        found.append(
            StageCoverage(stage=stage, percent=coverage.percent, fail_under=spec.fail_under)
        )
    return found, statuses
