"""pytest-split's durations file, kept up to date from JUnit files (``python -m ci durations``).

pytest-split balances shards from a JSON object ``{node id: seconds}`` (``.test_durations``;
its own ``--store-durations`` writes it sorted, indented by 4). Maintaining that file by hand
is the chore pytest-split users complain about; every stage already writes JUnit, so the
file is derived from those: each test's ``time`` (setup, call and teardown, as pytest-split
counts it), under the node id pytest gives it.

JUnit does not keep the node id: pytest writes ``classname="tests.unit.test_a.TestX"`` and
``name="test_y[1]"`` for ``tests/unit/test_a.py::TestX::test_y[1]``. :func:`node_id` maps it
back: the file named by the JUnit ``file`` attribute when there is one (xunit1), else the
longest dotted prefix of the classname that is a ``.py`` file in the project, else the parts
before the first capitalised one (a test class). Several files merge with the newest file
winning; tests the input does not mention keep their entries (a shard run of today must
not forget the other shards' tests).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ci.errors import InputError
from ci.report.discover import discover
from ci.report.model import InputKind, TestCase
from ci.report.parse.junit import iter_junit

__all__ = [
    "Modules",
    "Written",
    "junit_durations",
    "junit_files",
    "node_id",
    "read_durations",
    "update_durations",
    "write_durations",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Written:
    """What :func:`update_durations` did: files read, tests found, entries in the file."""

    files: int
    tests: int
    total: int


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


def update_durations(paths: Sequence[Path], *, output: Path, project: Path) -> Written:
    """Merge the tests of the JUnit files in ``paths`` into the durations file ``output``."""
    files = junit_files(paths)
    found = junit_durations(files, project)
    merged = {**read_durations(output), **found}
    write_durations(output, merged)
    return Written(files=len(files), tests=len(found), total=len(merged))
