"""The verdict-quality suite: ten benchmarks of real work (see ``bench_work``)."""

from __future__ import annotations

import pytest
from bench_work import UNITS, repetitions
from pytest_benchmark.fixture import BenchmarkFixture


@pytest.mark.parametrize("name", sorted(UNITS))
def test_work(benchmark: BenchmarkFixture, name: str) -> None:
    """Repeat one unit of real work as often as the scale says."""
    unit = UNITS[name]
    reps = range(repetitions(name))

    def work() -> None:
        for _ in reps:
            unit()

    benchmark(work)
