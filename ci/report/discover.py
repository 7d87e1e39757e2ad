"""Find the report's inputs among files and directories, recognising each by its content.

``python -m ci report [PATH ...]`` hands its paths here. Directories are walked recursively
in sorted order (symlinked directories are not followed; special files such as FIFOs are
never opened, as reading one would block). Files are recognised by their first bytes or,
for JSON, their top-level keys, never by their names: JUnit XML, coverage.py data files
(SQLite), coverage.py JSON, Cobertura XML and pytest-benchmark JSON. While
walking, files that are obviously not inputs are skipped by name: configuration
(``.coveragerc``...), noxci's own outputs (``report.json``, ``report.md``), SQLite's side
files, and documents, pages and code (``.md``, ``.html``, ``.py``...). Files named
explicitly are always examined.

Every coverage data file found joins ONE coverage input: they are combined. A file that
cannot be recognised or read becomes an :class:`Input` with an ``error`` instead of an
exception, so that the report still covers every other input (and exits with 2).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ci.errors import InputError
from ci.report.model import CoverageFormat, InputKind
from ci.report.parse._cobertura import is_cobertura
from ci.report.parse._json import decode_text, load_json
from ci.report.parse.benchmark import is_benchmark_json
from ci.report.parse.coverage import check_data_file, is_coverage_data, is_coverage_json
from ci.report.parse.junit import HEAD_BYTES, is_junit

__all__ = ["Input", "discover", "recognise"]

#: Names never read while walking a directory (noxci's outputs and coverage.py's config).
SKIPPED_NAMES = frozenset({"report.json", "report.md", ".gitignore", ".DS_Store"})
#: Suffixes never read while walking a directory: documents, pages, configuration, code.
SKIPPED_SUFFIXES = frozenset(
    {".md", ".txt", ".rst", ".html", ".htm", ".css", ".js", ".png", ".svg", ".ico"}
    | {".log", ".cfg", ".ini", ".toml", ".yml", ".yaml", ".py", ".pyc", ".lock"}
)
_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
#: Directories never walked: version control, caches, and the base side of a same-runner
#: benchmark comparison (``reports/benchmark-base/``: the baseline's, not the head's).
_PRUNED_DIRS = frozenset({".git", "__pycache__", "benchmark-base"})
_UNKNOWN = (
    "is not JUnit XML, a coverage data file, coverage JSON, Cobertura XML or "
    "pytest-benchmark JSON; remove it from the report's inputs"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Input:
    """One input of the report: a file, or every coverage data file (combined as one)."""

    #: The file (the first one, for a group of coverage data files).
    path: Path
    #: ``None`` when the content was not recognised (then ``error`` says so).
    kind: InputKind | None
    #: Every file of the input; more than one only for coverage data files.
    paths: tuple[Path, ...] = ()
    #: The flavour of a coverage input (``None`` for other kinds).
    coverage_format: CoverageFormat | None = None
    #: Why the input cannot be used, one line naming the file; ``None`` when it can.
    error: str | None = None

    def __post_init__(self) -> None:
        """Default ``paths`` to the one ``path``."""
        if not self.paths:
            object.__setattr__(self, "paths", (self.path,))

    @property
    def ok(self) -> bool:
        """The input was recognised and can be read."""
        return self.error is None


def discover(paths: Sequence[Path]) -> list[Input]:
    """Return the inputs found in ``paths`` (files and directories), in the order found."""
    found: list[Input] = []
    data_files: list[Path] = []
    group_at: int | None = None
    seen: set[Path] = set()
    for path in _files(paths, found):
        if (key := path.resolve()) in seen:
            continue
        seen.add(key)
        item = recognise(path)
        if item.ok and item.coverage_format is CoverageFormat.DATA:
            if group_at is None:  # the group takes the place of its first file
                group_at = len(found)
                found.append(item)
            data_files.append(path)
        else:
            found.append(item)
    if group_at is not None:
        found[group_at] = Input(
            path=data_files[0],
            paths=tuple(data_files),
            kind=InputKind.COVERAGE,
            coverage_format=CoverageFormat.DATA,
        )
    return found


def _files(paths: Sequence[Path], found: list[Input]) -> Iterator[Path]:
    """Yield the files to examine; note paths that do not exist in ``found``."""
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path
        else:
            problem = "is not a regular file" if path.exists() else "no such file or directory"
            error = f"{path}: {problem}; check the report's input paths"
            found.append(Input(path=path, kind=None, error=error))


def _walk(root: Path) -> list[Path]:
    """The files under ``root`` that may be inputs, recursively, sorted by their path parts."""
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if name not in _PRUNED_DIRS]
        for name in filenames:
            path = Path(directory, name)
            if not _skipped(name) and path.is_file():  # never open a FIFO: it would block
                found.append(path)
    return sorted(found, key=lambda path: path.parts)


def _skipped(name: str) -> bool:
    """Whether a file is obviously not an input, by its name."""
    return (
        name in SKIPPED_NAMES
        or name.startswith(".coveragerc")
        or name.endswith(_SQLITE_SIDE_FILES)
        or Path(name).suffix.lower() in SKIPPED_SUFFIXES
    )


def recognise(path: Path) -> Input:
    """Tell what one file is from its content; problems become the input's ``error``."""
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES)
    except OSError as error:
        problem = f"{path}: cannot read it ({error.strerror}); check its permissions"
        return Input(path=path, kind=None, error=problem)
    if is_coverage_data(head):
        return _coverage_data(path)
    if is_junit(head):
        return Input(path=path, kind=InputKind.JUNIT)
    if is_cobertura(head):
        return Input(path=path, kind=InputKind.COVERAGE, coverage_format=CoverageFormat.COBERTURA)
    if _text(head).lstrip().startswith("{"):
        return _json(path, head)
    empty = len(head) < HEAD_BYTES and not _text(head).strip()
    problem = "is empty; remove it or re-run what writes it" if empty else _UNKNOWN
    return Input(path=path, kind=None, error=f"{path}: {problem}")


