"""What each stage runs, as plain data: argv, environment and accepted exit codes.

Building commands is kept apart from running them (``ci.stages._sessions`` hands them to
nox) so the exact command lines are unit-tested without starting a process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from ci.config import Settings

__all__ = [
    "Command",
    "benchmark_command",
    "hypothesis_profile",
    "lint_commands",
    "pytest_command",
    "report_command",
    "stage_paths",
]

#: pytest's exit code when tests ran and some failed (the report gives the verdict then).
TESTS_FAILED: Final = 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class Command:
    """One command a stage runs."""

    argv: tuple[str, ...]
    env: Mapping[str, str] = dataclasses.field(default_factory=dict)
    success_codes: tuple[int, ...] = (0,)


def stage_paths(settings: Settings, stage: str) -> tuple[str, ...]:
    """The test paths of a stage: configured, or ``<tests>/<stage>``."""
    spec = settings.stage_spec(stage)
    return spec.paths if spec.paths is not None else (str(settings.tests / stage),)


def _paths_unless_given(
    settings: Settings, stage: str, project: Path, posargs: Sequence[str]
) -> tuple[str, ...]:
    """The stage's paths, unless ``nox -s <stage> -- <path>`` names test paths of its own."""
    given = any(
        (project / arg.split("::")[0]).exists() for arg in posargs if not arg.startswith("-")
    )
    return () if given else stage_paths(settings, stage)


def hypothesis_profile(settings: Settings, env: Mapping[str, str]) -> str:
    """``NOXCI_PROFILE`` (via settings) wins; ``ci`` under ``CI=true``; ``dev`` otherwise."""
    if settings.profile:
        return settings.profile
    return "ci" if env.get("CI", "").lower() in {"1", "true", "yes"} else "dev"


def pytest_command(
    settings: Settings,
    stage: str,
    *,
    project: Path,
    rcfile: Path,
    posargs: Sequence[str] = (),
    keep_going: bool = False,
    env: Mapping[str, str] | None = None,
) -> Command:
    """The coverage-measured, xdist-parallel pytest run of a test stage."""
    reports = project / settings.reports
    junit = reports / "junit" / f"{stage}.xml"
    argv = [
        "python",
        "-m",
        "coverage",
        "run",
        f"--rcfile={rcfile}",
        "-m",
        "pytest",
        *_paths_unless_given(settings, stage, project, posargs),
        f"--junitxml={junit}",
        "-o",
        f"junit_suite_name={stage}",
        "-o",
        "junit_family=xunit2",
    ]
    if settings.workers not in {"0", "no"}:
        argv += ["-n", settings.workers]
    if stage == "property":
        argv += [
            "-p",
            "ci.pytest_plugin",
            f"--hypothesis-profile={hypothesis_profile(settings, env or {})}",
        ]
    argv += [*settings.stage_spec(stage).args, *posargs]
    return Command(
        argv=tuple(argv),
        env={"NOXCI_STAGE": stage},
        success_codes=(0, TESTS_FAILED) if keep_going else (0,),
    )


def benchmark_command(
    settings: Settings,
    *,
    project: Path,
    posargs: Sequence[str] = (),
    keep_going: bool = False,
    name: str = "benchmark",
) -> Command:
    """pytest-benchmark without xdist (it switches itself off under xdist and writes nothing)."""
    reports = project / settings.reports
    argv = (
        "python",
        "-m",
        "pytest",
        *stage_paths(settings, "benchmark"),
        "-p",
        "no:xdist",
        f"--benchmark-json={reports / 'benchmark' / f'{name}.json'}",
        f"--junitxml={reports / 'junit' / 'benchmark.xml'}",
        "-o",
        "junit_suite_name=benchmark",
        *settings.stage_spec("benchmark").args,
        *posargs,
    )
    return Command(
        argv=argv,
        env={"NOXCI_STAGE": "benchmark"},
        success_codes=(0, TESTS_FAILED) if keep_going else (0,),
    )


def lint_commands(
    settings: Settings, *, project: Path, posargs: Sequence[str] = ()
) -> list[Command]:
    """ruff (check and format), mypy --strict, and the workflow linters when workflows exist."""
    targets = [*settings.sources, str(settings.tests)]
    if (project / "noxfile.py").is_file():
        targets.append("noxfile.py")
    commands = [
        Command(argv=("ruff", "check", *targets, *posargs)),
        Command(argv=("ruff", "format", "--check", *targets)),
        Command(argv=("mypy", "--strict", *targets)),
    ]
    workflows = project / ".github" / "workflows"
    if workflows.is_dir() and any(workflows.glob("*.y*ml")):
        commands.append(Command(argv=("zizmor", "--offline", ".github")))
    return commands


def report_command(
    settings: Settings, *, expect: Sequence[str], posargs: Sequence[str] = ()
) -> Command:
    """``python -m ci report`` over the reports directory, expecting the stages that ran."""
    argv = ["python", "-m", "ci", "report", str(settings.reports)]
    if expect:
        argv.append(f"--expect={','.join(expect)}")
    return Command(argv=(*argv, *posargs))
