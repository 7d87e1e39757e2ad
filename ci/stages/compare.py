"""``nox -s benchmark -- --compare REF``: the plan of a same-runner, interleaved A/B comparison.

Hosted runners vary by 10-30 % from one job to the next, so a benchmark baseline measured
in another job mostly measures the machine. Running the base (REF, checked out in a git
worktree, installed in an environment of its own) and the head in the same job, in turns
(base 1, head 1, base 2, head 2, ...), makes both sides see the same machine and spreads
its drifts over both. Each side runs its own checkout's benchmark tests, so a benchmark the
change adds comes out as new and one it removes as missing.

This module is pure: it reads the session's arguments and lays out which command runs
where, in what order. :mod:`ci.stages._compare_git` and :mod:`ci.stages._compare_run` do
the git and nox work.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from ci.config import Settings
from ci.errors import UsageError
from ci.stages.commands import Command, benchmark_command

__all__ = [
    "BASE_DIR",
    "BASE_SUCCESS_CODES",
    "Checkout",
    "CompareArgs",
    "Side",
    "Step",
    "compare_plan",
    "parse_posargs",
    "run_json",
    "summary_line",
]

#: Where the base side's runs go, beside ``benchmark/`` in the reports directory.
BASE_DIR: Final = "benchmark-base"
#: pytest exit codes a base run may end with: a base whose tests fail, or that has none
#: of the selected ones, is the base's state, not a failure of the change under test.
BASE_SUCCESS_CODES: Final = (0, 1, 5)
_EXAMPLE: Final = "nox -s benchmark -- --compare origin/main --runs 5"


@dataclasses.dataclass(frozen=True, kw_only=True)
class CompareArgs:
    """The benchmark session's arguments, split into noxci's and pytest's."""

    #: The git ref to compare with; ``None`` for a plain benchmark run.
    ref: str | None
    #: Runs per side (``--runs N``, else the ``compare-runs`` setting).
    runs: int
    #: Everything else, for pytest (both sides get the same).
    pytest_args: tuple[str, ...]


class Side(enum.Enum):
    """Which checkout a step measures."""

    BASE = "base"
    HEAD = "head"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Checkout:
    """One side's project directory and the settings read from its own ``pyproject.toml``."""

    project: Path
    settings: Settings


@dataclasses.dataclass(frozen=True, kw_only=True)
class Step:
    """One benchmark run of one side, run from ``cwd`` in that side's environment."""

    side: Side
    #: 1-based number of the run within its side.
    run: int
    cwd: Path
    command: Command


def _value(posargs: Sequence[str], index: int, flag: str) -> tuple[str, int]:
    """The value of ``flag`` at ``posargs[index]`` (``--flag=V`` or ``--flag V``), next index."""
    arg = posargs[index]
    if arg.startswith(f"{flag}="):
        value, index = arg.partition("=")[2], index + 1
    elif index + 1 < len(posargs):
        value, index = posargs[index + 1], index + 2
    else:
        value, index = "", index + 1
    if not value or value.startswith("-") or any(ch.isspace() for ch in value):
        what = "a git ref (branch, tag or commit)" if flag == "--compare" else "a number of runs"
        msg = f"{flag} needs {what}, not {value!r}; for example: {_EXAMPLE}"
        raise UsageError(msg)
    return value, index


def _runs(text: str) -> int:
    try:
        runs = int(text)
    except ValueError:
        runs = 0
    if runs < 1:
        msg = f"--runs {text}: give a whole number of runs per side, 1 or more; for example: {_EXAMPLE}"
        raise UsageError(msg)
    return runs


def parse_posargs(posargs: Sequence[str], *, default_runs: int) -> CompareArgs:
    """Take ``--compare REF`` and ``--runs N`` out of ``posargs``; the rest goes to pytest.

    :class:`UsageError` for a flag without a value, a bad number, or ``--runs`` alone.
    """
    ref: str | None = None
    runs: int | None = None
    rest: list[str] = []
    index = 0
    while index < len(posargs):
        arg = posargs[index]
        flag = arg.partition("=")[0]
        if flag == "--compare":
            ref, index = _value(posargs, index, flag)
        elif flag == "--runs":
            text, index = _value(posargs, index, flag)
            runs = _runs(text)
        else:
            rest.append(arg)
            index += 1
    if runs is not None and ref is None:
        msg = f"--runs {runs}: only a comparison runs several times; add --compare REF ({_EXAMPLE})"
        raise UsageError(msg)
    return CompareArgs(
        ref=ref, runs=default_runs if runs is None else runs, pytest_args=tuple(rest)
    )


def run_json(reports: Path, side: Side, run: int) -> Path:
    """Where run ``run`` of ``side`` writes its pytest-benchmark JSON."""
    folder = BASE_DIR if side is Side.BASE else "benchmark"
    return reports / folder / f"run-{run}.json"


def _step(
    checkout: Checkout,
    side: Side,
    run: int,
    *,
    reports: Path,
    pytest_args: Sequence[str],
    keep_going: bool,
) -> Step:
    command = benchmark_command(
        checkout.settings,
        project=checkout.project,
        posargs=pytest_args,
        keep_going=keep_going,
        json_path=run_json(reports, side, run),
        junit=side is Side.HEAD,  # the head's JUnit is the stage's; the base's is not wanted
    )
    if side is Side.BASE:
        command = dataclasses.replace(command, success_codes=BASE_SUCCESS_CODES)
    return Step(side=side, run=run, cwd=checkout.project, command=command)


def compare_plan(
    *,
    head: Checkout,
    base: Checkout | None,
    reports: Path,
    runs: int,
    pytest_args: Sequence[str] = (),
    keep_going: bool = False,
) -> tuple[Step, ...]:
    """The runs of a comparison, interleaved: base 1, head 1, base 2, head 2, ...

    ``reports`` is the head's reports directory (absolute): both sides write there.
    ``base`` is ``None`` when the base has no benchmark tests; then only the head runs.
    """

    def step(checkout: Checkout, side: Side, run: int) -> Step:
        return _step(
            checkout, side, run, reports=reports, pytest_args=pytest_args, keep_going=keep_going
        )

    steps: list[Step] = []
    for run in range(1, runs + 1):
        if base is not None:
            steps.append(step(base, Side.BASE, run))
        steps.append(step(head, Side.HEAD, run))
    return tuple(steps)


def summary_line(*, ref: str, short_sha: str, runs: int, reports: Path, base_ran: bool) -> str:
    """The line a comparison ends with: what was compared, and where the runs are."""
    where = reports.as_posix().rstrip("/")
    if not base_ran:
        return (
            f"noxci: compared with {ref} ({short_sha}): it has no benchmark tests; "
            f"{runs} runs of the head in {where}/benchmark/"
        )
    return (
        f"noxci: compared with {ref} ({short_sha}): {runs} runs per side "
        f"in {where}/{BASE_DIR}/ and {where}/benchmark/"
    )
