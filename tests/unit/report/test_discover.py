"""Tests of ci.report.discover: inputs recognised by content, coverage data grouped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ci.report.discover import Input, discover, recognise
from ci.report.model import CoverageFormat, InputKind

DATA = Path(__file__).parents[2] / "data"
JUNIT = '<?xml version="1.0"?>\n<testsuites><testsuite name="s" tests="0"/></testsuites>\n'
UNKNOWN = (
    "is not JUnit XML, a coverage data file, coverage JSON, Cobertura XML or "
    "pytest-benchmark JSON; remove it from the report's inputs"
)


def summary(
    inputs: list[Input], root: Path
) -> list[tuple[list[str], str | None, str | None, bool]]:
    """Each input as (relative paths, kind, coverage flavour, ok) for exact comparison."""
    return [
        (
            [path.relative_to(root).as_posix() for path in item.paths],
            item.kind and item.kind.value,
            item.coverage_format and item.coverage_format.value,
            item.ok,
        )
        for item in inputs
    ]


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """A ``reports/`` tree as the stages leave it, with noxci's outputs and clutter."""
    root = tmp_path / "reports"
    (root / "junit").mkdir(parents=True)
    (root / "junit" / "unit.xml").write_text(JUNIT)
    (root / "coverage" / "unit").mkdir(parents=True)
    (root / "coverage" / "integration").mkdir(parents=True)
    parallel = DATA / "coverage" / "data" / "parallel"
    shutil.copy(parallel / ".coverage.run-a", root / "coverage" / "unit" / ".coverage.unit")
    shutil.copy(parallel / ".coverage.run-b", root / "coverage" / "integration" / ".coverage.int")
    (root / "benchmark").mkdir()
    shutil.copy(DATA / "benchmark" / "pytest-benchmark-5.3.1.json", root / "benchmark" / "b.json")
    shutil.copy(DATA / "coverage" / "json" / "sample.json", root / "coverage.json")
    shutil.copy(DATA / "coverage" / "cobertura" / "other-tool.xml", root / "cobertura.xml")
    for name in ("report.json", "report.md", ".coveragerc", "notes.txt", ".coverage.x-journal"):
        (root / name).write_text("{}")
    return root


