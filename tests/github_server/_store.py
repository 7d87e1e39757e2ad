"""The server's state: records by key, ids, the clock, and one lock.

Every handler runs under ``Store.lock``, so a request sees and leaves a consistent
state. ``add`` is the one way records enter (seeds and API writes alike): it fills
ids, numbers and timestamps left at their defaults and checks references, so a seed
that names an unknown repository fails with a message instead of a half-built state.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from tests.github_server._records import (
    SEED_KINDS,
    Annotation,
    Artifact,
    Branch,
    CheckRun,
    Comment,
    Commit,
    Issue,
    Label,
    Record,
    Repo,
    SeedError,
    Token,
    User,
    WorkflowRun,
    record_from_json,
    record_to_json,
)

__all__ = ["Store", "iso"]


def iso(moment: datetime) -> str:
    """``moment`` as GitHub writes timestamps: ``2024-05-01T12:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """All records of one server, keyed the way the API looks them up."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.lock = threading.RLock()
        self._clock = clock
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repo] = {}
        self.branches: dict[tuple[str, str], Branch] = {}
        self.commits: dict[tuple[str, str], Commit] = {}
        self.labels: dict[tuple[str, str], Label] = {}
        self.issues: dict[tuple[str, int], Issue] = {}
        self.comments: dict[int, Comment] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.annotations: list[Annotation] = []
        self.workflow_runs: dict[int, WorkflowRun] = {}
        self.artifacts: dict[int, Artifact] = {}
        self._last_ids: dict[str, int] = {}

    def now(self) -> str:
        """The current time as an ISO 8601 ``Z`` timestamp."""
        return iso(self._clock())

    def next_id(self, kind: str, explicit: int = 0) -> int:
        """``explicit`` when given (and remembered), else one more than the last id of ``kind``."""
        last = self._last_ids.get(kind, 0)
        chosen = explicit or last + 1
        self._last_ids[kind] = max(last, chosen)
        return chosen

    def repo(self, full_name: str) -> Repo | None:
        """The repository named ``owner/name`` (case-insensitive, like GitHub)."""
        return self.repos.get(full_name.lower())

    def user(self, login: str) -> User:
        """The user ``login``, created on first mention."""
        found = self.users.get(login.lower())
        return found if found is not None else self._add_user(User(login=login))

    def seed(self, document: Mapping[str, Any]) -> dict[str, int]:
        """Add every record of a seed document (all parsed first); counts by kind."""
        unknown = sorted(set(document) - set(SEED_KINDS))
        if unknown:
            msg = f"seed: unknown key(s) {', '.join(unknown)}; known: {', '.join(SEED_KINDS)}"
            raise SeedError(msg)
        parsed: list[tuple[str, list[Record]]] = []
        for kind, cls in SEED_KINDS.items():
            items = document.get(kind, [])
            if not isinstance(items, list):
                msg = f"seed: {kind!r} must be a list of objects"
                raise SeedError(msg)
            parsed.append((kind, [record_from_json(cls, item) for item in items]))
        with self.lock:
            for _, records in parsed:
                for record in records:
                    self.add(record)
        return {kind: len(records) for kind, records in parsed if records}

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every record as a seed document (a dump seeds a fresh server)."""
        with self.lock:
            groups: dict[str, list[Any]] = {
                "users": list(self.users.values()),
                "tokens": list(self.tokens.values()),
                "repos": list(self.repos.values()),
                "branches": list(self.branches.values()),
                "commits": list(self.commits.values()),
                "labels": list(self.labels.values()),
                "issues": list(self.issues.values()),
                "comments": list(self.comments.values()),
                "check_runs": list(self.check_runs.values()),
                "annotations": list(self.annotations),
                "workflow_runs": list(self.workflow_runs.values()),
                "artifacts": list(self.artifacts.values()),
            }
            return {
                kind: [record_to_json(record) for record in groups[kind]] for kind in SEED_KINDS
            }

    def add(self, record: Record) -> Record:  # noqa: PLR0911 - one line per kind
        """Store ``record`` with its defaults filled in; the stored record is returned."""
        with self.lock:
            match record:
                case User():
                    return self._add_user(record)
                case Token():
                    self.user(record.login)
                    self.tokens[record.token] = record
                    return record
                case Repo():
                    return self._add_repo(record)
                case Branch():
                    self._need_repo(record.repo, f"branch {record.name!r}")
                    self.branches[record.repo.lower(), record.name] = record
                    return record
                case Commit():
                    return self._add_commit(record)
                case Label():
                    return self._add_label(record)
                case Issue():
                    return self._add_issue(record)
                case Comment():
                    return self._add_comment(record)
                case CheckRun():
                    return self._add_check_run(record)
                case Annotation():
                    return self._add_annotation(record)
                case WorkflowRun():
                    return self._add_workflow_run(record)
                case Artifact():
                    return self._add_artifact(record)

    def _need_repo(self, full_name: str, what: str) -> Repo:
        found = self.repo(full_name)
        if found is None:
            msg = f"{what}: unknown repository {full_name!r}; seed it under 'repos' first"
            raise SeedError(msg)
        return found

    def _add_user(self, user: User) -> User:
        stored = dataclasses.replace(user, id=self.next_id("user", user.id))
        self.users[user.login.lower()] = stored
        return stored

    def _add_repo(self, repo: Repo) -> Repo:
        self.user(repo.owner)
        stored = dataclasses.replace(
            repo, id=self.next_id("repo", repo.id), created_at=repo.created_at or self.now()
        )
        self.repos[stored.full_name.lower()] = stored
        return stored

    def _add_commit(self, commit: Commit) -> Commit:
        repo = self._need_repo(commit.repo, f"commit {commit.sha}")
        author = commit.author or repo.owner
        self.user(author)
        stored = dataclasses.replace(commit, author=author, date=commit.date or self.now())
        self.commits[commit.repo.lower(), commit.sha] = stored
        return stored

    def _add_label(self, label: Label) -> Label:
        self._need_repo(label.repo, f"label {label.name!r}")
        stored = dataclasses.replace(label, id=self.next_id("label", label.id))
        self.labels[label.repo.lower(), label.name.lower()] = stored
        return stored

    def label(self, repo: str, name: str) -> Label:
        """The label ``name`` of ``repo``, created on first use."""
        found = self.labels.get((repo.lower(), name.lower()))
        return found if found is not None else self._add_label(Label(repo=repo, name=name))

    def _add_issue(self, issue: Issue) -> Issue:
        repo = self._need_repo(issue.repo, f"issue {issue.title!r}")
        numbers = [number for (name, number) in self.issues if name == repo.full_name.lower()]
        now = self.now()
        pull = issue.pull
        if pull is not None:
            head_repo = self._head_repo(pull.head_repo or repo.full_name)
            base_sha = pull.base_sha or self._branch_sha(repo.full_name, pull.base_ref)
            pull = dataclasses.replace(pull, head_repo=head_repo, base_sha=base_sha)
        stored = dataclasses.replace(
            issue,
            number=issue.number or max(numbers, default=0) + 1,
            id=self.next_id("issue", issue.id),
            user=issue.user or repo.owner,
            created_at=issue.created_at or now,
            updated_at=issue.updated_at or issue.created_at or now,
            pull=pull,
        )
        for login in (stored.user, *stored.assignees):
            self.user(login)
        for name in stored.labels:
            self.label(repo.full_name, name)
        self.issues[repo.full_name.lower(), stored.number] = stored
        return stored

    def _head_repo(self, full_name: str) -> str:
        """``full_name``, created as a fork when nobody seeded it."""
        if self.repo(full_name) is None:
            owner, _, name = full_name.partition("/")
            self._add_repo(Repo(owner=owner, name=name, fork=True))
        return full_name

    def _branch_sha(self, repo: str, name: str) -> str:
        branch = self.branches.get((repo.lower(), name))
        return branch.sha if branch is not None else ""

    def _add_comment(self, comment: Comment) -> Comment:
        self._need_repo(comment.repo, f"comment on #{comment.issue_number}")
        if (comment.repo.lower(), comment.issue_number) not in self.issues:
            msg = f"comment: unknown issue #{comment.issue_number} of {comment.repo}; seed it first"
            raise SeedError(msg)
        self.user(comment.user)
        now = self.now()
        stored = dataclasses.replace(
            comment,
            id=self.next_id("comment", comment.id),
            created_at=comment.created_at or now,
            updated_at=comment.updated_at or comment.created_at or now,
        )
        self.comments[stored.id] = stored
        return stored

    def _add_check_run(self, run: CheckRun) -> CheckRun:
        self._need_repo(run.repo, f"check run {run.name!r}")
        stored = dataclasses.replace(
            run, id=self.next_id("check_run", run.id), started_at=run.started_at or self.now()
        )
        self.check_runs[stored.id] = stored
        return stored

    def _add_annotation(self, annotation: Annotation) -> Annotation:
        if annotation.check_run_id not in self.check_runs:
            msg = f"annotation: unknown check run {annotation.check_run_id}; seed it first"
            raise SeedError(msg)
        self.annotations.append(annotation)
        return annotation

    def _add_workflow_run(self, run: WorkflowRun) -> WorkflowRun:
        repo = self._need_repo(run.repo, f"workflow run {run.name!r}")
        count = sum(1 for known in self.workflow_runs.values() if known.repo == run.repo)
        stored = dataclasses.replace(
            run,
            id=self.next_id("workflow_run", run.id),
            run_number=run.run_number or count + 1,
            head_repo=self._head_repo(run.head_repo or repo.full_name),
            created_at=run.created_at or self.now(),
        )
        self.workflow_runs[stored.id] = stored
        return stored

    def _add_artifact(self, artifact: Artifact) -> Artifact:
        self._need_repo(artifact.repo, f"artifact {artifact.name!r}")
        if artifact.run_id is not None and artifact.run_id not in self.workflow_runs:
            msg = (
                f"artifact {artifact.name!r}: unknown workflow run {artifact.run_id}; seed it first"
            )
            raise SeedError(msg)
        stored = dataclasses.replace(
            artifact,
            id=self.next_id("artifact", artifact.id),
            created_at=artifact.created_at or self.now(),
        )
        self.artifacts[stored.id] = stored
        return stored
