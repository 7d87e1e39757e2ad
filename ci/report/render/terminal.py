"""The report for a terminal: what matters first, compactly, then one closing line for CI logs.

The same priorities as the Markdown: the verdict, the stage table, new failures (all
failures without a baseline), what changed against the baseline, coverage with its change
and the changed lines that never ran, benchmark changes, the gates. Untrusted text is
passed to rich as :class:`~rich.text.Text` (never markup) after :func:`plain` removed
control characters, so a test named ``[red]x[/red]`` or holding an escape sequence prints
as written and cannot drive the terminal.
"""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ci.report.model import Counts, Report, Verdict
from ci.report.render._format import change, comparisons, failed_gates, line_ranges, seconds
from ci.report.render._inert import clip, plain
from ci.report.render._tests_parts import failure_groups

__all__ = ["LISTED", "closing_line", "render_terminal"]

#: How many failing tests, uncovered files and benchmark changes the terminal lists.
LISTED = 20
_WHERE = "reports/report.md"


def closing_line(counts: Counts) -> str:
    """``report: N passed, N failed, N skipped`` (errors count as failed here)."""
    return f"report: {counts.passed} passed, {counts.failed + counts.errors} failed, {counts.skipped} skipped"


def _headline(report: Report) -> Text:
    failed = failed_gates(report)
    if not failed:
        return Text("noxci: every gate passed", style="bold green")
    return Text("noxci: FAILED: " + ", ".join(plain(name) for name in failed), style="bold red")


def _stage_table(report: Report) -> Table:
    by_stage = {entry.stage: entry.percent for entry in report.stage_coverage}
    table = Table(title="tests by stage", title_justify="left")
    headers = ["stage", "tests", "passed", "failed", "errors", "skipped", "flaky", "time"]
    for header in headers + (["coverage"] if by_stage else []):
        table.add_column(header, justify="left" if header == "stage" else "right")
    rows = [*report.tests.stages.items(), ("total", report.tests.counts)]
    for stage, c in rows:
        cells = [str(n) for n in (c.total, c.passed, c.failed, c.errors, c.skipped, c.flaky)]
        cells.append(f"{c.duration_s:.1f}s")
        if by_stage:
            percent = report.coverage.percent if report.coverage is not None else None
            percent = by_stage.get(stage) if stage != "total" else percent
            cells.append(f"{percent:.2f}%" if percent is not None else "—")
        table.add_row(Text(clip(plain(stage), 40)), *cells)
    return table


def _failures(report: Report, console: Console) -> None:
    groups = failure_groups(report)
    shown = 0
    for title, cases in groups:
        label = "" if report.baseline is None else f"{title.split()[0].upper()} "
        for case in cases[: max(LISTED - shown, 0)]:
            line = Text(f"{label}{case.outcome.value.upper()} ", style="bold red")
            line.append(Text(clip(plain(case.id), 300)))
            if case.message:
                line.append(Text(" - " + clip(plain(case.message), 200), style="dim"))
            console.print(line)
        shown += min(len(cases), max(LISTED - shown, 0))
    left = sum(len(cases) for _, cases in groups) - shown
    if left:
        console.print(Text(f"… and {left} more failures in {_WHERE}"))


def _changes(report: Report) -> Text:
    if report.baseline is None:
        return Text("no baseline: comparisons are unavailable", style="dim")
    tests = report.tests
    return Text(
        f"against {clip(plain(report.baseline.source), 80)}: "
        f"{len(tests.new_failures)} new failures, {len(tests.fixed)} fixed, "
        f"{len(tests.still_failing)} still failing, {len(tests.newly_skipped)} newly skipped, "
        f"{len(tests.removed)} removed, {tests.counts.flaky} flaky"
    )


def _coverage(report: Report, console: Console) -> None:
    if report.coverage is not None:
        delta = report.coverage_delta
        console.print(
            Text(f"coverage {report.coverage.percent:.2f}%")
            + Text(f" ({delta:+.2f} pp)" if delta is not None else "")
        )
    diff = report.diff
    if diff is None:
        return
    percent = "n/a" if diff.percent is None else f"{diff.percent:.2f}%"
    console.print(Text(f"diff coverage {percent} ({diff.covered}/{diff.total} changed lines)"))
    paths = sorted(diff.uncovered)
    for path in paths[:LISTED]:
        ranges = line_ranges(diff.uncovered[path], limit=10)
        console.print(Text(f"  not covered: {clip(plain(path), 120)}: {ranges}", style="yellow"))
    if len(paths) > LISTED:
        console.print(Text(f"  … and {len(paths) - LISTED} more files in {_WHERE}"))
    for path, base, head in report.coverage_lost[:5]:
        console.print(Text(f"  lost: {clip(plain(path), 120)}: {base:.2f}% → {head:.2f}%"))


def _benchmarks(report: Report, console: Console) -> None:
    found = comparisons(report)
    if not found:
        return
    tally = Counter(comparison.verdict.value for comparison in found)
    console.print(Text("benchmarks: " + ", ".join(f"{n} {v}" for v, n in tally.items())))
    changed = [c for c in found if c.verdict in {Verdict.REGRESSED, Verdict.IMPROVED}]
    listed = changed if report.baseline is not None else found
    for comparison in listed[:LISTED]:
        style = "bold red" if comparison.verdict is Verdict.REGRESSED else "green"
        line = Text(f"  {comparison.verdict.value.upper()} ", style=style)
        line.append(Text(clip(plain(comparison.name), 120)))
        line.append(Text(f": {seconds(comparison.base)} → {seconds(comparison.head)}"))
        if comparison.change is not None:
            line.append(Text(f", {change(comparison)}"))
        console.print(line)
    if len(listed) > LISTED:
        console.print(Text(f"  … and {len(listed) - LISTED} more in {_WHERE}"))


def render_terminal(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The whole report as terminal text (ANSI styles only when ``color``)."""
    stream = io.StringIO()
    console = Console(
        file=stream, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    console.print(_headline(report))
    console.print(_stage_table(report))
    _failures(report, console)
    console.print(_changes(report))
    _coverage(report, console)
    _benchmarks(report, console)
    for status in report.inputs:
        if not status.ok:
            console.print(Text(f"unreadable: {plain(status.error or status.path)}", style="yellow"))
    for gate in report.gates:
        mark = Text(
            "PASS " if gate.passed else "FAIL ", style="green" if gate.passed else "bold red"
        )
        console.print(mark + Text(f"{plain(gate.name)}: {plain(gate.detail)}"))
    console.print(Text(closing_line(report.tests.counts)))
    return stream.getvalue()
