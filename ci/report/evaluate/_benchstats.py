"""The arithmetic behind benchmark verdicts: Student's t, Benjamini-Hochberg, per-run summaries.

Pure Python on purpose (numpy is not a dependency of the report step): Student's t with an
integer number of degrees of freedom has a closed form (Abramowitz & Stegun 26.7.3-4, a
finite series in the angle ``atan(t / sqrt(df))``), so the distribution function is exact
and cheap; its quantile is found by bisection and cached, since a report needs only a few
distinct ``(level, df)`` pairs. ``df = None`` stands for infinitely many: the normal law.

A run is summarised by the log of its statistic and the variance of that log across the
run's rounds (``RunSummary``); the rounds of one run share the machine's state, so that
within-run variance is a lower bound on the run's real error, used only where nothing
better is known (one run per side).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final, Literal

__all__ = ["RunSummary", "fcr_level", "summarize_run", "t_quantile", "t_sf"]

StatisticName = Literal["median", "mean", "min"]

_NORMAL: Final = NormalDist()
#: z of a two-sided 95% interval: sets which order statistics bracket the median.
_Z95: Final = _NORMAL.inv_cdf(0.975)


def _abs_cdf(t: float, df: int) -> float:
    """``P(|T| < t)`` for ``t >= 0`` and Student's t with ``df`` degrees of freedom."""
    theta = math.atan(t / math.sqrt(df))
    sin, cos2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 0:  # sin θ · (1 + ½cos²θ + (1·3)/(2·4)cos⁴θ + …), df/2 terms
        term = total = 1.0
        for k in range(1, df // 2):
            term *= cos2 * (2 * k - 1) / (2 * k)
            total += term
        return min(1.0, sin * total)
    if df == 1:
        return 2 * theta / math.pi
    term = total = 1.0  # 2/π · (θ + sin θ cos θ · (1 + ⅔cos²θ + …)), (df-1)/2 terms
    for k in range(1, (df - 1) // 2):
        term *= cos2 * (2 * k) / (2 * k + 1)
        total += term
    return min(1.0, 2 / math.pi * (theta + sin * math.sqrt(cos2) * total))


def t_sf(t: float, df: int | None) -> float:
    """``P(T > t)`` for Student's t with ``df`` degrees of freedom (``None``: the normal law)."""
    if df is None:
        return 1.0 - _NORMAL.cdf(t)
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    tail = (1.0 - _abs_cdf(abs(t), df)) / 2
    return tail if t >= 0 else 1.0 - tail


@functools.lru_cache(maxsize=256)
def t_quantile(p: float, df: int | None) -> float:
    """The ``t`` with ``P(T <= t) = p``, for ``0.5 <= p < 1`` (``df=None``: the normal law)."""
    if df is None:
        return _NORMAL.inv_cdf(p)
    tail = 1.0 - p
    low, high = 0.0, 1.0
    while t_sf(high, df) > tail:
        low, high = high, high * 2
    for _ in range(100):
        middle = (low + high) / 2
        if t_sf(middle, df) > tail:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * high:
            break
    return (low + high) / 2


def fcr_level(pvalues: Sequence[float], q: float) -> float:
    """The two-sided error level of Benjamini-Yekutieli FCR-adjusted intervals.

    Benjamini-Hochberg at rate ``q`` selects ``R`` of the ``m`` hypotheses; intervals made
    at level ``1 - R·q/m`` then hold the false coverage rate among the selected at ``q``.
    With nothing selected the level is Bonferroni's ``1 - q/m``. Returns ``R·q/m``
    (or ``q/m``); ``q`` alone for an empty family.
    """
    m = len(pvalues)
    if m == 0:
        return q
    selected = 0
    for rank, p in enumerate(sorted(pvalues), start=1):
        if p <= rank * q / m:
            selected = rank
    return max(selected, 1) * q / m


@dataclass(frozen=True, kw_only=True, slots=True)
class RunSummary:
    """One run of one benchmark: the log of its statistic and that log's within-run variance."""

    #: The statistic in seconds (``> 0`` for ``log`` to exist).
    value: float
    #: ``log(value)``; ``nan`` when ``value`` is 0.
    log: float
    #: Variance of ``log`` from the run's rounds alone (0 when it cannot be told).
    within: float
    #: ``log(median / fastest round)``: how far the run's typical round sits above its best,
    #: the trace other load leaves on a run (0 without rounds).
    spread: float = 0.0
    #: ``log(tenth percentile / fastest round)``: how far most of the run's rounds sit above
    #: its best; it moves only when nearly every round was slowed (0 without rounds).
    low_spread: float = 0.0
    #: How many round timings the run had (0: only the file's summary).
    rounds: int = 0


def _median_variance(ordered: Sequence[float], median: float) -> float:
    """Variance of the log-median from the distribution-free 95% interval of the median."""
    n = len(ordered)
    half = _Z95 * math.sqrt(n) / 2
    low = ordered[max(0, math.floor(n / 2 - half))]
    high = ordered[min(n - 1, math.ceil(n / 2 + half))]
    return ((high - low) / (2 * _Z95 * median)) ** 2


def _mean_variance(rounds: Sequence[float], mean: float) -> float:
    """Variance of the log-mean: the sample variance over ``n``, relative to the mean."""
    n = len(rounds)
    if n < 2:
        return 0.0
    squares = math.fsum(map(operator.mul, rounds, rounds)) - n * mean * mean
    return max(0.0, squares) / (n - 1) / n / (mean * mean)


def _log(value: float) -> float:
    return math.log(value) if value > 0 else math.nan


def summarize_run(rounds: Sequence[float], fallback: float, statistic: StatisticName) -> RunSummary:
    """Summarise one run from its rounds (``fallback``: the file's own statistic, if none).

    The within-run variance is the median's order-statistic interval or the mean's standard
    error; the minimum has no such estimate (0): its whole error is the run-to-run term.
    The spreads are ``log(median / fastest round)`` and ``log(tenth percentile / fastest
    round)`` whatever the statistic.
    """
    if not rounds:
        return RunSummary(value=fallback, log=_log(fallback), within=0.0)
    ordered = sorted(rounds)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    fastest = ordered[0]
    if statistic == "min":
        value, within = fastest, 0.0
    elif statistic == "mean":
        value = math.fsum(rounds) / n
        within = _mean_variance(rounds, value) if value > 0 else 0.0
    else:
        value = median
        within = _median_variance(ordered, median) if median > 0 else 0.0
    spread = low_spread = 0.0
    if fastest > 0:
        spread = math.log(median / fastest)
        low_spread = math.log(ordered[n // 10] / fastest)
    return RunSummary(
        value=value, log=_log(value), within=within, spread=spread, low_spread=low_spread, rounds=n
    )
