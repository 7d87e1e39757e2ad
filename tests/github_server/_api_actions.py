"""GitHub Actions: workflow runs, artifacts, and artifact downloads.

A download answers 302 with a ``Location`` on this server (``/_blobs/artifacts/<id>.zip``,
no token needed, like GitHub's signed blob URLs), which serves the seeded zip bytes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from tests.github_server._api_pulls import pull_minimal_json, pulls_for_sha
from tests.github_server._call import ApiError, Call, Handler, Reply, node_id
from tests.github_server._json import repo_json, user_json
from tests.github_server._records import Artifact, WorkflowRun
from tests.github_server._store import iso

__all__ = ["HANDLERS", "blob_reply"]

_DOCS = "https://docs.github.com/rest/actions/artifacts"
_RUN_FILTERS = {"branch": "head_branch", "event": "event", "head_sha": "head_sha"}


def _head_commit(call: Call, run: WorkflowRun) -> dict[str, Any]:
    commit = call.store.commits.get((run.head_repo.lower(), run.head_sha))
    who = {"name": commit.author if commit else "", "email": ""}
    return {
        "id": run.head_sha,
        "tree_id": run.head_sha,
        "message": commit.message if commit else "",
        "timestamp": commit.date if commit else run.created_at,
        "author": who,
        "committer": who,
    }


def run_json(call: Call, run: WorkflowRun, *, with_pulls: bool = True) -> dict[str, Any]:
    """A ``workflow-run``."""
    repo, head_repo = call.store.repo(run.repo), call.store.repo(run.head_repo)
    assert repo is not None
    assert head_repo is not None
    api = call.api(f"/repos/{run.repo}/actions/runs/{run.id}")
    pulls = [call.store.issues.get((run.repo.lower(), number)) for number in run.pull_numbers]
    pulls += pulls_for_sha(call, run.repo, run.head_sha) if not run.pull_numbers else []
    return {
        "id": run.id,
        "name": run.name,
        "node_id": node_id("WorkflowRun", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.path,
        "display_title": run.name,
        "run_number": run.run_number,
        "run_attempt": 1,
        "event": run.event,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": run.workflow_id,
        "check_suite_id": run.id,
        "url": api,
        "html_url": call.api(f"/{run.repo}/actions/runs/{run.id}"),
        "pull_requests": [pull_minimal_json(call, pull) for pull in pulls if pull and with_pulls],
        "created_at": run.created_at,
        "updated_at": run.created_at,
        "run_started_at": run.created_at,
        "actor": user_json(call, repo.owner),
        "triggering_actor": user_json(call, repo.owner),
        "jobs_url": f"{api}/jobs",
        "logs_url": f"{api}/logs",
        "check_suite_url": call.api(f"/repos/{run.repo}/check-suites/{run.id}"),
        "artifacts_url": f"{api}/artifacts",
        "cancel_url": f"{api}/cancel",
        "rerun_url": f"{api}/rerun",
        "workflow_url": call.api(f"/repos/{run.repo}/actions/workflows/{run.workflow_id}"),
        "head_commit": _head_commit(call, run),
        "repository": repo_json(call, repo),
        "head_repository": repo_json(call, head_repo),
    }


def list_runs(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/actions/runs``: branch, event, status, head_sha, actor."""
    repo = call.repo()
    wanted = {field: call.query[key] for key, field in _RUN_FILTERS.items() if key in call.query}
    status = call.query.get("status")
    runs = [
        run
        for run in call.store.workflow_runs.values()
        if run.repo.lower() == repo.full_name.lower()
        and all(getattr(run, field) == value for field, value in wanted.items())
        and status in (None, run.status, run.conclusion)
        and call.query.get("actor", repo.owner).lower() == repo.owner.lower()
    ]
    runs.sort(key=lambda run: run.id, reverse=True)
    page, headers = call.paginate(runs)
    with_pulls = call.query.get("exclude_pull_requests") != "true"
    body = {
        "total_count": len(runs),
        "workflow_runs": [run_json(call, run, with_pulls=with_pulls) for run in page],
    }
    return Reply(status=200, body=body, headers=headers)


