"""The run's commit and branch: GitHub's variables, git, or nothing at all."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ci.history import GitFacts, git_facts


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on branch `trunk` with one commit."""
    _git(tmp_path, "init", "--quiet", "--initial-branch=trunk")
    (tmp_path / "f").write_text("x", encoding="utf-8")
    _git(tmp_path, "add", "f")
    _git(tmp_path, "commit", "--quiet", "-m", "one")
    return tmp_path


class TestGitFacts:
    def test_commit_and_branch_from_git(self, repo: Path) -> None:
        """Outside GitHub Actions, git names the commit and the branch."""
        assert git_facts(repo, {}) == GitFacts(
            commit=_git(repo, "rev-parse", "HEAD"), branch="trunk"
        )

    def test_detached_head_has_no_branch(self, repo: Path) -> None:
        """A detached head has a commit but no branch."""
        sha = _git(repo, "rev-parse", "HEAD")
        _git(repo, "checkout", "--quiet", "--detach")
        assert git_facts(repo, {}) == GitFacts(commit=sha, branch=None)

    def test_github_variables_win(self, repo: Path) -> None:
        """On GitHub, GITHUB_SHA and a pull request's head branch are used."""
        env = {"GITHUB_SHA": "f" * 40, "GITHUB_HEAD_REF": "topic", "GITHUB_REF_NAME": "5/merge"}
        assert git_facts(repo, env) == GitFacts(commit="f" * 40, branch="topic")
        push = {"GITHUB_SHA": "e" * 40, "GITHUB_HEAD_REF": "", "GITHUB_REF_NAME": "main"}
        assert git_facts(repo, push) == GitFacts(commit="e" * 40, branch="main")

    def test_outside_a_repository(self, tmp_path: Path) -> None:
        """A folder outside any repository has neither."""
        assert git_facts(tmp_path, {}) == GitFacts()

    def test_without_git(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """With no git on PATH the run is still recorded, without commit or branch."""
        monkeypatch.setenv("PATH", str(tmp_path))
        assert git_facts(tmp_path, {}) == GitFacts()
