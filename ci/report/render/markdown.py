"""The report as GitHub-flavoured Markdown, for each channel within its budget.

The same parts (headline and gates, inputs, stage table, baseline, failures, flaky tests,
coverage, benchmarks, footer; see :mod:`._tests_parts` and :mod:`._metrics_parts`) are
packed by :func:`~ci.report.render._budget.pack` into each channel's limit, most
important first: the comment (65,536 characters with the marker the publisher adds), the
check run's summary and text (65,535 each) and the job summary (1 MiB of bytes). What
does not fit is cut by priority, and each cut section says "… and N more, see <where>".
Without a limit (``reports/report.md``) everything is shown. Untrusted text is inert
(:func:`inert`): no mention, reference, broken table, code block or ``<details>``, and
no forged marker.
"""

from __future__ import annotations

from dataclasses import dataclass

from ci.report.model import Report
from ci.report.render._budget import Budget, Part, pack, utf8_bytes, utf16_units
from ci.report.render._format import failed_gates
from ci.report.render._inert import inert
from ci.report.render._metrics_parts import benchmark_parts, coverage_parts, footer_part
from ci.report.render._tests_parts import (
    baseline_part,
    failure_parts,
    flaky_part,
    headline_part,
    inputs_part,
    stages_part,
)

__all__ = [
    "ARTIFACT",
    "CHECK_LIMIT",
    "COMMENT_EXCERPT",
    "COMMENT_LIMIT",
    "EXCERPT",
    "JOB_SUMMARY",
    "SUMMARY_HEADROOM",
    "SUMMARY_LIMIT",
    "View",
    "check_title",
    "inert",
    "render_check",
    "render_markdown",
    "render_summary",
    "report_parts",
]

#: GitHub's limits: comment and check-run texts in characters, the job summary in bytes.
COMMENT_LIMIT = 65_536
CHECK_LIMIT = 65_535
SUMMARY_LIMIT = 1_048_576
#: Bytes of the job summary kept for the notes the publisher appends (what was not posted).
SUMMARY_HEADROOM = 16_384
#: Where the whole report is, for the cut notes of each channel.
ARTIFACT = "`reports/report.md` in the job's artifacts"
JOB_SUMMARY = "the job summary"
#: How much of each traceback the comment shows, and the other channels.
COMMENT_EXCERPT = 1_500
EXCERPT = 4_000


@dataclass(frozen=True, kw_only=True, slots=True)
class View:
    """What a channel shows besides the essentials."""

    #: Fold each failure's traceback excerpt below it.
    tracebacks: bool = True
    #: Trend charts for the coverage total and benchmarks with history.
    charts: bool = True
    #: How much of a traceback excerpt to show, in characters (first and last lines).
    excerpt_chars: int = EXCERPT


def report_parts(report: Report, view: View) -> list[Part]:
    """Every part of the report in display order (which is also priority order)."""
    return [
        headline_part(report),
        inputs_part(report),
        stages_part(report),
        baseline_part(report),
        *failure_parts(report, tracebacks=view.tracebacks, excerpt_chars=view.excerpt_chars),
        flaky_part(report),
        *coverage_parts(report, charts=view.charts),
        *benchmark_parts(report, charts=view.charts),
        footer_part(report),
    ]


def render_markdown(
    report: Report,
    *,
    limit: int | None = None,
    where: str = ARTIFACT,
    excerpt_chars: int = EXCERPT,
) -> str:
    """The report as Markdown within ``limit`` characters (UTF-16 units), all of it for None.

    For the comment, the caller passes the room its marker leaves; ``where`` names the
    place a reader finds what was cut.
    """
    view = View(excerpt_chars=excerpt_chars)
    return pack(report_parts(report, view), Budget(limit=limit, where=where, measure=utf16_units))


def check_title(report: Report) -> str:
    """The check run's title: ``every gate passed`` or ``failed: tests, coverage``."""
    failed = failed_gates(report)
    return "every gate passed" if not failed else "failed: " + ", ".join(failed)


def render_check(report: Report, *, where: str = JOB_SUMMARY) -> tuple[str, str, str]:
    """The check run's title, summary and text, each within 65,535 characters.

    The summary is the report without tracebacks or charts (more failure lines fit); the
    text holds the failures with their tracebacks ("" when nothing failed).
    """
    budget = Budget(limit=CHECK_LIMIT, where=where, measure=utf16_units)
    summary = pack(report_parts(report, View(tracebacks=False, charts=False)), budget)
    failures = failure_parts(report, tracebacks=True, excerpt_chars=EXCERPT)
    text = pack(failures, budget) if failures else ""
    return check_title(report), summary, text


def render_summary(
    report: Report, *, limit: int = SUMMARY_LIMIT - SUMMARY_HEADROOM, where: str = ARTIFACT
) -> str:
    """The job summary: the whole report within ``limit`` UTF-8 bytes (GitHub drops more)."""
    budget = Budget(limit=limit, where=where, measure=utf8_bytes)
    return pack(report_parts(report, View()), budget)
