"""The check run on the head commit, with every annotation, 50 per request as GitHub requires.

The run is created completed, with its output and the first 50 annotations; each further
50 go in an update (GitHub appends them). An update that fails ambiguously is checked
before it is repeated: if the run already counts the batch's annotations, it went through.
A create that fails ambiguously is repeated: the worst case is a second, identical run,
and GitHub shows the latest run of a name.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from github.CheckRun import CheckRun
from github.Repository import Repository

from ci.report.model import Annotation
from ci.report.publish.client import GitHubClient
from ci.report.publish.plan import CheckRunPlan
from ci.report.publish.retry import call

__all__ = ["BATCH", "create_check_run"]

#: Annotations per request (GitHub refuses more).
BATCH = 50


def _annotation_json(annotation: Annotation) -> dict[str, str | int]:
    found: dict[str, str | int] = {
        "path": annotation.path,
        "start_line": annotation.start_line,
        "end_line": annotation.end_line,
        "annotation_level": annotation.level.value,
        "message": annotation.message,
    }
    if annotation.title:
        found["title"] = annotation.title
    if annotation.raw_details:
        found["raw_details"] = annotation.raw_details
    return found


def _output(plan: CheckRunPlan, batch: tuple[Annotation, ...], *, text: bool) -> dict[str, Any]:
    output: dict[str, Any] = {"title": plan.title, "summary": plan.summary}
    if text and plan.text:
        output["text"] = plan.text
    if batch:
        output["annotations"] = [_annotation_json(item) for item in batch]
    return output


def _append(run: CheckRun, output: dict[str, Any]) -> bool:
    run.edit(output=output)
    return True


def _counts(repo: Repository, run_id: int, expected: int) -> bool | None:
    """True when run ``run_id`` already holds ``expected`` annotations."""
    return True if repo.get_check_run(run_id).output.annotations_count >= expected else None


def create_check_run(client: GitHubClient, repo: str, plan: CheckRunPlan) -> CheckRun:
    """Create the completed check run of ``plan`` with all its annotations."""
    found = client.repo(repo)
    items = plan.annotations
    batches = [items[start : start + BATCH] for start in range(0, len(items), BATCH)] or [()]
    output = _output(plan, batches[0], text=True)
    run = call(
        client.budget,
        f"create check run {plan.name!r} on {plan.head_sha[:12]}",
        lambda: found.create_check_run(
            name=plan.name,
            head_sha=plan.head_sha,
            status="completed",
            conclusion=plan.conclusion.value,
            output=output,
        ),
    )
    sent = len(batches[0])
    for batch in batches[1:]:
        sent += len(batch)
        more = _output(plan, batch, text=False)
        call(
            client.budget,
            f"add annotations {sent - len(batch) + 1}-{sent} to check run {run.id}",
            partial(_append, run, more),
            recover=partial(_counts, found, run.id, sent),
        )
    return run
