"""One benchmark's change between two sides: the estimate and its error, on logs.

A side is several runs (pytest-benchmark JSON files) of one benchmark. Each run is reduced
to the log of its statistic (:func:`summarize_run`); the change is the difference of the
sides' mean logs, so the sides' values are the geometric means of their runs' statistics
and ``head / base`` is exactly ``exp(change)``.

The error of that difference is run-to-run noise, the noise that matters on shared
machines, and it is measured where it can be:

- three runs or more in all (``df = runs - 2 >= 1``): the pooled variance of the run logs
  within each side, never below ``min_run_noise``; the interval then uses Student's t;
- one run per side: run-to-run noise cannot be seen, so ``assumed_run_noise`` stands in for
  it on each side, plus the within-run variance of each run's statistic; normal quantiles.

Noise on a shared machine is one-sided: other load only ever slows a run down, often by
30-80% for a whole benchmark or for part of its rounds. Two rules follow from it:

- a run whose rounds spread wider (``log(median / min)``, see below) than the side's
  quietest run by more than ``disturbed`` was slowed for part of its rounds, and one
  whose statistic lies more than ``disturbed`` above the side's median run (three runs or
  more left) was slowed throughout: both are set aside, never the side's quietest or
  median run. Quiet runs differ by a few percent in both, far below ``disturbed``. The
  first rule is not for the minimum: a run slowed for part of its rounds still has its
  fastest round, and setting it aside could keep a run slowed throughout instead (whose
  rounds spread no wider than a quiet run's);
- with one run per side, a run whose median round sits further above its own fastest round
  than the other run's does (``log(median / min)``, its *spread*), by more than the
  assumed run-to-run noise, may have been slowed by that much, and so may its neighbours
  in the run (:mod:`._benchruns`; for the minimum, the neighbours' tenth percentile over
  their fastest round is the evidence): the interval is stretched by it on that side only
  (down for the head, up for the base).

When the two sides share no machine (``machine_info`` node, CPU and Python), the
difference also carries a machine offset that no number of runs reveals: its variance
``machine_noise²`` is added. Two runs whose ``machine_info`` is empty count as one machine.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ci.report.evaluate._benchstats import RunSummary, StatisticName, summarize_run
from ci.report.model import Benchmark, MachineInfo

__all__ = ["Estimate", "NoiseModel", "Side", "SideSummary", "estimate_change", "summarize_side"]

#: One side of one benchmark: each run's benchmark with the machine it ran on.
Side = Sequence[tuple[Benchmark, MachineInfo]]
_MachineKey = tuple[str, str, str, str]


@dataclass(frozen=True, kw_only=True, slots=True)
class NoiseModel:
    """What is assumed about noise that the data cannot show (log-scale standard deviations)."""

    assumed_run_noise: float
    min_run_noise: float
    machine_noise: float
    #: How far above its side's median run (log scale) a run counts as disturbed.
    disturbed: float


@dataclass(frozen=True, kw_only=True, slots=True)
class SideSummary:
    """One side of one benchmark, summarised once: its kept runs and where they ran."""

    #: The undisturbed runs (every run when a statistic is 0: nothing is set aside then).
    kept: tuple[RunSummary, ...]
    runs: int
    #: The side's value: the geometric mean of the kept runs (0 when a statistic is 0).
    value: float
    machines: frozenset[_MachineKey]
    #: Every run had its round timings.
    timed: bool

    @property
    def set_aside(self) -> int:
        """How many disturbed runs were set aside."""
        return self.runs - len(self.kept)


@dataclass(frozen=True, kw_only=True, slots=True)
class Estimate:
    """The log change ``head - base``, its standard error and how it was made."""

    #: ``log(head / base)``.
    change: float
    stderr: float
    #: Degrees of freedom of Student's t (``None``: the normal law).
    df: int | None
    #: How much further down (log) the interval reaches: the head may have been slowed.
    below: float = 0.0
    #: How much further up (log) the interval reaches: the base may have been slowed.
    above: float = 0.0
    #: How the error was made, without the confidence level (the caller adds it).
    how: str = ""


def _machine_key(info: MachineInfo) -> _MachineKey:
    """What makes two runs "the same machine": node, CPU and Python."""
    return (info.node, info.cpu, info.python_implementation, info.python_version)


def summarize_side(side: Side, statistic: StatisticName, noise: NoiseModel) -> SideSummary:
    """Summarise every run of one side, set its disturbed runs aside and take its value."""
    runs = tuple(
        summarize_run(bench.data, getattr(bench.stats, statistic), statistic) for bench, _ in side
    )
    kept, value = runs, 0.0
    if all(run.value > 0 for run in runs):
        kept = _undisturbed(runs, noise.disturbed, by_spread=statistic != "min")
        value = kept[0].value if len(kept) == 1 else math.exp(_mean([r.log for r in kept]))
    return SideSummary(
        kept=kept,
        runs=len(runs),
        value=value,
        machines=frozenset(_machine_key(info) for _, info in side),
        timed=all(bench.data for bench, _ in side),
    )


def _undisturbed(
    runs: tuple[RunSummary, ...], disturbed: float, *, by_spread: bool
) -> tuple[RunSummary, ...]:
    """The runs left once those that look disturbed are set aside (never the quietest)."""
    timed = [run.spread for run in runs if run.rounds] if by_spread else []
    if timed:  # wider spread than the side's quietest run by more than ``disturbed``
        quiet = min(timed) + disturbed
        runs = tuple(run for run in runs if not run.rounds or run.spread <= quiet)
    if len(runs) >= 3:
        limit = statistics.median(run.log for run in runs) + disturbed
        runs = tuple(run for run in runs if run.log <= limit)
    return runs


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _measured(head: SideSummary, base: SideSummary, noise: NoiseModel) -> Estimate:
    """Three runs or more: Student's t with the pooled run-to-run variance of the logs."""
    squares = 0.0
    for side in (head, base):
        logs = [run.log for run in side.kept]
        mean = _mean(logs)
        squares += math.fsum((y - mean) ** 2 for y in logs)
    df = len(head.kept) + len(base.kept) - 2
    sd = max(math.sqrt(squares / df), noise.min_run_noise)
    return Estimate(
        change=0.0,
        stderr=sd * math.sqrt(1 / len(head.kept) + 1 / len(base.kept)),
        df=df,
        how=f"t on per-run {{statistic}}s, run-to-run {sd:.1%} (df {df})",
    )


