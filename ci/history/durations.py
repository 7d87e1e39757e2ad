"""Test durations in the results store: written with every run, read to balance shards.

The JUnit reader gives every test's time (its final attempt's, as pytest-split counts
it) beside its id, and :func:`~ci.history.record.record_run` stores them.
``python -m ci durations`` reads them back with :func:`stored_durations`: each test's
duration is the one of the newest stored run (of a branch, if asked) that measured it,
among the last ``runs`` runs: recent enough to follow the code, and a test that did not
run lately keeps its last known time. Keys are noxci test ids (``[file::]classname::name``);
:mod:`ci._durations` turns them into pytest node ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from ci.history.baseline import branch_name
from ci.history.store import reading

__all__ = ["DURATION_RUNS", "stored_durations"]

#: How many recent runs the durations are taken from by default.
DURATION_RUNS: Final = 10


def stored_durations(
    path: Path, *, branch: str | None = None, runs: int = DURATION_RUNS
) -> dict[str, float]:
    """Seconds per test id, from the newest of the last ``runs`` runs that timed it."""
    with reading(path) as db:
        if db is None:
            return {}
        rows = db.execute(
            "SELECT n.name, t.duration_s FROM tests AS t JOIN test_ids AS n ON n.id = t.test"
            " WHERE t.duration_s IS NOT NULL AND t.run_id IN (SELECT id FROM runs"
            " WHERE ? IS NULL OR branch = ? ORDER BY id DESC LIMIT ?) ORDER BY t.run_id",
            (branch, None if branch is None else branch_name(branch), max(runs, 0)),
        )
        return dict(rows)
