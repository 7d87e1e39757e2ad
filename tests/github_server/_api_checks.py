"""Check runs and their annotations: create, get, update, list annotations.

Like GitHub, annotations sent with a create or an update are appended to the run's
(at most 50 per request: the request schema says so, and a longer list is a 422), a
conclusion completes the run, and a completed run needs a conclusion.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.github_server._api_pulls import pull_minimal_json, pulls_for_sha
from tests.github_server._call import ApiError, Call, Handler, Reply, node_id
from tests.github_server._json import schema_object, user_object
from tests.github_server._records import Annotation, CheckRun, User

__all__ = ["HANDLERS", "check_run_json"]

_ACTIONS_APP_ID = 15368
_DOCS = "https://docs.github.com/rest/checks/runs"
_ANNOTATION_FIELDS = {field.name for field in dataclasses.fields(Annotation)} - {"check_run_id"}


def _app_json(call: Call) -> dict[str, Any]:
    """The GitHub Actions app, which owns the check runs of ``GITHUB_TOKEN``."""
    return {
        "id": _ACTIONS_APP_ID,
        "slug": "github-actions",
        "client_id": "Iv1.github-actions",
        "node_id": node_id("App", _ACTIONS_APP_ID),
        "owner": user_object(call, User(login="github", id=9919, type="Organization")),
        "name": "GitHub Actions",
        "description": "Automate your workflow from idea to production",
        "external_url": "https://help.github.com/en/actions",
        "html_url": call.api("/apps/github-actions"),
        "created_at": "2018-07-30T09:30:17Z",
        "updated_at": "2019-12-10T19:04:12Z",
        "permissions": {
            "checks": "write",
            "contents": "write",
            "issues": "write",
            "metadata": "read",
        },
        "events": ["check_run", "check_suite", "pull_request", "push", "workflow_dispatch"],
    }


def _annotations(call: Call, run: CheckRun) -> list[Annotation]:
    return [item for item in call.store.annotations if item.check_run_id == run.id]


def check_run_json(call: Call, run: CheckRun) -> dict[str, Any]:
    """A ``check-run``."""
    url = call.api(f"/repos/{run.repo}/check-runs/{run.id}")
    html = call.api(f"/{run.repo}/runs/{run.id}")
    output = {
        "title": run.title,
        "summary": run.summary,
        "text": run.text,
        "annotations_count": len(_annotations(call, run)),
        "annotations_url": f"{url}/annotations",
    }
    pulls = [
        pull_minimal_json(call, issue) for issue in pulls_for_sha(call, run.repo, run.head_sha)
    ]
    return schema_object(
        call,
        "check-run",
        id=run.id,
        node_id=node_id("CheckRun", run.id),
        name=run.name,
        head_sha=run.head_sha,
        external_id=run.external_id,
        url=url,
        html_url=html,
        details_url=run.details_url or html,
        status=run.status,
        conclusion=run.conclusion,
        started_at=run.started_at,
        completed_at=run.completed_at,
        output=output,
        check_suite={"id": run.id},
        app=_app_json(call),
        pull_requests=pulls,
    )


def _apply(call: Call, run: CheckRun, body: dict[str, Any]) -> CheckRun:
    """``run`` with the fields of a create or update body, its annotations stored."""
    keys: tuple[str, ...] = (
        "name",
        "status",
        "conclusion",
        "started_at",
        "completed_at",
        "external_id",
        "details_url",
    )
    changes: dict[str, Any] = {key: body[key] for key in keys if key in body}
    output = body.get("output", {})
    changes.update({key: output[key] for key in ("title", "summary", "text") if key in output})
    if changes.get("conclusion") is not None:
        changes["status"] = "completed"
    updated = dataclasses.replace(run, **changes)
    if updated.status == "completed" and updated.conclusion is None:
        msg = "Invalid request.\n\n'conclusion' is required when 'status' is 'completed'."
        raise ApiError(422, msg, _DOCS)
    if updated.status == "completed" and updated.completed_at is None:
        updated = dataclasses.replace(updated, completed_at=call.store.now())
    call.store.check_runs[updated.id] = updated
    for item in output.get("annotations", []):
        known = {key: value for key, value in item.items() if key in _ANNOTATION_FIELDS}
        call.store.add(Annotation(check_run_id=updated.id, **known))
    return updated


def create_check_run(call: Call) -> Reply:
    """``POST /repos/{owner}/{repo}/check-runs``."""
    repo = call.repo()
    body: dict[str, Any] = call.body
    run = call.store.add(
        CheckRun(repo=repo.full_name, name=body["name"], head_sha=body["head_sha"])
    )
    assert isinstance(run, CheckRun)
    try:
        created = _apply(call, run, body)
    except ApiError:
        del call.store.check_runs[run.id]
        raise
    return Reply(status=201, body=check_run_json(call, created))


def _check_run(call: Call) -> CheckRun:
    repo = call.repo()
    found = call.store.check_runs.get(call.number("check_run_id"))
    if found is None or found.repo.lower() != repo.full_name.lower():
        raise ApiError(404, "Not Found", _DOCS)
    return found


def get_check_run(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/check-runs/{check_run_id}``."""
    return Reply(status=200, body=check_run_json(call, _check_run(call)))


def update_check_run(call: Call) -> Reply:
    """``PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}``."""
    return Reply(status=200, body=check_run_json(call, _apply(call, _check_run(call), call.body)))


def list_annotations(call: Call) -> Reply:
    """``GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations``."""
    run = _check_run(call)
    page, headers = call.paginate(_annotations(call, run))
    body = [
        {
            "path": item.path,
            "blob_href": call.api(f"/{run.repo}/blob/{run.head_sha}/{item.path}"),
            "start_line": item.start_line,
            "end_line": item.end_line,
            "start_column": item.start_column,
            "end_column": item.end_column,
            "annotation_level": item.annotation_level,
            "title": item.title,
            "message": item.message,
            "raw_details": item.raw_details,
        }
        for item in page
    ]
    return Reply(status=200, body=body, headers=headers)


HANDLERS: dict[str, Handler] = {
    "checks/create": create_check_run,
    "checks/get": get_check_run,
    "checks/update": update_check_run,
    "checks/list-annotations": list_annotations,
}
