"""Reading the workflow's event: pull requests, pushes, schedules and fork workflow runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ci.errors import InputError
from ci.report.publish import events
from ci.report.publish.events import Event, EventKind, read_event

HEAD, MERGE, OTHER = "b" * 40, "c" * 40, "e" * 40


def pull(number: int = 7, head: str = HEAD, head_repo: str = "octo/proj") -> dict[str, Any]:
    """A ``pull_request`` object as GitHub's event payload has it."""
    return {
        "number": number,
        "head": {"sha": head, "repo": {"full_name": head_repo}},
        "base": {"repo": {"full_name": "octo/proj"}},
    }


def workflow_run(**changes: Any) -> dict[str, Any]:
    """A ``workflow_run`` event for a fork's pull request."""
    run = {
        "event": "pull_request",
        "head_sha": HEAD,
        "repository": {"full_name": "octo/proj"},
        "head_repository": {"full_name": "contrib/proj"},
        "pull_requests": [],
    }
    return {"action": "completed", "workflow_run": {**run, **changes}}


def env_for(tmp_path: Path, name: str, payload: object) -> dict[str, str]:
    """The variables of a workflow run triggered by ``name`` with ``payload``."""
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return {
        "GITHUB_EVENT_NAME": name,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_REPOSITORY": "octo/proj",
        "GITHUB_SHA": MERGE,
    }


def upload(tmp_path: Path, payload: object) -> Path:
    """The pull_request event file the untrusted workflow uploaded."""
    path = tmp_path / "uploaded.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


class TestPullRequest:
    def test_head_not_merge(self, tmp_path: Path) -> None:
        """The PR number and head SHA come from the event file, not GITHUB_SHA."""
        env = env_for(tmp_path, "pull_request", {"pull_request": pull()})
        assert read_event(env) == Event(
            kind=EventKind.PULL_REQUEST, repo="octo/proj", head_sha=HEAD, pr_number=7
        )

    def test_fork(self, tmp_path: Path) -> None:
        """A head in another repository is a fork."""
        env = env_for(tmp_path, "pull_request", {"pull_request": pull(head_repo="contrib/proj")})
        assert read_event(env).fork is True

    def test_missing_number(self, tmp_path: Path) -> None:
        """A payload without a PR number names the file and the key."""
        env = env_for(tmp_path, "pull_request", {"pull_request": {**pull(), "number": True}})
        with pytest.raises(InputError, match=r"event\.json: pull_request\.number is missing"):
            read_event(env)

    def test_bad_sha(self, tmp_path: Path) -> None:
        """A head that is not a SHA is refused."""
        env = env_for(tmp_path, "pull_request", {"pull_request": pull(head="main")})
        with pytest.raises(InputError, match=r"pull_request\.head\.sha 'main' is not a commit SHA"):
            read_event(env)


class TestPushAndSchedule:
    @pytest.mark.parametrize(
        ("name", "kind"),
        [
            ("push", EventKind.PUSH),
            ("schedule", EventKind.SCHEDULE),
            ("workflow_dispatch", EventKind.OTHER),
        ],
    )
    def test_sha_without_pull_request(self, tmp_path: Path, name: str, kind: EventKind) -> None:
        """GITHUB_SHA is the commit, and there is no pull request."""
        assert read_event(env_for(tmp_path, name, {})) == Event(
            kind=kind, repo="octo/proj", head_sha=MERGE
        )

    def test_without_sha(self) -> None:
        """A push without GITHUB_SHA is refused."""
        with pytest.raises(InputError, match="GITHUB_REPOSITORY and GITHUB_SHA must be set"):
            read_event({"GITHUB_EVENT_NAME": "push", "GITHUB_REPOSITORY": "octo/proj"})

    def test_outside_actions(self) -> None:
        """Without GITHUB_EVENT_NAME there is nothing to read."""
        with pytest.raises(InputError, match="GITHUB_EVENT_NAME is not set"):
            read_event({})


