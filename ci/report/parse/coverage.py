"""Read coverage: coverage.py data files, coverage.py JSON reports and Cobertura XML.

Data files (``.coverage``, parallel ``.coverage.*``) are combined and analysed by
coverage.py itself, so the total equals ``coverage report`` on the same data, branches
included: ``coverage combine --keep`` into a temporary data file, then ``coverage json``,
both run with the project directory as the working directory (where the sources are and
where the project's configuration is found; ``rcfile`` names another one). That honours
``[paths]`` remapping, ``[report]`` exclusions, ``include``/``omit`` and
``relative_files``. They run as child processes because coverage.py keeps process-wide
state (the relative directory) and a report must not disturb a coverage.py that is
measuring the process that calls it; the children are not measured themselves.

JSON reports (format 2 or 3) and Cobertura XML are already analysed: their per-file
counts are read as written. Several of one flavour are merged file by file (a line or
branch is missing only where every input misses it), so shards add up.

Bad input raises :class:`ci.errors.InputError`: one line with the file, the problem and
what to do.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from coverage.sqldata import SCHEMA_VERSION

from ci.errors import ConfigError, InputError
from ci.report.model import CoverageFormat, CoverageReport, CoverageTotals, FileCoverage
from ci.report.parse._cobertura import is_cobertura, parse_cobertura
from ci.report.parse._json import (
    ShapeError,
    decode_text,
    expect_count,
    expect_list,
    expect_object,
    load_json,
)

__all__ = [
    "JSON_FORMATS",
    "check_data_file",
    "coverage_format",
    "is_coverage_data",
    "is_coverage_json",
    "parse_coverage",
]

#: The coverage.py JSON report formats this reader knows (``meta.format``).
JSON_FORMATS = frozenset({2, 3})
#: How long coverage.py may take to combine or analyse, in seconds.
TIMEOUT_S = 600
_SQLITE_MAGIC = b"SQLite format 3\x00"
_V4_MAGIC = b"!coverage.py: This is a private format"
_WHAT = "coverage JSON report"
_REMEDY = "regenerate it with `coverage json`"
_DATA_REMEDY = "delete it and re-run the tests that wrote it"
#: What makes a Python process start coverage.py (coverage's ``patch = subprocess``).
_MEASUREMENT_VARS = frozenset({"COVERAGE_PROCESS_START", "COVERAGE_PROCESS_CONFIG"})


def is_coverage_data(head: bytes) -> bool:
    """Tell from a file's first bytes whether it is an SQLite file (a coverage.py data file)."""
    return head.startswith(_SQLITE_MAGIC)


def is_coverage_json(document: object) -> bool:
    """Tell whether a decoded JSON document is a coverage.py JSON report."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("meta"), dict)
        and "format" in document["meta"]
        and "files" in document
    )


def coverage_format(path: Path) -> CoverageFormat:
    """Tell a coverage input's flavour from its content; raise :class:`InputError` if none."""
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError as error:
        msg = f"{path}: cannot read the coverage input ({error.strerror}); check the path"
        raise InputError(msg) from None
    if is_coverage_data(head):
        return CoverageFormat.DATA
    if is_cobertura(head):
        return CoverageFormat.COBERTURA
    text = decode_text(head, errors="ignore").strip()
    if text.startswith(("{", "[")):
        return CoverageFormat.JSON
    if head.startswith(_V4_MAGIC):
        problem = "is a coverage.py 4.x data file; re-run the tests with coverage.py >= 5"
    elif not text:
        problem = "is empty; delete it and re-run the tests that wrote it"
    else:
        problem = "is not a coverage data file, coverage JSON or Cobertura XML; check the path"
    msg = f"{path}: {problem}"
    raise InputError(msg)


def check_data_file(path: Path) -> None:
    """Make sure coverage.py can use a data file; raise :class:`InputError` if not.

    Read-only: the file is opened with SQLite's ``mode=ro`` (coverage.py's own reader
    would write its schema into an SQLite file that has none).
    """
    try:
        empty = path.stat().st_size == 0
    except OSError as error:
        msg = f"{path}: cannot read the coverage data file ({error.strerror}); check the path"
        raise InputError(msg) from None
    if empty:
        msg = f"{path}: the coverage data file is empty; {_DATA_REMEDY}"
        raise InputError(msg)
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            (checked,) = db.execute("pragma quick_check").fetchone()
            if checked != "ok":
                problems = [line for line in checked.splitlines() if not line.startswith("***")]
                detail = problems[0] if problems else checked
                msg = f"{path}: the coverage data file is corrupt ({detail}); {_DATA_REMEDY}"
                raise InputError(msg)
            row = db.execute("select version from coverage_schema").fetchone()
    except sqlite3.Error as error:
        msg = f"{path}: not a usable coverage data file ({error}); {_DATA_REMEDY}"
        raise InputError(msg) from None
    schema = row[0] if row else None
    if schema != SCHEMA_VERSION:
        msg = (
            f"{path}: coverage data schema {schema}, and this coverage.py reads {SCHEMA_VERSION}; "
            "combine it with the coverage.py version that wrote it"
        )
        raise InputError(msg)


