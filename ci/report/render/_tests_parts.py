"""The test side of the report as packable parts: headline, inputs, stages, failures.

Each function returns :class:`~ci.report.render._budget.Part` values in display order;
every piece of untrusted text goes through :func:`~ci.report.render._inert.inert` or a
code fence here, so the packer only ever moves inert blocks around.
"""

from __future__ import annotations

from functools import partial

from ci.report.model import Counts, Outcome, Report, TestCase
from ci.report.render._budget import Entry, Part
from ci.report.render._format import failed_gates
from ci.report.render._inert import clip_lines, fence, inert

__all__ = [
    "FAILING",
    "baseline_part",
    "failure_groups",
    "failure_parts",
    "flaky_part",
    "headline",
    "headline_part",
    "inputs_part",
    "stages_part",
]

#: The outcomes listed as failures.
FAILING = frozenset({Outcome.FAILED, Outcome.ERROR})
#: How much of a test id, a stage name and a message one line shows, in characters.
ID_CHARS = 300
STAGE_CHARS = 60
MESSAGE_CHARS = 500
DETAIL_CHARS = 400


def headline(report: Report) -> str:
    """``### ✅ noxci: every gate passed`` or ``### ❌ noxci: tests failed, coverage failed``."""
    failed = failed_gates(report)
    if not failed:
        return "### ✅ noxci: every gate passed"
    return "### ❌ noxci: " + ", ".join(f"{inert(name, STAGE_CHARS)} failed" for name in failed)


def headline_part(report: Report) -> Part:
    """The verdict, then one line per gate with its detail."""
    gates = "\n".join(
        f"- {'✅' if gate.passed else '❌'} **{inert(gate.name, STAGE_CHARS)}**: "
        f"{inert(gate.detail, DETAIL_CHARS)}"
        for gate in report.gates
    )
    return Part(head=(headline(report), gates) if gates else (headline(report),))


def inputs_part(report: Report) -> Part:
    """The inputs that could not be read, one line each."""
    unread = [status for status in report.inputs if not status.ok]
    entries = tuple(
        Entry(text=f"- {inert(status.error or status.path, DETAIL_CHARS)}") for status in unread
    )
    head = (f"#### Inputs that could not be read ({len(unread):,})",) if unread else ()
    return Part(head=head, entries=entries, lead=5)


def _row(name: str, counts: Counts, coverage: str | None) -> str:
    cells = [
        name,
        *(f"{n:,}" for n in (counts.total, counts.passed, counts.failed, counts.errors)),
        *(f"{n:,}" for n in (counts.skipped, counts.flaky)),
        f"{counts.duration_s:.1f}s",
        *([coverage] if coverage is not None else []),
    ]
    return "| " + " | ".join(cells) + " |"


def stages_part(report: Report) -> Part:
    """The per-stage table, with each stage's own coverage where it is known."""
    tests = report.tests
    if not tests.stages and tests.counts.total == 0:
        return Part()
    by_stage = {entry.stage: entry.percent for entry in report.stage_coverage}
    columns = ["stage", "tests", "passed", "failed", "errors", "skipped", "flaky", "time"]
    columns += ["coverage"] if by_stage else []
    total = f"{report.coverage.percent:.2f}%" if report.coverage is not None else "—"
    header = "| " + " | ".join(columns) + " |\n|---|" + "---:|" * (len(columns) - 1)
    rows = [
        _row(
            inert(stage, STAGE_CHARS),
            counts,
            (f"{by_stage[stage]:.2f}%" if stage in by_stage else "—") if by_stage else None,
        )
        for stage, counts in tests.stages.items()
    ]
    rows.append(_row("**total**", tests.counts, total if by_stage else None))
    return Part(prefix=header, entries=tuple(Entry(text=row) for row in rows), lead=50)


def baseline_part(report: Report) -> Part:
    """What changed against the baseline, or that no comparison could be made."""
    baseline, tests = report.baseline, report.tests
    if baseline is None:
        return Part(
            head=(
                "**No baseline**: new failures, fixed tests, the coverage change and "
                "benchmark changes are unavailable.",
            )
        )
    commit = f", commit {inert(baseline.commit[:12])}" if baseline.commit else ""
    counts = [
        f"{len(tests.new_failures):,} new failures",
        f"{len(tests.fixed):,} fixed",
        f"{len(tests.still_failing):,} still failing",
        f"{len(tests.newly_skipped):,} newly skipped",
        f"{len(tests.removed):,} removed",
        f"{tests.counts.flaky:,} flaky",
    ]
    source = inert(baseline.source, DETAIL_CHARS)
    return Part(head=(f"**Against the baseline** ({source}{commit}): " + " · ".join(counts),))


def failure_groups(report: Report) -> list[tuple[str, list[TestCase]]]:
    """Failing tests by group, most important first: new, still failing, the others."""
    failing = [case for case in report.tests.cases if case.outcome in FAILING]
    if report.baseline is None:
        return [("Failures", failing)]
    new, still = set(report.tests.new_failures), set(report.tests.still_failing)
    known = new | still
    return [
        ("New failures", [case for case in failing if case.id in new]),
        ("Still failing", [case for case in failing if case.id in still]),
        ("Other failures", [case for case in failing if case.id not in known]),
    ]


def _traceback(excerpt: str, chars: int) -> str:
    code = fence(clip_lines(excerpt.strip("\n"), chars), indent="  ")
    return f"\n\n  <details><summary>traceback</summary>\n\n{code}\n\n  </details>\n"


def _failure(
    case: TestCase, *, tracebacks: bool, excerpt_chars: int, known_flaky: bool = False
) -> Entry:
    message = f": {inert(case.message, MESSAGE_CHARS)}" if case.message.strip() else ""
    flaky = " · known flaky" if known_flaky else ""
    text = (
        f"- {case.outcome.value} **{inert(case.id, ID_CHARS)}** "
        f"({inert(case.stage, STAGE_CHARS)}{flaky}){message}"
    )
    detail = None
    if tracebacks and case.excerpt.strip():
        detail = partial(_traceback, case.excerpt, excerpt_chars)
    return Entry(text=text, detail=detail)


def failure_parts(report: Report, *, tracebacks: bool, excerpt_chars: int) -> list[Part]:
    """One part per non-empty failure group, each line with its traceback folded below."""
    leads = {"New failures": 10, "Still failing": 5}
    return [
        Part(
            head=(f"#### {title} ({len(cases):,})",),
            entries=tuple(
                _failure(
                    case,
                    tracebacks=tracebacks,
                    excerpt_chars=excerpt_chars,
                    known_flaky=case.id in report.tests.known_flaky,
                )
                for case in cases
            ),
            lead=leads.get(title, 10),
        )
        for title, cases in failure_groups(report)
        if cases
    ]


def flaky_part(report: Report) -> Part:
    """Tests that failed, then passed on a rerun: listed last, they passed."""
    flaky = [case for case in report.tests.cases if case.flaky]
    entries = tuple(
        Entry(
            text=f"- **{inert(case.id, ID_CHARS)}** ({inert(case.stage, STAGE_CHARS)}): "
            f"passed after {case.reruns:,} {'rerun' if case.reruns == 1 else 'reruns'}"
        )
        for case in flaky
    )
    head = (f"#### Flaky ({len(flaky):,})",) if flaky else ()
    return Part(head=head, entries=entries, lead=0)
