"""``python -m ci baseline``: main's artifact for the merge-base, from the local GitHub server."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from ci.cli import main_inner
from ci.errors import InputError
from ci.github.baseline import Baseline, ancestors, fetch_baseline, merge_base
from ci.report.publish.retry import RetryPolicy
from tests.github_server import Artifact, Fault, FaultKind, GitHubServer, WorkflowRun
from tests.github_server._cast import REPO, TOKEN

pytest_plugins = ["tests.github_server.fixtures"]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, list[str], str]:
    """main with three commits (oldest first), and a branch off the second one."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shas = []
    for n in range(3):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"main {n}")
        shas.append(git(repo, "rev-parse", "HEAD"))
    git(repo, "checkout", "-q", "-b", "feature", shas[1])
    git(repo, "commit", "-q", "--allow-empty", "-m", "feature")
    return repo, shas, git(repo, "rev-parse", "HEAD")


def zipped(**files: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def upload(server: GitHubServer, sha: str, data: bytes, *, expired: bool = False) -> int:
    run = server.add(WorkflowRun(repo=REPO, head_sha=sha, event="push"))
    artifact = Artifact(repo=REPO, name="noxci-baseline", data=data, run_id=run.id, expired=expired)
    return server.add(artifact).id


def env(server: GitHubServer) -> dict[str, str]:
    return {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": server.url, "GITHUB_REPOSITORY": REPO}


class TestFetchBaseline:
    def test_nearest_ancestor_with_a_baseline(
        self, github_api: GitHubServer, history: tuple[Path, list[str], str], tmp_path: Path
    ) -> None:
        """The merge-base has none: its parent's newest unexpired artifact is unpacked."""
        repo, shas, head = history
        upload(github_api, shas[0], zipped(**{"reports/junit/unit.xml": "old"}))
        newest = upload(github_api, shas[0], zipped(**{"reports/junit/unit.xml": "new"}))
        upload(github_api, shas[1], zipped(**{"reports/x": "gone"}), expired=True)
        start = merge_base(repo, shas[2], head)
        assert start == shas[1]
        found = fetch_baseline(
            env(github_api), repo=REPO, shas=ancestors(repo, start, depth=5), into=tmp_path / "b"
        )
        assert found == Baseline(sha=shas[0], path=tmp_path / "b" / "reports", artifact_id=newest)
        assert (tmp_path / "b/reports/junit/unit.xml").read_text() == "new"
        assert github_api.validation_errors == []

    def test_none_found(
        self,
        github_api: GitHubServer,
        history: tuple[Path, list[str], str],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """No artifact: exit 0, a line saying so, and empty step outputs."""
        repo, shas, head = history
        output = tmp_path / "output"
        for key, value in {**env(github_api), "GITHUB_OUTPUT": str(output)}.items():
            monkeypatch.setenv(key, value)
        args = [
            "baseline",
            "--ref",
            shas[2],
            "--head",
            head,
            "--project",
            str(repo),
            "--depth",
            "2",
        ]
        assert main_inner(args) == 0
        assert capsys.readouterr().out == (
            f"noxci: no noxci-baseline artifact for {shas[1]} or its last 2 ancestors\n"
        )
        assert "path<<" in output.read_text()

    def test_found_from_the_command_line(
        self,
        github_api: GitHubServer,
        history: tuple[Path, list[str], str],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """An artifact without a reports/ folder is the baseline itself."""
        repo, shas, _ = history
        upload(github_api, shas[2], zipped(**{"report.json": "{}"}))
        for key, value in env(github_api).items():
            monkeypatch.setenv(key, value)
        into = tmp_path / "base"
        args = ["baseline", "--ref", shas[2], "--into", str(into), "--project", str(repo)]
        assert main_inner(args) == 0
        assert capsys.readouterr().out == f"noxci: baseline of {shas[2]} in {into}\n"

    def test_github_down_is_a_warning(
        self,
        github_api: GitHubServer,
        history: tuple[Path, list[str], str],
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The baseline is optional: a failure to fetch it warns and the report goes on."""
        repo, shas, _ = history
        github_api.add_fault(Fault(kind=FaultKind.STATUS, status=503, path=".*", times=None))
        for key, value in {**env(github_api), "NOXCI_PUBLISH_BUDGET": "1"}.items():
            monkeypatch.setenv(key, value)
        assert main_inner(["baseline", "--ref", shas[2], "--project", str(repo)]) == 0
        err = capsys.readouterr().err
        assert err.startswith("noxci: warning: no baseline: octo/proj: cannot fetch the ")

    def test_a_broken_zip(
        self, github_api: GitHubServer, history: tuple[Path, list[str], str], tmp_path: Path
    ) -> None:
        """An artifact that is not a zip file is an error naming it."""
        _, shas, _ = history
        upload(github_api, shas[2], b"not a zip")
        with pytest.raises(InputError, match=r"artifact noxci-baseline \(\d+\): not a zip file"):
            fetch_baseline(
                env(github_api),
                repo=REPO,
                shas=[shas[2]],
                into=tmp_path,
                policy=RetryPolicy(budget_s=5),
            )

    def test_bad_refs(self, history: tuple[Path, list[str], str]) -> None:
        """An unknown commit is one line saying to fetch the history."""
        repo, _, _ = history
        with pytest.raises(InputError, match=r"git merge-base failed .*fetch-depth: 0"):
            merge_base(repo, "nope", "HEAD")
