"""The bodies of the nox sessions: install, clear stale artifacts, run the stage's commands.

Everything a stage decides is computed by :mod:`ci.stages.commands`; this module only hands
those commands to nox, which is why it is thin.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ci import __version__, shards
from ci.config import Settings
from ci.coverage_config import coverage_config
from ci.errors import ServiceError, UsageError
from ci.stages import commands, compare
from ci.stages._compare_git import resolve_target
from ci.stages.commands import Command

if TYPE_CHECKING:
    import nox

__all__ = [
    "benchmark_session",
    "lint_session",
    "noxci_requirement",
    "report_session",
    "test_session",
]

#: What a stage installs when the project declares no dependency group for it.
DEFAULT_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "unit": ("pytest", "pytest-xdist", "coverage>=7.10"),
    "integration": ("pytest", "pytest-xdist", "coverage>=7.10"),
    "snapshot": ("pytest", "pytest-xdist", "coverage>=7.10", "syrupy"),
    "property": ("pytest", "pytest-xdist", "coverage>=7.10", "hypothesis"),
    "benchmark": ("pytest", "pytest-benchmark"),
    "lint": ("ruff", "mypy"),
}
#: What a shard of a stage installs besides: pytest-split picks the shard's tests.
SHARD_REQUIREMENTS: tuple[str, ...] = ("pytest-split>=0.9",)


def _source_tree() -> Path | None:
    """The noxci source checkout this code runs from, if it runs from one."""
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    with pyproject.open("rb") as stream:
        name = tomllib.load(stream).get("project", {}).get("name")
    return root if name == "noxci" else None


def noxci_requirement() -> tuple[str, ...]:
    """pip arguments that install this very noxci into a session (report, property plugin)."""
    tree = _source_tree()
    return ("-e", str(tree)) if tree is not None else (f"noxci=={__version__}",)


def _requirements(project: Path, settings: Settings, stage: str) -> tuple[str, ...]:
    import nox.project  # noqa: PLC0415 - only inside nox

    pyproject: dict[str, Any] = {}
    if (project / "pyproject.toml").is_file():
        pyproject = nox.project.load_toml(str(project / "pyproject.toml"))
    declared = pyproject.get("dependency-groups", {})
    groups = settings.stage_spec(stage).groups
    if groups is None:
        groups = (stage,) if stage in declared else ()
    if not groups:
        return DEFAULT_REQUIREMENTS[stage]
    return nox.project.dependency_groups(pyproject, *groups)


def _install(
    session: nox.Session,
    project: Path,
    settings: Settings,
    stage: str,
    more: tuple[str, ...] = (),
) -> None:
    """The project and the stage's requirements (and ``more``), in one resolver call."""
    extra: tuple[str, ...] = more
    if stage == "property" and _source_tree() != project.resolve():
        extra += noxci_requirement()
    session.install(*settings.install, *_requirements(project, settings, stage), *extra)


def _run(session: nox.Session, command: Command, env: dict[str, str] | None = None) -> None:
    # A stage measures its own coverage; a measurement inherited from a nox that is itself
    # under coverage (noxci's own integration tests) must not leak into the stage's tools.
    run_env: dict[str, str | None] = {
        **command.env,
        **(env or {}),
        "COVERAGE_PROCESS_CONFIG": None,
        "COVERAGE_FILE": None,  # would override the stage's data file
        "COVERAGE_RCFILE": None,  # would override the stage's configuration
    }
    session.run(*command.argv, env=run_env, success_codes=list(command.success_codes))


def _service_base_env(session: nox.Session) -> dict[str, str]:
    """What the stage's services start with: the session's virtualenv first on ``PATH``.

    ``python -m project.server`` must find the project installed in the stage, not the
    interpreter that runs nox; an inherited coverage measurement is dropped as in :func:`_run`.
    """
    env = {key: value for key, value in os.environ.items() if key != "COVERAGE_PROCESS_CONFIG"}
    if session.bin_paths:
        env["PATH"] = os.pathsep.join([*session.bin_paths, env.get("PATH", "")])
    return env


