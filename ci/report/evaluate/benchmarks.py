"""Benchmark verdicts that are real, not noise: an interval for each change, then a decision.

Each pytest-benchmark JSON file is one *run*; a side (head or base) may hold several, and
benchmarks meet across runs and sides by ``fullname``. Per benchmark:

1. Each run is reduced to its statistic (median, mean or min of the round timings, per
   ``statistic`` and its per-benchmark overrides); a side's value is the geometric mean
   over its runs, and the change is ``head / base - 1``.
2. The interval accounts for run-to-run variation, not only for rounds: rounds of one run
   share the machine's state, so runs are the unit of replication (:mod:`._benchmodel`).
   With three runs or more in all, it is Student's t on the logs of the per-run
   statistics with their pooled run-to-run variance. A bootstrap that resamples runs was
   the alternative and was rejected: with 2 to 5 runs a side it has a handful of distinct
   resamples and its percentile interval cannot reach past the runs seen, so it is too
   narrow exactly where runs are few. With one run per side the run-to-run noise cannot
   be seen: an assumed noise (``assumed_run_noise`` per run) stands in for it. Other load
   only ever slows a run, so a run far above its side's median run or (but for the
   minimum) spread far wider than its side's quietest run is set aside
   (``disturbed_run``), and with one run per
   side a run whose rounds, or its ``neighbours``' rounds, spread wider than the other
   run's stretches the interval on its side (for the minimum: its neighbours' rounds
   up to their tenth percentile). Runs from different machines add a machine
   term (``machine_noise``). The comparison's ``note`` says how it was made.
3. Many benchmarks are judged at once, so the intervals are Benjamini-Yekutieli
   FCR-adjusted: a benchmark's p-value tests "the change is within ±min-change", the
   Benjamini-Hochberg procedure at rate ``fcr`` selects ``R`` of the ``m`` compared
   benchmarks, and every interval is made at level ``1 - R·fcr/m`` (``1 - fcr/m``, as
   Bonferroni, when none is selected). With no real change anywhere the chance of any
   false alarm in a report is at most ``fcr``, as with Bonferroni; once some benchmarks
   really moved, the expected share of wrong intervals among the flagged ones stays at
   most ``fcr`` while each interval is narrower than Bonferroni's, so real changes are
   found with fewer runs. Holm was the other candidate; it gives no intervals.
4. ``regressed`` when the whole interval lies above ``+min-change``, ``improved`` when it
   lies wholly below ``-min-change``, otherwise ``unchanged``; ``new`` (head only, or no
   baseline at all) and ``missing`` (base only) carry no interval.

Everything is deterministic (no resampling): one sort per run for the median, a few
arithmetic passes otherwise, and a cached t quantile per distinct degrees of freedom.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ci.config import BenchmarkOverride, Settings, Statistic
from ci.report.evaluate._benchgate import benchmark_gate
from ci.report.evaluate._benchmodel import (
    Estimate,
    NoiseModel,
    SideSummary,
    estimate_change,
    summarize_side,
)
from ci.report.evaluate._benchruns import Matched, Seat, match_runs, stretch
from ci.report.evaluate._benchstats import fcr_level, t_quantile, t_sf
from ci.report.model import BenchmarkComparison, BenchmarkRun, Verdict

__all__ = ["BenchmarkPolicy", "benchmark_gate", "compare_benchmarks", "policy_from_settings"]


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchmarkPolicy:
    """How benchmark changes are judged: thresholds, per-benchmark overrides, noise knobs."""

    #: Smallest change in percent that counts (defaults: ``[tool.noxci]``'s, from :class:`Settings`).
    min_change: float = Settings.min_change
    statistic: Statistic = Settings.statistic
    #: ``fnmatch`` patterns on fullname or name; the first match wins.
    overrides: tuple[BenchmarkOverride, ...] = ()
    #: False coverage rate of the FCR-adjusted intervals (and the false-alarm rate with no change).
    fcr: float = 0.05
    #: Log-scale run-to-run noise per run assumed when each side has one run.
    assumed_run_noise: float = 0.03
    #: Floor of the measured run-to-run noise (few runs can look quieter than they are).
    min_run_noise: float = 0.005
    #: Log-scale offset between two machines, added when the sides share no machine.
    machine_noise: float = 0.10
    #: Percent above its side's median run at which a run counts as disturbed (3+ runs).
    disturbed_run: float = 20.0
    #: One run per side: how many benchmarks before and after one share its disturbance.
    neighbours: int = 1

    def for_benchmark(self, fullname: str, name: str) -> tuple[float, Statistic]:
        """The ``min_change`` and ``statistic`` of one benchmark, overrides applied."""
        for override in self.overrides:
            if fnmatch.fnmatchcase(fullname, override.pattern) or fnmatch.fnmatchcase(
                name, override.pattern
            ):
                return (
                    self.min_change if override.min_change is None else override.min_change,
                    self.statistic if override.statistic is None else override.statistic,
                )
        return self.min_change, self.statistic


def policy_from_settings(settings: Settings) -> BenchmarkPolicy:
    """The policy that ``[tool.noxci]`` (and its env and flags) describe."""
    return BenchmarkPolicy(
        min_change=settings.min_change,
        statistic=settings.statistic,
        overrides=settings.benchmarks,
    )


def _pvalue(estimate: Estimate, min_change: float) -> float:
    """Two-sided p-value of "the change lies within -min_change … +min_change"."""
    lowest, highest = estimate.change - estimate.below, estimate.change + estimate.above
    up = t_sf((lowest - math.log1p(min_change / 100)) / estimate.stderr, estimate.df)
    down = t_sf((math.log1p(-min_change / 100) - highest) / estimate.stderr, estimate.df)
    return min(1.0, 2 * min(up, down))


def _judged(base: BenchmarkComparison, estimate: Estimate, level: float) -> BenchmarkComparison:
    """The comparison with its interval at two-sided error ``level`` and its verdict."""
    margin = t_quantile(1 - level / 2, estimate.df) * estimate.stderr
    low = math.expm1(estimate.change - estimate.below - margin) * 100
    high = math.expm1(estimate.change + estimate.above + margin) * 100
    verdict = Verdict.UNCHANGED
    if low > base.min_change:
        verdict = Verdict.REGRESSED
    elif high < -base.min_change:
        verdict = Verdict.IMPROVED
    return replace(
        base,
        change=math.expm1(estimate.change) * 100,
        low=low,
        high=high,
        verdict=verdict,
        note=f"{estimate.how}; {(1 - level) * 100:.4g}% interval, FCR-adjusted",
    )


def _one_run_stretches(
    matched: Sequence[Matched],
    sides: Sequence[tuple[SideSummary | None, SideSummary | None]],
    statistics: Sequence[Statistic],
    reach: int,
    allowance: float,
) -> dict[int, tuple[float, float]]:
    """For each one-run-per-side comparison: how far its interval reaches down and up.

    The evidence is the spread of the rounds, compared between the two runs: the median's
    spread (:attr:`RunSummary.spread`) for a median or mean, which a slowdown of half the
    rounds moves; for a minimum, which only a slowdown of every round moves, the spread of
    the tenth percentile (:attr:`RunSummary.low_spread`) of the benchmarks next to it: a
    disturbance that slowed nearly all of a neighbour's rounds may have slowed all of its.
    """
    excess: dict[bool, tuple[dict[Seat, float], dict[Seat, float]]] = {
        False: ({}, {}),
        True: ({}, {}),
    }
    singles = [
        (i, h, b)
        for i, (h, b) in enumerate(sides)
        if h is not None and b is not None and h.runs == b.runs == 1
    ]
    for i, h, b in singles:
        for low, (head_excess, base_excess) in excess.items():
            run_h, run_b = h.kept[0], b.kept[0]
            wider = run_h.low_spread - run_b.low_spread if low else run_h.spread - run_b.spread
            head_excess[matched[i].head_seats[0]] = max(0.0, wider - allowance)
            base_excess[matched[i].base_seats[0]] = max(0.0, -wider - allowance)
    stretches: dict[int, tuple[float, float]] = {}
    for i, _, _ in singles:
        low = statistics[i] == "min"
        head_excess, base_excess = excess[low]
        stretches[i] = (
            stretch(head_excess, matched[i].head_seats[0], reach, own=not low),
            stretch(base_excess, matched[i].base_seats[0], reach, own=not low),
        )
    return stretches


def compare_benchmarks(
    head: Sequence[BenchmarkRun],
    base: Sequence[BenchmarkRun] | None,
    policy: BenchmarkPolicy,
) -> tuple[BenchmarkComparison, ...]:
    """Compare every benchmark of ``head`` with ``base`` (``None``: no baseline, all new)."""
    noise = NoiseModel(
        assumed_run_noise=policy.assumed_run_noise,
        min_run_noise=policy.min_run_noise,
        machine_noise=policy.machine_noise,
        disturbed=math.log1p(policy.disturbed_run / 100),
    )
    matched = match_runs(head, base or ())
    settings = [policy.for_benchmark(m.fullname, m.name) for m in matched]
    sides = [
        (
            summarize_side(m.head, statistic, noise) if m.head else None,
            summarize_side(m.base, statistic, noise) if m.base else None,
        )
        for m, (_, statistic) in zip(matched, settings, strict=True)
    ]
    stretches = _one_run_stretches(
        matched,
        sides,
        [statistic for _, statistic in settings],
        policy.neighbours,
        policy.assumed_run_noise,
    )
    results: list[BenchmarkComparison] = []
    estimates: dict[int, Estimate] = {}
    for index, (m, (min_change, statistic), (h, b)) in enumerate(
        zip(matched, settings, sides, strict=True)
    ):
        comparison = BenchmarkComparison(
            name=m.fullname,
            base=None if b is None else b.value,
            head=None if h is None else h.value,
            verdict=Verdict.NEW if h is not None else Verdict.MISSING,
            statistic=statistic,
            min_change=min_change,
            head_runs=len(m.head),
            base_runs=len(m.base),
        )
        if h is not None and b is not None:
            comparison = replace(comparison, verdict=Verdict.UNCHANGED, note="a statistic is 0 s")
            estimate = estimate_change(h, b, statistic, noise, stretches.get(index, (0.0, 0.0)))
            if estimate is not None:
                estimates[index] = estimate
        results.append(comparison)
    level = fcr_level([_pvalue(e, results[i].min_change) for i, e in estimates.items()], policy.fcr)
    for index, estimate in estimates.items():
        results[index] = _judged(results[index], estimate, level)
    return tuple(results)
