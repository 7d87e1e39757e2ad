"""Opening the store: WAL and busy timeout, migrations from an older schema, bad files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ci.errors import InputError
from ci.history import local_baseline, record_run
from ci.history.schema import SCHEMA_VERSION, migrate
from ci.history.store import connect, reading, writing
from tests.unit.history._reports import make_report, outcomes_of

#: The schema noxci wrote before benchmark summaries were stored (version 1), by hand.
VERSION_1 = (
    "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, commit_sha TEXT, branch TEXT,"
    " time TEXT NOT NULL, machine TEXT NOT NULL DEFAULT '', run_url TEXT,"
    " tests_complete INTEGER NOT NULL, total INTEGER NOT NULL DEFAULT 0,"
    " passed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
    " errors INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,"
    " duration_s REAL NOT NULL DEFAULT 0, coverage_percent REAL)",
    "CREATE TABLE test_ids (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
    "CREATE TABLE tests (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " test INTEGER NOT NULL REFERENCES test_ids(id), outcome INTEGER NOT NULL, duration_s REAL,"
    " flaky INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (run_id, test)) WITHOUT ROWID",
    "CREATE INDEX tests_by_test ON tests(test, run_id)",
    "CREATE TABLE coverage (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " file TEXT NOT NULL, covered INTEGER NOT NULL, coverable INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, file)) WITHOUT ROWID",
    "INSERT INTO runs (commit_sha, branch, time, tests_complete, coverage_percent)"
    " VALUES ('c0ffee0', 'main', '2026-11-01T09:30:00Z', 1, 75.0)",
    "INSERT INTO test_ids (name) VALUES ('t::old')",
    "INSERT INTO tests (run_id, test, outcome) VALUES (1, 1, 1)",
    "INSERT INTO coverage VALUES (1, 'a.py', 3, 4)",
    "PRAGMA user_version = 1",
)


def _old_store(path: Path) -> Path:
    connection = sqlite3.connect(path)
    for statement in VERSION_1:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return path


class TestConnect:
    def test_new_store_is_created_in_wal_mode_at_the_current_version(self, tmp_path: Path) -> None:
        """A new store gets its folder, WAL journaling, a busy timeout and the latest schema."""
        path = tmp_path / ".noxci" / "history.sqlite"
        connection = connect(path)
        try:
            journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
            timeout = connection.execute("PRAGMA busy_timeout").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        finally:
            connection.close()
        assert (journal, timeout, version) == ("wal", 30000, SCHEMA_VERSION)
        assert SCHEMA_VERSION == 2

    def test_reading_a_missing_store_creates_nothing(self, tmp_path: Path) -> None:
        """Readers see no store as None and leave no file behind."""
        path = tmp_path / "none.sqlite"
        with reading(path) as db:
            assert db is None
        assert local_baseline(path, ref="main", exclude_commit=None) is None
        assert path.exists() is False


class TestMigrations:
    def test_version_1_store_is_migrated_and_keeps_its_runs(self, tmp_path: Path) -> None:
        """A store written before benchmarks were kept moves to version 2, its data intact."""
        path = _old_store(tmp_path / "old.sqlite")
        baseline = local_baseline(path, ref="main", exclude_commit=None)
        assert baseline is not None
        assert baseline.source == "history run 1 (main @ c0ffee0, 2026-11-01T09:30Z)"
        assert dict(baseline.outcomes) == outcomes_of(old="failed")
        assert (baseline.coverage_percent, dict(baseline.coverage_files)) == (
            75.0,
            {"a.py": (3, 4)},
        )
        assert baseline.benchmark_runs == ()
        connection = sqlite3.connect(path)
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = [row[1] for row in connection.execute("PRAGMA table_info(runs)")]
        connection.close()
        assert columns[-1] == "ref"

    def test_migrated_store_takes_new_runs(self, tmp_path: Path) -> None:
        """After migrating, a run is recorded with the next id."""
        path = _old_store(tmp_path / "old.sqlite")
        run = record_run(
            path,
            make_report(outcomes_of(old="passed")),
            commit="beef000",
            branch="main",
            outcomes=outcomes_of(old="passed"),
            env={},
        )
        assert run == 2

    def test_migrating_twice_does_nothing(self, tmp_path: Path) -> None:
        """migrate returns the version found: 0 for a new file, then the current one."""
        connection = sqlite3.connect(tmp_path / "s.sqlite", isolation_level=None)
        try:
            assert (migrate(connection), migrate(connection)) == (0, SCHEMA_VERSION)
        finally:
            connection.close()


class TestBadFiles:
    def test_not_sqlite_is_one_line_input_error(self, tmp_path: Path) -> None:
        """A text file in the store's place is refused with the file, the problem and a remedy."""
        path = tmp_path / "history.sqlite"
        path.write_text("not a database, just text " * 100, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            local_baseline(path, ref="main", exclude_commit=None)
        assert str(caught.value) == (
            f"history {path}: not a usable results store (file is not a database); delete it "
            "(it is only a cache of earlier reports) or choose another with --history PATH"
        )

    def test_corrupt_pages_are_one_line_input_error_when_writing(self, tmp_path: Path) -> None:
        """A store whose pages were overwritten is refused by a writer too, without a traceback."""
        path = tmp_path / "history.sqlite"
        record_run(path, make_report({}), commit=None, branch="main", outcomes={}, env={})
        data = bytearray(path.read_bytes())
        data[100:4096] = b"\xff" * (4096 - 100)
        path.write_bytes(bytes(data))
        with pytest.raises(InputError, match=r"not a usable results store \(") as caught:
            record_run(path, make_report({}), commit=None, branch="main", outcomes={}, env={})
        assert "\n" not in str(caught.value)

    def test_newer_schema_is_refused(self, tmp_path: Path) -> None:
        """A store from a newer noxci is not touched: the message says to upgrade."""
        path = tmp_path / "new.sqlite"
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA user_version = 99")
        connection.close()
        with pytest.raises(InputError) as caught:
            local_baseline(path, ref="main", exclude_commit=None)
        assert str(caught.value) == (
            f"history {path}: written by a newer noxci (schema 99, this one reads 2); "
            "upgrade noxci or choose another with --history PATH"
        )

    def test_folder_that_cannot_be_made(self, tmp_path: Path) -> None:
        """A store under a regular file cannot be created: one line, what to do."""
        blocker = tmp_path / "file"
        blocker.write_text("x", encoding="utf-8")
        with pytest.raises(InputError, match=r"^history .*/file/h\.sqlite: cannot create its"):
            record_run(
                blocker / "h.sqlite", make_report({}), commit=None, branch=None, outcomes={}, env={}
            )

    def test_lock_held_too_long_says_so(self, tmp_path: Path) -> None:
        """A writer that never gets the lock is told to retry, not to delete the store."""
        path = tmp_path / "h.sqlite"
        holder = connect(path)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(InputError) as caught, writing(path, timeout_s=0.05):
                pass  # pragma: no cover - the lock is never granted
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert str(caught.value) == (
            f"history {path}: locked by another writer for too long; retry, or choose "
            "another with --history PATH"
        )
