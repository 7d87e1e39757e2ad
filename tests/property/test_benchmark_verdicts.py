"""Invariants of benchmark verdicts over random runs: identity, scale, order and symmetry."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ci.report.evaluate.benchmarks import BenchmarkPolicy, compare_benchmarks
from ci.report.model import (
    Benchmark,
    BenchmarkComparison,
    BenchmarkRun,
    BenchmarkStats,
    CommitInfo,
    MachineInfo,
    Verdict,
)

DEADLINE = settings(deadline=2_000)
STATISTICS = st.sampled_from(["median", "mean", "min"])
#: One run: each benchmark's round timings, in seconds.
Rounds = dict[str, list[float]]


def stats_of(data: Sequence[float]) -> BenchmarkStats:
    """pytest-benchmark's summary of ``data`` (only what verdicts read is exact)."""
    ordered = sorted(data)
    n = len(ordered)
    mean = sum(ordered) / n
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return BenchmarkStats(
        min=ordered[0], max=ordered[-1], mean=mean, stddev=0.0, median=median, iqr=0.0,
        q1=ordered[0], q3=ordered[-1], ld15iqr=ordered[0], hd15iqr=ordered[-1], ops=1 / mean,
        total=sum(ordered), rounds=n, iterations=1, iqr_outliers=0, stddev_outliers=0,
        outliers="0;0",
    )  # fmt: skip


def to_run(rounds: Rounds, factor: float = 1.0) -> BenchmarkRun:
    """A pytest-benchmark file with these rounds, every timing multiplied by ``factor``."""
    benches = tuple(
        Benchmark(
            name=name,
            fullname=f"t.py::{name}",
            stats=stats_of([x * factor for x in data]),
            data=tuple(x * factor for x in data),
        )
        for name, data in rounds.items()
    )
    return BenchmarkRun(
        path=Path("b.json"),
        version="5.3.1",
        datetime=None,
        machine_info=MachineInfo(),
        commit_info=CommitInfo(),
        benchmarks=benches,
    )


def side(runs: Sequence[Rounds], factor: float = 1.0) -> list[BenchmarkRun]:
    return [to_run(rounds, factor) for rounds in runs]


@st.composite
def sides(
    draw: st.DrawFn, names: Sequence[str] = ("a", "b", "c"), spread: float = 0.5
) -> list[Rounds]:
    """1 to 4 runs of the named benchmarks; rounds within ``spread`` (log) of a base time."""
    base = {name: draw(st.floats(1e-6, 1.0)) for name in names}
    runs = draw(st.integers(1, 4))
    return [
        {
            name: [
                base[name] * math.exp(draw(st.floats(0.0, spread)))
                for _ in range(draw(st.integers(1, 12)))
            ]
            for name in names
        }
        for _ in range(runs)
    ]


def policy_with(statistic: str) -> BenchmarkPolicy:
    return BenchmarkPolicy(statistic=statistic)  # type: ignore[arg-type]


def by_name(comparisons: Sequence[BenchmarkComparison]) -> dict[str, BenchmarkComparison]:
    return {c.name: c for c in comparisons}


class TestIdentity:
    @DEADLINE
    @given(sides(), STATISTICS)
    def test_baseline_identical_to_head_changes_nothing(
        self, runs: list[Rounds], statistic: str
    ) -> None:
        """The same runs on both sides: every benchmark unchanged, change exactly 0."""
        comparisons = compare_benchmarks(side(runs), side(runs), policy_with(statistic))
        assert [c.verdict for c in comparisons] == [Verdict.UNCHANGED] * 3
        assert [c.change for c in comparisons] == [0.0] * 3

    @DEADLINE
    @given(sides(), sides(), STATISTICS)
    def test_interval_holds_the_estimate_and_the_verdict_follows(
        self, head: list[Rounds], base: list[Rounds], statistic: str
    ) -> None:
        """low <= change <= high, and the verdict is exactly what the interval says."""
        for c in compare_benchmarks(side(head), side(base), policy_with(statistic)):
            assert c.low is not None
            assert c.high is not None
            assert c.change is not None
            assert c.low <= c.change <= c.high
            expected = Verdict.UNCHANGED
            if c.low > c.min_change:
                expected = Verdict.REGRESSED
            elif c.high < -c.min_change:
                expected = Verdict.IMPROVED
            assert c.verdict is expected


