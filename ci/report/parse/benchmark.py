"""Read pytest-benchmark JSON files (3.x, 4.x, 5.x) into a :class:`BenchmarkRun`.

What is kept: every benchmark's identity (name, fullname, group, params), pytest-benchmark's
summary statistics, and every round's timing (``stats.data``), which a regression check
needs to build an interval rather than compare two means. ``--benchmark-json`` always
writes ``stats.data``; ``--benchmark-save``/``--benchmark-autosave`` write it only with
``--benchmark-save-data``. A file without it still loads, with a warning.

Format check on load, like coverage.py's ``FORMAT_VERSION``: the file must say which
pytest-benchmark wrote it, and only majors 3 to 5 are read (their layout is the same);
``ops``, missing before 3.1, is back-filled as ``1 / mean`` as pytest-benchmark's own
``normalize_stats`` does. Timings must be finite and not negative.

Bad input raises :class:`ci.errors.InputError`: one line with the file, the problem and
what to do.
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

from ci.errors import InputError
from ci.report.model import Benchmark, BenchmarkRun, BenchmarkStats, CommitInfo, MachineInfo
from ci.report.parse._json import (
    ShapeError,
    expect_count,
    expect_list,
    expect_object,
    expect_str,
    expect_timing,
    load_json,
)

__all__ = ["SUPPORTED_MAJORS", "is_benchmark_json", "parse_benchmark"]

#: The pytest-benchmark major versions whose JSON layout this reader knows.
SUPPORTED_MAJORS = frozenset({3, 4, 5})
_WHAT = "pytest-benchmark JSON"
_REMEDY = "re-run the benchmarks with pytest --benchmark-json=PATH"
_TIMINGS = (
    "min", "max", "mean", "stddev", "median", "iqr", "q1", "q3", "ld15iqr", "hd15iqr", "total",
)  # fmt: skip
_NO_DATA = (
    "no benchmark has its round timings (stats.data); write the file with --benchmark-json, "
    "or add --benchmark-save-data to --benchmark-save"
)


def is_benchmark_json(document: object) -> bool:
    """Tell whether a decoded JSON document is a pytest-benchmark run."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("benchmarks"), list)
        and ("machine_info" in document or "version" in document)
    )


def parse_benchmark(path: Path) -> BenchmarkRun:
    """Read one pytest-benchmark JSON file; raise :class:`InputError` when it is unusable."""
    document = load_json(path, what=_WHAT, remedy=_REMEDY)
    try:
        root = expect_object(document, "the document")
        version = _check_version(root)
        benchmarks = tuple(
            _benchmark(item, index)
            for index, item in enumerate(expect_list(root.get("benchmarks"), "'benchmarks'"))
        )
        machine = _machine(expect_object(root.get("machine_info", {}), "'machine_info'"))
        commit = _commit(expect_object(root.get("commit_info", {}), "'commit_info'"))
    except ShapeError as error:
        msg = f"{path}: {error}; {_REMEDY}"
        raise InputError(msg) from None
    when, warnings = _datetime(root.get("datetime"))
    warnings += _data_warnings(benchmarks)
    return BenchmarkRun(
        path=path,
        version=version,
        datetime=when,
        machine_info=machine,
        commit_info=commit,
        benchmarks=benchmarks,
        warnings=tuple(warnings),
    )


def _check_version(root: dict[str, object]) -> str:
    """Return the writer's version if this reader knows its major, else raise."""
    if not is_benchmark_json(root):
        msg = "is not a pytest-benchmark run (no 'benchmarks' array beside 'machine_info')"
        raise ShapeError(msg)
    version = expect_str(root.get("version"), "'version'")
    major = version.split(".", 1)[0]
    if not major.isdigit() or int(major) not in SUPPORTED_MAJORS:
        known = ", ".join(f"{number}.x" for number in sorted(SUPPORTED_MAJORS))
        msg = f"was written by pytest-benchmark {version!r}, and this reader knows {known}"
        raise ShapeError(msg)
    return version


