"""The report for a terminal: rich tables, then one closing line CI logs can read.

Test ids and messages are passed to rich as :class:`~rich.text.Text`, never as markup,
so a test named ``[red]x[/red]`` prints as written.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ci.report.model import Counts, Outcome, Report

__all__ = ["closing_line", "render_terminal"]

#: How many failing tests the terminal lists.
LISTED = 20


def closing_line(counts: Counts) -> str:
    """``report: N passed, N failed, N skipped`` (errors count as failed here)."""
    return f"report: {counts.passed} passed, {counts.failed + counts.errors} failed, {counts.skipped} skipped"


def _stage_table(report: Report) -> Table:
    table = Table(title="tests by stage", title_justify="left")
    for header in ("stage", "tests", "passed", "failed", "errors", "skipped", "flaky", "time"):
        table.add_column(header, justify="left" if header == "stage" else "right")
    rows = [*report.tests.stages.items(), ("total", report.tests.counts)]
    for stage, c in rows:
        table.add_row(
            Text(stage),
            *(str(n) for n in (c.total, c.passed, c.failed, c.errors, c.skipped, c.flaky)),
            f"{c.duration_s:.1f}s",
        )
    return table


def render_terminal(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The whole report as terminal text (ANSI styles only when ``color``)."""
    stream = io.StringIO()
    console = Console(
        file=stream, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    console.print(_stage_table(report))
    failing = [c for c in report.tests.cases if c.outcome in {Outcome.FAILED, Outcome.ERROR}]
    for case in failing[:LISTED]:
        line = Text(f"{case.outcome.value.upper()} ", style="bold red")
        line.append(Text(case.id))
        if case.message:
            line.append(Text(" - " + " ".join(case.message.split())[:200], style="dim"))
        console.print(line)
    if len(failing) > LISTED:
        console.print(Text(f"… and {len(failing) - LISTED} more failures in report.json"))
    if report.coverage is not None:
        console.print(Text(f"coverage {report.coverage.percent:.2f}%"))
    for run in report.benchmarks:
        for bench in run.benchmarks:
            console.print(
                Text(
                    f"benchmark {bench.fullname}: median {bench.stats.median:.6g}s over {bench.stats.rounds} rounds"
                )
            )
    for status in report.inputs:
        if not status.ok:
            console.print(Text(f"unreadable: {status.error}", style="yellow"))
    for gate in report.gates:
        mark = Text(
            "PASS " if gate.passed else "FAIL ", style="green" if gate.passed else "bold red"
        )
        console.print(mark + Text(f"{gate.name}: {gate.detail}"))
    console.print(Text(closing_line(report.tests.counts)))
    return stream.getvalue()
