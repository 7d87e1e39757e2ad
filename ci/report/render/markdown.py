"""The report as GitHub-flavoured Markdown: a headline verdict first, details after.

Untrusted text (test ids, messages) goes through :func:`inert` so it cannot mention
anyone, link an issue, break a table or open HTML.
"""

from __future__ import annotations

import html

from ci.report.model import Counts, Outcome, Report

__all__ = ["fit", "inert", "render_markdown"]

_ZWSP = "\u200b"
#: How many failing tests the Markdown lists before "and N more".
LISTED = 50


def inert(text: str) -> str:
    """Text that renders as itself inside a table cell: no mention, reference, HTML or pipe."""
    text = html.escape(" ".join(text.split()), quote=False)
    for char in "|`*_[]":
        text = text.replace(char, "\\" + char)
    return text.replace("@", "@" + _ZWSP).replace("#", "#" + _ZWSP)


def _row(name: str, counts: Counts) -> str:
    cells = [
        name,
        counts.total,
        counts.passed,
        counts.failed,
        counts.errors,
        counts.skipped,
        counts.flaky,
    ]
    return "| " + " | ".join(str(c) for c in cells) + f" | {counts.duration_s:.1f}s |"


def render_markdown(report: Report) -> str:
    """The whole report as Markdown."""
    failed = [gate for gate in report.gates if not gate.passed]
    headline = (
        "### ✅ noxci: every gate passed"
        if not failed
        else "### ❌ noxci: " + ", ".join(f"{gate.name} failed" for gate in failed)
    )
    lines = [headline, ""]
    lines += [
        f"- {'✅' if g.passed else '❌'} **{g.name}**: {inert(g.detail)}" for g in report.gates
    ]
    lines += [
        "",
        "| stage | tests | passed | failed | errors | skipped | flaky | time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [_row(stage, counts) for stage, counts in report.tests.stages.items()]
    lines.append(_row("**total**", report.tests.counts))
    failing = [c for c in report.tests.cases if c.outcome in {Outcome.FAILED, Outcome.ERROR}]
    if failing:
        lines += ["", f"#### Failures ({len(failing)})", ""]
        for case in failing[:LISTED]:
            message = f": {inert(case.message)}" if case.message else ""
            lines.append(f"- {case.outcome.value} **{inert(case.id)}** ({case.stage}){message}")
        if len(failing) > LISTED:
            lines.append(f"- … and {len(failing) - LISTED} more, see `report.json`")
    if report.coverage is not None:
        totals = report.coverage.totals
        lines += [
            "",
            f"**Coverage** {report.coverage.percent:.2f}% "
            f"({totals.covered_lines}/{totals.num_statements} lines, "
            f"{totals.covered_branches}/{totals.num_branches} branches)",
        ]
    benches = [bench for run in report.benchmarks for bench in run.benchmarks]
    if benches:
        lines += ["", "| benchmark | median | rounds |", "|---|---:|---:|"]
        lines += [
            f"| {inert(b.fullname)} | {b.stats.median:.6g}s | {b.stats.rounds} |" for b in benches
        ]
    unread = [status for status in report.inputs if not status.ok]
    if unread:
        lines += ["", "#### Inputs that could not be read", ""]
        lines += [f"- {inert(status.error or status.path)}" for status in unread]
    return "\n".join(lines) + "\n"


def fit(text: str, limit: int) -> str:
    """``text`` cut at a line end to at most ``limit`` characters, saying what was left out."""
    if len(text) <= limit:
        return text
    note = (
        f"\n\n… cut to fit GitHub's {limit:,}-character limit: {{left:,}} characters left out; "
        "the whole report is `reports/report.md` in the job's artifacts.\n"
    )
    room = limit - len(note.format(left=len(text)))
    cut = text.rfind("\n", 0, room)
    kept = text[: cut if cut > 0 else room]
    return kept + note.format(left=len(text) - len(kept))