class TestWorkflowRun:
    def test_fork_takes_the_uploaded_number(self, tmp_path: Path) -> None:
        """A fork's PR number comes from the uploaded file once it matches the run."""
        env = env_for(tmp_path, "workflow_run", workflow_run())
        uploaded = upload(tmp_path, {"pull_request": pull(9, head_repo="contrib/proj")})
        assert read_event(env, uploaded=uploaded) == Event(
            kind=EventKind.WORKFLOW_RUN, repo="octo/proj", head_sha=HEAD, pr_number=9, fork=True
        )

    def test_same_repository_pull_is_listed(self, tmp_path: Path) -> None:
        """A same-repository PR listed by the run needs no uploaded file."""
        listed = [{"number": 4, "head": {"sha": HEAD}}, {"number": 5, "head": {"sha": OTHER}}]
        payload = workflow_run(
            head_repository={"full_name": "octo/proj"}, pull_requests=["junk", *listed]
        )
        event = read_event(env_for(tmp_path, "workflow_run", payload))
        assert (event.pr_number, event.fork) == (4, False)

    def test_push_run_has_no_pull_request(self, tmp_path: Path) -> None:
        """A run of a push has no PR number."""
        event = read_event(env_for(tmp_path, "workflow_run", workflow_run(event="push")))
        assert (event.kind, event.pr_number) == (EventKind.WORKFLOW_RUN, None)

    @pytest.mark.parametrize(
        "claimed",
        [
            pull(9, head=OTHER, head_repo="contrib/proj"),
            pull(9, head_repo="mallory/proj"),
            {**pull(9, head_repo="contrib/proj"), "base": {"repo": {"full_name": "x/y"}}},
            pull(0, head_repo="contrib/proj"),
        ],
        ids=["other-head", "other-fork", "other-base", "zero"],
    )
    def test_mismatched_upload_is_refused(self, tmp_path: Path, claimed: dict[str, Any]) -> None:
        """An uploaded file that disagrees with the trusted run is refused."""
        env = env_for(tmp_path, "workflow_run", workflow_run())
        with pytest.raises(InputError, match="refusing to publish for it"):
            read_event(env, uploaded=upload(tmp_path, {"pull_request": claimed}))

    def test_fork_without_upload(self, tmp_path: Path) -> None:
        """A fork's run without the uploaded file says what to pass."""
        with pytest.raises(InputError, match="pass the pull_request event file"):
            read_event(env_for(tmp_path, "workflow_run", workflow_run()))

    def test_other_repository(self, tmp_path: Path) -> None:
        """A run of another repository than GITHUB_REPOSITORY is refused."""
        payload = workflow_run(repository={"full_name": "evil/proj"})
        with pytest.raises(InputError, match=r"workflow_run\.repository is evil/proj"):
            read_event(env_for(tmp_path, "workflow_run", payload))


class TestBadFiles:
    def test_not_json(self, tmp_path: Path) -> None:
        """A file that is not JSON names itself."""
        env = env_for(tmp_path, "pull_request", {})
        Path(env["GITHUB_EVENT_PATH"]).write_text("{nope", encoding="utf-8")
        with pytest.raises(InputError, match=r"event\.json: the pull_request event is not JSON"):
            read_event(env)

    def test_not_an_object(self, tmp_path: Path) -> None:
        """A JSON list is not an event."""
        with pytest.raises(InputError, match="is not a JSON object"):
            read_event(env_for(tmp_path, "pull_request", []))

    def test_missing(self, tmp_path: Path) -> None:
        """An unreadable file says so."""
        env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(tmp_path / "no")}
        with pytest.raises(InputError, match="cannot read the pull_request event"):
            read_event(env)

    def test_too_large(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A file over the size cap is not read whole."""
        monkeypatch.setattr(events, "MAX_EVENT_BYTES", 10)
        env = env_for(tmp_path, "workflow_run", workflow_run())
        with pytest.raises(InputError, match="larger than 10 bytes"):
            read_event(env)

    def test_no_event_path(self) -> None:
        """A pull_request without GITHUB_EVENT_PATH names the variable."""
        with pytest.raises(InputError, match=r"GITHUB_EVENT_PATH: pull_request\.number is missing"):
            read_event({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REPOSITORY": "o/r"})