class TestScale:
    @DEADLINE
    @given(sides(spread=0.01), st.floats(1.5, 4.0), STATISTICS)
    def test_much_slower_tight_head_regresses(
        self, runs: list[Rounds], factor: float, statistic: str
    ) -> None:
        """Every head timing x1.5 or more, rounds within 1%: every benchmark regressed."""
        head = side(runs, factor)
        comparisons = compare_benchmarks(head, side(runs), policy_with(statistic))
        assert [c.verdict for c in comparisons] == [Verdict.REGRESSED] * 3

    @DEADLINE
    @given(sides(), sides(), st.floats(1e-3, 1e3), STATISTICS)
    def test_unit_does_not_matter(
        self, head: list[Rounds], base: list[Rounds], unit: float, statistic: str
    ) -> None:
        """Timing both sides in another unit changes no change, interval or verdict."""
        policy = policy_with(statistic)
        plain = compare_benchmarks(side(head), side(base), policy)
        scaled = compare_benchmarks(side(head, unit), side(base, unit), policy)
        for a, b in zip(plain, scaled, strict=True):
            assert b.verdict is a.verdict
            for x, y in ((a.change, b.change), (a.low, b.low), (a.high, b.high)):
                assert y == pytest.approx(x, rel=1e-6, abs=1e-6)

    @DEADLINE
    @given(sides(names=("a",)), sides(names=("a",)), st.floats(1.0, 3.0), STATISTICS)
    def test_slower_head_shifts_the_interval(
        self, head: list[Rounds], base: list[Rounds], factor: float, statistic: str
    ) -> None:
        """A head xf moves change, low and high by xf in ratio: a verdict only moves up."""
        policy = policy_with(statistic)
        (a,) = compare_benchmarks(side(head), side(base), policy)
        (b,) = compare_benchmarks(side(head, factor), side(base), policy)
        for x, y in ((a.change, b.change), (a.low, b.low), (a.high, b.high)):
            assert x is not None
            assert y is not None
            assert 1 + y / 100 == pytest.approx(factor * (1 + x / 100), rel=1e-9)
        rank = [Verdict.IMPROVED, Verdict.UNCHANGED, Verdict.REGRESSED]
        assert rank.index(b.verdict) >= rank.index(a.verdict)


class TestSymmetry:
    @DEADLINE
    @given(sides(names=("a",)), sides(names=("a",)), STATISTICS)
    def test_swapping_sides_mirrors_the_interval(
        self, head: list[Rounds], base: list[Rounds], statistic: str
    ) -> None:
        """Swapped sides give the reciprocal ratio and interval; improved becomes regressed."""
        policy = policy_with(statistic)
        (a,) = compare_benchmarks(side(head), side(base), policy)
        (b,) = compare_benchmarks(side(base), side(head), policy)
        assert a.change is not None
        assert a.low is not None
        assert a.high is not None
        assert b.change is not None
        assert b.low is not None
        assert b.high is not None
        assert (1 + a.change / 100) * (1 + b.change / 100) == pytest.approx(1.0, rel=1e-6)
        assert (1 + a.low / 100) * (1 + b.high / 100) == pytest.approx(1.0, rel=1e-6)
        assert (1 + a.high / 100) * (1 + b.low / 100) == pytest.approx(1.0, rel=1e-6)
        if a.verdict is Verdict.IMPROVED:
            assert b.verdict is Verdict.REGRESSED
        if a.verdict is Verdict.REGRESSED and a.low > 100 * 5 / 95 + 1e-6:
            assert b.verdict is Verdict.IMPROVED

    @DEADLINE
    @given(sides(), sides(), STATISTICS, st.randoms(use_true_random=False))
    def test_run_order_does_not_matter(
        self, head: list[Rounds], base: list[Rounds], statistic: str, rng: random.Random
    ) -> None:
        """Shuffling the runs of a side changes nothing."""
        policy = policy_with(statistic)
        plain = compare_benchmarks(side(head), side(base), policy)
        shuffled = compare_benchmarks(
            side(rng.sample(head, len(head))), side(rng.sample(base, len(base))), policy
        )
        for a, b in zip(plain, shuffled, strict=True):
            assert b.verdict is a.verdict
            for x, y in ((a.change, b.change), (a.low, b.low), (a.high, b.high)):
                assert y == pytest.approx(x, rel=1e-9, abs=1e-9)


class TestNames:
    @DEADLINE
    @given(
        st.sets(st.sampled_from("abcdef"), min_size=1),
        st.sets(st.sampled_from("abcdef"), min_size=1),
    )
    def test_new_and_missing_follow_the_names(self, head: set[str], base: set[str]) -> None:
        """Head-only benchmarks are new, base-only ones missing, the rest compared."""
        h = [to_run({n: [1.0] for n in sorted(head)})]
        b = [to_run({n: [1.0] for n in sorted(base)})]
        verdicts = {
            c.name[len("t.py::") :]: c.verdict for c in compare_benchmarks(h, b, BenchmarkPolicy())
        }
        assert verdicts == {
            **dict.fromkeys(head - base, Verdict.NEW),
            **dict.fromkeys(base - head, Verdict.MISSING),
            **dict.fromkeys(head & base, Verdict.UNCHANGED),
        }
