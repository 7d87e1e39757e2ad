"""The benchmarks gate: it fails when any benchmark regressed, and says so in one line.

"test_parse: +31% (+24% … +38%)" for one regression, "3 regressed: test_a +31%, test_b
+12%, test_c +8.4% and 2 more" for several, "2 improved, 6 unchanged, 1 new" when it
passes. Benchmarks are shown by their short name (the part after the last ``::``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ci.report.model import BenchmarkComparison, GateResult, Verdict

__all__ = ["benchmark_gate", "percent", "short_name"]

#: How many regressions the detail names before "and N more".
NAMED: Final = 3
_ORDER: Final = (
    Verdict.REGRESSED,
    Verdict.IMPROVED,
    Verdict.UNCHANGED,
    Verdict.NEW,
    Verdict.MISSING,
)


def short_name(fullname: str) -> str:
    """``tests/b/test_x.py::TestY::test_parse[big]`` → ``test_parse[big]``."""
    return fullname.rsplit("::", 1)[-1]


def percent(value: float | None) -> str:
    """A signed percentage: one decimal under 10%, whole numbers above (``+8.4%``, ``-31%``)."""
    if value is None:
        return "n/a"
    shown = f"{value:+.1f}" if abs(value) < 10 else f"{value:+.0f}"
    return f"{shown}%"


def _interval(comparison: BenchmarkComparison) -> str:
    return (
        f"{short_name(comparison.name)}: {percent(comparison.change)} "
        f"({percent(comparison.low)} … {percent(comparison.high)})"
    )


def benchmark_gate(comparisons: Sequence[BenchmarkComparison]) -> GateResult:
    """No benchmark regressed; the detail names the regressions, or counts every verdict."""
    regressed = [c for c in comparisons if c.verdict is Verdict.REGRESSED]
    if len(regressed) == 1:
        return GateResult(name="benchmarks", passed=False, detail=_interval(regressed[0]))
    if regressed:
        named = ", ".join(f"{short_name(c.name)} {percent(c.change)}" for c in regressed[:NAMED])
        more = f" and {len(regressed) - NAMED} more" if len(regressed) > NAMED else ""
        return GateResult(
            name="benchmarks", passed=False, detail=f"{len(regressed)} regressed: {named}{more}"
        )
    counts = [
        f"{n} {verdict.value}"
        for verdict in _ORDER
        if (n := sum(c.verdict is verdict for c in comparisons))
    ]
    return GateResult(name="benchmarks", passed=True, detail=", ".join(counts) or "no benchmarks")
