"""Golden outputs of ``python -m ci report``: terminal, Markdown and report.json.

Inputs are real artifacts from ``tests/data`` (pytest xunit2 and rerunfailures JUnit,
a coverage.py JSON report, a pytest-benchmark 5.3.1 file) laid out like a ``reports/``
directory, plus a JUnit file full of hostile text. Refresh with
``nox -s snapshot -- --snapshot-update`` and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from ci.config import Settings
from ci.report import pipeline

DATA = Path(__file__).parents[1] / "data"
INPUTS = Path(__file__).parent / "inputs"


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """One golden ``.md`` file per test, readable on its own."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"


class TextSnapshot(SingleFileSnapshotExtension):
    """One golden ``.txt`` file per test."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


class JsonSnapshot(SingleFileSnapshotExtension):
    """One golden ``.json`` file per test."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"


def lay_out(root: Path, files: dict[str, Path]) -> Path:
    """A reports directory holding ``files`` (destination name → source)."""
    for name, source in files.items():
        destination = root / "reports" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    return root


REALISTIC = {
    "junit/unit.xml": DATA / "junit" / "pytest_xunit2.xml",
    "junit/integration.xml": DATA / "junit" / "pytest_rerunfailures.xml",
    "coverage/coverage.json": DATA / "coverage" / "json" / "sample.json",
    "benchmark/benchmark.json": DATA / "benchmark" / "pytest-benchmark-5.3.1.json",
}
HOSTILE = {"junit/unit.xml": INPUTS / "hostile.xml"}


def report_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, Path], output_format: str
) -> tuple[int, str]:
    """Run the report over the laid-out files from inside the project, as nox does."""
    project = lay_out(tmp_path, files)
    monkeypatch.chdir(project)
    output = project / "out"
    code = pipeline.run(
        Settings(fail_under=80),
        project=Path(),
        paths=[Path("reports")],
        expect=None,
        output_format=output_format,
        output=output,
    )
    return code, output.read_text(encoding="utf-8")


EXTENSIONS: dict[str, type[SingleFileSnapshotExtension]] = {
    "terminal": TextSnapshot,
    "markdown": MarkdownSnapshot,
    "json": JsonSnapshot,
}


@pytest.mark.parametrize("output_format", ["terminal", "markdown", "json"])
@pytest.mark.parametrize(
    ("files", "expected_code"),
    [pytest.param(REALISTIC, 1, id="realistic"), pytest.param(HOSTILE, 1, id="hostile")],
)
def test_report_view(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    snapshot: SnapshotAssertion,
    files: dict[str, Path],
    expected_code: int,
    output_format: str,
) -> None:
    """Terminal (tables, failures, gates, closing line), Markdown (inert text) and report.json."""
    code, text = report_text(tmp_path, monkeypatch, files, output_format)
    assert code == expected_code
    assert text == snapshot(extension_class=EXTENSIONS[output_format])
