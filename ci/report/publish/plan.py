"""What to publish, decided upstream, and what came of publishing it.

A :class:`Publication` is the whole decision: which comment (if any) on which pull
request, which check run, which job summary and step outputs. Publishers carry it out
and answer with a :class:`PublishResult`; they decide nothing about content.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from ci.errors import ExitCode
from ci.report.model import Annotation

__all__ = [
    "CheckRunPlan",
    "CommentPlan",
    "Conclusion",
    "Publication",
    "PublishResult",
    "exit_code",
]


class Conclusion(enum.StrEnum):
    """A completed check run's conclusion (the values GitHub accepts that we use)."""

    SUCCESS = "success"
    FAILURE = "failure"
    NEUTRAL = "neutral"


@dataclass(frozen=True, kw_only=True, slots=True)
class CommentPlan:
    """The sticky comment: where, what, and the marker that finds it again."""

    pr_number: int
    #: The rendered Markdown; the marker is put on the line before it.
    body: str
    #: The hidden marker, from :func:`ci.report.render.marker.comment_marker`.
    marker: str
    #: Comment only if the pull request's head is this commit (set for ``workflow_run``,
    #: whose PR number comes from an untrusted file); None: no check.
    expect_head_sha: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckRunPlan:
    """A completed check run on ``head_sha`` with its output and annotations."""

    name: str
    head_sha: str
    conclusion: Conclusion
    title: str
    summary: str
    text: str = ""
    #: Every annotation, most important first (sent 50 per request).
    annotations: tuple[Annotation, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Publication:
    """Everything one report publishes."""

    #: ``owner/name`` of the repository posted to.
    repo: str
    comment: CommentPlan | None = None
    check_run: CheckRunPlan | None = None
    #: Markdown appended to the job summary ("" for none).
    summary: str = ""
    #: Step outputs by name (``comment-url`` is added once the comment is posted).
    outputs: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class PublishResult:
    """What was posted, and one line for everything that was not."""

    comment_url: str | None = None
    check_run_url: str | None = None
    #: What could not be posted and why, one line each (empty when everything went).
    failures: tuple[str, ...] = ()
    #: How publishing adapted (annotations as workflow commands...), one line each.
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Everything that was asked for was posted."""
        return not self.failures


def exit_code(verdict: int, result: PublishResult, *, strict: bool) -> int:
    """The verdict's exit code, or 3 when publishing failed and ``--strict-publish`` was given."""
    if strict and not result.ok:
        return ExitCode.PUBLISH_FAILED
    return verdict
