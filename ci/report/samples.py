"""Round timings kept small: quantiles of a run, and summary statistics of any sample.

``report.json`` keeps each head benchmark run as :data:`QUANTILES` quantiles of its round
timings, so a later report can use it as a baseline with the same decision method. The
quantiles keep the minimum, the median and the spread exactly; a comparison reading them
sees fewer rounds than were measured, which only widens its interval (never narrows it).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Final

from ci.report.model import BenchmarkStats

__all__ = ["QUANTILES", "quantiles", "stats_of"]

#: How many quantiles of a run ``report.json`` keeps (0th, 1st, … 100th percentile).
QUANTILES: Final = 101


def quantiles(data: Sequence[float], count: int = QUANTILES) -> list[float]:
    """``count`` evenly spaced quantiles of ``data`` (all of it when it is not longer)."""
    ordered = sorted(data)
    if len(ordered) <= count:
        return ordered
    last = len(ordered) - 1
    points = []
    for k in range(count):
        position = k * last / (count - 1)
        low = int(position)
        high = min(low + 1, last)
        points.append(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
    return points


def stats_of(data: Sequence[float]) -> BenchmarkStats:
    """pytest-benchmark's summary statistics of round timings, computed its way."""
    ordered = sorted(data)
    n = len(ordered)
    if n == 0:
        msg = "stats_of needs at least one timing"
        raise ValueError(msg)
    q1, _median, q3 = statistics.quantiles(ordered, n=4) if n > 1 else (ordered[0],) * 3
    iqr = q3 - q1
    low_fence, high_fence = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    mean = statistics.fmean(ordered)
    stddev = statistics.stdev(ordered) if n > 1 else 0.0
    inside = [x for x in ordered if low_fence <= x <= high_fence] or ordered
    far = sum(abs(x - mean) > stddev for x in ordered) if stddev else 0
    return BenchmarkStats(
        min=ordered[0],
        max=ordered[-1],
        mean=mean,
        stddev=stddev,
        median=statistics.median(ordered),
        iqr=iqr,
        q1=q1,
        q3=q3,
        ld15iqr=inside[0],
        hd15iqr=inside[-1],
        ops=1.0 / mean if mean > 0 else 0.0,
        total=sum(ordered),
        rounds=n,
        iterations=1,
        iqr_outliers=n - len(inside),
        stddev_outliers=far,
        outliers=f"{far};{n - len(inside)}",
    )
