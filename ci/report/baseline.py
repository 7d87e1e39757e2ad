"""The base side of a comparison: a previous ``report.json``, or a directory of artifacts.

``python -m ci report --baseline PATH`` reads it into a :class:`~ci.report.model.Baseline`.

- A **directory** is read like the report's own inputs (recognised by content): every
  JUnit file gives each test's final outcome (all of them, so "removed" and "fixed" are
  exact); coverage JSON or Cobertura gives the total and per-file figures; each
  pytest-benchmark JSON file is one run. A ``report.json`` at its top fills what the
  artifacts leave out (coverage, typically: coverage *data* files are read against the
  current sources, which is only right when they have not changed, so a ``report.json``
  beside them wins).
- A **``report.json``** (schema ``noxci.report/1``) lists its failing and skipped tests
  (not its passing ones: ``tests_complete`` is False), its coverage per file, and each
  benchmark run as quantiles of its rounds (:mod:`ci.report.samples`).

A problem becomes an :class:`~ci.report.model.InputStatus` with a one-line error (the
report then exits 2); everything readable is still used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ci.errors import InputError
from ci.report import discover
from ci.report.model import (
    Baseline,
    Benchmark,
    BenchmarkRun,
    CommitInfo,
    CoverageReport,
    InputKind,
    InputStatus,
    MachineInfo,
    Outcome,
)
from ci.report.parse._json import load_json
from ci.report.parse.benchmark import parse_benchmark
from ci.report.parse.coverage import parse_coverage
from ci.report.parse.junit import parse_junit
from ci.report.samples import stats_of

__all__ = ["REPORT_SCHEMA", "coverage_files", "load_baseline"]

REPORT_SCHEMA = "noxci.report/1"
_REMEDY = "give a report.json written by `noxci report`, or a directory of base artifacts"


def coverage_files(coverage: CoverageReport) -> dict[str, tuple[int, int]]:
    """Per file: (covered, coverable) counted like coverage.py's total (lines + branches)."""
    return {
        entry.path: (
            entry.totals.covered_lines + entry.totals.covered_branches,
            entry.totals.num_statements + entry.totals.num_branches,
        )
        for entry in coverage.files
    }


def load_baseline(
    path: Path, *, project: Path, rcfile: Path | None = None
) -> tuple[Baseline | None, list[InputStatus]]:
    """Read the baseline at ``path``; problems come back as statuses with an error."""
    if path.is_dir():
        return _from_directory(path, project=project, rcfile=rcfile)
    if not path.is_file():
        problem = "is not a regular file" if path.exists() else "no such file or directory"
        error = f"baseline {path}: {problem}; {_REMEDY}"
        return None, [InputStatus(path=str(path), kind=None, error=error)]
    try:
        document = _report_document(path)
    except InputError as exc:
        return None, [InputStatus(path=str(path), kind=None, error=str(exc))]
    return _from_report(document, source=str(path)), [InputStatus(path=str(path), kind=None)]


def _report_document(path: Path) -> dict[str, Any]:
    """A ``report.json``'s content, checked to be one."""
    document = load_json(path, what="baseline", remedy=_REMEDY)
    if not isinstance(document, dict) or document.get("schema") != REPORT_SCHEMA:
        msg = f"baseline {path}: not a noxci report.json (schema {REPORT_SCHEMA}); {_REMEDY}"
        raise InputError(msg)
    return document


