"""The results store's schema: ordered migrations, the version kept in ``PRAGMA user_version``.

Migration ``n`` (1-based) takes a store from version ``n - 1`` to ``n``. A store is only
ever moved forward, inside one ``BEGIN IMMEDIATE`` transaction, so two processes opening
an old store at once migrate it exactly once. A store newer than this code is refused.

Test ids are interned (``test_ids``) and outcomes are small integers
(:data:`OUTCOME_CODES`): a run of 50,000 tests takes about 1.2 MB, index included.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Final

from ci.report.model import Outcome

__all__ = [
    "MIGRATIONS",
    "OUTCOMES",
    "OUTCOME_CODES",
    "SCHEMA_VERSION",
    "NewerSchemaError",
    "migrate",
    "schema_version",
]

#: How ``tests.outcome`` stores an outcome: a small integer (SQLite stores 0 in no bytes).
OUTCOME_CODES: Final[Mapping[Outcome, int]] = {
    Outcome.PASSED: 0,
    Outcome.FAILED: 1,
    Outcome.ERROR: 2,
    Outcome.SKIPPED: 3,
}
#: The outcome of each stored code.
OUTCOMES: Final[Mapping[int, Outcome]] = {code: o for o, code in OUTCOME_CODES.items()}

#: Each migration's statements, in order (executed one by one: ``executescript`` commits).
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    # 1: runs, every test's outcome and duration, coverage per file.
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            commit_sha TEXT,
            branch TEXT,
            time TEXT NOT NULL,
            machine TEXT NOT NULL DEFAULT '',
            run_url TEXT,
            tests_complete INTEGER NOT NULL,
            total INTEGER NOT NULL DEFAULT 0,
            passed INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            duration_s REAL NOT NULL DEFAULT 0,
            coverage_percent REAL
        )""",
        "CREATE TABLE test_ids (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
        """CREATE TABLE tests (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            test INTEGER NOT NULL REFERENCES test_ids(id),
            outcome INTEGER NOT NULL,
            duration_s REAL,
            flaky INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, test)
        ) WITHOUT ROWID""",
        "CREATE INDEX tests_by_test ON tests(test, run_id)",
        """CREATE TABLE coverage (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            file TEXT NOT NULL,
            covered INTEGER NOT NULL,
            coverable INTEGER NOT NULL,
            PRIMARY KEY (run_id, file)
        ) WITHOUT ROWID""",
    ),
    # 2: the ref a run was made for, benchmark summaries (and quantiles), runs by branch.
    (
        "ALTER TABLE runs ADD COLUMN ref TEXT",
        "CREATE INDEX runs_by_branch ON runs(branch, id)",
        """CREATE TABLE bench_runs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            node TEXT NOT NULL DEFAULT '',
            cpu TEXT NOT NULL DEFAULT '',
            python_implementation TEXT NOT NULL DEFAULT '',
            python_version TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (run_id, idx)
        ) WITHOUT ROWID""",
        """CREATE TABLE benchmarks (
            run_id INTEGER NOT NULL,
            idx INTEGER NOT NULL,
            name TEXT NOT NULL,
            median REAL NOT NULL,
            mean REAL NOT NULL,
            min REAL NOT NULL,
            quantiles TEXT NOT NULL,
            PRIMARY KEY (run_id, idx, name),
            FOREIGN KEY (run_id, idx) REFERENCES bench_runs(run_id, idx) ON DELETE CASCADE
        ) WITHOUT ROWID""",
    ),
)

#: The version this code writes and reads.
SCHEMA_VERSION: Final = len(MIGRATIONS)


class NewerSchemaError(Exception):
    """The store was written by a newer noxci (its version is the argument)."""


def schema_version(connection: sqlite3.Connection) -> int:
    """The store's ``PRAGMA user_version`` (0 for a new, empty file)."""
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the store to :data:`SCHEMA_VERSION`; return the version it had.

    Runs in its own ``BEGIN IMMEDIATE`` transaction on an autocommit connection; raises
    :class:`NewerSchemaError` when the store is newer than this code.
    """
    if schema_version(connection) == SCHEMA_VERSION:  # the common case: no write lock
        return SCHEMA_VERSION
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = _apply(connection)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return found


def _apply(connection: sqlite3.Connection) -> int:
    """Run the migrations the store lacks (inside the caller's transaction)."""
    found = schema_version(connection)  # again, under the lock: another may have won
    if found > SCHEMA_VERSION:
        raise NewerSchemaError(found)
    for statements in MIGRATIONS[found:]:
        for statement in statements:
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
    return found