def parse_coverage(
    inputs: Sequence[Path], *, rcfile: Path | None = None, project: Path = Path()
) -> CoverageReport:
    """Read coverage inputs of one flavour into one report.

    ``rcfile`` and ``project`` matter to data files only: the configuration to use (default:
    coverage.py's own search in ``project``) and the directory holding the sources.
    """
    paths = tuple(inputs)
    if not paths:
        msg = "no coverage input was given; pass coverage data, JSON or Cobertura files"
        raise InputError(msg)
    formats = {path: coverage_format(path) for path in paths}
    flavour = formats[paths[0]]
    mixed = [path for path in paths if formats[path] is not flavour]
    if mixed:
        msg = (
            f"{mixed[0]}: is {formats[mixed[0]]} coverage but {paths[0]} is {flavour}; "
            "pass one flavour of coverage input at a time"
        )
        raise InputError(msg)
    if flavour is CoverageFormat.DATA:
        return _parse_data_files(paths, rcfile=rcfile, project=project)
    if flavour is CoverageFormat.COBERTURA:
        return parse_cobertura(paths, project=project)
    return _merge([_parse_json_file(path) for path in paths])


def _parse_data_files(
    paths: tuple[Path, ...], *, rcfile: Path | None, project: Path
) -> CoverageReport:
    """Combine data files and analyse them with coverage.py, in ``project``."""
    for path in paths:
        check_data_file(path)
    config: list[str] = []
    if rcfile is not None:
        if not rcfile.is_file():
            msg = f"{rcfile}: coverage configuration file not found; check the rcfile path"
            raise ConfigError(msg)
        config = [f"--rcfile={rcfile.resolve()}"]
    with tempfile.TemporaryDirectory(prefix="noxci-coverage-") as scratch:
        combined, report = Path(scratch, ".coverage"), Path(scratch, "coverage.json")
        data = [str(path.resolve()) for path in paths]
        warnings = _run_coverage(
            ["combine", "--keep", "-q", f"--data-file={combined}", *config, *data], paths, project
        )
        json_args = ["json", "-q", f"--data-file={combined}", "-o", str(report), "--fail-under=0"]
        warnings += _run_coverage([*json_args, *config], paths, project)
        document = load_json(report, what="coverage.py JSON output", remedy="report this bug")
    try:
        parsed = _report_from_json(document, paths, CoverageFormat.DATA)
    except ShapeError as error:  # pragma: no cover - coverage.py wrote it
        msg = f"{paths[0]}: coverage.py's JSON output was unexpected: {error}"
        raise InputError(msg) from None
    return _with_warnings(parsed, warnings)


