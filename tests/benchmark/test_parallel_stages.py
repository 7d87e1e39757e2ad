"""Wall time of the four test stages with ``nox -j auto`` against ``nox -j 1``.

Measured on the sample project (a real adopter of noxci), interleaved: each round runs
``nox -t tests -j 1`` (the reference, in pedantic's setup) and then ``nox -t tests -j auto``
(the measured run), so both see the same machine. The figure is the ratio of medians.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from pytest_benchmark.fixture import BenchmarkFixture

from tests.sample_harness import copy_sample, run_nox

ROUNDS = 3


def test_parallel_against_sequential(
    benchmark: BenchmarkFixture, tmp_path: Path, shared_envdir: Path
) -> None:
    """``-j auto`` against ``-j 1`` for unit, integration, snapshot and property."""
    project = copy_sample(tmp_path / "sample")
    warm = run_nox(project, shared_envdir, "-t", "tests", "-j", "1")
    assert warm.returncode == 0, warm.output[-3000:]
    sequential: list[float] = []
    parallel: list[float] = []

    def reference() -> None:
        run = run_nox(project, shared_envdir, "-t", "tests", "-j", "1")
        assert run.returncode == 0, run.output[-3000:]
        sequential.append(run.seconds)

    def measured() -> None:
        run = run_nox(project, shared_envdir, "-t", "tests", "-j", "auto")
        assert run.returncode == 0, run.output[-3000:]
        parallel.append(run.seconds)

    benchmark.pedantic(measured, setup=reference, rounds=ROUNDS, iterations=1)
    ratio = statistics.median(parallel) / statistics.median(sequential)
    benchmark.extra_info.update(
        {
            "sequential_s": sequential,
            "parallel_s": parallel,
            "ratio_parallel_to_sequential": ratio,
        }
    )
    assert len(sequential) == len(parallel) == ROUNDS
    for stage in ("unit", "integration", "snapshot", "property"):
        assert (project / "reports" / "junit" / f"{stage}.xml").is_file()
    print(
        f"-j auto / -j 1 = {ratio:.2f} (medians {statistics.median(parallel):.1f}s / {statistics.median(sequential):.1f}s)"
    )
