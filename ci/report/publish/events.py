"""What triggered the workflow, read from ``GITHUB_EVENT_NAME`` and ``GITHUB_EVENT_PATH``.

``pull_request``: the PR number and head SHA come from the event file (``GITHUB_SHA`` is
the merge commit, not the head). ``push``, ``schedule`` and the rest: ``GITHUB_SHA``, no PR.
``workflow_run`` (fork PRs): the run that uploaded the reports is described by the
trusted event; the pull request's event file was uploaded by that run and is untrusted
data: its repository and head SHA must match ``workflow_run``'s, and only then is its PR
number used (GitHub leaves ``workflow_run.pull_requests`` empty for forks). A bad file is
an :class:`~ci.errors.InputError` naming it.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci.errors import InputError

__all__ = ["MAX_EVENT_BYTES", "Event", "EventKind", "read_event"]

#: The largest event file read (GitHub's webhook payloads are capped at 25 MB).
MAX_EVENT_BYTES = 25 * 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_PULL_EVENTS = ("pull_request", "pull_request_target")


class EventKind(enum.StrEnum):
    """The triggers we publish differently for."""

    PULL_REQUEST = "pull_request"
    PUSH = "push"
    SCHEDULE = "schedule"
    WORKFLOW_RUN = "workflow_run"
    OTHER = "other"


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """The commit and pull request a report is about."""

    kind: EventKind
    #: ``owner/name`` of the repository posted to.
    repo: str
    #: The commit the check run goes on (a PR's head, never its merge commit).
    head_sha: str
    #: The pull request to comment on (None: no comment).
    pr_number: int | None = None
    #: The change comes from another repository (its token cannot write here).
    fork: bool = False


def _load(path: Path, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_EVENT_BYTES + 1)
    except OSError as error:
        msg = f"{path}: cannot read the {what} ({error.strerror}); check the path"
        raise InputError(msg) from None
    if len(raw) > MAX_EVENT_BYTES:
        msg = f"{path}: the {what} is larger than {MAX_EVENT_BYTES} bytes; it is not an event"
        raise InputError(msg)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        msg = f"{path}: the {what} is not JSON; upload the file GITHUB_EVENT_PATH names"
        raise InputError(msg) from None
    if not isinstance(data, dict):
        msg = f"{path}: the {what} is not a JSON object"
        raise InputError(msg)
    return data


def _get(data: object, dotted: str, kind: type, where: str) -> Any:
    """``data[a][b]...`` of type ``kind``; InputError naming ``where`` and the key otherwise."""
    value = data
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        msg = f"{where}: {dotted} is missing or not a {kind.__name__}"
        raise InputError(msg)
    return value


def _sha(value: str, where: str, key: str) -> str:
    if not _SHA.fullmatch(value):
        msg = f"{where}: {key} {value[:80]!r} is not a commit SHA"
        raise InputError(msg)
    return value


def _pull_request(env: Mapping[str, str], data: dict[str, Any], where: str) -> Event:
    repo = env.get("GITHUB_REPOSITORY") or _get(data, "repository.full_name", str, where)
    number = _get(data, "pull_request.number", int, where)
    head = _sha(_get(data, "pull_request.head.sha", str, where), where, "pull_request.head.sha")
    head_repo = _get(data, "pull_request.head.repo.full_name", str, where)
    fork = head_repo.lower() != repo.lower()
    return Event(kind=EventKind.PULL_REQUEST, repo=repo, head_sha=head, pr_number=number, fork=fork)


def _uploaded_pr(uploaded: Path | None, *, repo: str, head: str, head_repo: str) -> int:
    """The PR number from the untrusted uploaded event, once it agrees with workflow_run."""
    if uploaded is None:
        msg = (
            "workflow_run of a fork's pull request: pass the pull_request event file the "
            "untrusted workflow uploaded (GitHub leaves workflow_run.pull_requests empty)"
        )
        raise InputError(msg)
    data = _load(uploaded, "uploaded pull_request event")
    where = str(uploaded)
    claimed = (
        _get(data, "pull_request.head.sha", str, where),
        _get(data, "pull_request.base.repo.full_name", str, where).lower(),
        _get(data, "pull_request.head.repo.full_name", str, where).lower(),
    )
    number: int = _get(data, "pull_request.number", int, where)
    if claimed != (head, repo.lower(), head_repo.lower()) or number <= 0:
        msg = (
            f"{where}: names {claimed[2]}@{claimed[0][:12]} into {claimed[1]}, but "
            f"workflow_run ran {head_repo}@{head[:12]} for {repo}; refusing to publish for it"
        )
        raise InputError(msg)
    return number


def _listed_pr(run: dict[str, Any], head: str) -> int | None:
    """The PR workflow_run lists for ``head`` (same-repository PRs only)."""
    for pull in run.get("pull_requests") or []:
        number = pull.get("number") if isinstance(pull, dict) else None
        pull_head = pull.get("head") if isinstance(pull, dict) else None
        if isinstance(number, int) and isinstance(pull_head, dict) and pull_head.get("sha") == head:
            return number
    return None


def _workflow_run(
    env: Mapping[str, str], data: dict[str, Any], where: str, uploaded: Path | None
) -> Event:
    run = _get(data, "workflow_run", dict, where)
    repo = _get(run, "repository.full_name", str, where)
    if repo.lower() != env.get("GITHUB_REPOSITORY", repo).lower():
        msg = f"{where}: workflow_run.repository is {repo}, not GITHUB_REPOSITORY"
        raise InputError(msg)
    head = _sha(_get(run, "head_sha", str, where), where, "workflow_run.head_sha")
    head_repo = _get(run, "head_repository.full_name", str, where)
    number = None
    if _get(run, "event", str, where) in _PULL_EVENTS:
        number = _listed_pr(run, head) or _uploaded_pr(
            uploaded, repo=repo, head=head, head_repo=head_repo
        )
    fork = head_repo.lower() != repo.lower()
    return Event(kind=EventKind.WORKFLOW_RUN, repo=repo, head_sha=head, pr_number=number, fork=fork)


def read_event(env: Mapping[str, str], *, uploaded: Path | None = None) -> Event:
    """The event of this workflow run; ``uploaded`` is a fork PR's event file (workflow_run)."""
    name = env.get("GITHUB_EVENT_NAME", "")
    if not name:
        msg = "GITHUB_EVENT_NAME is not set: publish to GitHub only inside GitHub Actions"
        raise InputError(msg)
    where = env.get("GITHUB_EVENT_PATH", "")
    data = _load(Path(where), f"{name} event") if where else {}
    if name in _PULL_EVENTS:
        return _pull_request(env, data, where or "GITHUB_EVENT_PATH")
    if name == "workflow_run":
        return _workflow_run(env, data, where or "GITHUB_EVENT_PATH", uploaded)
    repo = env.get("GITHUB_REPOSITORY", "")
    sha = env.get("GITHUB_SHA", "")
    if not repo or not _SHA.fullmatch(sha):
        msg = f"{name} event: GITHUB_REPOSITORY and GITHUB_SHA must be set"
        raise InputError(msg)
    known = {EventKind.PUSH.value, EventKind.SCHEDULE.value}
    return Event(
        kind=EventKind(name) if name in known else EventKind.OTHER, repo=repo, head_sha=sha
    )
