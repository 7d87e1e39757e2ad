"""Coverage, benchmarks and the footer as packable parts.

Coverage: the total with its change, per-stage floors, diff coverage with the changed lines
that never ran, the files that lost most, and a folded Mermaid ``xychart-beta`` trend chart
of the total when the store has earlier totals. Benchmarks: a table, regressions first, and
such trend charts (folded) for benchmarks with history. Paths and
names are untrusted and go through :func:`~ci.report.render._inert.inert`; chart labels
through :func:`~ci.report.render._inert.mermaid_label`.
"""

from __future__ import annotations

import re

from ci.report.model import ID_SEPARATOR, BenchmarkComparison, Report, Verdict
from ci.report.render._budget import Entry, Part
from ci.report.render._format import (
    change,
    comparisons,
    line_ranges,
    number,
    points,
    seconds,
    signed,
    time_unit,
)
from ci.report.render._inert import inert, mermaid_label, safe_url

__all__ = ["benchmark_parts", "coverage_parts", "footer_part"]

PATH_CHARS = 200
NAME_CHARS = 120
NOTE_CHARS = 120
#: How many earlier values a trend needs before it is drawn.
MIN_HISTORY = 2
VERDICTS = {
    Verdict.REGRESSED: "❌ regressed",
    Verdict.IMPROVED: "✅ improved",
    Verdict.UNCHANGED: "unchanged",
    Verdict.NEW: "new",
    Verdict.MISSING: "missing",
}
_SHA = re.compile(r"[0-9a-f]{7,40}")


def _total(report: Report) -> str:
    if report.coverage is None:
        return "No coverage data."
    totals = report.coverage.totals
    text = f"**{report.coverage.percent:.2f}%**"
    if report.coverage_delta is not None:
        text += f" ({signed(report.coverage_delta, ' pp', 2)} against the baseline)"
    elif report.baseline is not None:
        text += " (the baseline has no coverage)"
    text += f" · {totals.covered_lines:,}/{totals.num_statements:,} lines"
    if report.coverage.branch or totals.num_branches:
        text += f" · {totals.covered_branches:,}/{totals.num_branches:,} branches"
    return text


def _floors(report: Report) -> Part:
    floored = [entry for entry in report.stage_coverage if entry.fail_under is not None]
    entries = tuple(
        Entry(
            text=f"- {inert(entry.stage, NAME_CHARS)}: {entry.percent:.2f}% "
            f"{'✅' if entry.percent >= (entry.fail_under or 0) else '❌'} "
            f"(floor {number(entry.fail_under or 0)}%)"
        )
        for entry in floored
    )
    return Part(head=("Stage floors:",) if floored else (), entries=entries, lead=20)


def _diff(report: Report) -> Part:
    diff = report.diff
    if diff is None:
        return Part()
    source = f" ({inert(diff.source, PATH_CHARS)})" if diff.source else ""
    if diff.percent is None:
        return Part(head=(f"**Diff coverage**: no changed line is executable{source}.",))
    head = [
        f"**Diff coverage** {diff.percent:.2f}%: {diff.covered:,} of {diff.total:,} "
        f"changed lines ran{source}."
    ]
    entries = []
    for path in sorted({*diff.uncovered, *diff.partial}):
        bits = [line_ranges(diff.uncovered[path])] if diff.uncovered.get(path) else []
        if diff.partial.get(path):
            bits.append(f"branches not taken: {line_ranges(diff.partial[path])}")
        entries.append(Entry(text=f"- {inert(path, PATH_CHARS)}: " + "; ".join(bits)))
    if entries:
        head.append("Changed lines not covered:")
    return Part(head=tuple(head), entries=tuple(entries), lead=10)


def _lost(report: Report) -> Part:
    entries = tuple(
        Entry(
            text=f"- {inert(path, PATH_CHARS)}: {base:.2f}% → {head:.2f}% "
            f"({signed(head - base, ' pp', 2)})"
        )
        for path, base, head in report.coverage_lost
    )
    head = ("Files that lost most coverage:",) if entries else ()
    return Part(head=head, entries=entries, lead=5)


