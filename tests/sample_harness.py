"""Run ``nox`` in a copy of ``tests/sample_project``: shared by the integration and benchmark tests.

Each run copies the sample project to a temporary directory and runs ``python -m nox``
there in a subprocess, with the interpreter that runs these tests (it has nox and noxci).
The nox virtualenvs live in one directory shared by every run of the test session, and
runs take a lock on it, so venvs are created once and reused even under pytest-xdist.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

__all__ = ["NOX_TIMEOUT", "SAMPLE", "NoxRun", "copy_sample", "run_nox", "shared_envdir_path"]

SAMPLE = Path(__file__).parent / "sample_project"
#: Generous: the first run of a session creates seven virtualenvs.
NOX_TIMEOUT = 900
#: Outer variables that would steer the nested run: noxci's own settings, the outer pytest
#: and coverage runs, and CI/GitHub (the sample's report must not publish anywhere).
DROPPED_PREFIXES = ("NOXCI_", "PYTEST_", "COV_CORE_", "GITHUB_", "NOX_")
DROPPED = frozenset({"CI", "COVERAGE_FILE", "COVERAGE_RCFILE", "SAMPLEPROJ_FAIL"})


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoxRun:
    """A finished ``nox`` run in a copy of the sample project."""

    project: Path
    returncode: int
    output: str
    seconds: float

    @property
    def reports(self) -> Path:
        """The sample's reports directory."""
        return self.project / "reports"


@contextlib.contextmanager
def _locked(envdir: Path) -> Iterator[None]:
    """Hold the envdir's lock: two nox runs must not install into the same venvs at once."""
    with (envdir.parent / f"{envdir.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def copy_sample(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".nox",
        ".noxci",
        "reports",
        "__pycache__",
        ".*_cache",
        ".hypothesis",
        ".benchmarks",
        ".coverage*",
    )
    shutil.copytree(SAMPLE, dest, ignore=ignore)
    return dest


def _environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment minus what would steer the nested run, plus ``extra``.

    ``COVERAGE_PROCESS_CONFIG`` stays: it measures noxci's own code inside the nested nox
    (the stages drop it from what they run). ``NOX_SCRIPT_MODE=none``: the noxfile's
    PEP 723 dependencies are installed here already, and nox must never fetch them.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in DROPPED and not key.startswith(DROPPED_PREFIXES)
    }
    return {**env, "NOX_SCRIPT_MODE": "none", **extra}


def run_nox(
    project: Path, envdir: Path, *args: str, extra: Mapping[str, str] | None = None
) -> NoxRun:
    """``python -m nox ARGS`` in ``project``, with the shared envdir, under its lock."""
    argv = [sys.executable, "-m", "nox", "--envdir", str(envdir), "--no-color", *args]
    with _locked(envdir):
        start = time.monotonic()
        # Its own process group, so a run that hangs is killed with its sessions and services.
        with subprocess.Popen(
            argv,
            cwd=project,
            env=_environment(extra or {}),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        ) as process:
            try:
                output, _ = process.communicate(timeout=NOX_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                output, _ = process.communicate()
                pytest.fail(f"nox {' '.join(args)} took over {NOX_TIMEOUT}s:\n{output[-6000:]}")
        seconds = time.monotonic() - start
    print(f"nox {' '.join(args)}: exit {process.returncode} after {seconds:.1f}s")
    return NoxRun(project=project, returncode=process.returncode, output=output, seconds=seconds)


def shared_envdir_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One nox envdir for every run in this test session (all xdist workers included)."""
    root = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        root = root.parent  # shared by the workers of this run only
    envdir = root / "sample-nox-envs"
    envdir.mkdir(exist_ok=True)
    return envdir