def _obj(value: object) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (a baseline is read leniently)."""
    return value if isinstance(value, dict) else {}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _ids(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _from_report(document: Mapping[str, Any], *, source: str) -> Baseline:
    """A baseline from a ``report.json`` document."""
    tests = _obj(document.get("tests"))
    outcomes = dict.fromkeys(_ids(tests.get("skipped_tests")), Outcome.SKIPPED)
    outcomes |= dict.fromkeys(_ids(tests.get("failing")), Outcome.FAILED)
    coverage = _obj(document.get("coverage"))
    files = {
        path: (int(pair[0]), int(pair[1]))
        for path, pair in _obj(coverage.get("files")).items()
        if isinstance(pair, list) and len(pair) == 2 and all(type(x) is int for x in pair)
    }
    benchmarks = document.get("benchmarks")
    commit = _obj(document.get("run")).get("commit")
    return Baseline(
        source=source,
        outcomes=outcomes,
        tests_complete=False,
        coverage_percent=_number(coverage.get("percent")),
        coverage_files=files,
        benchmark_runs=_runs_from_report(
            benchmarks if isinstance(benchmarks, list) else [], source
        ),
        commit=commit if isinstance(commit, str) else None,
    )


def _runs_from_report(entries: list[Any], source: str) -> tuple[BenchmarkRun, ...]:
    """The head runs a ``report.json`` kept (as quantiles), as benchmark runs again."""
    by_run: dict[int, list[Benchmark]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        runs = entry.get("runs")
        for index, data in enumerate(runs if isinstance(runs, list) else []):
            values = data if isinstance(data, list) else []
            timings = tuple(x for x in map(_number, values) if x is not None and x >= 0)
            if timings:
                name = entry["name"]
                bench = Benchmark(
                    name=name.rpartition("::")[2],
                    fullname=name,
                    stats=stats_of(timings),
                    data=timings,
                )
                by_run.setdefault(index, []).append(bench)
    return tuple(
        BenchmarkRun(
            path=Path(f"{source}#run-{index + 1}"),
            version="noxci",
            datetime=None,
            machine_info=MachineInfo(),
            commit_info=CommitInfo(),
            benchmarks=tuple(benches),
        )
        for index, benches in sorted(by_run.items())
    )


def _from_directory(
    root: Path, *, project: Path, rcfile: Path | None
) -> tuple[Baseline | None, list[InputStatus]]:
    """A baseline from a directory of artifacts (and the ``report.json`` at its top)."""
    statuses: list[InputStatus] = []
    outcomes: dict[str, Outcome] = {}
    coverage: CoverageReport | None = None
    runs: list[BenchmarkRun] = []
    junit_read = junit_failed = False
    for item in discover.discover([root]):
        error = item.error
        if error is None:
            try:
                if item.kind is InputKind.JUNIT:
                    _add_outcomes(outcomes, item.path)
                    junit_read = True
                elif item.kind is InputKind.COVERAGE and coverage is None:
                    coverage = parse_coverage(item.paths, project=project, rcfile=rcfile)
                elif item.kind is InputKind.BENCHMARK:
                    runs.append(parse_benchmark(item.path))
            except InputError as exc:
                error = str(exc)
        junit_failed = junit_failed or (item.kind is InputKind.JUNIT and error is not None)
        statuses.append(InputStatus(path=str(item.path), kind=item.kind, error=error))
    report = _nested_report(root, statuses)
    baseline = _combine(root, report, outcomes if junit_read else None, coverage, runs)
    if baseline is not None and junit_failed:  # an unreadable JUnit file hides some tests
        baseline = dataclasses.replace(baseline, tests_complete=False)
    return baseline, statuses


def _add_outcomes(outcomes: dict[str, Outcome], path: Path) -> None:
    """Every test of one JUnit file by its final outcome."""
    result = parse_junit(path, ids=True)
    outcomes.update(dict.fromkeys(result.ids or (), Outcome.PASSED))
    outcomes.update(dict.fromkeys(result.skipped_ids, Outcome.SKIPPED))
    outcomes.update((case.id, case.outcome) for case in result.cases)


def _nested_report(root: Path, statuses: list[InputStatus]) -> Baseline | None:
    """The ``report.json`` at the directory's top, if there is one."""
    path = root / "report.json"
    if not path.is_file():
        return None
    try:
        document = _report_document(path)
    except InputError as exc:
        statuses.append(InputStatus(path=str(path), kind=None, error=str(exc)))
        return None
    statuses.append(InputStatus(path=str(path), kind=None))
    return _from_report(document, source=str(path))


def _combine(
    root: Path,
    report: Baseline | None,
    outcomes: dict[str, Outcome] | None,
    coverage: CoverageReport | None,
    runs: list[BenchmarkRun],
) -> Baseline | None:
    """Artifacts first; the nested ``report.json`` for what they leave out."""
    if report is None and outcomes is None and coverage is None and not runs:
        return None
    use_report_coverage = report is not None and (
        coverage is None or report.coverage_percent is not None
    )
    if use_report_coverage and report is not None:
        percent, files = report.coverage_percent, dict(report.coverage_files)
    elif coverage is not None:
        percent, files = coverage.percent, coverage_files(coverage)
    else:
        percent, files = None, {}
    return Baseline(
        source=str(root),
        outcomes=outcomes if outcomes is not None else dict(report.outcomes if report else {}),
        tests_complete=outcomes is not None,
        coverage_percent=percent,
        coverage_files=files,
        benchmark_runs=tuple(runs) or (report.benchmark_runs if report else ()),
        commit=_commit(report, runs),
    )


def _commit(report: Baseline | None, runs: list[BenchmarkRun]) -> str | None:
    if report is not None and report.commit:
        return report.commit
    return next((run.commit_info.id for run in runs if run.commit_info.id), None)