def _benchmark(item: object, index: int) -> Benchmark:
    """Read one entry of ``benchmarks``."""
    where = f"benchmarks[{index}]"
    entry = expect_object(item, where)
    name = expect_str(entry.get("name"), f"{where}.name")
    where = f"benchmark {name!r}"
    if "stats" not in entry:
        msg = f"{where} has no 'stats' (was it written with --benchmark-json?)"
        raise ShapeError(msg)
    stats = expect_object(entry["stats"], f"{where}: 'stats'")
    group, param = entry.get("group"), entry.get("param")
    return Benchmark(
        name=name,
        fullname=expect_str(entry.get("fullname", name), f"{where}: 'fullname'"),
        group=None if group is None else expect_str(group, f"{where}: 'group'"),
        params=expect_object(entry.get("params") or {}, f"{where}: 'params'"),
        param=None if param is None else str(param),
        extra_info=expect_object(entry.get("extra_info") or {}, f"{where}: 'extra_info'"),
        options=expect_object(entry.get("options") or {}, f"{where}: 'options'"),
        stats=_stats(stats, where),
        data=tuple(
            expect_timing(value, f"{where}: stats.data[{round_}]")
            for round_, value in enumerate(
                expect_list(stats.get("data", []), f"{where}: stats.data")
            )
        ),
    )


def _stats(stats: dict[str, object], where: str) -> BenchmarkStats:
    """Read the summary statistics, back-filling ``ops`` like ``normalize_stats``."""
    timings = {key: expect_timing(stats.get(key), f"{where}: stats.{key}") for key in _TIMINGS}
    if "ops" in stats:
        ops = expect_timing(stats["ops"], f"{where}: stats.ops")
    else:  # files older than pytest-benchmark 3.1
        ops = 1 / timings["mean"] if timings["mean"] > 0 else math.inf

    def count(key: str, default: object = None) -> int:
        return expect_count(stats.get(key, default), f"{where}: stats.{key}")

    return BenchmarkStats(
        **timings,
        ops=ops,
        rounds=count("rounds"),
        iterations=count("iterations", 1),
        iqr_outliers=count("iqr_outliers"),
        stddev_outliers=count("stddev_outliers"),
        outliers=str(stats.get("outliers", "")),
    )


def _machine(info: dict[str, object]) -> MachineInfo:
    """Pick the fields a report shows from ``machine_info``; keep the rest as ``raw``."""
    cpu = info.get("cpu")
    brand = cpu.get("brand_raw", cpu.get("brand", "")) if isinstance(cpu, dict) else ""
    return MachineInfo(
        node=str(info.get("node", "")),
        machine=str(info.get("machine", "")),
        processor=str(info.get("processor", "")),
        system=str(info.get("system", "")),
        release=str(info.get("release", "")),
        python_implementation=str(info.get("python_implementation", "")),
        python_version=str(info.get("python_version", "")),
        cpu=str(brand),
        raw=info,
    )


def _commit(info: dict[str, object]) -> CommitInfo:
    """Pick the fields a report shows from ``commit_info``; keep the rest as ``raw``."""

    def text(key: str) -> str | None:
        value = info.get(key)
        return None if value is None else str(value)

    dirty = info.get("dirty")
    return CommitInfo(
        id=text("id"),
        time=text("time"),
        branch=text("branch"),
        project=text("project"),
        dirty=dirty if isinstance(dirty, bool) else None,
        error=text("error"),
        raw=info,
    )


def _datetime(value: object) -> tuple[_dt.datetime | None, list[str]]:
    """Parse the run's ``datetime``; files before 5.0 wrote naive UTC times."""
    if value is None:
        return None, ["the file has no 'datetime'"]
    try:
        when = _dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None, [f"'datetime' is {value!r}, not an ISO 8601 time; ignored"]
    return (when if when.tzinfo else when.replace(tzinfo=_dt.UTC)), []


def _data_warnings(benchmarks: tuple[Benchmark, ...]) -> list[str]:
    """Say when round timings are missing or do not match the number of rounds."""
    if benchmarks and not any(benchmark.data for benchmark in benchmarks):
        return [_NO_DATA]
    return [
        f"benchmark {b.name!r} has {len(b.data)} round timings but {b.stats.rounds} rounds"
        for b in benchmarks
        if b.data and len(b.data) != b.stats.rounds
    ]