def _assumed(
    head: SideSummary, base: SideSummary, noise: NoiseModel, stretch: tuple[float, float]
) -> Estimate:
    """One run per side: assumed run-to-run noise, stretched where a run looked disturbed."""
    h, b = head.kept[0], base.kept[0]
    below, above = stretch
    how = f"run-to-run noise unseen, assumed {noise.assumed_run_noise:.1%} per run"
    for which, size in (("head", below), ("base", above)):
        if size >= 0.001:
            how += f", {which} run spread up to {size:.1%} wider around it"
    return Estimate(
        change=0.0,
        stderr=math.sqrt(2 * noise.assumed_run_noise**2 + h.within + b.within),
        df=None,
        below=below,
        above=above,
        how=how,
    )


def estimate_change(
    head: SideSummary,
    base: SideSummary,
    statistic: StatisticName,
    noise: NoiseModel,
    stretch: tuple[float, float] = (0.0, 0.0),
) -> Estimate | None:
    """The change of ``statistic`` from ``base`` to ``head``; ``None`` if a statistic is 0.

    ``stretch`` is how much further (log) the interval of a one-run-per-side comparison
    reaches down and up, for a head or base run that looked disturbed around it.
    """
    if head.value <= 0 or base.value <= 0:
        return None
    runs = f"{head.runs} vs {base.runs} run{'s' if head.runs + base.runs > 2 else ''}"
    if head.set_aside + base.set_aside:
        runs += f" ({head.set_aside + base.set_aside} disturbed set aside)"
    several = len(head.kept) + len(base.kept) > 2
    estimate = _measured(head, base, noise) if several else _assumed(head, base, noise, stretch)
    variance = estimate.stderr**2
    how = f"{runs}: {estimate.how.format(statistic=statistic)}"
    if head.machines.isdisjoint(base.machines):
        variance += noise.machine_noise**2
        how += f"; different machines, +{noise.machine_noise:.0%} machine noise"
    if not (head.timed and base.timed):
        how += "; some runs without round timings"
    return replace(
        estimate,
        change=math.log(head.value / base.value),
        stderr=math.sqrt(variance),
        how=how,
    )
