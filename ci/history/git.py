"""Which commit and branch a run is of: GitHub's variables, else ``git rev-parse``.

A run outside a repository, without git, or on a detached head simply has no commit or
branch (``None``): the store still records it, it just never serves as a branch's
baseline or as "the same commit".
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["GitFacts", "git_facts"]

_TIMEOUT_S: Final = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class GitFacts:
    """The commit and branch of the working tree, where known."""

    commit: str | None = None
    branch: str | None = None


def _rev_parse(project: Path, *args: str) -> str | None:
    """What ``git rev-parse ARGS`` prints, or ``None`` when git cannot say."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = done.stdout.strip()
    return out if done.returncode == 0 and out else None


def git_facts(project: Path, env: Mapping[str, str]) -> GitFacts:
    """The run's commit and branch.

    On GitHub Actions: ``GITHUB_SHA``, and ``GITHUB_HEAD_REF`` (a pull request's branch) or
    ``GITHUB_REF_NAME``. Elsewhere ``git rev-parse HEAD`` and ``--abbrev-ref HEAD`` (a
    detached head has no branch).
    """
    commit = env.get("GITHUB_SHA") or None
    branch = env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME") or None
    if commit is None:
        commit = _rev_parse(project, "--verify", "--quiet", "HEAD")
    if branch is None:
        name = _rev_parse(project, "--abbrev-ref", "HEAD")
        branch = None if name == "HEAD" else name
    return GitFacts(commit=commit, branch=branch)
