"""Numbers as people read them: times, percentages, changes and line ranges.

Shared by the Markdown and terminal views so both say ``17.4 µs`` and ``10-14, 20`` (with an
en dash) the same way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from ci.report.model import BenchmarkComparison, Report, Verdict

__all__ = [
    "EN_DASH",
    "VERDICT_ORDER",
    "change",
    "comparisons",
    "failed_gates",
    "line_ranges",
    "number",
    "points",
    "ranges",
    "seconds",
    "signed",
    "time_unit",
]

#: Benchmarks in the order they matter: regressions, improvements, then the rest.
VERDICT_ORDER = {
    Verdict.REGRESSED: 0,
    Verdict.IMPROVED: 1,
    Verdict.MISSING: 2,
    Verdict.NEW: 3,
    Verdict.UNCHANGED: 4,
}
EN_DASH = "\u2013"
_UNITS = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns"))


def failed_gates(report: Report) -> list[str]:
    """The names of the gates that failed, in gate order."""
    return [gate.name for gate in report.gates if not gate.passed]


def time_unit(value: float) -> tuple[float, str]:
    """The scale and unit that show ``value`` seconds with 1 to 3 digits before the point."""
    for scale, unit in _UNITS:
        if abs(value) >= scale:
            return scale, unit
    return _UNITS[-1]


def number(value: float) -> str:
    """``value`` with 3 significant digits, never in exponent form (``17.4``, ``0.0123``)."""
    if value == 0 or abs(value) >= 1000:
        return f"{value:.0f}"
    digits = max(2 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def seconds(value: float | None) -> str:
    """``value`` seconds in a readable unit with 3 significant digits (``—`` for None)."""
    if value is None:
        return "—"
    scale, unit = time_unit(value)
    return f"{number(value / scale)} {unit}"


def signed(value: float, unit: str = "%", digits: int = 1) -> str:
    """``+1.2%`` / ``-0.4 pp``: a change with its sign, always."""
    return f"{value:+.{digits}f}{unit}"


def change(comparison: BenchmarkComparison) -> str:
    """A benchmark's change with its interval: ``+31.0% (+25.2% to +37.1%)``."""
    if comparison.change is None:
        return "—"
    text = signed(comparison.change)
    if comparison.low is not None and comparison.high is not None:
        text += f" ({signed(comparison.low)} to {signed(comparison.high)})"
    return text


def comparisons(report: Report) -> list[BenchmarkComparison]:
    """The benchmarks, regressions first; without comparisons, the head's runs as "new"."""
    found = list(report.comparisons) or [
        BenchmarkComparison(name=bench.fullname, head=bench.stats.median, head_runs=1)
        for run in report.benchmarks
        for bench in run.benchmarks
    ]
    return sorted(found, key=lambda comparison: VERDICT_ORDER[comparison.verdict])


def ranges(lines: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Consecutive line numbers as ``(first, last)`` ranges, in order."""
    start = end = -1
    for line in sorted(set(lines)):
        if line == end + 1 and start >= 0:
            end = line
            continue
        if start >= 0:
            yield start, end
        start = end = line
    if start >= 0:
        yield start, end


def line_ranges(lines: Iterable[int], limit: int = 40) -> str:
    """``10-14, 20`` (with an en dash): line numbers as ranges, the first ``limit`` ranges at most."""
    found = list(ranges(lines))
    shown = [str(a) if a == b else f"{a}{EN_DASH}{b}" for a, b in found[:limit]]
    if len(found) > limit:
        shown.append(f"… {len(found) - limit:,} more ranges")
    return ", ".join(shown)


def points(values: Iterable[float], scale: float) -> str:
    """Values divided by ``scale`` with 3 significant digits, comma-separated."""
    return ", ".join(number(value / scale) for value in values)
