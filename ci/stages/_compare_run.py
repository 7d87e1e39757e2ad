"""``--compare REF`` inside the benchmark session: the base's environment, then the runs.

The base gets a virtualenv of its own, made by nox's own :class:`~nox.virtualenv.VirtualEnv`
with the head session's backend and interpreter, kept in ``.noxci/compare/venv`` and reused
from one comparison to the next. The base checkout is installed into it the way the head is
installed into the session (the base's ``install`` arguments and benchmark dependency
groups, read from its own ``pyproject.toml``), the project itself reinstalled every time,
since the same version number may hide other code. Then the steps of
:func:`ci.stages.compare.compare_plan` run in turns, each side from its own checkout.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import nox
from nox.virtualenv import VirtualEnv

from ci.config import Settings, load_settings
from ci.errors import ConfigError, UsageError
from ci.stages import compare
from ci.stages._compare_git import Target, checked_out
from ci.stages.commands import stage_paths

__all__ = ["COMPARE_DIR", "run_comparison"]

#: Where a comparison keeps its worktree (while it runs) and the base's environment (cached).
COMPARE_DIR: Final = Path(".noxci") / "compare"
#: An inherited coverage measurement must not leak into the timed runs (as in ``_sessions``).
_UNSET: Final[dict[str, str | None]] = dict.fromkeys(
    ("COVERAGE_PROCESS_CONFIG", "COVERAGE_FILE", "COVERAGE_RCFILE")
)

#: ``(project, settings) -> requirements`` of the benchmark stage, as ``_sessions`` computes them.
Requirements = Callable[[Path, Settings], Sequence[str]]


def _base_settings(base_project: Path, head: Settings, ref: str) -> Settings:
    """The base's own ``[tool.noxci]``; the head's when the base's does not load."""
    try:
        return load_settings(base_project, os.environ)
    except ConfigError as exc:
        print(
            f"noxci: --compare {ref}: the base's configuration does not load ({exc}); "
            "its benchmarks run with the head's settings",
            flush=True,
        )
        return head


def _has_benchmarks(checkout: compare.Checkout) -> bool:
    paths = stage_paths(checkout.settings, "benchmark")
    return any((checkout.project / path).exists() for path in paths)


def _project_name(project: Path) -> str | None:
    try:
        with (project / "pyproject.toml").open("rb") as stream:
            name = tomllib.load(stream).get("project", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return name if isinstance(name, str) else None


def _base_env(session: nox.Session, location: Path) -> VirtualEnv:
    """The base's virtualenv: the head session's backend and interpreter, reused when it can."""
    head = session.virtualenv
    backend, interpreter = "venv", None
    if isinstance(head, VirtualEnv):
        backend, interpreter = head.venv_backend, head.interpreter
    env = VirtualEnv(
        str(location), interpreter=interpreter, reuse_existing=True, venv_backend=backend
    )
    env.create()
    return env


def _env_vars(env: VirtualEnv) -> dict[str, str | None]:
    """What a command in the base environment runs with: its ``VIRTUAL_ENV``, its ``bin``.

    nox puts the session's own ``bin`` first on ``PATH`` whatever a command asks for, so
    every base command names the base's interpreter by its path.
    """
    path = os.pathsep.join([env.bin, os.environ.get("PATH", "")])
    return {**env.env, "PATH": path, **_UNSET}


def _install(
    session: nox.Session, env: VirtualEnv, base: compare.Checkout, requirements: Requirements
) -> None:
    """The base checkout and its benchmark requirements, in one resolver call."""
    args = (*base.settings.install, *requirements(base.project, base.settings))
    python = str(Path(env.bin) / "python")
    name = _project_name(base.project)
    if env.venv_backend == "uv":
        reinstall = ("--reinstall-package", name) if name else ()
        argv: tuple[str, ...] = ("uv", "pip", "install", "--python", python, *reinstall, *args)
    else:
        argv = (python, "-m", "pip", "install", *args)  # pip reinstalls a local project
    with session.chdir(base.project):
        session.run_install(*argv, env=_env_vars(env), silent=True, external=True)


def _run_step(session: nox.Session, step: compare.Step, env: VirtualEnv | None) -> None:
    command = step.command
    run_env = {**command.env, **_UNSET}
    if step.side is compare.Side.HEAD or env is None:
        session.run(*command.argv, env=run_env, success_codes=list(command.success_codes))
        return
    python = str(Path(env.bin) / "python")
    with session.chdir(step.cwd):
        session.run(
            python,
            *command.argv[1:],  # argv[0] is "python": the session's, unless named by path
            env={**_env_vars(env), **run_env},
            success_codes=list(command.success_codes),
            external=True,
        )


def _base_checkout(base_project: Path, head: compare.Checkout, target: Target) -> compare.Checkout:
    if not base_project.is_dir():
        msg = (
            f"--compare {target.ref}: {target.subdir} does not exist at {target.short_sha}; "
            "compare with a commit that has the project"
        )
        raise UsageError(msg)
    settings = _base_settings(base_project, head.settings, target.ref)
    return compare.Checkout(project=base_project, settings=settings)


def run_comparison(
    session: nox.Session,
    *,
    head: compare.Checkout,
    args: compare.CompareArgs,
    target: Target,
    keep_going: bool,
    requirements: Requirements,
) -> None:
    """Check REF out, install it, run base and head in turns, and say where the runs are."""
    reports = head.project / head.settings.reports
    (reports / compare.BASE_DIR).mkdir(parents=True, exist_ok=True)
    (reports / "benchmark").mkdir(parents=True, exist_ok=True)
    env: VirtualEnv | None = None  # stays None when the base has no benchmark tests
    try:
        with checked_out(target, head.project / COMPARE_DIR / "worktree") as base_project:
            base = _base_checkout(base_project, head, target)
            if _has_benchmarks(base):
                env = _base_env(session, head.project / COMPARE_DIR / "venv")
                _install(session, env, base, requirements)
            plan = compare.compare_plan(
                head=head,
                base=None if env is None else base,
                reports=reports,
                runs=args.runs,
                pytest_args=args.pytest_args,
                keep_going=keep_going,
            )
            for step in plan:
                _run_step(session, step, env)
    except UsageError as exc:
        session.error(str(exc))
    summary = compare.summary_line(
        ref=target.ref,
        short_sha=target.short_sha,
        runs=args.runs,
        reports=head.settings.reports,
        base_ran=env is not None,
    )
    print(summary, flush=True)