class TestDiscover:
    """Directories are walked in sorted order and every file is told apart by its content."""

    def test_reports_tree(self, reports: Path) -> None:
        """A full tree gives one input per file, the data files grouped, the clutter skipped."""
        assert summary(discover([reports]), reports) == [
            (["benchmark/b.json"], "benchmark", None, True),
            (["cobertura.xml"], "coverage", "cobertura", True),
            (
                ["coverage/integration/.coverage.int", "coverage/unit/.coverage.unit"],
                "coverage",
                "data",
                True,
            ),
            (["coverage.json"], "coverage", "json", True),
            (["junit/unit.xml"], "junit", None, True),
        ]

    def test_content_not_name(self, tmp_path: Path) -> None:
        """Misleading names do not matter: the content decides."""
        shutil.copy(DATA / "benchmark" / "pytest-benchmark-3.4.1.json", tmp_path / "coverage.xml")
        shutil.copy(DATA / "coverage" / "data" / "lines" / ".coverage", tmp_path / "junit.xml")
        (tmp_path / "bench.json").write_text(JUNIT)
        assert summary(discover([tmp_path]), tmp_path) == [
            (["bench.json"], "junit", None, True),
            (["coverage.xml"], "benchmark", None, True),
            (["junit.xml"], "coverage", "data", True),
        ]

    def test_bad_data_file_stands_alone(self, reports: Path) -> None:
        """A corrupt data file is its own failed input; the good ones are still grouped."""
        bad = reports / "coverage" / ".coverage.bad"
        bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 100)
        inputs = [item for item in discover([reports / "coverage"]) if item.kind]
        assert summary(inputs, reports) == [
            (["coverage/.coverage.bad"], "coverage", "data", False),
            (
                ["coverage/integration/.coverage.int", "coverage/unit/.coverage.unit"],
                "coverage",
                "data",
                True,
            ),
        ]
        assert inputs[0].error is not None
        assert inputs[0].error.startswith(f"{bad}: not a usable coverage data file")
        assert inputs[1].path == reports / "coverage" / "integration" / ".coverage.int"

    def test_errors_are_inputs(self, tmp_path: Path) -> None:
        """Unrecognised, empty, broken and missing files become inputs with one-line errors."""
        (tmp_path / "a.bin").write_bytes(b"\x00\x01garbage")
        (tmp_path / "b.json").write_text("  \n")
        (tmp_path / "c.json").write_text('{"machine_info": {}, "benchmarks": [')
        (tmp_path / "d.json").write_text('{"meta": {"format": 3}, "files": {')
        (tmp_path / "e.json").write_text('{"other": [1, 2')
        (tmp_path / "f.json").write_text('{"schema": "noxci.report/1"}')
        missing = tmp_path / "missing"
        inputs = discover([tmp_path, missing])
        assert summary(inputs[:-1], tmp_path) == [
            (["a.bin"], None, None, False),
            (["b.json"], None, None, False),
            (["c.json"], "benchmark", None, False),
            (["d.json"], "coverage", "json", False),
            (["e.json"], None, None, False),
            (["f.json"], None, None, False),
        ]
        assert [item.error for item in inputs] == [
            f"{tmp_path / 'a.bin'}: {UNKNOWN}",
            f"{tmp_path / 'b.json'}: is empty; remove it or re-run what writes it",
            f"{tmp_path / 'c.json'}: the JSON file is not valid JSON "
            "(Expecting value: line 1 column 37); re-run what writes it",
            f"{tmp_path / 'd.json'}: the JSON file is not valid JSON "
            "(Expecting property name enclosed in double quotes: line 1 column 35); "
            "re-run what writes it",
            f"{tmp_path / 'e.json'}: the JSON file is not valid JSON "
            "(Expecting ',' delimiter: line 1 column 16); re-run what writes it",
            f"{tmp_path / 'f.json'}: {UNKNOWN}",
            f"{missing}: no such file or directory; check the report's input paths",
        ]
        assert (inputs[-1].path, inputs[-1].kind) == (missing, None)

    def test_explicit_files_always_examined(self, reports: Path) -> None:
        """A file named explicitly is read even when a walk would skip its name."""
        inputs = discover([reports / "report.json", reports / "junit" / "unit.xml"])
        assert summary(inputs, reports) == [
            (["report.json"], None, None, False),
            (["junit/unit.xml"], "junit", None, True),
        ]

    def test_duplicates_read_once(self, reports: Path) -> None:
        """A file reached twice (by name and through its directory) is one input."""
        unit = reports / "junit" / "unit.xml"
        assert summary(discover([unit, reports / "junit"]), reports) == [
            (["junit/unit.xml"], "junit", None, True)
        ]

    def test_special_files_never_opened(self, tmp_path: Path) -> None:
        """A FIFO is skipped while walking and refused when named, without blocking."""
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
        assert discover([tmp_path]) == []
        assert [item.error for item in discover([fifo])] == [
            f"{fifo}: is not a regular file; check the report's input paths"
        ]

    def test_pruned_directories(self, tmp_path: Path) -> None:
        """``.git`` and ``__pycache__`` are not walked."""
        for name in (".git", "__pycache__"):
            (tmp_path / name).mkdir()
            (tmp_path / name / "x.xml").write_text(JUNIT)
        assert discover([tmp_path]) == []

    def test_utf16_json(self, tmp_path: Path) -> None:
        """A UTF-16 benchmark file with a BOM is recognised."""
        text = (DATA / "benchmark" / "pytest-benchmark-5.3.1.json").read_text("utf-8")
        (tmp_path / "b.json").write_bytes(text.encode("utf-16"))
        assert summary(discover([tmp_path]), tmp_path) == [(["b.json"], "benchmark", None, True)]


class TestRecognise:
    """One file at a time."""

    def test_unreadable(self, tmp_path: Path) -> None:
        """A path that cannot be opened becomes an input with an error."""
        item = recognise(tmp_path)
        assert (item.kind, item.error) == (
            None,
            f"{tmp_path}: cannot read it (Is a directory); check its permissions",
        )

    def test_input_defaults(self, tmp_path: Path) -> None:
        """An input of one file lists that file as its only path."""
        item = Input(path=tmp_path / "x.xml", kind=InputKind.JUNIT)
        assert (item.paths, item.ok, item.coverage_format) == ((tmp_path / "x.xml",), True, None)
        assert InputKind.COVERAGE.value == "coverage"
        assert CoverageFormat.DATA.value == "data"
