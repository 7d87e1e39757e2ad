"""The nightly run's tracking issue: one open issue while the nightly run fails, never two.

After each scheduled run, :func:`track` looks for the open issue carrying the tracking
label and the hidden marker, written by the same account, and then:

- the night failed and no issue is open: open one, labelled, with the report as its body;
- the night failed and one is open: comment on it with this night's report;
- the night passed and one is open: comment that it passed, and close it (completed);
- the night passed and none is open: do nothing.

Bodies and comments are cut to GitHub's 65,536-character limit, saying how much was left
out. Whether the night failed comes from the jobs' results (``toJSON(needs)``) and the
report step's outcome, all decided here rather than in the workflow's YAML.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from github.Issue import Issue

from ci.errors import InputError
from ci.report.publish.client import GitHubClient
from ci.report.publish.retry import RetryPolicy, call

__all__ = [
    "BODY_LIMIT",
    "DEFAULT_LABEL",
    "Action",
    "Night",
    "cut",
    "night_from_results",
    "track",
    "tracking_marker",
]

#: GitHub's limit for an issue's body and for a comment, in characters.
BODY_LIMIT: Final = 65_536
DEFAULT_LABEL: Final = "noxci-nightly"
DEFAULT_TITLE: Final = "Nightly run failing"
#: Job and step results that do not make a night fail.
_OK_RESULTS: Final = frozenset({"success", "skipped"})


class Action(enum.StrEnum):
    """What :func:`track` did."""

    OPENED = "opened"
    COMMENTED = "commented"
    CLOSED = "closed"
    NOTHING = "nothing"


@dataclass(frozen=True, kw_only=True)
class Night:
    """One nightly run: whether it passed, what failed, its report and its link."""

    passed: bool
    #: The jobs or steps that did not succeed, e.g. ``("stage: failure",)``.
    failures: tuple[str, ...] = ()
    #: The report's Markdown (``reports/report.md``), "" when none was written.
    report: str = ""
    #: The run's page on GitHub ("" when unknown).
    run_url: str = ""


def tracking_marker(label: str) -> str:
    """The hidden first line of a tracking issue's body."""
    return f"<!-- noxci:nightly:{label} -->"


def night_from_results(
    needs: str, outcomes: Sequence[str], *, report: str = "", run_url: str = ""
) -> Night:
    """A :class:`Night` from ``toJSON(needs)`` and ``name=outcome`` pairs of steps."""
    results: dict[str, str] = {}
    if needs.strip():
        try:
            data: Any = json.loads(needs)
            for job, value in data.items():
                results[str(job)] = str(value["result"])
        except (ValueError, TypeError, KeyError, AttributeError):
            msg = "--needs: not the JSON of `toJSON(needs)`; pass it through an env variable"
            raise InputError(msg) from None
    for pair in outcomes:
        name, sep, outcome = pair.partition("=")
        if not sep or not name:
            msg = f"--outcome {pair!r}: give NAME=OUTCOME, e.g. report=success"
            raise InputError(msg)
        results[name] = outcome or "unknown"
    failures = tuple(
        f"{name}: {result}" for name, result in results.items() if result not in _OK_RESULTS
    )
    return Night(passed=not failures, failures=failures, report=report, run_url=run_url)


def cut(text: str, limit: int) -> str:
    """``text`` cut at a line end to at most ``limit`` characters, saying what was left out."""
    if len(text) <= limit:
        return text
    note = "\n\n… {left:,} characters cut to fit GitHub's limit; the whole report is in the run's artifacts.\n"
    room = limit - len(note.format(left=len(text)))
    end = text.rfind("\n", 0, room)
    kept = text[: end if end > 0 else room]
    return kept + note.format(left=len(text) - len(kept))


def _headline(night: Night) -> str:
    link = f"[the nightly run]({night.run_url})" if night.run_url else "the nightly run"
    if night.passed:
        return f"✅ {link} passed again: closing."
    return f"❌ {link} failed ({', '.join(night.failures)})."


def _text(marker: str, night: Night) -> str:
    head = f"{marker}\n{_headline(night)}\n\n" if marker else f"{_headline(night)}\n\n"
    report = night.report or "No report was written; see the run's logs."
    return head + cut(report, BODY_LIMIT - len(head))


def _open_issue(client: GitHubClient, repo: str, label: str) -> Issue | None:
    """The oldest open tracking issue: labelled, marked, and written by this account."""
    marker = tracking_marker(label)
    listing = client.repo(repo).get_issues(
        state="open", labels=[label], sort="created", direction="asc"
    )
    issues = call(client.budget, f"list the open {label} issues of {repo}", lambda: list(listing))
    marked = [i for i in issues if i.pull_request is None and (i.body or "").startswith(marker)]
    if not marked:
        return None
    login = client.login()
    return next((issue for issue in marked if issue.user.login == login), None)


def track(
    env: Mapping[str, str],
    night: Night,
    *,
    repo: str,
    label: str = DEFAULT_LABEL,
    title: str = DEFAULT_TITLE,
    policy: RetryPolicy | None = None,
) -> tuple[Action, int | None]:
    """Open, comment on or close the tracking issue for ``night``; the action and issue number."""
    client = GitHubClient.from_env(env, policy or RetryPolicy())
    issue = _open_issue(client, repo, label)
    if issue is None and night.passed:
        return Action.NOTHING, None
    if issue is None:
        body = _text(tracking_marker(label), night)
        created = call(
            client.budget,
            f"open the {label} issue",
            lambda: client.repo(repo).create_issue(title=title, body=body, labels=[label]),
            recover=lambda: _open_issue(client, repo, label),  # a create that timed out
        )
        return Action.OPENED, created.number
    found = issue
    text = _text("", night)
    call(client.budget, f"comment on #{found.number}", lambda: found.create_comment(text))
    if not night.passed:
        return Action.COMMENTED, found.number
    call(
        client.budget,
        f"close #{found.number}",
        lambda: found.edit(state="closed", state_reason="completed"),
    )
    return Action.CLOSED, found.number
