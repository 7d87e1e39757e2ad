"""Shards: one test stage split over N runners, balanced by recorded test durations.

A stage runs one shard with ``nox -s unit -- --shard 2/4`` (or ``NOXCI_SHARD=2/4``, which
is what the CI matrix sets). pytest-split picks the shard's tests from the durations file
(``.test_durations`` at the project root, which ``python -m ci durations`` writes from
the results store and JUnit files): its ``least_duration`` algorithm hands the slowest
test to the emptiest shard, so shards finish together once durations are known. A test
the file does not know counts with the average duration.

Each shard writes files of its own, so N shards of a stage can share one ``reports/``
(one machine, or the report job's merged artifacts) and still add up to one stage:
``junit/unit-shard-2.xml`` (stage ``unit``: see :func:`stage_of`) and coverage data
``coverage/.coverage.unit.shard-2.*`` (the third dotted part is still the stage).

This module is plain data and names (no report imports), so the report's parsers can use
:func:`stage_of`; the ``durations`` subcommand's work lives in :mod:`ci._durations`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from ci.config import add_flags, flag_values, load_settings
from ci.errors import UsageError

__all__ = [
    "ALGORITHM",
    "DURATIONS_FILE",
    "SHARD_ENV",
    "Shard",
    "add_command",
    "coverage_name",
    "junit_name",
    "parse_shard",
    "pytest_args",
    "stage_of",
    "stale_files",
    "take_shard",
]

#: The environment variable that selects a shard when ``--shard`` is not given.
SHARD_ENV: Final = "NOXCI_SHARD"
#: pytest-split's durations file, at the project root.
DURATIONS_FILE: Final = ".test_durations"
#: pytest-split's algorithm: longest test first, onto the shard with the least time so far.
ALGORITHM: Final = "least_duration"
_SHARD_FLAG: Final = "--shard"
_SHARD_TEXT: Final = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
#: The options ``durations`` takes as flags, as ``report`` does (``--history PATH``).
_FLAGS: Final = ("history",)
#: ``-shard-N`` in a JUnit file's stem, at its end or before a ``-py3.12`` suffix.
_SHARD_STEM: Final = re.compile(r"-shard-\d+(?=$|-py)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Shard:
    """One shard of a stage: ``index`` of ``total``, counted from 1."""

    index: int
    total: int

    @property
    def label(self) -> str:
        """``2/4``: how the shard is written on the command line and in the matrix."""
        return f"{self.index}/{self.total}"


def parse_shard(text: str, *, where: str) -> Shard:
    """``"2/4"`` as a :class:`Shard`; UsageError naming ``where`` when it is not one."""
    match = _SHARD_TEXT.fullmatch(text)
    index, total = (int(match[1]), int(match[2])) if match else (0, 0)
    if not 1 <= index <= total:
        msg = f"{where}: shard {text!r} is not I/N with 1 <= I <= N; give e.g. --shard 2/4"
        raise UsageError(msg)
    return Shard(index=index, total=total)


def take_shard(
    posargs: Sequence[str], env: Mapping[str, str]
) -> tuple[Shard | None, tuple[str, ...]]:
    """The shard a stage runs (``--shard I/N`` in its arguments, else ``NOXCI_SHARD``).

    Returns it with the arguments left for pytest. An empty ``NOXCI_SHARD`` (a matrix cell
    of an unsharded stage) means the whole stage.
    """
    rest: list[str] = []
    given: str | None = None
    args = iter(posargs)
    for arg in args:
        if arg == _SHARD_FLAG:
            given = next(args, "")
        elif arg.startswith(f"{_SHARD_FLAG}="):
            given = arg.partition("=")[2]
        else:
            rest.append(arg)
    if given is not None:
        return parse_shard(given, where=_SHARD_FLAG), tuple(rest)
    text = env.get(SHARD_ENV, "").strip()
    return (parse_shard(text, where=SHARD_ENV) if text else None), tuple(rest)


def pytest_args(shard: Shard | None, durations: Path) -> tuple[str, ...]:
    """pytest-split's options for one shard (none for the whole stage)."""
    if shard is None:
        return ()
    return (
        f"--splits={shard.total}",
        f"--group={shard.index}",
        f"--splitting-algorithm={ALGORITHM}",
        f"--durations-path={durations}",
    )