def _coverage_chart(report: Report) -> Part:
    """The total over the earlier stored runs and this one, folded (at least 2 earlier)."""
    earlier = report.coverage_history
    if report.coverage is None or len(earlier) < MIN_HISTORY:
        return Part()
    values = [*earlier, report.coverage.percent]
    labels = [f'"-{n}"' for n in range(len(earlier), 0, -1)] + ['"now"']
    lines = [
        "```mermaid",
        "xychart-beta",
        '    title "Coverage total (%)"',
        f"    x-axis [{', '.join(labels)}]",
        '    y-axis "%"',
        f"    line [{', '.join(f'{value:.2f}' for value in values)}]",
        "```",
    ]
    return Part(
        prefix=f"<details><summary>📈 Coverage trend ({len(earlier):,} earlier runs)</summary>\n",
        entries=(Entry(text="\n".join(lines)),),
        suffix="</details>",
        lead=1,
        lead_tier=1,
        noun="trend chart",
    )


def coverage_parts(report: Report, *, charts: bool = True) -> list[Part]:
    """The coverage section: total, stage floors, diff coverage, files that lost most, trend.

    The trend chart only when ``charts`` (the check run's summary shows none).
    """
    if report.coverage is None and report.diff is None and not report.stage_coverage:
        return []
    return [
        Part(head=("#### Coverage", _total(report))),
        _floors(report),
        _diff(report),
        _lost(report),
        *([_coverage_chart(report)] if charts else []),
    ]


def _bench_row(comparison: BenchmarkComparison) -> Entry:
    verdict = VERDICTS[comparison.verdict]
    if comparison.note:
        verdict += f" ({inert(comparison.note, NOTE_CHARS)})"
    cells = [
        inert(comparison.name, NAME_CHARS),
        seconds(comparison.base),
        seconds(comparison.head),
        change(comparison),
        verdict,
    ]
    return Entry(text="| " + " | ".join(cells) + " |")


def _chart(comparison: BenchmarkComparison) -> Entry:
    values = [*comparison.history, *([comparison.head] if comparison.head is not None else [])]
    scale, unit = time_unit(max(values))
    labels = [f'"-{n}"' for n in range(len(comparison.history), 0, -1)]
    labels += ['"head"'] if comparison.head is not None else []
    name = mermaid_label(comparison.name.rsplit(ID_SEPARATOR, 1)[-1])
    title = f"{name} ({mermaid_label(comparison.statistic, 20)}, {unit})"
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{title}"',
        f"    x-axis [{', '.join(labels)}]",
        f'    y-axis "{unit}"',
        f"    line [{points(values, scale)}]",
        "```",
    ]
    return Entry(text="\n".join(lines))


def benchmark_parts(report: Report, *, charts: bool) -> list[Part]:
    """The benchmark table (regressions first) and, when ``charts``, folded trend charts."""
    found = comparisons(report)
    if not found:
        return []
    tally = dict.fromkeys(VERDICTS, 0)
    for comparison in found:
        tally[comparison.verdict] += 1
    summary = " · ".join(f"{n:,} {verdict.value}" for verdict, n in tally.items() if n)
    against = ", against the baseline" if report.baseline is not None else ""
    table = Part(
        head=(f"#### Benchmarks ({inert(found[0].statistic, 20)}{against})", summary),
        prefix="| benchmark | base | head | change | verdict |\n|---|---:|---:|---:|---|",
        entries=tuple(_bench_row(comparison) for comparison in found),
    )
    with_history = [c for c in found if len(c.history) >= MIN_HISTORY] if charts else []
    if not with_history:
        return [table]
    trends = Part(
        prefix=f"<details><summary>📈 Trends ({len(with_history):,})</summary>\n",
        entries=tuple(_chart(comparison) for comparison in with_history),
        sep="\n\n",
        suffix="</details>",
        lead=3,
        lead_tier=1,
        noun="trend charts",
    )
    return [table, trends]


def footer_part(report: Report) -> Part:
    """``noxci · commit abc123 · run · time``, from what the environment told us."""
    run = report.run
    bits = []
    if run.commit:
        sha = run.commit[:12] if _SHA.fullmatch(run.commit) else inert(run.commit, 60)
        bits.append(f"commit {sha}")
    url = safe_url(run.run_url)
    if url is not None:
        bits.append(f"[run]({url})")
    if run.time:
        bits.append(inert(run.time, 60))
    if not bits:
        return Part()
    return Part(head=("---", "<sub>noxci · " + " · ".join(bits) + "</sub>"))
