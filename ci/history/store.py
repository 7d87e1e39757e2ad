"""Opening the results store: SQLite in WAL mode, a busy timeout, migrated, errors as one line.

Several processes may write at once (parallel ``report`` runs, shards on one machine):
WAL lets readers and one writer proceed together, every write is a short
``BEGIN IMMEDIATE`` transaction, and a writer that finds the lock taken waits up to
:data:`BUSY_TIMEOUT_S` instead of failing. Any SQLite failure (a corrupt file, a file that
is not SQLite, a store from a newer noxci) becomes an :class:`~ci.errors.InputError` with
one line naming the file and what to do; the report is then made without history.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from ci.errors import InputError
from ci.history.schema import SCHEMA_VERSION, NewerSchemaError, migrate

__all__ = ["BUSY_TIMEOUT_S", "connect", "reading", "transaction", "writing"]

#: How long a writer waits for another one's lock before giving up.
BUSY_TIMEOUT_S: Final = 30.0
_REMEDY = "delete it (it is only a cache of earlier reports) or choose another with --history PATH"


@contextlib.contextmanager
def _translated(path: Path) -> Iterator[None]:
    """SQLite's exceptions as one-line :class:`InputError` messages about ``path``."""
    try:
        yield
    except NewerSchemaError as exc:
        msg = (
            f"history {path}: written by a newer noxci (schema {exc.args[0]}, "
            f"this one reads {SCHEMA_VERSION}); upgrade noxci or choose another with "
            "--history PATH"
        )
        raise InputError(msg) from None
    except sqlite3.Error as exc:
        raise _input_error(path, exc) from None


def _input_error(path: Path, exc: sqlite3.Error) -> InputError:
    """One line for what SQLite said: another writer held on too long, or a bad file."""
    if getattr(exc, "sqlite_errorname", "") == "SQLITE_BUSY":
        msg = (
            f"history {path}: locked by another writer for too long; retry, or choose "
            "another with --history PATH"
        )
    else:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"history {path}: not a usable results store ({reason}); {_REMEDY}"
    return InputError(msg)


def connect(path: Path, *, timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """Open (creating it and its folder) and migrate the store at ``path``.

    ``timeout_s`` is how long a statement waits for another writer's lock.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"history {path}: cannot create its folder ({exc.strerror}); {_REMEDY}"
        raise InputError(msg) from None
    with _translated(path):
        connection = sqlite3.connect(path, timeout=timeout_s, isolation_level=None)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            migrate(connection)
        except BaseException:
            connection.close()
            raise
    return connection


@contextlib.contextmanager
def writing(path: Path, *, timeout_s: float = BUSY_TIMEOUT_S) -> Iterator[sqlite3.Connection]:
    """The store at ``path``, open for one write transaction (committed on success)."""
    connection = connect(path, timeout_s=timeout_s)
    try:
        with _translated(path), transaction(connection):
            yield connection
    finally:
        connection.close()


@contextlib.contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection | None]:
    """The store at ``path`` to query, or ``None`` when there is none yet (nothing created)."""
    if not path.exists():
        yield None
        return
    connection = connect(path)
    try:
        with _translated(path):
            yield connection
    finally:
        connection.close()


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on any exception)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
