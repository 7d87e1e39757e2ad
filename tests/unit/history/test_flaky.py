"""Known-flaky tests from the store: reruns, and outcomes that flip on one commit."""

from __future__ import annotations

from pathlib import Path

from ci.history import flaky_from_history, record_run
from ci.report.model import Outcome
from tests.unit.history._reports import make_report, outcomes_of


def _record(path: Path, commit: str | None, flaky: tuple[str, ...] = (), **tests: str) -> None:
    outcomes = outcomes_of(**tests)
    report = make_report(outcomes, flaky=flaky)
    record_run(path, report, commit=commit, branch="main", outcomes=outcomes, env={})


class TestFlakyFromHistory:
    def test_flip_on_one_commit(self, tmp_path: Path) -> None:
        """Passed and failed on one commit is flaky; changed across commits is not."""
        path = tmp_path / "h.sqlite"
        _record(path, "c1", a="passed", b="passed", c="passed", d="skipped")
        _record(path, "c1", a="failed", b="passed", c="passed", d="passed")
        _record(path, "c2", a="passed", b="passed", c="error", d="passed")
        _record(path, "c1", a="passed", b="error", c="passed", d="passed")
        ids = ["t::a", "t::b", "t::c", "t::d", "t::unknown"]
        assert flaky_from_history(path, ids) == {"t::a", "t::b"}

    def test_only_the_ids_asked_for(self, tmp_path: Path) -> None:
        """Flaky tests not asked about are not reported."""
        path = tmp_path / "h.sqlite"
        _record(path, "c1", a="passed", b="passed")
        _record(path, "c1", a="failed", b="failed")
        assert flaky_from_history(path, ["t::b"]) == {"t::b"}

    def test_rerun_flaky_in_a_stored_run(self, tmp_path: Path) -> None:
        """A test that passed after a rerun in any stored run is known to be flaky."""
        path = tmp_path / "h.sqlite"
        _record(path, "c1", flaky=("t::a",), a="passed", b="passed")
        _record(path, "c2", a="failed", b="failed")
        assert flaky_from_history(path, ["t::a", "t::b"]) == {"t::a"}

    def test_runs_without_commit_are_not_the_same_commit(self, tmp_path: Path) -> None:
        """Two runs of unknown commit that disagree say nothing about flakiness."""
        path = tmp_path / "h.sqlite"
        _record(path, None, a="passed")
        _record(path, None, a="failed")
        assert flaky_from_history(path, ["t::a"]) == set()

    def test_head_run_flips_against_a_stored_run(self, tmp_path: Path) -> None:
        """Failing now on a commit where a stored run passed: flaky; skipped now: not."""
        path = tmp_path / "h.sqlite"
        _record(path, "c1", a="passed", b="passed", c="failed")
        head = {"t::a": Outcome.FAILED, "t::b": Outcome.SKIPPED, "t::c": Outcome.FAILED}
        found = flaky_from_history(path, ["t::a", "t::b", "t::c"], commit="c1", head=head)
        assert found == {"t::a"}
        assert flaky_from_history(path, ["t::a"], commit="c2", head=head) == set()

    def test_no_store(self, tmp_path: Path) -> None:
        """Without a store nothing is known to be flaky."""
        assert flaky_from_history(tmp_path / "none.sqlite", ["t::a"]) == set()
