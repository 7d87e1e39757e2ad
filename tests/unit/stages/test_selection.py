"""Which sessions an invocation selects, and so which stages the report follows."""

from __future__ import annotations

import pytest

from ci.config import ARTIFACT_STAGES
from ci.stages._selection import PIPELINE_ENV, SessionInfo, pipeline_stages, selected_sessions

SESSIONS = [
    SessionInfo(name="lint", tags=("lint",)),
    *(
        SessionInfo(name=s, tags=("tests",))
        for s in ("unit", "integration", "snapshot", "property")
    ),
    SessionInfo(name="benchmark", tags=("benchmark",)),
    SessionInfo(name="report", tags=("report",)),
    SessionInfo(name="docs", default=False),
]
ALL_DEFAULT = {"lint", "unit", "integration", "snapshot", "property", "benchmark", "report"}


class TestSelectedSessions:
    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            ([], ALL_DEFAULT),
            (["-j", "1"], ALL_DEFAULT),
            (["-t", "tests"], {"unit", "integration", "snapshot", "property"}),
            (["-t", "tests", "report"], {"unit", "integration", "snapshot", "property", "report"}),
            (["--tags", "lint"], {"lint"}),
            (["-s", "report"], {"report"}),
            (["-s", "unit", "report"], {"unit", "report"}),
            (["--session", "unit-3.12"], {"unit"}),
            (["-e", "docs"], {"docs"}),
            (["--", "-t", "tests"], ALL_DEFAULT),
            (["-s", "unit", "--", "-k", "x"], {"unit"}),
        ],
    )
    def test_selection(self, argv: list[str], expected: set[str]) -> None:
        """Tags, names and the default set select what nox itself would."""
        assert selected_sessions(argv, SESSIONS) == frozenset(expected)

    def test_keywords_are_not_guessed(self) -> None:
        """A -k expression is not evaluated: the selection is unknown."""
        assert selected_sessions(["-k", "unit or report"], SESSIONS) is None

    def test_configured_sessions_replace_the_defaults(self) -> None:
        """nox.options.sessions in the noxfile is what a bare `nox` runs."""
        assert selected_sessions([], SESSIONS, configured=["unit"]) == frozenset({"unit"})


class TestPipelineStages:
    def test_full_run_follows_every_artifact_stage(self) -> None:
        """A bare `nox` reports after every stage that leaves artifacts, and tells workers."""
        environ: dict[str, str] = {}
        stages = pipeline_stages([], SESSIONS, ARTIFACT_STAGES, environ)
        assert stages == ("unit", "integration", "snapshot", "property", "benchmark")
        assert environ == {PIPELINE_ENV: "unit,integration,snapshot,property,benchmark"}

    def test_report_alone_follows_nothing(self) -> None:
        """`nox -s report` reads what is there and re-runs no stage."""
        environ: dict[str, str] = {PIPELINE_ENV: "stale"}
        assert pipeline_stages(["-s", "report"], SESSIONS, ARTIFACT_STAGES, environ) == ()
        assert environ == {PIPELINE_ENV: ""}

    def test_stages_without_report_keep_their_own_verdict(self) -> None:
        """`nox -t tests` has no report, so a failing test fails its stage."""
        environ: dict[str, str] = {}
        assert pipeline_stages(["-t", "tests"], SESSIONS, ARTIFACT_STAGES, environ) == ()

    def test_tests_and_report(self) -> None:
        """`nox -t tests report` reports after the four test stages only."""
        environ: dict[str, str] = {}
        stages = pipeline_stages(["-t", "tests", "report"], SESSIONS, ARTIFACT_STAGES, environ)
        assert stages == ("unit", "integration", "snapshot", "property")

    def test_worker_reads_the_parent_decision(self) -> None:
        """A parallel worker runs one session by name and takes the parent's decision."""
        environ = {PIPELINE_ENV: "unit,property"}
        argv = ["-s", "unit", "--parallel-worker", "--no-dependencies"]
        assert pipeline_stages(argv, SESSIONS, ARTIFACT_STAGES, environ) == ("unit", "property")
        assert environ == {PIPELINE_ENV: "unit,property"}

    def test_unknown_selection_means_no_pipeline(self) -> None:
        """With -k the report runs on its own rather than guess."""
        environ: dict[str, str] = {}
        assert pipeline_stages(["-k", "report"], SESSIONS, ARTIFACT_STAGES, environ) == ()
