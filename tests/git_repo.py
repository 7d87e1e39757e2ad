"""Git for the tests that build a repository: one helper with a fixed author, no signing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["git"]

_AUTHOR = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run ``git ARGS`` in ``cwd``; it must succeed. Returns its output, stripped."""
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env={**os.environ, **_AUTHOR},
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()
