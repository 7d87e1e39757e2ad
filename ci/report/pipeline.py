"""The report: artifacts → parse → model → evaluate → render → publish, as a list of calls.

:func:`run` is the whole pipeline; each step lives in its own package and data only flows
forward. Unreadable inputs become :class:`~ci.report.model.InputStatus` values with a
one-line error (exit code 2), and every other input is still reported.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from ci.config import Settings
from ci.coverage_config import coverage_config
from ci.errors import ExitCode, InputError
from ci.history.git import git_facts
from ci.history.steps import coverage_trend, known_flaky, store_run, stored_baseline, trends
from ci.report import discover
from ci.report.baseline import load_baseline
from ci.report.evaluate.benchmarks import benchmark_gate, compare_benchmarks, policy_from_settings
from ci.report.evaluate.coverage_verdicts import (
    coverage_delta,
    coverage_lost,
    max_drop_gate,
    stage_floor_gates,
)
from ci.report.evaluate.diff_coverage import diff_coverage, diff_coverage_gate
from ci.report.evaluate.gates import evaluate_gates, tests_gate
from ci.report.evaluate.outcomes import compare_tests, new_failures_gate
from ci.report.evaluate.quarantine import quarantine_gate
from ci.report.inputs import benchmark_base, missing_artifacts, read_inputs, stage_coverage
from ci.report.model import (
    Baseline,
    BenchmarkComparison,
    CoverageReport,
    DiffCoverage,
    GateResult,
    InputStatus,
    Report,
    RunInfo,
    TestsResult,
)
from ci.report.parse.diff import changed_lines
from ci.report.publishing import publish_to_github
from ci.report.render.jsonreport import render_json
from ci.report.render.markdown import render_markdown
from ci.report.render.terminal import render_terminal

__all__ = ["build_report", "publish_mode", "run"]


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


def _run_info(env: Mapping[str, str]) -> RunInfo:
    """The footer's facts: commit and run link from GitHub's variables, and the time now."""
    server, repo, run_id = (
        env.get("GITHUB_SERVER_URL", "https://github.com"),
        env.get("GITHUB_REPOSITORY"),
        env.get("GITHUB_RUN_ID"),
    )
    url = f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else None
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return RunInfo(commit=env.get("GITHUB_SHA") or None, run_url=url, time=now)


def _test_gate(settings: Settings, tests: TestsResult, *, baseline: bool) -> GateResult:
    if settings.fail_on == "new-failures":
        return new_failures_gate(tests, baseline=baseline)
    return tests_gate(tests)


def _trends(
    comparisons: Sequence[BenchmarkComparison],
    coverage: CoverageReport | None,
    settings: Settings,
    history: Path,
    problems: list[str],
) -> tuple[tuple[BenchmarkComparison, ...], tuple[float, ...]]:
    """The benchmarks' and the coverage total's earlier values; a problem joins ``problems``."""
    found, problem = trends(comparisons, settings, history, failed=bool(problems))
    problems += [problem] if problem else []
    totals, problem = coverage_trend(coverage, settings, history, failed=bool(problems))
    problems += [problem] if problem else []
    return found, totals


def build_report(
    settings: Settings,
    *,
    project: Path,
    paths: Sequence[Path],
    expect: Sequence[str] | None,
    env: Mapping[str, str] | None = None,
) -> tuple[Report, list[str]]:
    """Artifacts → parse → model → evaluate: the report, and the expected artifacts missing."""
    env = {} if env is None else env
    reports = project / settings.reports
    missing = missing_artifacts(reports, expect or ())
    found = discover.discover(list(paths))
    baseline: Baseline | None = None
    history, facts = project / settings.history, git_facts(project, env)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="noxci-") as tmp:
        rcfile = Path(tmp) / "coverage.toml"
        rcfile.write_text(
            coverage_config(project, settings, Path(tmp) / ".coverage"), encoding="utf-8"
        )
        head = read_inputs(found, project=project, rcfile=rcfile, ids=True)
        statuses = list(head.statuses)
        if settings.baseline is not None:
            baseline, base_statuses = load_baseline(
                project / settings.baseline, project=project, rcfile=rcfile
            )
            statuses += base_statuses
        else:
            baseline, problem = stored_baseline(settings, history, facts)
            problems += [problem] if problem else []
        stages, stage_errors = stage_coverage(settings, head, project, rcfile)
    statuses += stage_errors
    base_runs, compare_statuses = benchmark_base(reports)
    statuses += compare_statuses
    if not base_runs and baseline is not None:
        base_runs = list(baseline.benchmark_runs)
    tests = head.tests
    if baseline is not None and head.ids is not None:
        tests = compare_tests(tests, baseline, head.ids)
    flaky, problem = known_flaky(tests, history, facts, failed=bool(problems))
    problems += [problem] if problem else []
    tests = dataclasses.replace(tests, known_flaky=flaky)
    diff, diff_error = _diff_coverage(settings, project, head.coverage)
    if diff_error is not None:
        statuses.append(diff_error)
    comparisons = compare_benchmarks(head.runs, base_runs or None, policy_from_settings(settings))
    comparisons, coverage_history = _trends(comparisons, head.coverage, settings, history, problems)
    delta = coverage_delta(head.coverage, baseline)
    gates = [
        *evaluate_gates(
            inputs=statuses,
            missing=missing,
            tests=tests,
            coverage=head.coverage,
            fail_under=settings.fail_under,
        )
    ]
    gates[1] = quarantine_gate(
        tests, settings.quarantine, lambda t: _test_gate(settings, t, baseline=baseline is not None)
    )
    gates += stage_floor_gates(stages)
    if settings.max_drop is not None:
        gates.append(max_drop_gate(delta, settings.max_drop))
    if diff_error is None and _wants_diff(settings):
        gates.append(
            diff_coverage_gate(diff, mode=settings.diff_mode, fail_under=settings.diff_fail_under)
        )
    if base_runs and comparisons:
        gates.append(benchmark_gate(comparisons))
    report = Report(
        inputs=tuple(statuses),
        tests=tests,
        coverage=head.coverage,
        benchmarks=tuple(head.runs),
        gates=tuple(gates),
        diff=diff,
        comparisons=comparisons,
        baseline=baseline,
        coverage_delta=delta,
        stage_coverage=tuple(stages),
        coverage_lost=coverage_lost(head.coverage, baseline),
        coverage_history=coverage_history,
        run=_run_info(env),
    )
    problem = store_run(
        report,
        history,
        facts=facts,
        ids=head.ids,
        env=env,
        durations=head.durations,
        failed=bool(problems),
    )
    for line in [*problems, *([problem] if problem else [])]:
        print(f"noxci: warning: {line} (report made without history)", file=sys.stderr)
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
    report, missing = build_report(settings, project=project, paths=paths, expect=expect, env=env)
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
