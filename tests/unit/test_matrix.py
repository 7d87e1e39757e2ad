"""The job matrix from ``nox -l --json``: which jobs, on which Pythons, under which names."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ci.cli import main_inner
from ci.config import load_settings
from ci.errors import InputError
from ci.github.matrix import (
    PYTHONS,
    Cell,
    build_matrix,
    list_sessions,
    matrix_json,
    parse_sessions,
    stage_shards,
)
from ci.stages._register import session_infos

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "tests" / "sample_project"


def nox_list(project: Path) -> str:
    """What ``nox -l --json`` prints for a project registering the noxci stages."""
    infos = session_infos(load_settings(project, {}))
    return json.dumps(
        [{"session": i.name, "name": i.name, "python": None, "tags": list(i.tags)} for i in infos]
    )


def expected_pr_jobs() -> list[tuple[str, str, str]]:
    """(session, python, artifact) of the pull-request matrix of a project with every stage."""
    jobs = [("lint", "3.11", "noxci-lint-py3.11")]
    for stage in ("unit", "integration", "snapshot", "property"):
        jobs += [(stage, py, f"noxci-{stage}-py{py}") for py in PYTHONS]
    return [*jobs, ("benchmark", "3.11", "noxci-benchmark-py3.11")]


class TestBuildMatrix:
    @pytest.mark.parametrize("project", [ROOT, SAMPLE], ids=["noxci", "sample_project"])
    def test_pull_request_jobs(self, project: Path) -> None:
        """Each test stage on the four Pythons, lint and benchmark once, no report job."""
        cells = build_matrix(parse_sessions(nox_list(project)))
        assert [(c.session, c.python, c.artifact) for c in cells] == expected_pr_jobs()

    def test_nightly_runs_the_benchmark_everywhere(self) -> None:
        """The nightly profile puts the benchmark on every Python, with more rounds."""
        cells = build_matrix(parse_sessions(nox_list(ROOT)), profile="nightly")
        benchmarks = [(c.python, c.pytest_addopts) for c in cells if c.kind == "benchmark"]
        assert benchmarks == [(py, "--benchmark-min-rounds=50") for py in PYTHONS]
        assert len(cells) == 1 + 4 * 4 + 4

    def test_a_cell_as_the_workflow_reads_it(self) -> None:
        """Dashed keys, every field a string."""
        cells = build_matrix(parse_sessions(nox_list(ROOT)), pythons=("3.12",))
        assert json.loads(matrix_json(cells[1:2])) == {
            "include": [
                {
                    "name": "unit (3.12)",
                    "stage": "unit",
                    "session": "unit",
                    "python": "3.12",
                    "kind": "tests",
                    "artifact": "noxci-unit-py3.12",
                    "pytest-addopts": "",
                }
            ]
        }

    def test_artifact_names_are_unique(self) -> None:
        """No two cells upload under one name, in either profile."""
        for profile in ("pr", "nightly"):
            cells = build_matrix(parse_sessions(nox_list(ROOT)), profile=profile)
            names = [cell.artifact for cell in cells]
            assert len(names) == len(set(names))

    def test_a_parametrized_session_keeps_its_python(self) -> None:
        """nox's own ``unit-3.12`` runs as itself, once, not on every Python."""
        listed = [
            {"session": "unit-3.12", "name": "unit", "python": "3.12", "tags": ["tests"]},
            {"session": "unit-3.13", "name": "unit", "python": "3.13", "tags": ["tests"]},
        ]
        cells = build_matrix(parse_sessions(json.dumps(listed)))
        assert [(c.session, c.python, c.artifact) for c in cells] == [
            ("unit-3.12", "3.12", "noxci-unit-py3.12"),
            ("unit-3.13", "3.13", "noxci-unit-py3.13"),
        ]

    def test_untagged_sessions_are_left_out(self) -> None:
        """A project's own session without a noxci tag is no matrix job."""
        listed: list[dict[str, object]] = [
            {"session": "docs", "name": "docs", "python": None, "tags": []}
        ]
        assert build_matrix(parse_sessions(json.dumps(listed))) == []

    def test_two_cells_one_artifact_is_an_error(self) -> None:
        """Sessions whose cells would share an artifact name are refused."""
        listed = [
            {"session": "unit", "name": "unit", "python": "3.12", "tags": ["tests"]},
            {"session": "unit(x)", "name": "unit", "python": "3.12", "tags": ["tests"]},
        ]
        with pytest.raises(InputError, match=r"'noxci-unit-py3\.12' would be uploaded twice"):
            build_matrix(parse_sessions(json.dumps(listed)))

    def test_no_python_is_an_error(self) -> None:
        """An empty --python list is refused with the fix."""
        with pytest.raises(InputError, match="no Python versions given"):
            build_matrix(parse_sessions(nox_list(ROOT)), pythons=())

    def test_cell_defaults(self) -> None:
        """A cell has no pytest options unless the profile adds some."""
        cell = Cell(
            name="n", stage="s", session="s", python="3.11", kind="lint", artifact="noxci-s"
        )
        assert cell.pytest_addopts == ""


