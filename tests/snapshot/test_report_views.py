"""Golden outputs: ``python -m ci report`` over artifacts, and each channel over model reports.

Artifact inputs are real files from ``tests/data`` (pytest xunit2 and rerunfailures JUnit,
a coverage.py JSON report, a pytest-benchmark 5.3.1 file) laid out like a ``reports/``
directory, plus a JUnit file full of hostile text. Model inputs (``model_reports``) have
what artifacts alone cannot give: a baseline with new and fixed failures, a coverage drop
and diff coverage, benchmark regressions with history; one over budget; one full of
hostile text. Each is rendered as the comment (as posted, marker first), the check run,
the job summary and the terminal. Refresh with ``nox -s snapshot -- --snapshot-update``
and review the diff.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from ci.config import Settings
from ci.report import pipeline
from ci.report.model import Report
from ci.report.publishing import comment_body
from ci.report.render.markdown import render_check, render_summary
from ci.report.render.marker import comment_marker
from ci.report.render.terminal import render_terminal
from tests.snapshot.model_reports import hostile, over_budget, with_baseline

DATA = Path(__file__).parents[1] / "data"
#: The report's own time (``run.time``): scrubbed, it changes every run.
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
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
    return code, TIMESTAMP.sub("<time>", output.read_text(encoding="utf-8"))


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


MARKER = comment_marker()


def comment_view(report: Report) -> str:
    """The comment exactly as it is posted: marker line, then the body."""
    return f"{MARKER}\n{comment_body(report, MARKER)}"


def check_view(report: Report) -> str:
    """The check run's title, summary and text, one after the other."""
    title, summary, text = render_check(report)
    return f"<!-- title -->\n{title}\n<!-- summary -->\n{summary}<!-- text -->\n{text}"


VIEWS: dict[str, tuple[Callable[[Report], str], type[SingleFileSnapshotExtension]]] = {
    "comment": (comment_view, MarkdownSnapshot),
    "check": (check_view, MarkdownSnapshot),
    "summary": (render_summary, MarkdownSnapshot),
    "terminal": (render_terminal, TextSnapshot),
}
MODELS: dict[str, Callable[[], Report]] = {
    "baseline": with_baseline,
    "over-budget": lambda: over_budget(600, 2_000),
    "hostile": hostile,
}


@pytest.mark.parametrize(
    ("model", "view"),
    [
        *((model, view) for model in ("baseline", "hostile") for view in VIEWS),
        # The job summary and check run of 600 failures would hold them all: 1 MB of golden file.
        ("over-budget", "comment"),
        ("over-budget", "terminal"),
    ],
)
def test_model_view(snapshot: SnapshotAssertion, model: str, view: str) -> None:
    """Each channel's rendering of a model report: budgets, priorities and inert text."""
    render, extension = VIEWS[view]
    assert render(MODELS[model]()) == snapshot(extension_class=extension)
