"""The baseline a pull request's report compares with: main's artifact for its merge-base.

Every push to main (and every nightly run) uploads its merged reports in portable form
as the artifact ``noxci-baseline``. A pull request's report job asks for the newest such
artifact of the merge-base, or of the closest first-parent ancestor that has one (a
push whose run was skipped or has not finished leaves a gap), downloads it and unpacks
it. No baseline is not an error: the report then simply has nothing to compare with.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import requests
from github.Artifact import Artifact

from ci.errors import InputError
from ci.github.merge import REPORTS_DIR
from ci.report.publish.client import GitHubClient
from ci.report.publish.retry import GaveUpError, RetryPolicy, call

__all__ = ["BASELINE_ARTIFACT", "Baseline", "ancestors", "fetch_baseline", "merge_base"]

#: The name of the artifact main's runs upload and pull requests compare with.
BASELINE_ARTIFACT = "noxci-baseline"
#: How many artifacts of that name are looked through, newest first.
_MAX_LISTED = 300


@dataclass(frozen=True, kw_only=True)
class Baseline:
    """The baseline found: the commit it was measured on, and where it was unpacked."""

    sha: str
    path: Path
    artifact_id: int


def _git(project: Path, *args: str) -> list[str]:
    """The words git prints; InputError with its last line when it fails."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        msg = "git: not found on PATH; install git"
        raise InputError(msg) from None
    if done.returncode != 0:
        last = (done.stderr.strip() or "no output").splitlines()[-1]
        msg = f"{project}: git {args[0]} failed ({last}); fetch the history (fetch-depth: 0)"
        raise InputError(msg)
    return done.stdout.split()


def merge_base(project: Path, base: str, head: str) -> str:
    """The best common ancestor of ``base`` and ``head``."""
    return _git(project, "merge-base", base, head)[0]


def ancestors(project: Path, ref: str, *, depth: int) -> list[str]:
    """``ref`` and its first-parent ancestors, newest first, at most ``depth`` of them."""
    return _git(project, "rev-list", "--first-parent", f"--max-count={depth}", ref, "--")


def _newest_per_commit(client: GitHubClient, repo: str, name: str) -> dict[str, Artifact]:
    """The newest unexpired artifact called ``name`` of each commit, from the newest listed."""
    listing = client.repo(repo).get_artifacts(name=name)

    def read() -> list[Artifact]:
        found: list[Artifact] = []
        for artifact in listing:
            found.append(artifact)
            if len(found) >= _MAX_LISTED:
                break
        return found

    newest: dict[str, Artifact] = {}
    for artifact in call(client.budget, f"list the {name} artifacts of {repo}", read):
        run = artifact.workflow_run
        if not artifact.expired and run is not None:
            newest.setdefault(run.head_sha, artifact)
    return newest


def _download(client: GitHubClient, artifact: Artifact, token: str, into: Path) -> None:
    def get() -> bytes:
        answer = requests.get(
            artifact.archive_download_url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "noxci"},
            timeout=client.budget.policy.timeout_s,
        )
        answer.raise_for_status()
        return answer.content

    data = call(client.budget, f"download artifact {artifact.id}", get)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            into.mkdir(parents=True, exist_ok=True)
            archive.extractall(into)
    except zipfile.BadZipFile:
        msg = f"artifact {artifact.name} ({artifact.id}): not a zip file; upload it again"
        raise InputError(msg) from None


def fetch_baseline(
    env: Mapping[str, str],
    *,
    repo: str,
    shas: Sequence[str],
    into: Path,
    name: str = BASELINE_ARTIFACT,
    policy: RetryPolicy | None = None,
) -> Baseline | None:
    """Unpack the baseline of the first commit of ``shas`` that has one into ``into``."""
    client = GitHubClient.from_env(env, policy or RetryPolicy())
    try:
        newest = _newest_per_commit(client, repo, name)
        for sha in shas:
            if sha in newest:
                _download(client, newest[sha], env["GITHUB_TOKEN"], into)
                reports = into / REPORTS_DIR
                path = reports if reports.is_dir() else into
                return Baseline(sha=sha, path=path, artifact_id=newest[sha].id)
    except GaveUpError as error:
        msg = f"{repo}: cannot fetch the {name} artifact ({error}); the report runs without it"
        raise InputError(msg) from None
    return None