class TestParseSessions:
    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("not json", "not JSON"),
            ('{"a": 1}', "not a list of sessions"),
            ("[1]", "not a list of sessions"),
            ('[{"name": "unit"}]', "a session without 'name' and 'session'"),
        ],
    )
    def test_bad_listings(self, text: str, problem: str) -> None:
        """Anything but ``nox -l --json`` output is one line naming where it came from."""
        with pytest.raises(InputError, match=f"^sessions.json: {problem}"):
            parse_sessions(text, where="sessions.json")

    def test_odd_fields_are_tolerated(self) -> None:
        """A non-string python means nox's own; non-string tags are dropped."""
        listed = [{"session": "lint", "name": "lint", "python": ["3.11"], "tags": ["lint", 3]}]
        (session,) = parse_sessions(json.dumps(listed))
        assert (session.python, session.tags) == (None, ("lint",))


class TestListSessions:
    def test_nox_missing(self, tmp_path: Path) -> None:
        """No nox on the machine: one line saying how to get the sessions."""
        with pytest.raises(InputError, match="no-such-nox: not found; install nox"):
            list_sessions(tmp_path, nox=("no-such-nox",))

    def test_nox_failing(self, tmp_path: Path) -> None:
        """A noxfile that fails to load: nox's last line, and what to fix."""
        failing = (sys.executable, "-c", "import sys; sys.exit('noxfile.py: broken')")
        with pytest.raises(InputError, match=r"`nox -l --json` failed \(noxfile.py: broken\)"):
            list_sessions(tmp_path, nox=failing)


class TestCommandLine:
    def test_from_a_file_to_the_step_output(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``--sessions FILE --github-output`` prints the matrix and writes output ``matrix``."""
        listed = tmp_path / "sessions.json"
        listed.write_text(nox_list(SAMPLE), encoding="utf-8")
        output = tmp_path / "output"
        monkeypatch.setenv("GITHUB_OUTPUT", str(output))
        args = ["matrix", "--sessions", str(listed), "--python", "3.13", "--github-output"]
        assert main_inner(args) == 0
        printed = capsys.readouterr().out
        assert [cell["name"] for cell in json.loads(printed)["include"]] == [
            "lint (3.13)",
            "unit (3.13)",
            "integration (3.13)",
            "snapshot (3.13)",
            "property (3.13)",
            "benchmark (3.13)",
        ]
        name, delimiter = output.read_text(encoding="utf-8").splitlines()[0].split("<<")
        assert (name, output.read_text(encoding="utf-8").splitlines()[1]) == (
            "matrix",
            printed.strip(),
        )
        assert delimiter != ""

    def test_an_unreadable_file(self, tmp_path: Path) -> None:
        """A --sessions file that is not there is one line naming it."""
        with pytest.raises(InputError, match=r"missing\.json: cannot read it"):
            main_inner(["matrix", "--sessions", str(tmp_path / "missing.json")])


class TestShardAxis:
    def test_a_sharded_stage_runs_once_per_shard_and_python(self) -> None:
        """``unit`` with 3 shards: 3 jobs per Python, each with its shard and own artifact."""
        cells = build_matrix(
            parse_sessions(nox_list(ROOT)), pythons=("3.11", "3.12"), shards={"unit": 3}
        )
        unit = [(c.name, c.shard, c.artifact) for c in cells if c.stage == "unit"]
        assert unit == [
            ("unit (3.11, 1/3)", "1/3", "noxci-unit-py3.11-shard-1"),
            ("unit (3.11, 2/3)", "2/3", "noxci-unit-py3.11-shard-2"),
            ("unit (3.11, 3/3)", "3/3", "noxci-unit-py3.11-shard-3"),
            ("unit (3.12, 1/3)", "1/3", "noxci-unit-py3.12-shard-1"),
            ("unit (3.12, 2/3)", "2/3", "noxci-unit-py3.12-shard-2"),
            ("unit (3.12, 3/3)", "3/3", "noxci-unit-py3.12-shard-3"),
        ]
        assert len(cells) == 1 + 2 * 3 + 3 * 2 + 1
        names = [cell.artifact for cell in cells]
        assert len(names) == len(set(names))

    def test_only_test_stages_are_sharded(self) -> None:
        """Shards given for lint or the benchmark change nothing: they run once."""
        plain = build_matrix(parse_sessions(nox_list(ROOT)), pythons=("3.12",))
        sharded = build_matrix(
            parse_sessions(nox_list(ROOT)), pythons=("3.12",), shards={"lint": 2, "benchmark": 4}
        )
        assert sharded == plain

    def test_a_sharded_cell_as_the_workflow_reads_it(self) -> None:
        """A sharded cell adds ``shard``; an unsharded one has no such key."""
        cells = build_matrix(parse_sessions(nox_list(ROOT)), pythons=("3.12",), shards={"unit": 2})
        document = json.loads(matrix_json(cells))["include"]
        assert document[1] == {
            "name": "unit (3.12, 1/2)",
            "stage": "unit",
            "session": "unit",
            "python": "3.12",
            "kind": "tests",
            "artifact": "noxci-unit-py3.12-shard-1",
            "pytest-addopts": "",
            "shard": "1/2",
        }
        assert "shard" not in document[3]

    def test_stage_shards_from_the_configuration(self, tmp_path: Path) -> None:
        """``[tool.noxci.stage.<name>] shards`` above 1 become the matrix's shard axis."""
        (tmp_path / "pyproject.toml").write_text(
            "[tool.noxci.stage.unit]\nshards = 4\n[tool.noxci.stage.integration]\nshards = 1\n",
            encoding="utf-8",
        )
        assert stage_shards(load_settings(tmp_path, {})) == {"unit": 4}
