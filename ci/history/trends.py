"""Trends from the results store: a benchmark's statistic and the coverage total over runs.

The comment draws a chart for every benchmark with at least two earlier values
(:attr:`~ci.report.model.BenchmarkComparison.history`, oldest first). A stored run's
value for a benchmark is the geometric mean of its statistic over the run's benchmark
files (one per file; a single file gives its own value), as a comparison side is made.
"""

from __future__ import annotations

import dataclasses
import math
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final, get_args

from ci.config import Statistic
from ci.history.baseline import branch_name
from ci.history.store import reading
from ci.report.model import BenchmarkComparison

__all__ = ["TREND_POINTS", "benchmark_history", "coverage_history", "with_history"]

#: How many earlier values a trend shows by default.
TREND_POINTS: Final = 20
_CHUNK: Final = 500
#: The statistics a run keeps, each a column of ``benchmarks``.
_STATISTICS: Final[tuple[Statistic, ...]] = get_args(Statistic)


def _branch_clause(branch: str | None) -> tuple[str, tuple[str, ...]]:
    if branch is None:
        return "", ()
    return " AND r.branch = ?", (branch_name(branch),)


def _side_value(values: Sequence[float]) -> float:
    """The geometric mean of one run's values (the plain mean if any is not positive)."""
    if len(values) == 1:
        return values[0]
    if all(value > 0 for value in values):
        return math.exp(math.fsum(map(math.log, values)) / len(values))
    return math.fsum(values) / len(values)


def _rows(
    db: sqlite3.Connection, names: list[str], column: str, branch: str | None
) -> Iterable[tuple[int, str, float]]:
    where, extra = _branch_clause(branch)
    for start in range(0, len(names), _CHUNK):
        chunk = names[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        yield from db.execute(
            f"SELECT b.run_id, b.name, b.{column} FROM benchmarks AS b"  # noqa: S608 - fixed names
            f" JOIN runs AS r ON r.id = b.run_id WHERE b.name IN ({marks}){where}"
            " ORDER BY b.run_id, b.idx",
            (*chunk, *extra),
        )


def benchmark_history(
    path: Path,
    names: Iterable[str],
    *,
    statistic: Statistic = "median",
    branch: str | None = None,
    limit: int = TREND_POINTS,
) -> dict[str, tuple[float, ...]]:
    """Each benchmark's statistic over its last ``limit`` stored runs, oldest first.

    Benchmarks the store never saw are left out; ``branch`` keeps only that branch's runs.
    """
    column = statistic if statistic in _STATISTICS else "median"
    per_run: dict[str, dict[int, list[float]]] = {}
    with reading(path) as db:
        if db is None:
            return {}
        for run_id, name, value in _rows(db, sorted(set(names)), column, branch):
            per_run.setdefault(name, {}).setdefault(run_id, []).append(value)
    return {
        name: tuple(_side_value(values) for _, values in sorted(runs.items())[-limit:])
        for name, runs in per_run.items()
        if limit > 0
    }


def coverage_history(
    path: Path, *, branch: str | None = None, limit: int = TREND_POINTS
) -> tuple[float, ...]:
    """The coverage total of the last ``limit`` stored runs that measured it, oldest first."""
    where, extra = _branch_clause(branch)
    with reading(path) as db:
        if db is None:
            return ()
        rows = db.execute(
            "SELECT r.coverage_percent FROM runs AS r"  # noqa: S608 - a fixed clause
            f" WHERE r.coverage_percent IS NOT NULL{where} ORDER BY r.id DESC LIMIT ?",
            (*extra, max(limit, 0)),
        ).fetchall()
    return tuple(percent for (percent,) in reversed(rows))


def with_history(
    comparisons: Sequence[BenchmarkComparison],
    path: Path,
    *,
    branch: str | None = None,
    limit: int = TREND_POINTS,
) -> tuple[BenchmarkComparison, ...]:
    """``comparisons`` with ``history`` filled from the store, each in its own statistic."""
    found: dict[tuple[str, str], tuple[float, ...]] = {}
    for statistic in _STATISTICS:
        names = [c.name for c in comparisons if c.statistic == statistic]
        if names:
            values = benchmark_history(path, names, statistic=statistic, branch=branch, limit=limit)
            found |= {(statistic, name): history for name, history in values.items()}
    return tuple(
        dataclasses.replace(c, history=found.get((c.statistic, c.name), c.history))
        for c in comparisons
    )
