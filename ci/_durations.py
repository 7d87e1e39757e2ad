"""pytest-split's durations file, kept up to date from the results store and JUnit files.

pytest-split balances shards from a JSON object ``{node id: seconds}`` (``.test_durations``;
its own ``--store-durations`` writes it sorted, indented by 4). Maintaining that file by hand
is the chore pytest-split users complain about; every stage already writes JUnit and every
report stores each test's time in the results store (:mod:`ci.history.durations`), so
``python -m ci durations`` derives the file from those: each test's ``time`` (setup, call
and teardown, as pytest-split counts it), under the node id pytest gives it. The sources
merge in this order, a later one winning for the tests it has: the existing file, the
store (the newest of its recent runs that timed each test), the JUnit files.

JUnit does not keep the node id: pytest writes ``classname="tests.unit.test_a.TestX"`` and
``name="test_y[1]"`` for ``tests/unit/test_a.py::TestX::test_y[1]``. :func:`node_id` maps it
back: the file named by the JUnit ``file`` attribute when there is one (xunit1), else the
longest dotted prefix of the classname that is a ``.py`` file in the project, else the parts
before the first capitalised one (a test class). The store keeps noxci test ids
(``[file::]classname::name``), which :func:`case_of` splits back into those parts, so a
stored test gets the same node id as its JUnit case. Several files merge with the newest
file winning; tests the input does not mention keep their entries (a shard run of today
must not forget the other shards' tests).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ci.errors import InputError
from ci.history.durations import stored_durations
from ci.report.discover import discover
from ci.report.model import ID_SEPARATOR, InputKind, TestCase
from ci.report.parse.junit import iter_junit

__all__ = [
    "Modules",
    "Written",
    "case_of",
    "history_durations",
    "junit_durations",
    "junit_files",
    "node_id",
    "read_durations",
    "update_durations",
    "write_durations",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Written:
    """What :func:`update_durations` did: the tests it found, where, and the file's size."""

    #: JUnit files read, and the tests they timed.
    files: int
    tests: int
    #: Tests the store timed lately.
    stored: int = 0
    #: Entries in the durations file written.
    total: int
    #: Why the store could not be read (``None``: it could, or there is none yet).
    problem: str | None = None


class Modules:
    """Which dotted classname prefixes are ``.py`` files under a project (looked up once)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.known: dict[str, bool] = {}

    def is_file(self, relative: str) -> bool:
        if relative not in self.known:
            self.known[relative] = (self.project / relative).is_file()
        return self.known[relative]


def node_id(case: TestCase, modules: Modules) -> str:
    """pytest's node id of a JUnit test case (see the module docstring for how)."""
    parts = case.classname.split(".") if case.classname else []
    if case.file and case.file.endswith(".py"):
        depth = len(case.file.removesuffix(".py").replace("\\", "/").split("/"))
        return "::".join([case.file.replace("\\", "/"), *parts[depth:], case.name])
    for depth in range(len(parts), 0, -1):
        path = "/".join(parts[:depth]) + ".py"
        if modules.is_file(path):
            return "::".join([path, *parts[depth:], case.name])
    depth = next((i for i, part in enumerate(parts) if part[:1].isupper()), len(parts))
    if depth == 0:
        return "::".join([*parts, case.name])
    return "::".join(["/".join(parts[:depth]) + ".py", *parts[depth:], case.name])


def case_of(test_id: str) -> TestCase:
    """The JUnit parts of a noxci test id (``[file::]classname::name``), as a test case.

    A first part ending in ``.py`` is the file; then the classname (never holding ``::``)
    and the name (which may). One part alone is a name without a classname.
    """
    parts = test_id.split(ID_SEPARATOR)
    file = parts.pop(0) if len(parts) > 1 and parts[0].endswith(".py") else None
    classname = parts.pop(0) if len(parts) > 1 else ""
    return TestCase(stage="", classname=classname, name=ID_SEPARATOR.join(parts), file=file)


