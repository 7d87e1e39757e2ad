"""Test durations in the store: recorded with a run, read back for shards."""

from __future__ import annotations

from pathlib import Path

from ci.history import record_run, stored_durations
from tests.unit.history._reports import make_report, outcomes_of


def _record(path: Path, branch: str, durations: dict[str, float]) -> None:
    outcomes = outcomes_of(**dict.fromkeys((k.removeprefix("t::") for k in durations), "passed"))
    record_run(
        path,
        make_report(outcomes),
        commit=None,
        branch=branch,
        outcomes=outcomes,
        env={},
        durations=durations,
    )


class TestStoredDurations:
    def test_newest_known_duration_of_each_test(self, tmp_path: Path) -> None:
        """A later run's time wins; a test not run lately keeps its last time."""
        path = tmp_path / "h.sqlite"
        _record(path, "main", {"t::a": 1.0, "t::b": 2.0})
        _record(path, "topic", {"t::a": 9.0})
        _record(path, "main", {"t::a": 1.5})
        assert stored_durations(path) == {"t::a": 1.5, "t::b": 2.0}
        assert stored_durations(path, branch="topic") == {"t::a": 9.0}
        assert stored_durations(path, runs=1) == {"t::a": 1.5}

    def test_no_store(self, tmp_path: Path) -> None:
        """Without a store no duration is known."""
        assert stored_durations(tmp_path / "none.sqlite") == {}