def artifact_json(call: Call, artifact: Artifact) -> dict[str, Any]:
    """An ``artifact``."""
    api = call.api(f"/repos/{artifact.repo}/actions/artifacts/{artifact.id}")
    created = datetime.fromisoformat(artifact.created_at)
    run = call.store.workflow_runs.get(artifact.run_id or 0)
    repo, head = (
        (call.store.repo(run.repo), call.store.repo(run.head_repo)) if run else (None, None)
    )
    return {
        "id": artifact.id,
        "node_id": node_id("Artifact", artifact.id),
        "name": artifact.name,
        "size_in_bytes": len(artifact.data),
        "url": api,
        "archive_download_url": f"{api}/zip",
        "expired": artifact.expired,
        "created_at": artifact.created_at,
        "updated_at": artifact.created_at,
        "expires_at": iso(created + timedelta(days=90)),
        "digest": f"sha256:{hashlib.sha256(artifact.data).hexdigest()}",
        "workflow_run": None
        if run is None or repo is None or head is None
        else {
            "id": run.id,
            "repository_id": repo.id,
            "head_repository_id": head.id,
            "head_branch": run.head_branch,
            "head_sha": run.head_sha,
        },
    }


def _artifacts_reply(call: Call, artifacts: list[Artifact], *, newest_first: bool) -> Reply:
    name = call.query.get("name")
    chosen = sorted(
        (item for item in artifacts if name in (None, item.name)),
        key=lambda item: item.id,
        reverse=newest_first,
    )
    page, headers = call.paginate(chosen)
    body = {"total_count": len(chosen), "artifacts": [artifact_json(call, item) for item in page]}
    return Reply(status=200, body=body, headers=headers)


def _repo_artifacts(call: Call) -> list[Artifact]:
    repo = call.repo().full_name.lower()
    return [item for item in call.store.artifacts.values() if item.repo.lower() == repo]


def list_repo_artifacts(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/actions/artifacts``, newest first, ``name`` filters."""
    return _artifacts_reply(call, _repo_artifacts(call), newest_first=True)


def list_run_artifacts(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts``."""
    run_id = call.number("run_id")
    run = call.store.workflow_runs.get(run_id)
    if run is None or run.repo.lower() != call.repo().full_name.lower():
        raise ApiError(404, "Not Found", _DOCS)
    artifacts = [item for item in _repo_artifacts(call) if item.run_id == run_id]
    return _artifacts_reply(call, artifacts, newest_first=call.query.get("direction") != "asc")


def _artifact(call: Call) -> Artifact:
    artifact_id = call.number("artifact_id")
    found = next((item for item in _repo_artifacts(call) if item.id == artifact_id), None)
    if found is None:
        raise ApiError(404, "Not Found", _DOCS)
    return found


def get_artifact(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}``."""
    return Reply(status=200, body=artifact_json(call, _artifact(call)))


def download_artifact(call: Call) -> Reply:
    """``GET .../actions/artifacts/{artifact_id}/zip``: 302 to the bytes, 410 when expired."""
    artifact = _artifact(call)
    if call.params["archive_format"] != "zip":
        raise ApiError(404, "Not Found", _DOCS)
    if call.login is None:
        raise ApiError(401, "You must have the actions scope to download artifacts.", _DOCS)
    if artifact.expired:
        raise ApiError(410, "Artifact has expired", _DOCS)
    location = call.api(f"/_blobs/artifacts/{artifact.id}.zip")
    return Reply(status=302, headers=(("Location", location),))


def blob_reply(call: Call, artifact_id: int) -> Reply:
    """The zip bytes a download redirects to."""
    found = call.store.artifacts.get(artifact_id)
    if found is None:
        raise ApiError(404, "Not Found")
    return Reply(status=200, raw=found.data, content_type="application/zip")


HANDLERS: dict[str, Handler] = {
    "actions/list-workflow-runs-for-repo": list_runs,
    "actions/list-artifacts-for-repo": list_repo_artifacts,
    "actions/list-workflow-run-artifacts": list_run_artifacts,
    "actions/get-artifact": get_artifact,
    "actions/download-artifact": download_artifact,
}