def junit_name(stage: str, shard: Shard | None) -> str:
    """The stage's JUnit file name: ``unit.xml``, or ``unit-shard-2.xml`` for a shard."""
    return f"{stage}.xml" if shard is None else f"{stage}-shard-{shard.index}.xml"


def coverage_name(stage: str, shard: Shard | None) -> str:
    """The stage's coverage data file: ``.coverage.unit``, or ``.coverage.unit.shard-2``."""
    return f".coverage.{stage}" if shard is None else f".coverage.{stage}.shard-{shard.index}"


def stage_of(stem: str) -> str:
    """The stage a JUnit file counts under: its stem without ``-shard-N``.

    ``unit-shard-2`` → ``unit``; ``unit-shard-2-py3.12`` (merged artifacts) → ``unit-py3.12``.
    """
    return _SHARD_STEM.sub("", stem)


def stale_files(reports: Path, stage: str, shard: Shard | None) -> list[Path]:
    """What a run of the stage (or of one shard) replaces, so the report never counts twice.

    The whole stage replaces every shard's files too; a shard replaces its own files and
    the whole stage's (a leftover ``unit.xml`` would double the shard's tests).
    """
    junit = reports / "junit"
    coverage = reports / "coverage"
    if shard is None:
        return [
            junit / junit_name(stage, None),
            *junit.glob(f"{stage}-shard-*.xml"),
            *coverage.glob(f"{coverage_name(stage, None)}.*"),
        ]
    whole = [
        path
        for path in coverage.glob(f"{coverage_name(stage, None)}.*")
        if not path.name.startswith(f".coverage.{stage}.shard-")
    ]
    return [
        junit / junit_name(stage, None),
        junit / junit_name(stage, shard),
        *coverage.glob(f"{coverage_name(stage, shard)}.*"),
        *whole,
    ]


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``durations`` to the command line's subparsers."""
    parser = commands.add_parser(
        "durations",
        help="write pytest-split's durations file from the results store and JUnit files",
        description=f"Write every test's time into pytest-split's {DURATIONS_FILE}: from the "
        "results store (the newest of its last runs that timed each test; every report stores "
        "them) and from JUnit files (the newest file wins), a JUnit file winning over the store "
        "for the tests it has, and keeping the entries of tests in neither. Exit 2 when neither "
        "has any duration.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="JUnit files or directories (default: the reports directory's junit/, if any)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"the durations file (default: <project>/{DURATIONS_FILE})",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="the project directory: pytest's rootdir, which test ids are relative to",
    )
    add_flags(parser, _FLAGS)
    parser.set_defaults(run=_durations)


def _durations(args: argparse.Namespace) -> int:
    from ci import _durations  # noqa: PLC0415 - the JUnit reader loads only for this command

    project: Path = args.project
    settings = load_settings(project, os.environ, flag_values(args, _FLAGS))
    output: Path = args.output or project / DURATIONS_FILE
    junit = project / settings.reports / "junit"
    paths: list[Path] = args.paths or ([junit] if junit.exists() else [])
    history = project / settings.history
    written = _durations.update_durations(paths, output=output, project=project, history=history)
    if written.problem is not None:
        print(f"noxci: warning: {written.problem} (durations from JUnit only)", file=sys.stderr)
    counts = [(written.tests, f"{written.files} JUnit files")]
    if written.stored:
        counts = [*counts[: bool(written.files)], (written.stored, f"history {history}")]
    said = ", ".join(
        f"{n}{' test durations' if not i else ''} from {where}"
        for i, (n, where) in enumerate(counts)
    )
    print(f"noxci: {said}; {written.total} in {output}")
    return 0