def _run_coverage(args: list[str], paths: tuple[Path, ...], project: Path) -> list[str]:
    """Run one coverage.py command in ``project``; return its warnings or raise."""
    env = {key: value for key, value in os.environ.items() if key not in _MEASUREMENT_VARS}
    command = [sys.executable, "-m", "coverage", *args]
    try:
        done = subprocess.run(
            command,
            check=False,
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        msg = f"{_names(paths)}: coverage {args[0]} took over {TIMEOUT_S} s; check the data files"
        raise InputError(msg) from None
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    prefix = "Coverage.py warning: "
    warnings = [line.removeprefix(prefix) for line in lines if line.startswith(prefix)]
    if done.returncode != 0:
        problems = [line for line in lines if not line.startswith(prefix)] or ["no output"]
        msg = (
            f"{_names(paths)}: coverage {args[0]} failed in {project} ({problems[-1]}); "
            "run the report in the project directory, with its sources and configuration"
        )
        raise InputError(msg)
    return warnings


def _names(paths: tuple[Path, ...]) -> str:
    """Name a group of inputs in one message: the first, and how many more."""
    return str(paths[0]) if len(paths) == 1 else f"{paths[0]} (and {len(paths) - 1} more)"


def _parse_json_file(path: Path) -> CoverageReport:
    """Read one coverage.py JSON report, checking its format version first."""
    document = load_json(path, what=_WHAT, remedy=_REMEDY)
    try:
        return _report_from_json(_check_json_format(document), (path,), CoverageFormat.JSON)
    except ShapeError as error:
        msg = f"{path}: {error}; {_REMEDY} (coverage.py >= 7)"
        raise InputError(msg) from None


def _check_json_format(document: object) -> dict[str, object]:
    """Return the document if it is a coverage.py JSON report of a known format."""
    root = expect_object(document, "the document")
    if not is_coverage_json(root):
        msg = "is not a coverage.py JSON report (no 'meta.format' and 'files')"
        raise ShapeError(msg)
    version = expect_object(root["meta"], "'meta'").get("format")
    if version not in JSON_FORMATS:
        known = " and ".join(str(number) for number in sorted(JSON_FORMATS))
        msg = f"has JSON report format {version!r}, and this reader knows {known}"
        raise ShapeError(msg)
    return root


def _report_from_json(
    document: object, paths: tuple[Path, ...], flavour: CoverageFormat
) -> CoverageReport:
    """Build the report from coverage.py's JSON (its ``files`` and ``meta``)."""
    root = expect_object(document, "the document")
    files = expect_object(root.get("files"), "'files'")
    entries = tuple(_file(name, files[name]) for name in sorted(files))
    return CoverageReport(
        format=flavour,
        paths=paths,
        files=entries,
        totals=sum((entry.totals for entry in entries), CoverageTotals()),
        branch=bool(expect_object(root.get("meta"), "'meta'").get("branch_coverage")),
    )


def _file(name: str, value: object) -> FileCoverage:
    """Read one entry of ``files``: its summary counts, lines and branch arcs."""
    where = f"files[{name!r}]"
    entry = expect_object(value, where)
    summary = expect_object(entry.get("summary"), f"{where}.summary")

    def count(key: str) -> int:
        return expect_count(summary.get(key, 0), f"{where}.summary.{key}")

    def lines(key: str) -> tuple[int, ...]:
        items = expect_list(entry.get(key, []), f"{where}.{key}")
        return tuple(expect_count(item, f"{where}.{key}[]") for item in items)

    def arcs(key: str) -> tuple[tuple[int, int], ...]:
        items = expect_list(entry.get(key, []), f"{where}.{key}")
        return tuple(_arc(item, f"{where}.{key}[]") for item in items)

    return FileCoverage(
        path=name,
        totals=CoverageTotals(
            covered_lines=count("covered_lines"),
            num_statements=count("num_statements"),
            covered_branches=count("covered_branches"),
            num_branches=count("num_branches"),
        ),
        executed_lines=lines("executed_lines"),
        missing_lines=lines("missing_lines"),
        excluded_lines=lines("excluded_lines"),
        executed_branches=arcs("executed_branches"),
        missing_branches=arcs("missing_branches"),
    )


def _arc(value: object, where: str) -> tuple[int, int]:
    """Read one branch arc: a pair of line numbers (negative ones leave the code)."""
    pair = expect_list(value, where)
    numbers = [item for item in pair if isinstance(item, int) and not isinstance(item, bool)]
    if len(pair) != 2 or len(numbers) != 2:
        msg = f"{where} is {pair!r}, not a pair of line numbers"
        raise ShapeError(msg)
    return (numbers[0], numbers[1])


def _merge(reports: list[CoverageReport]) -> CoverageReport:
    """Merge reports of one flavour file by file (missing only where all miss)."""
    by_path: dict[str, FileCoverage] = {}
    for report in reports:
        for entry in report.files:
            known = by_path.get(entry.path)
            by_path[entry.path] = entry if known is None else _merge_file(known, entry)
    entries = tuple(by_path[path] for path in sorted(by_path))
    return CoverageReport(
        format=reports[0].format,
        paths=tuple(path for report in reports for path in report.paths),
        files=entries,
        totals=sum((entry.totals for entry in entries), CoverageTotals()),
        branch=any(report.branch for report in reports),
    )


def _merge_file(first: FileCoverage, second: FileCoverage) -> FileCoverage:
    """One file measured twice: executed is the union, missing the intersection."""
    missing = sorted(set(first.missing_lines) & set(second.missing_lines))
    missing_arcs = sorted(set(first.missing_branches) & set(second.missing_branches))
    statements = max(first.totals.num_statements, second.totals.num_statements)
    branches = max(first.totals.num_branches, second.totals.num_branches)
    return FileCoverage(
        path=first.path,
        totals=CoverageTotals(
            covered_lines=statements - len(missing),
            num_statements=statements,
            covered_branches=branches - len(missing_arcs),
            num_branches=branches,
        ),
        executed_lines=tuple(sorted({*first.executed_lines, *second.executed_lines})),
        missing_lines=tuple(missing),
        excluded_lines=tuple(sorted({*first.excluded_lines, *second.excluded_lines})),
        executed_branches=tuple(sorted({*first.executed_branches, *second.executed_branches})),
        missing_branches=tuple(missing_arcs),
    )


def _with_warnings(report: CoverageReport, warnings: list[str]) -> CoverageReport:
    """Return ``report`` carrying coverage.py's warnings too."""
    return dataclasses.replace(report, warnings=(*report.warnings, *warnings))