def _coverage_data(path: Path) -> Input:
    """A coverage data file, checked now so one bad file does not spoil the combination."""
    try:
        check_data_file(path)
    except InputError as error:
        return Input(
            path=path,
            kind=InputKind.COVERAGE,
            coverage_format=CoverageFormat.DATA,
            error=str(error),
        )
    return Input(path=path, kind=InputKind.COVERAGE, coverage_format=CoverageFormat.DATA)


def _json(path: Path, head: bytes) -> Input:
    """A JSON file: pytest-benchmark's or coverage.py's, told apart by its keys."""
    try:
        document = load_json(path, what="JSON file", remedy="re-run what writes it")
    except InputError as error:
        kind, flavour = _guess_json(head)
        return Input(path=path, kind=kind, coverage_format=flavour, error=str(error))
    if is_benchmark_json(document):
        return Input(path=path, kind=InputKind.BENCHMARK)
    if is_coverage_json(document):
        return Input(path=path, kind=InputKind.COVERAGE, coverage_format=CoverageFormat.JSON)
    return Input(path=path, kind=None, error=f"{path}: {_UNKNOWN}")


def _guess_json(head: bytes) -> tuple[InputKind | None, CoverageFormat | None]:
    """Guess what a broken JSON file was meant to be from the keys in its head."""
    text = _text(head)
    if '"benchmarks"' in text or '"machine_info"' in text:
        return InputKind.BENCHMARK, None
    if '"meta"' in text or '"files"' in text:
        return InputKind.COVERAGE, CoverageFormat.JSON
    return None, None


def _text(head: bytes) -> str:
    """The head as text, for sniffing: BOM-aware, undecodable bytes dropped."""
    return decode_text(head, errors="ignore")
