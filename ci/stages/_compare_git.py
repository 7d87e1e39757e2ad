"""The git side of ``--compare REF``: find the repository, resolve REF, lend a worktree.

The project may sit in a subdirectory of its repository (a monorepo, or noxci's own
``tests/sample_project``), so everything here works from the repository's top level and
keeps the project's path relative to it. The base checkout is a detached ``git worktree``
that exists only while the comparison runs: it is removed when the runs end, fail or are
interrupted, and a worktree left behind by a killed run is cleared before the next one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Final

from ci.errors import UsageError

__all__ = ["Target", "checked_out", "remove_worktree", "resolve_target"]

#: Seconds one git command may take (checking out a large repository takes a while).
TIMEOUT_S: Final = 300
#: Variables that would point git at another repository than the project's.
_GIT_VARIABLES: Final = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Target:
    """The base of a comparison: REF resolved in the repository holding the project."""

    #: The repository's top level (resolved).
    toplevel: Path
    #: The project's directory relative to ``toplevel`` (``.`` at the top).
    subdir: PurePosixPath
    ref: str
    sha: str
    short_sha: str


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """One git command in ``cwd``; :class:`UsageError` when git cannot run at all."""
    env = {key: value for key, value in os.environ.items() if key not in _GIT_VARIABLES}
    try:
        return subprocess.run(
            ["git", *args],
            check=False,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT_S,
        )
    except FileNotFoundError:
        msg = "--compare: git is not on PATH; install git, or run the benchmark without --compare"
        raise UsageError(msg) from None
    except subprocess.TimeoutExpired:
        msg = f"--compare: git {args[0]} took over {TIMEOUT_S} s in {cwd}; check the repository"
        raise UsageError(msg) from None


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].removeprefix("fatal: ") if lines else "no output"


def _fetch_hint(ref: str) -> str:
    """How to get ``ref`` into a clone that lacks it."""
    remote, _, branch = ref.partition("/")
    fetch = f"git fetch origin {branch if remote == 'origin' and branch else ref}"
    return f"{fetch} (or git fetch --unshallow; actions/checkout: fetch-depth: 0)"


def resolve_target(project: Path, ref: str) -> Target:
    """REF as a commit of the repository holding ``project``; :class:`UsageError` if it is not."""
    project = project.resolve()
    top = _git(project, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        msg = (
            f"--compare {ref}: {project} is not inside a git repository ({_last_line(top.stderr)}); "
            "the comparison checks REF out of the project's git clone"
        )
        raise UsageError(msg)
    toplevel = Path(top.stdout.strip()).resolve()
    commit = _git(
        project, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
    )
    if commit.returncode != 0:
        msg = (
            f"--compare {ref}: not a commit in {toplevel} (a shallow clone, or never fetched?); "
            f"fetch it first: {_fetch_hint(ref)}"
        )
        raise UsageError(msg)
    sha = commit.stdout.strip()
    short = _git(project, "rev-parse", "--short", sha).stdout.strip() or sha[:7]
    subdir = PurePosixPath(project.relative_to(toplevel).as_posix())
    return Target(toplevel=toplevel, subdir=subdir, ref=ref, sha=sha, short_sha=short)


def remove_worktree(toplevel: Path, path: Path) -> None:
    """Remove the worktree at ``path`` (if any) and git's record of it."""
    if path.exists():
        _git(toplevel, "worktree", "remove", "--force", "--force", str(path))
        shutil.rmtree(path, ignore_errors=True)
    _git(toplevel, "worktree", "prune")


@contextlib.contextmanager
def checked_out(target: Target, path: Path) -> Iterator[Path]:
    """The base project directory inside a detached worktree of ``target`` at ``path``.

    The worktree is removed on the way out, however the block ends.
    """
    remove_worktree(target.toplevel, path)  # one a killed run left behind
    path.parent.mkdir(parents=True, exist_ok=True)
    added = _git(target.toplevel, "worktree", "add", "--quiet", "--detach", str(path), target.sha)
    if added.returncode != 0:
        msg = (
            f"--compare {target.ref}: git worktree add {path} failed "
            f"({_last_line(added.stderr)}); remove {path} and try again"
        )
        raise UsageError(msg)
    try:
        yield path / target.subdir
    finally:
        remove_worktree(target.toplevel, path)