def _clear(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def test_session(
    session: nox.Session, *, project: Path, settings: Settings, stage: str, keep_going: bool
) -> None:
    """unit, integration, snapshot, property: pytest under coverage, JUnit and data per stage.

    ``-- --shard I/N`` (or ``NOXCI_SHARD=I/N``) runs one shard of the stage (:mod:`ci.shards`).
    """
    reports = project / settings.reports
    coverage_dir = reports / "coverage"
    coverage_dir.mkdir(parents=True, exist_ok=True)
    (reports / "junit").mkdir(parents=True, exist_ok=True)
    try:
        shard, posargs = shards.take_shard(session.posargs, os.environ)
    except UsageError as exc:
        session.error(str(exc))
    _clear(shards.stale_files(reports, stage, shard))
    _install(session, project, settings, stage, SHARD_REQUIREMENTS if shard else ())

    name = shards.coverage_name(stage, shard)
    rcfile = project / ".noxci" / f"coverage-{name.removeprefix('.coverage.')}.toml"
    rcfile.parent.mkdir(parents=True, exist_ok=True)
    rcfile.write_text(coverage_config(project, settings, coverage_dir / name))
    command = commands.pytest_command(
        settings,
        stage,
        project=project,
        rcfile=rcfile,
        posargs=posargs,
        keep_going=keep_going,
        env=os.environ,
        shard=shard,
    )
    if stage != "integration" or not settings.services:
        _run(session, command)
        return
    from ci.stages.services import running_services  # noqa: PLC0415 - only with services

    try:
        with running_services(
            list(settings.services.values()),
            log_dir=reports / "services",
            cwd=project,
            env=_service_base_env(session),
        ) as service_env:
            _run(session, command, service_env)
    except ServiceError as exc:
        session.error(str(exc))


def _clear_benchmark(reports: Path) -> None:
    """A benchmark run's stale outputs: earlier runs, and any base of an earlier comparison.

    A plain run after ``--compare`` must not leave the old base for the report to compare with.
    """
    _clear([*(reports / "benchmark").glob("*.json"), reports / "junit" / "benchmark.xml"])
    shutil.rmtree(reports / compare.BASE_DIR, ignore_errors=True)


def benchmark_session(
    session: nox.Session, *, project: Path, settings: Settings, keep_going: bool
) -> None:
    """pytest-benchmark alone on the machine, writing ``reports/benchmark/benchmark.json``.

    ``-- --compare REF [--runs N]`` runs REF and the head in turns instead
    (:mod:`ci.stages.compare`); the other arguments go to pytest.
    """
    reports = project / settings.reports
    (reports / "benchmark").mkdir(parents=True, exist_ok=True)
    (reports / "junit").mkdir(parents=True, exist_ok=True)
    _clear_benchmark(reports)
    try:
        args = compare.parse_posargs(session.posargs, default_runs=settings.compare_runs)
        target = None if args.ref is None else resolve_target(project, args.ref)
    except UsageError as exc:
        session.error(str(exc))
    _install(session, project, settings, "benchmark")
    if target is None:
        _run(
            session,
            commands.benchmark_command(
                settings, project=project, posargs=args.pytest_args, keep_going=keep_going
            ),
        )
        return
    from ci.stages._compare_run import run_comparison  # noqa: PLC0415 - only with --compare

    run_comparison(
        session,
        head=compare.Checkout(project=project, settings=settings),
        args=args,
        target=target,
        keep_going=keep_going,
        requirements=lambda base, base_settings: _requirements(base, base_settings, "benchmark"),
    )


def lint_session(session: nox.Session, *, project: Path, settings: Settings) -> None:
    """ruff, mypy --strict and the workflow linters."""
    _install(session, project, settings, "lint")
    for command in commands.lint_commands(settings, project=project, posargs=session.posargs):
        if command.argv[0] == "zizmor":
            session.install("zizmor")
        _run(session, command)


def report_session(session: nox.Session, *, settings: Settings, expect: Sequence[str]) -> None:
    """``python -m ci report`` over what the stages left in the reports directory."""
    session.install(*noxci_requirement())
    _run(session, commands.report_command(settings, expect=expect, posargs=session.posargs))
