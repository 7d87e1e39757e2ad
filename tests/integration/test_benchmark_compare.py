"""``nox -s benchmark -- --compare REF`` on a real git repository of the sample project.

The repository is made in the test: the sample project in a subdirectory (as in a monorepo,
and as noxci's own ``tests/sample_project``), committed as copied (``HEAD~1``), then with
``IntervalSet.of`` (timed by ``test_build``) doing its work ten times (``HEAD``). The
comparisons run real nox, real git worktrees and real virtualenvs, with quick runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.git_repo import git
from tests.sample_harness import _environment, _locked, copy_sample, run_nox

SLOWER = (
    "        for _ in range(9):\n            cls(Interval(start, end) for start, end in pairs)\n"
)
RETURN = "        return cls(Interval(start, end) for start, end in pairs)\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The sample project in ``repo/sample``, with a history of four commits.

    Tag ``no-project``: the repository before the project. Tag ``no-benchmarks``: the project
    without benchmark tests and with a ``[tool.noxci]`` this noxci rejects. Then the sample
    as it is (``HEAD~1``), and last a commit that slows ``test_build`` down (``HEAD``).
    """
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("A monorepo.\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a repository without the project")
    git(root, "tag", "no-project")

    sample = copy_sample(root / "sample")
    benchmarks = sample / "tests" / "benchmark"
    shutil.move(benchmarks, tmp_path / "benchmark")
    pyproject = sample / "pyproject.toml"
    good = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(good.replace("fail-under = 80\n", "fail-under = 80\nbogus = 1\n"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the project, without benchmarks")
    git(root, "tag", "no-benchmarks")

    shutil.move(tmp_path / "benchmark", benchmarks)
    pyproject.write_text(good, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "benchmarks")

    source = sample / "src" / "sampleproj" / "intervals.py"
    text = source.read_text(encoding="utf-8")
    assert text.count(RETURN) == 1
    source.write_text(text.replace(RETURN, SLOWER + RETURN), encoding="utf-8")
    git(root, "commit", "-q", "-am", "IntervalSet.of does its work ten times")
    return sample


def commit_info(path: Path) -> str:
    """The commit a pytest-benchmark JSON file says it measured."""
    return str(json.loads(path.read_text(encoding="utf-8"))["commit_info"]["id"])


def fastest(path: Path, name: str) -> float:
    """The fastest round of one benchmark in a pytest-benchmark JSON file."""
    benchmarks = json.loads(path.read_text(encoding="utf-8"))["benchmarks"]
    return float(next(b["stats"]["min"] for b in benchmarks if b["name"] == name))


def worktrees(project: Path) -> list[str]:
    """The worktrees of the project's repository."""
    lines = git(project, "worktree", "list", "--porcelain").splitlines()
    return [line.removeprefix("worktree ") for line in lines if line.startswith("worktree ")]


def aborted(output: str) -> str:
    """Why nox says the session was aborted: its one line, without nox's own decoration."""
    lines = [line for line in output.splitlines() if "Session benchmark aborted: " in line]
    assert len(lines) == 1, output[-6000:]
    reason = lines[0].split("Session benchmark aborted: ", 1)[1]
    return re.sub(r"( \(took [^)]*\))?\.$", "", reason)


class TestCompare:
    def test_base_and_head_run_in_turns(self, project: Path, shared_envdir: Path) -> None:
        """Two runs per side, base then head in turns, each measuring its own commit."""
        base_sha = git(project, "rev-parse", "HEAD~1")
        head_sha = git(project, "rev-parse", "HEAD")
        run = run_nox(
            project, shared_envdir, "-s", "benchmark", "--", "--compare", "HEAD~1", "--runs", "2"
        )
        assert run.returncode == 0, run.output[-6000:]

        base, head = run.reports / "benchmark-base", run.reports / "benchmark"
        assert sorted(p.name for p in base.iterdir()) == ["run-1.json", "run-2.json"]
        assert sorted(p.name for p in head.glob("*.json")) == ["run-1.json", "run-2.json"]
        assert {p.name: commit_info(p) for p in base.iterdir()} == {
            "run-1.json": base_sha,
            "run-2.json": base_sha,
        }
        assert {p.name: commit_info(p) for p in head.glob("*.json")} == {
            "run-1.json": head_sha,
            "run-2.json": head_sha,
        }
        order = [base / "run-1.json", head / "run-1.json", base / "run-2.json", head / "run-2.json"]
        written = re.findall(r"Wrote benchmark data in: (\S+)", run.output)
        assert [Path(p) for p in written] == order
        mtimes = [p.stat().st_mtime_ns for p in order]
        assert mtimes == sorted(mtimes)
        # Each side ran its own code: the head's test_build does ten times the work (a margin
        # for a busy machine slowing one side's runs).
        base_fastest = min(fastest(path, "test_build") for path in order[0::2])
        head_fastest = min(fastest(path, "test_build") for path in order[1::2])
        assert head_fastest > 3 * base_fastest

        short = git(project, "rev-parse", "--short", "HEAD~1")
        assert (
            f"noxci: compared with HEAD~1 ({short}): 2 runs per side in "
            "reports/benchmark-base/ and reports/benchmark/"
        ) in run.output.splitlines()
        assert (project / ".noxci" / "compare" / "worktree").exists() is False
        assert worktrees(project) == [str(project.parent.resolve())]
        assert (project / ".noxci" / "compare" / "venv" / "bin" / "python").exists() is True

    def test_pip_when_the_session_uses_virtualenv(self, project: Path, tmp_path: Path) -> None:
        """With nox's virtualenv backend, the base gets a virtualenv too, installed by pip."""
        envdir = tmp_path / "virtualenv-envs"  # not the shared uv ones: another backend
        envdir.mkdir()
        run = run_nox(
            project,
            envdir,
            "--force-venv-backend",
            "virtualenv",
            "-s",
            "benchmark",
            "--",
            "--compare",
            "HEAD~1",
            "--runs",
            "1",
        )
        assert run.returncode == 0, run.output[-6000:]
        venv = project / ".noxci" / "compare" / "venv"
        install = f"{venv}/bin/python -m pip install -e . 'pytest>=8.3' 'pytest-benchmark>=5.1'"
        assert f"nox > {install}" in run.output.splitlines()
        assert "virtualenv = " in (venv / "pyvenv.cfg").read_text(encoding="utf-8")
        base_sha = git(project, "rev-parse", "HEAD~1")
        assert commit_info(run.reports / "benchmark-base" / "run-1.json") == base_sha

    def test_unknown_ref_fails_with_one_line(self, project: Path, shared_envdir: Path) -> None:
        """A ref the clone lacks ends the session with one line saying how to fetch it."""
        run = run_nox(project, shared_envdir, "-s", "benchmark", "--", "--compare", "origin/main")
        assert run.returncode == 1, run.output[-6000:]
        assert aborted(run.output) == (
            f"--compare origin/main: not a commit in {project.parent.resolve()} (a shallow "
            "clone, or never fetched?); fetch it first: git fetch origin main (or git fetch "
            "--unshallow; actions/checkout: fetch-depth: 0)"
        )
        assert "Traceback" not in run.output

    def test_base_without_the_project(self, project: Path, shared_envdir: Path) -> None:
        """A REF from before the project existed ends the session with one line."""
        run = run_nox(project, shared_envdir, "-s", "benchmark", "--", "--compare", "no-project")
        assert run.returncode == 1, run.output[-6000:]
        short = git(project, "rev-parse", "--short", "no-project")
        assert aborted(run.output) == (
            f"--compare no-project: sample does not exist at {short}; "
            "compare with a commit that has the project"
        )
        assert worktrees(project) == [str(project.parent.resolve())]

    def test_base_without_benchmarks(self, project: Path, shared_envdir: Path) -> None:
        """A base without benchmark tests installs and runs nothing; only the head runs."""
        run = run_nox(
            project, shared_envdir, "-s", "benchmark", "--", "--compare=no-benchmarks", "--runs=2"
        )
        assert run.returncode == 0, run.output[-6000:]
        lines = run.output.splitlines()
        assert any(
            line.startswith(
                "noxci: --compare no-benchmarks: the base's configuration does not load"
            )
            for line in lines
        ), run.output[-6000:]
        short = git(project, "rev-parse", "--short", "no-benchmarks")
        assert (
            f"noxci: compared with no-benchmarks ({short}): it has no benchmark tests; "
            "2 runs of the head in reports/benchmark/"
        ) in lines
        assert list((run.reports / "benchmark-base").iterdir()) == []
        assert sorted(p.name for p in (run.reports / "benchmark").glob("*.json")) == [
            "run-1.json",
            "run-2.json",
        ]
        assert (project / ".noxci" / "compare" / "venv").exists() is False

    def test_failing_run_removes_the_worktree(self, project: Path, shared_envdir: Path) -> None:
        """A run that fails (pytest rejects an option) still leaves no worktree behind."""
        run = run_nox(
            project,
            shared_envdir,
            "-s",
            "benchmark",
            "--",
            "--compare",
            "HEAD~1",
            "--runs",
            "1",
            "--no-such-option",
        )
        assert run.returncode == 1, run.output[-6000:]
        assert "error: unrecognized arguments: --no-such-option" in run.output
        assert (project / ".noxci" / "compare" / "worktree").exists() is False
        assert worktrees(project) == [str(project.parent.resolve())]

    def test_interrupt_removes_the_worktree(self, project: Path, shared_envdir: Path) -> None:
        """Ctrl-C in the middle of a run still leaves no worktree behind."""
        # Long runs (1,000 rounds: seconds for the base, a minute for the head), so that the
        # interrupt lands inside the head's first run: nox ignores a Ctrl-C that its command
        # survives with exit code 0, as one just finishing may.
        argv = [sys.executable, "-m", "nox", "--envdir", str(shared_envdir), "--no-color"]
        argv += ["-s", "benchmark", "--", "--compare", "HEAD~1", "--runs", "3"]
        argv += ["--benchmark-min-rounds=1000"]
        first = project / "reports" / "benchmark-base" / "run-1.json"
        log = project.parent.parent / "nox.log"
        with _locked(shared_envdir), log.open("w", encoding="utf-8") as stream:
            process = subprocess.Popen(
                argv,
                cwd=project,
                env=_environment({}),
                stdin=subprocess.DEVNULL,
                stdout=stream,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                deadline = time.monotonic() + 600
                while not first.exists() and process.poll() is None:
                    assert time.monotonic() < deadline, "the first base run never ended"
                    time.sleep(0.2)
                assert (project / ".noxci" / "compare" / "worktree").is_dir() is True
                time.sleep(2)  # the head's first run is under way
                os.killpg(process.pid, signal.SIGINT)
                process.wait(timeout=120)
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        output = log.read_text(encoding="utf-8")
        assert process.returncode != 0, output[-6000:]
        assert "Interrupted" in output
        assert (project / ".noxci" / "compare" / "worktree").exists() is False
        assert worktrees(project) == [str(project.parent.resolve())]


class TestPlainRun:
    def test_clears_a_stale_base_and_earlier_runs(
        self, tmp_path: Path, shared_envdir: Path
    ) -> None:
        """A plain benchmark run removes an earlier comparison's base and runs."""
        project = copy_sample(tmp_path / "sample")
        for folder in ("benchmark-base", "benchmark"):
            (project / "reports" / folder).mkdir(parents=True)
            (project / "reports" / folder / "run-1.json").write_text("{}", encoding="utf-8")
        run = run_nox(project, shared_envdir, "-s", "benchmark")
        assert run.returncode == 0, run.output[-6000:]
        assert (run.reports / "benchmark-base").exists() is False
        assert sorted(p.name for p in (run.reports / "benchmark").iterdir()) == ["benchmark.json"]
