"""Timings of building and combining large interval sets."""

from __future__ import annotations

from pytest_benchmark.fixture import BenchmarkFixture

from sampleproj import IntervalSet

PAIRS = [((i * 7919) % 5000, (i * 7919) % 5000 + 3) for i in range(2000)]


def test_build(benchmark: BenchmarkFixture) -> None:
    """Normalizing 2,000 scattered intervals."""
    result = benchmark(IntervalSet.of, *PAIRS)
    assert result.size() == IntervalSet.of(*PAIRS).size()


def test_intersection(benchmark: BenchmarkFixture) -> None:
    """Intersecting two sets of a thousand intervals each."""
    left = IntervalSet.of(*((i * 10, i * 10 + 6) for i in range(1000)))
    right = IntervalSet.of(*((i * 10 + 3, i * 10 + 9) for i in range(1000)))
    result = benchmark(lambda: left & right)
    assert result.size() == 3000
