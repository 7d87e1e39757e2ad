"""``python -m ci merge``: downloaded artifact folders into one reports directory, or a bundle."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ci.cli import main_inner
from ci.config import Settings
from ci.errors import InputError
from ci.github.merge import Upload, merge_artifacts, read_matrix

DATA = Path(__file__).parents[1] / "data"
PARALLEL = sorted((DATA / "coverage" / "data" / "parallel").glob(".coverage.*"))


def matrix(*cells: tuple[str, str, str]) -> str:
    """A plan job's output with these (stage, python, kind) cells."""
    include = [
        {"stage": s, "python": p, "kind": k, "artifact": f"noxci-{s}-py{p}"} for s, p, k in cells
    ]
    return json.dumps({"include": include})


def artifact(root: Path, name: str, *files: str) -> None:
    for relative in files:
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(relative, encoding="utf-8")


def listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


class TestMerge:
    def test_reports_layout(self, tmp_path: Path) -> None:
        """A stage on two Pythons keeps one JUnit per Python; single cells keep their names."""
        artifacts = tmp_path / "artifacts"
        artifact(artifacts, "noxci-unit-py3.11", "junit/unit.xml", "coverage/.coverage.unit.a.1")
        artifact(artifacts, "noxci-unit-py3.12", "junit/unit.xml", "coverage/.coverage.unit.b.2")
        artifact(artifacts, "noxci-benchmark-py3.11", "benchmark/benchmark.json")
        cells = read_matrix(
            matrix(
                ("lint", "3.11", "lint"),
                ("unit", "3.11", "tests"),
                ("unit", "3.12", "tests"),
                ("benchmark", "3.11", "benchmark"),
            )
        )
        result = merge_artifacts(
            artifacts, cells, tmp_path / "reports", settings=Settings(), project=tmp_path
        )
        assert listing(tmp_path / "reports") == [
            "benchmark/benchmark.json",
            "coverage/.coverage.unit.a.1",
            "coverage/.coverage.unit.b.2",
            "junit/unit-py3.11.xml",
            "junit/unit-py3.12.xml",
        ]
        assert (len(result.files), result.missing) == (5, ())

    def test_a_missing_artifact_is_named(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A cell that uploaded nothing: exit 2, one line naming the job, the rest merged."""
        artifacts = tmp_path / "artifacts"
        artifact(artifacts, "noxci-unit-py3.11", "junit/unit.xml")
        cells = matrix(("unit", "3.11", "tests"), ("unit", "3.12", "tests"))
        into = tmp_path / "reports"
        code = main_inner(
            [
                "merge",
                str(artifacts),
                "--matrix",
                cells,
                "--into",
                str(into),
                "--project",
                str(tmp_path),
            ]
        )
        assert code == 2
        out, err = capsys.readouterr()
        assert out == f"noxci: merged 1 files into {into}\n"
        assert err == (
            f"noxci: error: missing artifact {artifacts / 'noxci-unit-py3.12'}: the job unit (3.12) "
            "uploaded no artifact noxci-unit-py3.12; see that job's log\n"
        )

    def test_the_same_file_twice_is_refused(self, tmp_path: Path) -> None:
        """Two cells of one stage on one Python would overwrite each other: an error."""
        artifacts = tmp_path / "artifacts"
        artifact(artifacts, "noxci-unit-py3.11", "coverage/.coverage.unit.a")
        cells = [Upload(artifact="noxci-unit-py3.11", stage="unit", python="3.11", kind="tests")]
        with pytest.raises(InputError, match="is there already; upload each job's files once"):
            merge_artifacts(
                artifacts, cells * 2, tmp_path / "r", settings=Settings(), project=tmp_path
            )

    @pytest.mark.parametrize("text", ["", "{}", '{"include": [{"stage": "unit"}]}', "[1]"])
    def test_bad_matrix(self, text: str) -> None:
        """Anything but the plan job's matrix is one line saying what to pass."""
        with pytest.raises(InputError, match=r"^--matrix: not the output of `python -m ci matrix`"):
            read_matrix(text)


class TestPortable:
    def test_bundle(self, tmp_path: Path) -> None:
        """Coverage data become coverage.json; the event file and the baseline sit beside."""
        project = tmp_path / "project"
        shutil.copytree(DATA / "coverage" / "project" / "sample", project / "sample")
        artifacts = tmp_path / "artifacts"
        for python, source in zip(("3.11", "3.12"), PARALLEL, strict=True):
            data = artifacts / f"noxci-unit-py{python}" / "coverage"
            data.mkdir(parents=True)
            shutil.copyfile(source, data / f".coverage.unit.{python}")
            artifact(artifacts, f"noxci-unit-py{python}", "junit/unit.xml")
        artifact(tmp_path, "base", "junit/unit.xml")
        event = tmp_path / "event.json"
        event.write_text('{"pull_request": {}}', encoding="utf-8")
        result = merge_artifacts(
            artifacts,
            read_matrix(matrix(("unit", "3.11", "tests"), ("unit", "3.12", "tests"))),
            tmp_path / "bundle",
            settings=Settings(sources=("sample",)),
            project=project,
            portable=True,
            event_file=event,
            baseline=tmp_path / "base",
        )
        assert listing(tmp_path / "bundle") == [
            "baseline/junit/unit.xml",
            "event.json",
            "reports/coverage/coverage.json",
            "reports/junit/unit-py3.11.xml",
            "reports/junit/unit-py3.12.xml",
        ]
        assert len(result.files) == 5
        document = json.loads((tmp_path / "bundle/reports/coverage/coverage.json").read_text())
        totals = document["totals"]
        # 27, not the README's 26: the stages' configuration has no .coveragerc exclusions
        assert (totals["num_statements"], totals["covered_lines"], totals["num_branches"]) == (
            27,
            23,
            10,
        )

    def test_a_diff_base_saves_the_change(self, tmp_path: Path) -> None:
        """With diff-base set, the change is saved as changes.diff for the report without git."""
        project = Path(__file__).parents[2]
        result = merge_artifacts(
            tmp_path / "none",
            [],
            tmp_path / "bundle",
            settings=Settings(diff_base="HEAD"),
            project=project,
            portable=True,
        )
        assert result.files == (tmp_path / "bundle" / "changes.diff",)

    def test_a_missing_event_file(self, tmp_path: Path) -> None:
        """An event file that is not there is one line naming it."""
        with pytest.raises(InputError, match="cannot copy the event file"):
            merge_artifacts(
                tmp_path,
                [],
                tmp_path / "bundle",
                settings=Settings(),
                project=tmp_path,
                portable=True,
                event_file=tmp_path / "nope.json",
            )

    def test_bad_coverage_data(self, tmp_path: Path) -> None:
        """Data coverage.py cannot combine: an error naming the folder and the project."""
        artifact(tmp_path / "a", "noxci-unit-py3.11", "coverage/.coverage.unit.x")
        with pytest.raises(InputError, match=r"coverage combine failed in"):
            merge_artifacts(
                tmp_path / "a",
                read_matrix(matrix(("unit", "3.11", "tests"))),
                tmp_path / "bundle",
                settings=Settings(),
                project=tmp_path,
                portable=True,
            )
