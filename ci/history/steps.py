"""The report pipeline's history steps: each one call, a problem returned as one line.

:mod:`ci.report.pipeline` calls these in order: :func:`stored_baseline` (without
``--baseline``), :func:`known_flaky` (the failing tests), :func:`trends` (after the
benchmark comparison), :func:`coverage_trend` (the earlier coverage totals) and
:func:`store_run` (once the report is made, with every test's duration). A store
that cannot be used never stops the report: each step returns its one-line problem, the
pipeline prints it as a warning, and once one step has failed the later ones are skipped
(``failed=True``), so the message is printed once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from pathlib import Path

from ci.config import Settings
from ci.errors import InputError
from ci.history.baseline import local_baseline
from ci.history.flaky import flaky_from_history
from ci.history.git import GitFacts
from ci.history.record import head_outcomes, record_run
from ci.history.trends import coverage_history, with_history
from ci.report.model import (
    Baseline,
    BenchmarkComparison,
    CoverageReport,
    Report,
    TestsResult,
)

__all__ = [
    "DEFAULT_REF",
    "baseline_ref",
    "coverage_trend",
    "known_flaky",
    "store_run",
    "stored_baseline",
    "trends",
]

#: The branch a local report compares with when ``baseline-ref`` is not set.
DEFAULT_REF = "main"


def baseline_ref(settings: Settings) -> str:
    """``baseline-ref``, or :data:`DEFAULT_REF`."""
    return settings.baseline_ref or DEFAULT_REF


def stored_baseline(
    settings: Settings, history: Path, facts: GitFacts
) -> tuple[Baseline | None, str | None]:
    """The last stored run of ``baseline-ref`` not of this commit, or the store's problem."""
    try:
        found = local_baseline(history, ref=baseline_ref(settings), exclude_commit=facts.commit)
    except InputError as exc:
        return None, str(exc)
    return found, None


def trends(
    comparisons: Sequence[BenchmarkComparison],
    settings: Settings,
    history: Path,
    *,
    failed: bool = False,
) -> tuple[tuple[BenchmarkComparison, ...], str | None]:
    """``comparisons`` with their earlier values on ``baseline-ref``, or the store's problem."""
    if failed or not comparisons:
        return tuple(comparisons), None
    try:
        return with_history(comparisons, history, branch=baseline_ref(settings)), None
    except InputError as exc:
        return tuple(comparisons), str(exc)


def coverage_trend(
    coverage: CoverageReport | None, settings: Settings, history: Path, *, failed: bool = False
) -> tuple[tuple[float, ...], str | None]:
    """The coverage totals of ``baseline-ref``'s last stored runs, oldest first, or the problem.

    Nothing when this run measured no coverage (there is no chart to draw).
    """
    if failed or coverage is None:
        return (), None
    try:
        return coverage_history(history, branch=baseline_ref(settings)), None
    except InputError as exc:
        return (), str(exc)


def known_flaky(
    tests: TestsResult, history: Path, facts: GitFacts, *, failed: bool = False
) -> tuple[tuple[str, ...], str | None]:
    """The failing tests the store knows to be flaky (sorted), or the store's problem."""
    if failed or not tests.failing:
        return (), None
    head = {case.id: case.outcome for case in tests.cases}
    try:
        found = flaky_from_history(history, tests.failing, commit=facts.commit, head=head)
    except InputError as exc:
        return (), str(exc)
    return tuple(sorted(found)), None


def store_run(
    report: Report,
    history: Path,
    *,
    facts: GitFacts,
    ids: Set[str] | None,
    env: Mapping[str, str],
    durations: Mapping[str, float] | None = None,
    failed: bool = False,
) -> str | None:
    """Record ``report`` in the store; the store's problem, if any.

    ``ids`` are every test the head ran, ``durations`` their seconds (as the JUnit reader
    gives both): the store keeps a duration only beside an outcome.
    """
    if failed:
        return None
    try:
        record_run(
            history,
            report,
            commit=facts.commit,
            branch=facts.branch,
            outcomes=head_outcomes(report.tests, ids),
            env=env,
            durations=durations,
        )
    except InputError as exc:
        return str(exc)
    return None
