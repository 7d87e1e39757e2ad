"""Writing one report into the results store, and keeping the store to a bounded size.

:func:`record_run` stores a run's metadata, every test's outcome (and duration where
known), coverage per file and each benchmark run's summary with the quantiles of its
rounds (enough to serve as a later report's baseline), all in one transaction. Then the
branch's oldest runs beyond ``keep`` are pruned, with everything they own.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import sqlite3
from collections.abc import Iterable, Mapping, Set
from pathlib import Path
from typing import Final

from ci.history.schema import OUTCOME_CODES
from ci.history.store import writing
from ci.report.baseline import coverage_files
from ci.report.model import BenchmarkRun, Outcome, Report, TestsResult
from ci.report.samples import quantiles

__all__ = ["DEFAULT_KEEP", "head_outcomes", "prune", "record_run"]

#: How many runs of each branch the store keeps.
DEFAULT_KEEP: Final = 200


def record_run(
    path: Path,
    report: Report,
    *,
    commit: str | None,
    branch: str | None,
    outcomes: Mapping[str, Outcome] | None,
    env: Mapping[str, str],
    durations: Mapping[str, float] | None = None,
    keep: int = DEFAULT_KEEP,
) -> int:
    """Store ``report`` as a run of ``commit`` on ``branch``; return the new run's id.

    ``outcomes`` holds every test's final outcome (``None``: only the failing, flaky and
    skipped tests the report keeps are stored, and the run is marked incomplete).
    ``durations`` gives seconds per test id (failing tests' durations come from the report).
    Raises :class:`~ci.errors.InputError` when the store cannot be used.
    """
    tests = report.tests
    stored = _outcomes(report) if outcomes is None else dict(outcomes)
    seconds = {case.id: case.duration_s for case in tests.cases} | dict(durations or {})
    flaky = {case.id for case in tests.cases if case.flaky}
    with writing(path) as db:
        run_id = _insert_run(
            db, report, commit=commit, branch=branch, env=env, complete=outcomes is not None
        )
        _insert_tests(db, run_id, stored, seconds, flaky)
        if report.coverage is not None:
            db.executemany(
                "INSERT INTO coverage (run_id, file, covered, coverable) VALUES (?, ?, ?, ?)",
                ((run_id, f, c, n) for f, (c, n) in coverage_files(report.coverage).items()),
            )
        _insert_benchmarks(db, run_id, report.benchmarks)
        _prune(db, branch, keep)
    return run_id


def head_outcomes(tests: TestsResult, ids: Set[str] | None) -> dict[str, Outcome] | None:
    """Every test's final outcome, from the head's ids (``None`` when they were not read)."""
    if ids is None:
        return None
    found = dict.fromkeys(ids, Outcome.PASSED)
    found |= dict.fromkeys(tests.skipped_ids, Outcome.SKIPPED)
    found |= {case.id: case.outcome for case in tests.cases}
    return found


def _outcomes(report: Report) -> dict[str, Outcome]:
    """What a report alone says about its tests: the skipped, failing and flaky ones."""
    found = dict.fromkeys(report.tests.skipped_ids, Outcome.SKIPPED)
    found |= {case.id: case.outcome for case in report.tests.cases}
    return found


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _insert_run(
    db: sqlite3.Connection,
    report: Report,
    *,
    commit: str | None,
    branch: str | None,
    env: Mapping[str, str],
    complete: bool,
) -> int:
    counts = report.tests.counts
    cursor = db.execute(
        "INSERT INTO runs (commit_sha, branch, time, machine, run_url, ref, tests_complete,"
        " total, passed, failed, errors, skipped, duration_s, coverage_percent)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            commit,
            branch,
            report.run.time or _now(),
            env.get("RUNNER_NAME") or platform.node(),
            report.run.run_url,
            env.get("GITHUB_REF"),
            int(complete),
            counts.total,
            counts.passed,
            counts.failed,
            counts.errors,
            counts.skipped,
            counts.duration_s,
            None if report.coverage is None else report.coverage.percent,
        ),
    )
    run_id = cursor.lastrowid
    assert run_id is not None  # an INSERT always sets it
    return run_id


def _insert_tests(
    db: sqlite3.Connection,
    run_id: int,
    outcomes: Mapping[str, Outcome],
    seconds: Mapping[str, float],
    flaky: Set[str],
) -> None:
    """Every test's outcome, duration and flakiness, its id interned in ``test_ids``."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS incoming"
        " (name TEXT PRIMARY KEY, outcome INTEGER, duration_s REAL, flaky INTEGER)"
    )
    db.execute("DELETE FROM incoming")
    db.executemany(
        "INSERT INTO incoming VALUES (?, ?, ?, ?)",
        (
            (test, OUTCOME_CODES[outcome], seconds.get(test), int(test in flaky))
            for test, outcome in outcomes.items()
        ),
    )
    db.execute("INSERT OR IGNORE INTO test_ids (name) SELECT name FROM incoming")
    db.execute(
        "INSERT INTO tests (run_id, test, outcome, duration_s, flaky)"
        " SELECT ?, t.id, i.outcome, i.duration_s, i.flaky"
        " FROM incoming AS i JOIN test_ids AS t ON t.name = i.name",
        (run_id,),
    )
    db.execute("DELETE FROM incoming")


def _insert_benchmarks(db: sqlite3.Connection, run_id: int, runs: Iterable[BenchmarkRun]) -> None:
    """Each benchmark run's machine and each benchmark's statistics and quantiles."""
    for index, run in enumerate(runs):
        info = run.machine_info
        db.execute(
            "INSERT INTO bench_runs VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, index, info.node, info.cpu, info.python_implementation, info.python_version),
        )
        db.executemany(
            "INSERT OR REPLACE INTO benchmarks VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    run_id,
                    index,
                    bench.fullname,
                    bench.stats.median,
                    bench.stats.mean,
                    bench.stats.min,
                    json.dumps(quantiles(bench.data or (bench.stats.median,))),
                )
                for bench in run.benchmarks
            ),
        )


def _prune(db: sqlite3.Connection, branch: str | None, keep: int) -> int:
    """Delete the branch's runs older than its newest ``keep``; return how many went."""
    doomed = [
        row[0]
        for row in db.execute(
            "SELECT id FROM runs WHERE branch IS ? ORDER BY id DESC LIMIT -1 OFFSET ?",
            (branch, max(keep, 0)),
        )
    ]
    if not doomed:
        return 0
    db.executemany("DELETE FROM runs WHERE id = ?", ((run,) for run in doomed))
    db.execute(
        "DELETE FROM test_ids WHERE NOT EXISTS (SELECT 1 FROM tests WHERE tests.test = test_ids.id)"
    )
    return len(doomed)


def prune(path: Path, *, branch: str | None, keep: int = DEFAULT_KEEP) -> int:
    """Keep only the newest ``keep`` runs of ``branch``; return how many runs were deleted."""
    with writing(path) as db:
        return _prune(db, branch, keep)
