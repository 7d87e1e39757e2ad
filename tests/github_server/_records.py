"""What the local GitHub server knows, as frozen records, and their JSON form.

Seeds, state and the ``/_state`` dump share these records: a seed document is
``{"users": [...], "repos": [...], ...}`` with one JSON object per record (fields left
out take their defaults; ``id``/``number`` 0 means "assign the next one"), and a dump
has the same shape, so a dump seeds a fresh server. Repositories are named
``owner/name``, users by login, timestamps are ISO 8601 with ``Z`` ("" means "now").
Bytes travel as base64.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

__all__ = [
    "SEED_KINDS",
    "Annotation",
    "Artifact",
    "Branch",
    "CheckRun",
    "Comment",
    "Commit",
    "Issue",
    "Label",
    "PullRef",
    "Record",
    "Repo",
    "SeedError",
    "Token",
    "User",
    "WorkflowRun",
    "record_from_json",
    "record_to_json",
]

_R = TypeVar("_R")


class SeedError(ValueError):
    """A seed that cannot become records; the message names the record, field and fix."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class User:
    """An account; ``type`` "Bot" for apps such as ``github-actions[bot]``."""

    login: str
    id: int = 0
    type: Literal["User", "Bot", "Organization"] = "User"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Token:
    """A token and whose it is; ``read_only`` tokens get 403 on every write (fork PRs)."""

    token: str
    login: str
    read_only: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class Repo:
    """A repository ``owner/name``."""

    owner: str
    name: str
    id: int = 0
    private: bool = False
    fork: bool = False
    default_branch: str = "main"
    description: str | None = None
    created_at: str = ""

    @property
    def full_name(self) -> str:
        """``owner/name``."""
        return f"{self.owner}/{self.name}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Branch:
    """A branch of ``repo`` pointing at commit ``sha``."""

    repo: str
    name: str
    sha: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Commit:
    """A commit of ``repo``; ``parents`` make the graph that compare walks."""

    repo: str
    sha: str
    parents: tuple[str, ...] = ()
    message: str = ""
    author: str = ""
    date: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PullRef:
    """What makes an issue a pull request: its head and base."""

    head_sha: str
    head_ref: str = "feature"
    head_repo: str = ""
    base_ref: str = "main"
    base_sha: str = ""
    draft: bool = False
    merged: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class Issue:
    """An issue, or a pull request when ``pull`` is set (they share numbers, like GitHub)."""

    repo: str
    title: str
    number: int = 0
    id: int = 0
    body: str | None = None
    user: str = ""
    state: Literal["open", "closed"] = "open"
    state_reason: str | None = None
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    locked: bool = False
    created_at: str = ""
    updated_at: str = ""
    closed_at: str | None = None
    pull: PullRef | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Label:
    """A label of ``repo`` (created on first use, like GitHub does for writers)."""

    repo: str
    name: str
    id: int = 0
    color: str = "ededed"
    description: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Comment:
    """A comment on issue or pull request ``issue_number`` of ``repo``."""

    repo: str
    issue_number: int
    body: str
    user: str
    id: int = 0
    created_at: str = ""
    updated_at: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckRun:
    """A check run; its annotations are separate records."""

    repo: str
    name: str
    head_sha: str
    id: int = 0
    status: str = "queued"
    conclusion: str | None = None
    started_at: str = ""
    completed_at: str | None = None
    external_id: str | None = None
    details_url: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Annotation:
    """One line annotation of check run ``check_run_id``."""

    check_run_id: int
    path: str
    start_line: int
    end_line: int
    annotation_level: str
    message: str
    title: str | None = None
    raw_details: str | None = None
    start_column: int | None = None
    end_column: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class WorkflowRun:
    """A GitHub Actions workflow run of ``repo``."""

    repo: str
    head_sha: str
    id: int = 0
    name: str = "CI"
    head_branch: str = "main"
    head_repo: str = ""
    event: str = "push"
    status: str = "completed"
    conclusion: str | None = "success"
    run_number: int = 0
    workflow_id: int = 1
    path: str = ".github/workflows/ci.yml"
    created_at: str = ""
    pull_numbers: tuple[int, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Artifact:
    """An Actions artifact: its zip bytes, optionally the run that uploaded it."""

    repo: str
    name: str
    data: bytes = b""
    id: int = 0
    run_id: int | None = None
    expired: bool = False
    created_at: str = ""


Record = (
    User
    | Token
    | Repo
    | Branch
    | Commit
    | Issue
    | Label
    | Comment
    | CheckRun
    | Annotation
    | WorkflowRun
    | Artifact
)

#: Seed document keys, in the order records must be added (repositories before issues...).
SEED_KINDS: Mapping[str, type[Record]] = {
    "users": User,
    "tokens": Token,
    "repos": Repo,
    "branches": Branch,
    "commits": Commit,
    "labels": Label,
    "issues": Issue,
    "comments": Comment,
    "check_runs": CheckRun,
    "annotations": Annotation,
    "workflow_runs": WorkflowRun,
    "artifacts": Artifact,
}


def record_to_json(record: object) -> dict[str, Any]:
    """The JSON object of a record (bytes as base64, tuples as lists)."""
    assert dataclasses.is_dataclass(record)
    return {
        field.name: _encode(getattr(record, field.name)) for field in dataclasses.fields(record)
    }


def _encode(value: object) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, tuple):
        return list(value)
    if dataclasses.is_dataclass(value):
        return record_to_json(value)
    return value


def record_from_json(cls: type[_R], obj: object) -> _R:
    """The record of class ``cls`` from its JSON object; SeedError when it does not fit."""
    if not isinstance(obj, dict):
        msg = f"{cls.__name__}: expected a JSON object, got {obj!r}"
        raise SeedError(msg)
    hints = typing.get_type_hints(cls)
    unknown = sorted(set(obj) - set(hints))
    if unknown:
        msg = f"{cls.__name__}: unknown field(s) {', '.join(unknown)}; known: {', '.join(hints)}"
        raise SeedError(msg)
    try:
        return cls(**{name: _decode(cls, name, hints[name], value) for name, value in obj.items()})
    except TypeError as error:
        msg = f"{cls.__name__}: {error}"
        raise SeedError(msg) from None


def _decode(cls: type, name: str, hint: Any, value: object) -> Any:
    if hint is bytes:
        try:
            return base64.b64decode(str(value), validate=True)
        except binascii.Error:
            msg = f"{cls.__name__}.{name}: not base64"
            raise SeedError(msg) from None
    if typing.get_origin(hint) is tuple and isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        for option in options:
            if isinstance(option, type) and dataclasses.is_dataclass(option):
                return record_from_json(option, value)
    return value
