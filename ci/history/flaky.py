"""Known-flaky tests from the results store.

A test is known to be flaky when a stored run saw it pass only after a rerun, or when its
outcome flipped on one commit: it passed in one run and failed (or errored) in another of
the same commit, the code unchanged. The head run counts too: a test failing now that
passed in a stored run of the same commit is flaky. Skips are neither.
Runs without a known commit never count as "the same commit".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

from ci.history.schema import OUTCOMES
from ci.history.store import reading
from ci.report.model import Outcome

__all__ = ["flaky_from_history"]

_CLASS: Final = {Outcome.PASSED: "pass", Outcome.FAILED: "fail", Outcome.ERROR: "fail"}
_FLIPPED = """
SELECT n.name, max(t.flaky),  -- outcome codes: 0 passed, 1 failed, 2 error (schema.py)
    count(DISTINCT CASE WHEN r.commit_sha IS NULL THEN NULL
        WHEN t.outcome = 0 THEN 'pass'
        WHEN t.outcome IN (1, 2) THEN 'fail' END)
FROM wanted AS w
JOIN test_ids AS n ON n.name = w.name
JOIN tests AS t ON t.test = n.id
JOIN runs AS r ON r.id = t.run_id
GROUP BY n.name, r.commit_sha
"""
_ON_COMMIT = """
SELECT DISTINCT n.name, t.outcome
FROM wanted AS w
JOIN test_ids AS n ON n.name = w.name
JOIN tests AS t ON t.test = n.id
JOIN runs AS r ON r.id = t.run_id
WHERE r.commit_sha = ?
"""


def flaky_from_history(
    path: Path,
    ids: Iterable[str],
    *,
    commit: str | None = None,
    head: Mapping[str, Outcome] | None = None,
) -> set[str]:
    """The tests among ``ids`` the store knows to be flaky.

    ``head`` holds the current run's outcomes (its failing tests, say) on ``commit``:
    a test whose outcome there differs in kind (pass/fail) from a stored run of the same
    commit is flaky as well. Pass the ids worth marking (the failing ones): the query's
    cost grows with their number. Raises :class:`~ci.errors.InputError` when the store
    cannot be read.
    """
    with reading(path) as db:
        if db is None:
            return set()
        _want(db, ids)
        found = {name for name, rerun, kinds in db.execute(_FLIPPED) if rerun or kinds > 1}
        if commit is not None and head:
            found |= _flipped_now(db, commit, head)
        db.execute("DROP TABLE wanted")
    return found


def _want(db: sqlite3.Connection, ids: Iterable[str]) -> None:
    db.execute("CREATE TEMP TABLE wanted (name TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((test,) for test in ids))


def _flipped_now(db: sqlite3.Connection, commit: str, head: Mapping[str, Outcome]) -> set[str]:
    """The tests whose head outcome differs in kind from a stored run of the same commit."""
    found = set()
    for name, outcome in db.execute(_ON_COMMIT, (commit,)):
        now, then = _CLASS.get(head.get(name, Outcome.SKIPPED)), _CLASS.get(OUTCOMES[outcome])
        if now is not None and then is not None and now != then:
            found.add(name)
    return found
