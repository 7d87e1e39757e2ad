"""A stored run as the baseline of a local report: the last run of the main branch.

Without ``--baseline``, a local report compares with the newest run the store holds for
``baseline-ref`` (``main`` by default) that is not of the commit being reported, and says
which run that was (``history run 12 (main @ abc1234, 2026-11-20T10:00Z)``). A stored run
has every test's outcome when the report collected them, coverage per file, and each
benchmark run as quantiles of its rounds (:mod:`ci.report.samples`), so the verdicts are
made the same way as against a ``report.json``.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ci.history.schema import OUTCOMES
from ci.history.store import reading
from ci.report.model import (
    Baseline,
    Benchmark,
    BenchmarkRun,
    CommitInfo,
    MachineInfo,
    Outcome,
)
from ci.report.samples import stats_of

__all__ = ["branch_name", "local_baseline", "run_label"]

_PREFIXES = ("refs/heads/", "refs/remotes/origin/", "origin/")


def branch_name(ref: str) -> str:
    """The branch a ref names: ``refs/heads/main``, ``origin/main`` and ``main`` are ``main``."""
    for prefix in _PREFIXES:
        if ref.startswith(prefix):
            return ref.removeprefix(prefix)
    return ref


def run_label(run_id: int, *, branch: str | None, commit: str | None, time: str) -> str:
    """``history run 12 (main @ abc1234, 2026-11-20T10:00Z)``: which stored run, for people."""
    where = " @ ".join(part for part in (branch, commit[:7] if commit else None) if part)
    when = f"{time[:16]}Z" if len(time) >= 16 else time
    details = ", ".join(part for part in (where, when) if part)
    return f"history run {run_id} ({details})"


def local_baseline(path: Path, *, ref: str, exclude_commit: str | None) -> Baseline | None:
    """The newest stored run of ``ref`` not of ``exclude_commit``, as a baseline.

    ``None`` when the store does not exist or holds no such run. Raises
    :class:`~ci.errors.InputError` when the store cannot be read.
    """
    with reading(path) as db:
        if db is None:
            return None
        row = db.execute(
            "SELECT id, commit_sha, branch, time, tests_complete, coverage_percent FROM runs"
            " WHERE branch = ? AND (? IS NULL OR commit_sha IS NOT ?) ORDER BY id DESC LIMIT 1",
            (branch_name(ref), exclude_commit, exclude_commit),
        ).fetchone()
        if row is None:
            return None
        run_id, commit, branch, time, complete, percent = row
        source = run_label(run_id, branch=branch, commit=commit, time=time)
        return Baseline(
            source=source,
            outcomes=_outcomes(db, run_id),
            tests_complete=bool(complete),
            coverage_percent=percent,
            coverage_files={
                file: (covered, coverable)
                for file, covered, coverable in db.execute(
                    "SELECT file, covered, coverable FROM coverage WHERE run_id = ?", (run_id,)
                )
            },
            benchmark_runs=_benchmark_runs(db, run_id, source=source, commit=commit),
            commit=commit,
        )


def _outcomes(db: sqlite3.Connection, run_id: int) -> dict[str, Outcome]:
    rows = db.execute(
        "SELECT n.name, t.outcome FROM tests AS t JOIN test_ids AS n ON n.id = t.test"
        " WHERE t.run_id = ?",
        (run_id,),
    )
    return {name: OUTCOMES[code] for name, code in rows}


def _benchmark_runs(
    db: sqlite3.Connection, run_id: int, *, source: str, commit: str | None
) -> tuple[BenchmarkRun, ...]:
    """Each stored benchmark run rebuilt from its quantiles (statistics recomputed)."""
    benches: dict[int, list[Benchmark]] = {}
    for index, name, stored in db.execute(
        "SELECT idx, name, quantiles FROM benchmarks WHERE run_id = ? ORDER BY idx, name",
        (run_id,),
    ):
        data = tuple(float(x) for x in json.loads(stored))
        bench = Benchmark(
            name=name.rpartition("::")[2], fullname=name, stats=stats_of(data), data=data
        )
        benches.setdefault(index, []).append(bench)
    machines = db.execute(
        "SELECT idx, node, cpu, python_implementation, python_version FROM bench_runs"
        " WHERE run_id = ? ORDER BY idx",
        (run_id,),
    ).fetchall()
    return tuple(
        BenchmarkRun(
            path=Path(f"{source}#run-{index + 1}"),
            version="noxci",
            datetime=None,
            machine_info=MachineInfo(
                node=node, cpu=cpu, python_implementation=impl, python_version=version
            ),
            commit_info=CommitInfo(id=commit),
            benchmarks=tuple(benches.get(index, ())),
        )
        for index, node, cpu, impl, version in machines
        if index in benches
    )
