"""The report: artifacts → parse → model → evaluate → render → publish, as a list of calls.

:func:`run` is the whole pipeline; each step lives in its own package and data only flows
forward. Unreadable inputs become :class:`~ci.report.model.InputStatus` values with a
one-line error (exit code 2), and every other input is still reported.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ci.config import TEST_STAGES, Settings
from ci.coverage_config import coverage_config
from ci.errors import ExitCode, InputError
from ci.report import discover
from ci.report.evaluate.diff_coverage import diff_coverage, diff_coverage_gate
from ci.report.evaluate.gates import evaluate_gates
from ci.report.model import (
    BenchmarkRun,
    Counts,
    CoverageReport,
    DiffCoverage,
    InputKind,
    InputStatus,
    Report,
    TestsResult,
)
from ci.report.parse.benchmark import parse_benchmark
from ci.report.parse.coverage import parse_coverage
from ci.report.parse.diff import changed_lines
from ci.report.parse.junit import parse_junit
from ci.report.publishing import publish_to_github
from ci.report.render.jsonreport import render_json
from ci.report.render.markdown import render_markdown
from ci.report.render.terminal import render_terminal

__all__ = ["build_report", "missing_artifacts", "publish_mode", "read_inputs", "run"]


def missing_artifacts(reports: Path, expect: Sequence[str]) -> list[str]:
    """One line per artifact an expected stage should have left and did not."""
    missing = []
    for stage in expect:
        if stage == "benchmark":
            if not any((reports / "benchmark").glob("*.json")):
                missing.append(f"{reports / 'benchmark'}/*.json (run `nox -s benchmark` first)")
            continue
        if not (reports / "junit" / f"{stage}.xml").is_file():
            missing.append(f"{reports / 'junit' / f'{stage}.xml'} (run `nox -s {stage}` first)")
        if stage in TEST_STAGES and not any((reports / "coverage").glob(f".coverage.{stage}.*")):
            missing.append(
                f"{reports / 'coverage' / f'.coverage.{stage}.*'} (run `nox -s {stage}` first)"
            )
    return missing


def read_inputs(
    found: Sequence[discover.Input], *, project: Path, rcfile: Path | None = None
) -> tuple[list[InputStatus], TestsResult, CoverageReport | None, list[BenchmarkRun]]:
    """Parse every discovered input; an unreadable one becomes a status with its error.

    ``rcfile`` is the coverage configuration the stages measured with (relative paths,
    branches, the same sources), so their data files combine the way they were written.
    """
    statuses: list[InputStatus] = []
    junit = []
    runs: list[BenchmarkRun] = []
    coverage: CoverageReport | None = None
    for item in found:
        error = item.error
        if error is None:
            try:
                if item.kind is InputKind.JUNIT:
                    junit.append(parse_junit(item.path))
                elif item.kind is InputKind.COVERAGE and coverage is not None:
                    error = (
                        f"{item.path}: a second coverage input beside {coverage.paths[0]}; "
                        "give the report one coverage format (data files, JSON or Cobertura)"
                    )
                elif item.kind is InputKind.COVERAGE:
                    coverage = parse_coverage(item.paths, project=project, rcfile=rcfile)
                elif item.kind is InputKind.BENCHMARK:
                    runs.append(parse_benchmark(item.path))
            except InputError as exc:
                error = str(exc)
        statuses.append(InputStatus(path=str(item.path), kind=item.kind, error=error))
    stages: dict[str, Counts] = {}
    for result in junit:
        stages[result.stage] = stages.get(result.stage, Counts()) + result.counts
    tests = TestsResult(
        counts=sum((r.counts for r in junit), start=Counts()),
        stages=stages,
        cases=tuple(case for r in junit for case in r.cases),
    )
    return statuses, tests, coverage, runs


def _wants_diff(settings: Settings) -> bool:
    return bool(settings.diff_base or settings.diff_file)


def _diff_coverage(
    settings: Settings, project: Path, coverage: CoverageReport | None
) -> tuple[DiffCoverage | None, InputStatus | None]:
    """The coverage of the changed lines, or the one-line reason the diff could not be read."""
    try:
        changed = changed_lines(project, base=settings.diff_base, diff_file=settings.diff_file)
    except InputError as exc:
        where = str(settings.diff_file or settings.diff_base)
        return None, InputStatus(path=where, kind=None, error=str(exc))
    if changed is None or coverage is None:
        return None, None
    diff = diff_coverage(
        changed.files, coverage, project=project.resolve(), root=changed.root, source=changed.source
    )
    return diff, None


def build_report(
    settings: Settings, *, project: Path, paths: Sequence[Path], expect: Sequence[str] | None
) -> tuple[Report, list[str]]:
    """Artifacts → parse → model → evaluate: the report, and the expected artifacts missing."""
    reports = project / settings.reports
    missing = missing_artifacts(reports, expect or ())
    found = discover.discover(list(paths))
    with tempfile.TemporaryDirectory(prefix="noxci-") as tmp:
        rcfile = Path(tmp) / "coverage.toml"
        rcfile.write_text(
            coverage_config(project, settings, Path(tmp) / ".coverage"), encoding="utf-8"
        )
        statuses, tests, coverage, runs = read_inputs(found, project=project, rcfile=rcfile)
    diff, diff_error = _diff_coverage(settings, project, coverage)
    if diff_error is not None:
        statuses.append(diff_error)
    gates = evaluate_gates(
        inputs=statuses,
        missing=missing,
        tests=tests,
        coverage=coverage,
        fail_under=settings.fail_under,
    )
    if diff_error is None and _wants_diff(settings):
        gates = (
            *gates,
            diff_coverage_gate(diff, mode=settings.diff_mode, fail_under=settings.diff_fail_under),
        )
    report = Report(
        inputs=tuple(statuses),
        tests=tests,
        coverage=coverage,
        benchmarks=tuple(runs),
        gates=gates,
        diff=diff,
    )
    return report, missing


def publish_mode(settings: Settings, env: Mapping[str, str]) -> str:
    """``--publish``, or github inside GitHub Actions and local outside."""
    if settings.publish is not None:
        return settings.publish
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "local"


def run(
    settings: Settings,
    *,
    project: Path,
    paths: Sequence[Path],
    expect: Sequence[str] | None,
    output_format: str,
    output: Path | None,
    env: Mapping[str, str] | None = None,
) -> int:
    """The whole report; return the exit code (0 pass, 1 gate failed, 2 bad input, 3 publish)."""
    env = {} if env is None else env
    report, missing = build_report(settings, project=project, paths=paths, expect=expect)
    markdown = render_markdown(report)
    mode = publish_mode(settings, env)
    reports = project / settings.reports
    if mode != "none" and reports.is_dir():
        (reports / "report.json").write_text(render_json(report), encoding="utf-8")
        (reports / "report.md").write_text(markdown, encoding="utf-8")
    renderers = {"json": render_json, "markdown": render_markdown}
    text = renderers.get(output_format, render_terminal)(report)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    for line in missing:
        print(f"noxci: error: missing artifact {line}", file=sys.stderr)
    for status in report.inputs:
        if status.error is not None:
            print(f"noxci: error: {status.error}", file=sys.stderr)
    if missing or any(not s.ok for s in report.inputs):
        verdict: int = ExitCode.USAGE
    else:
        verdict = ExitCode.OK if report.passed else ExitCode.GATE_FAILED
    if mode == "github":
        return publish_to_github(
            report, markdown=markdown, settings=settings, env=env, verdict=verdict
        )
    return verdict
