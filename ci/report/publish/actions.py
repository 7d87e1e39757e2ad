"""GitHub Actions' own channels: the job summary, step outputs and workflow commands.

The summary is appended to the file ``$GITHUB_STEP_SUMMARY`` names; outputs go to
``$GITHUB_OUTPUT`` always in the multi-line form ``name<<DELIMITER`` with a fresh random
delimiter that the value does not contain (as GitHub's toolkit does), so no value can
end early and set another output. Workflow commands (``::error file=…,line=…::message``)
go through :class:`WorkflowCommands`, which escapes data and properties the way the
runner unescapes them and writes to a stream the caller gives (stdout in CI).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TextIO

from ci.report.model import Annotation, AnnotationLevel, DiffCoverage, Report

__all__ = [
    "COMMANDS_PER_LEVEL",
    "WorkflowCommands",
    "append_step_summary",
    "escape_data",
    "escape_property",
    "format_output",
    "most_important",
    "step_outputs",
    "write_outputs",
]

#: Annotations the Actions UI shows per level and step; the rest are only in the log.
COMMANDS_PER_LEVEL = 10
_COMMAND = {
    AnnotationLevel.FAILURE: "error",
    AnnotationLevel.WARNING: "warning",
    AnnotationLevel.NOTICE: "notice",
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def escape_data(text: str) -> str:
    """A workflow command's message, escaped (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value, escaped (also ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class WorkflowCommands:
    """Workflow commands written to ``stream`` (the step's stdout in CI)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def command(self, name: str, message: str, **properties: str | int) -> None:
        """``::name key=value,…::message``, every part escaped; empty properties left out."""
        shown = ",".join(
            f"{key}={escape_property(str(value))}" for key, value in properties.items() if value
        )
        self._stream.write(f"::{name}{' ' + shown if shown else ''}::{escape_data(message)}\n")

    def annotate(self, annotation: Annotation) -> None:
        """One annotation as ``::error``, ``::warning`` or ``::notice``."""
        self.command(
            _COMMAND[annotation.level],
            annotation.message,
            file=annotation.path,
            line=annotation.start_line,
            endLine=annotation.end_line,
            title=annotation.title,
        )

    def warning(self, message: str, *, title: str = "") -> None:
        """A warning with no file."""
        self.command("warning", message, title=title)


def most_important(
    annotations: Iterable[Annotation], per_level: int = COMMANDS_PER_LEVEL
) -> list[Annotation]:
    """The first ``per_level`` annotations of each level, in their order (most important first)."""
    taken: dict[AnnotationLevel, int] = {}
    chosen = []
    for annotation in annotations:
        if taken.get(annotation.level, 0) < per_level:
            taken[annotation.level] = taken.get(annotation.level, 0) + 1
            chosen.append(annotation)
    return chosen


def append_step_summary(env: Mapping[str, str], markdown: str) -> Path | None:
    """Append ``markdown`` to the job summary; the file, or None outside Actions."""
    name = env.get("GITHUB_STEP_SUMMARY", "")
    if not name or not markdown:
        return None
    path = Path(name)
    with path.open("a", encoding="utf-8", newline="") as summary:
        summary.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return path


def format_output(name: str, value: str, *, delimiter: str | None = None) -> str:
    """One output in the multi-line form, with a delimiter absent from the value."""
    if not _NAME.fullmatch(name):
        msg = f"output name {name!r}: use letters, digits, '_' and '-'"
        raise ValueError(msg)
    while delimiter is None or delimiter in value:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(env: Mapping[str, str], outputs: Mapping[str, str]) -> Path | None:
    """Append ``outputs`` to ``$GITHUB_OUTPUT``; the file, or None outside Actions."""
    name = env.get("GITHUB_OUTPUT", "")
    if not name or not outputs:
        return None
    path = Path(name)
    text = "".join(format_output(key, value) for key, value in outputs.items())
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return path


def step_outputs(report: Report, *, diff: DiffCoverage | None = None) -> dict[str, str]:
    """The step outputs of a report (``comment-url`` is added when the comment is posted).

    ``passed`` is ``true``/``false``; counts are integers; ``coverage`` and
    ``diff-coverage`` are percentages with two decimals, "" when not measured.
    """
    counts = report.tests.counts
    diff_percent = diff.percent if diff is not None else None
    return {
        "passed": "true" if report.passed else "false",
        "tests": str(counts.total),
        "failed": str(counts.failed),
        "errors": str(counts.errors),
        "skipped": str(counts.skipped),
        "flaky": str(counts.flaky),
        "coverage": f"{report.coverage.percent:.2f}" if report.coverage is not None else "",
        "diff-coverage": f"{diff_percent:.2f}" if diff_percent is not None else "",
    }
