"""Several processes writing one store at once: every run and every outcome arrives."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from ci.history import record_run
from ci.report.model import Outcome
from tests.unit.history._reports import make_report

WRITERS = 4
RUNS_EACH = 12
TESTS_PER_RUN = 300


def _writer(path: str, writer: int, start: multiprocessing.synchronize.Event) -> None:
    """Record RUNS_EACH runs of TESTS_PER_RUN tests as fast as possible."""
    start.wait(60)
    for number in range(RUNS_EACH):
        outcomes = {f"t::w{writer}_{k}": Outcome.PASSED for k in range(TESTS_PER_RUN)}
        outcomes["t::shared"] = Outcome.FAILED if number % 2 else Outcome.PASSED
        record_run(
            Path(path),
            make_report(outcomes),
            commit=f"{writer}-{number}",
            branch=f"b{writer}",
            outcomes=outcomes,
            env={},
        )


class TestConcurrentWriters:
    def test_four_processes_lose_nothing(self, tmp_path: Path) -> None:
        """Four processes create and write one new store together: all 48 runs are complete."""
        path = tmp_path / ".noxci" / "history.sqlite"
        context = multiprocessing.get_context("spawn")
        start = context.Event()
        workers = [
            context.Process(target=_writer, args=(str(path), writer, start))
            for writer in range(WRITERS)
        ]
        for worker in workers:
            worker.start()
        start.set()
        for worker in workers:
            worker.join(120)
        assert [worker.exitcode for worker in workers] == [0] * WRITERS
        connection = sqlite3.connect(path)
        try:
            runs = connection.execute("SELECT count(*), count(DISTINCT commit_sha) FROM runs")
            per_run = connection.execute(
                "SELECT DISTINCT count(*) FROM tests GROUP BY run_id"
            ).fetchall()
            names = connection.execute("SELECT count(*) FROM test_ids").fetchone()
            shared = connection.execute(
                "SELECT t.outcome, count(*) FROM tests t JOIN test_ids n ON n.id = t.test"
                " WHERE n.name = 't::shared' GROUP BY 1 ORDER BY 1"
            ).fetchall()
            assert runs.fetchone() == (WRITERS * RUNS_EACH, WRITERS * RUNS_EACH)
        finally:
            connection.close()
        assert per_run == [(TESTS_PER_RUN + 1,)]
        assert names == (WRITERS * TESTS_PER_RUN + 1,)
        assert shared == [(0, 24), (1, 24)]  # passed, failed