def history_durations(history: Path, project: Path) -> dict[str, float]:
    """``{node id: seconds}`` of the tests the store timed lately; InputError for a bad store."""
    modules = Modules(project)
    return {
        node_id(case_of(test), modules): seconds
        for test, seconds in stored_durations(history).items()
    }


def junit_files(paths: Sequence[Path]) -> list[Path]:
    """The JUnit files in ``paths``, oldest first (so that the newest wins a merge).

    A path that is not there, or a named file that is not JUnit, is an InputError; other
    files found in directories (coverage data, benchmark JSON) are passed over.
    """
    named = {path.resolve() for path in paths if not path.is_dir()}
    found: list[Path] = []
    for item in discover(paths):
        if item.kind is InputKind.JUNIT and item.error is None:
            found.append(item.path)
        elif item.path.resolve() in named or not item.path.exists():
            problem = (item.error or f"{item.path}: not a JUnit XML file").split(";")[0]
            msg = f"{problem}; give JUnit files or the directory holding them"
            raise InputError(msg)
    return sorted(found, key=lambda path: (path.stat().st_mtime_ns, path.parts))


def junit_durations(files: Iterable[Path], project: Path) -> dict[str, float]:
    """``{node id: seconds}`` of every test in ``files``; a later file wins over an earlier."""
    modules = Modules(project)
    durations: dict[str, float] = {}
    for path in files:
        for case in iter_junit(path):
            durations[node_id(case, modules)] = case.duration_s
    return durations


def read_durations(path: Path) -> dict[str, float]:
    """An existing durations file (empty when there is none); InputError when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        msg = f"{path}: cannot read it ({error.strerror}); check the path or remove the file"
        raise InputError(msg) from None
    try:
        data: object = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, list):  # pytest-split's old format: [[node id, seconds], ...]
        data = dict(item for item in data if isinstance(item, list) and len(item) == 2)
    if not isinstance(data, dict) or not all(
        isinstance(value, int | float) and not isinstance(value, bool) for value in data.values()
    ):
        msg = f"{path}: not a durations file ({{node id: seconds}}); remove it to start afresh"
        raise InputError(msg)
    return {str(key): float(value) for key, value in data.items()}


def write_durations(path: Path, durations: Mapping[str, float]) -> None:
    """Write the file as pytest-split does (sorted, indented), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    rounded = {key: round(value, 6) for key, value in durations.items()}
    partial.write_text(json.dumps(rounded, sort_keys=True, indent=4) + "\n", encoding="utf-8")
    partial.replace(path)


def _nothing_found(paths: Sequence[Path], history: Path | None) -> str:
    """The one line for finding no duration anywhere: where we looked, what to do."""
    places = [f"history {history} has none"] if history is not None else []
    given = ", ".join(map(str, paths))
    places.append(f"the JUnit files in {given} have none" if paths else "no JUnit files found")
    return (
        f"no test durations: {' and '.join(places)}; run the tests and `python -m ci report` "
        "first (it stores them), or give JUnit files"
    )


def update_durations(
    paths: Sequence[Path], *, output: Path, project: Path, history: Path | None = None
) -> Written:
    """Merge the store's and the JUnit files' durations into the durations file ``output``.

    The existing file's entries, then the store's (``history``), then the JUnit files' in
    ``paths``: a later source wins for the tests it has. A store that cannot be read is
    :attr:`Written.problem` while the JUnit files have durations, else the InputError; so
    is finding no duration at all.
    """
    files = junit_files(paths)
    found = junit_durations(files, project)
    stored: dict[str, float] = {}
    problem: str | None = None
    if history is not None:
        try:
            stored = history_durations(history, project)
        except InputError as exc:
            problem = str(exc)
    if not found and not stored:
        raise InputError(problem or _nothing_found(paths, history))
    merged = {**read_durations(output), **stored, **found}
    write_durations(output, merged)
    return Written(
        files=len(files), tests=len(found), stored=len(stored), total=len(merged), problem=problem
    )
