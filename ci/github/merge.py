"""The report job's merge: every stage job's artifact folder, laid out as one ``reports/``.

``actions/download-artifact`` puts each job's upload in a folder of its own, named by the
matrix cell (``noxci-unit-py3.12/junit/unit.xml``...). :func:`merge_artifacts` copies them
into the layout the report reads, as if one machine had run every job: a stage that ran
on several Pythons keeps one JUnit file per Python (``junit/unit-py3.12.xml``, so the
report shows which Python failed); coverage data files keep their unique names, so the
report combines them across jobs. A cell whose artifact is missing is named, once.

``portable=True`` makes a bundle that can be reported without the sources: ``reports/``
in that layout, with the coverage data combined here (with the stages' configuration)
into ``reports/coverage/coverage.json``; beside it the change as ``changes.diff``, the
pull request's event file as ``event.json`` and the baseline as ``baseline/``. The
fork-safe ``workflow_run`` workflow and the main-branch baseline use that form: neither
has the measured commit checked out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci.config import Settings
from ci.coverage_config import coverage_config
from ci.errors import InputError
from ci.report.parse.diff import git_diff

__all__ = ["MergeResult", "Upload", "merge_artifacts", "read_matrix"]

#: The parts of a portable bundle.
REPORTS_DIR = "reports"
COVERAGE_JSON = Path("coverage") / "coverage.json"
DIFF_FILE = "changes.diff"
EVENT_FILE = "event.json"
BASELINE_DIR = "baseline"
_DATA_PREFIX = ".coverage."
_KEPT_VARS = (
    "COVERAGE_PROCESS_CONFIG",
    "COVERAGE_PROCESS_START",
    "COVERAGE_FILE",
    "COVERAGE_RCFILE",
)


@dataclass(frozen=True, kw_only=True)
class Upload:
    """What the merge needs to know of a matrix cell: its artifact, stage and Python."""

    artifact: str
    stage: str
    python: str
    kind: str


@dataclass(frozen=True, kw_only=True)
class MergeResult:
    """What was merged: the files written, and one line per missing artifact."""

    files: tuple[Path, ...]
    missing: tuple[str, ...]


def read_matrix(text: str) -> list[Upload]:
    """The cells of ``python -m ci matrix`` output; InputError if it is not that."""
    try:
        data: Any = json.loads(text)
        cells = data["include"]
        uploads = [
            Upload(
                artifact=str(cell["artifact"]),
                stage=str(cell["stage"]),
                python=str(cell["python"]),
                kind=str(cell["kind"]),
            )
            for cell in cells
        ]
    except (ValueError, TypeError, KeyError):
        msg = "--matrix: not the output of `python -m ci matrix`; pass the plan job's output"
        raise InputError(msg) from None
    return uploads


def _files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root``, in sorted order, relative to it."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root)


def _target(relative: Path, suffix: str) -> Path:
    """Where a file lands: coverage data keeps its name, others get the Python suffix."""
    if relative.name.startswith(_DATA_PREFIX) or not suffix:
        return relative
    return relative.with_name(f"{relative.stem}{suffix}{relative.suffix}")


def _copy_cell(source: Path, into: Path, suffix: str, *, portable: bool) -> Iterator[Path]:
    for relative in _files(source):
        target = into / _target(relative, suffix)
        if portable and relative.name.startswith(_DATA_PREFIX):
            target = into / ".data" / relative.name  # combined into coverage.json below
        if target.exists():
            msg = f"{source / relative}: {target} is there already; upload each job's files once"
            raise InputError(msg)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)
        yield target


def merge_artifacts(
    artifacts: Path,
    uploads: Sequence[Upload],
    into: Path,
    *,
    settings: Settings,
    project: Path,
    portable: bool = False,
    event_file: Path | None = None,
    baseline: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> MergeResult:
    """Copy each cell's folder under ``artifacts`` into ``into``, in the reports layout."""
    cells = [upload for upload in uploads if upload.kind != "lint"]
    per_stage = {
        cell.stage: len({c.python for c in cells if c.stage == cell.stage}) for cell in cells
    }
    reports = into / REPORTS_DIR if portable else into
    reports.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    missing: list[str] = []
    for cell in cells:
        source = artifacts / cell.artifact
        if not source.is_dir():
            missing.append(
                f"{source}: the job {cell.stage} ({cell.python}) uploaded no artifact "
                f"{cell.artifact}; see that job's log"
            )
            continue
        suffix = f"-py{cell.python}" if per_stage[cell.stage] > 1 else ""
        files.extend(_copy_cell(source, reports, suffix, portable=portable))
    if portable:
        files = [path for path in files if path.parent != reports / ".data"]
        files.extend(_coverage(reports, settings, project, env or os.environ))
        files.extend(_extras(into, settings, project, event_file, baseline))
    return MergeResult(files=tuple(files), missing=tuple(missing))


def _coverage(
    reports: Path, settings: Settings, project: Path, env: Mapping[str, str]
) -> Iterator[Path]:
    """coverage.json from the data files the cells' folders held."""
    data = reports / ".data"
    if data.is_dir():
        yield _coverage_json(
            sorted(data.iterdir()), reports / COVERAGE_JSON, settings, project, env
        )
        shutil.rmtree(data)


def _extras(
    into: Path, settings: Settings, project: Path, event_file: Path | None, baseline: Path | None
) -> Iterator[Path]:
    """The change as a diff, the event file and the baseline, beside ``reports/``."""
    if settings.diff_base:
        diff = into / DIFF_FILE
        diff.write_text(git_diff(project, settings.diff_base), encoding="utf-8")
        yield diff
    if event_file is not None:
        try:
            shutil.copyfile(event_file, into / EVENT_FILE)
        except OSError as error:
            msg = f"{event_file}: cannot copy the event file ({error.strerror}); check the path"
            raise InputError(msg) from None
        yield into / EVENT_FILE
    if baseline is not None and baseline.is_dir():
        shutil.copytree(baseline, into / BASELINE_DIR)
        yield from (into / BASELINE_DIR / path for path in _files(into / BASELINE_DIR))


def _coverage_json(
    data: Sequence[Path], output: Path, settings: Settings, project: Path, env: Mapping[str, str]
) -> Path:
    """Combine coverage data files with the stages' configuration; write coverage.py JSON."""
    clean = {key: value for key, value in env.items() if key not in _KEPT_VARS}
    with tempfile.TemporaryDirectory(prefix="noxci-merge-") as scratch:
        combined = Path(scratch, ".coverage")
        rcfile = Path(scratch, "coverage.toml")
        rcfile.write_text(coverage_config(project, settings, combined), encoding="utf-8")
        output.parent.mkdir(parents=True, exist_ok=True)
        config = f"--rcfile={rcfile}"
        steps = (
            ["combine", "--keep", "-q", config, *(str(path.resolve()) for path in data)],
            ["json", "-q", config, "-o", str(output.resolve()), "--fail-under=0"],
        )
        for args in steps:
            done = subprocess.run(
                [sys.executable, "-m", "coverage", *args],
                cwd=project,
                env=clean,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            if done.returncode != 0:
                last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
                msg = f"{data[0].parent}: coverage {args[0]} failed in {project} ({last})"
                raise InputError(msg)
    return output
