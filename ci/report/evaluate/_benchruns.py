"""Benchmarks matched across runs, and how disturbed a run was around each benchmark.

A benchmark meets itself across runs and sides by ``fullname`` (its first copy in a run
counts). Where it sat matters too: pytest-benchmark writes a run's benchmarks in the order
they ran, and other load on a machine lasts seconds, so it slows the benchmarks that ran
next to each other together. With one run per side that is the only trace a disturbance
leaves: a run whose median round sits further above its fastest round than the other
run's does (its *spread*, :class:`RunSummary`), by more than the assumed run-to-run noise,
was probably slowed, and so were its neighbours. :func:`stretch` is the largest such
excess among a benchmark and its ``reach`` neighbours on each side, in one run. For the
minimum, which a partial slowdown does not move, its own spread is left out and the
neighbours' spread is taken up to their tenth percentile, not their median: only a
disturbance that slowed nearly all of a neighbour's rounds hints that one slowed all of
this benchmark's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ci.report.model import Benchmark, BenchmarkRun, MachineInfo

__all__ = ["Matched", "Seat", "match_runs", "stretch"]


@dataclass(frozen=True, slots=True)
class Seat:
    """Where a benchmark sat: which run of its side, and its place in that run."""

    run: int
    position: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Matched:
    """One benchmark with every run of it on each side, and where each sat."""

    fullname: str
    name: str
    head: list[tuple[Benchmark, MachineInfo]] = field(default_factory=list)
    base: list[tuple[Benchmark, MachineInfo]] = field(default_factory=list)
    head_seats: list[Seat] = field(default_factory=list)
    base_seats: list[Seat] = field(default_factory=list)


def match_runs(head: Sequence[BenchmarkRun], base: Sequence[BenchmarkRun]) -> list[Matched]:
    """Every fullname in the head (in order), then those only in the base."""
    found: dict[str, Matched] = {}
    for is_base, runs in enumerate((head, base)):
        for index, run in enumerate(runs):
            seen: set[str] = set()
            for position, bench in enumerate(run.benchmarks):
                if bench.fullname in seen:
                    continue
                seen.add(bench.fullname)
                matched = found.setdefault(
                    bench.fullname, Matched(fullname=bench.fullname, name=bench.name)
                )
                runs_of, seats = (
                    (matched.base, matched.base_seats)
                    if is_base
                    else (matched.head, matched.head_seats)
                )
                runs_of.append((bench, run.machine_info))
                seats.append(Seat(index, position))
    return list(found.values())


def stretch(excess: Mapping[Seat, float], seat: Seat, reach: int, *, own: bool = True) -> float:
    """The largest excess spread within ``reach`` places of ``seat`` in its run.

    ``own=False`` leaves the benchmark's own spread out: a minimum is not moved by a
    disturbance that slowed only some of its rounds, but one that slowed all of them
    still shows in the rounds of the benchmarks that ran next to it.
    """
    return max(
        excess.get(Seat(seat.run, seat.position + offset), 0.0)
        for offset in range(-reach, reach + 1)
        if own or offset
    )
