"""Tests of ci.report.parse.benchmark on real pytest-benchmark 3.x, 4.x and 5.x files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from ci.errors import InputError
from ci.report.model import BenchmarkStats
from ci.report.parse.benchmark import is_benchmark_json, parse_benchmark

DATA = Path(__file__).parents[3] / "data" / "benchmark"
REMEDY = "re-run the benchmarks with pytest --benchmark-json=PATH"
NAMES = ("test_sort[10]", "test_sort[1000]", "test_join")


def sample(name: str = "pytest-benchmark-5.3.1.json") -> dict[str, object]:
    """A sample file's decoded JSON, to derive variants from."""
    document = json.loads((DATA / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def first_stats(document: dict[str, object]) -> dict[str, object]:
    """The ``stats`` object of the first benchmark of ``document``."""
    benchmarks = document["benchmarks"]
    assert isinstance(benchmarks, list)
    stats = benchmarks[0]["stats"]
    assert isinstance(stats, dict)
    return stats


def write(tmp_path: Path, document: object) -> Path:
    """Write ``document`` as JSON into ``tmp_path``."""
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class TestParseBenchmark:
    """Real files of every supported pytest-benchmark major load with all their rounds."""

    def test_version_5(self) -> None:
        """A 5.x file keeps identity, summary and every round's timing exactly."""
        path = DATA / "pytest-benchmark-5.3.1.json"
        run = parse_benchmark(path)
        raw = first_stats(sample())
        assert (run.path, run.version, run.warnings) == (path, "5.3.1", ())
        assert run.datetime == dt.datetime.fromisoformat("2026-11-21T06:21:05.764110+00:00")
        assert tuple(benchmark.name for benchmark in run.benchmarks) == NAMES
        first = run.benchmarks[0]
        assert (first.fullname, first.group, dict(first.params), first.param) == (
            "test_bench.py::test_sort[10]",
            "sort",
            {"n": 10},
            "10",
        )
        assert dict(first.extra_info) == {"n": 10}
        assert isinstance(raw["data"], list)
        assert first.data == tuple(raw["data"])
        names = [field.name for field in dataclasses.fields(BenchmarkStats)]
        assert {name: getattr(first.stats, name) for name in names} == {
            name: raw[name] for name in names
        }
        assert (first.stats.rounds, first.stats.iterations, len(first.data)) == (7, 3, 7)
        assert (run.benchmarks[2].group, dict(run.benchmarks[2].params)) == (None, {})

    @pytest.mark.parametrize("version", ["3.4.1", "4.0.0"])
    def test_old_versions(self, version: str) -> None:
        """3.x and 4.x files load the same way; their naive times are UTC."""
        run = parse_benchmark(DATA / f"pytest-benchmark-{version}.json")
        assert (run.version, run.warnings) == (version, ())
        assert tuple(benchmark.name for benchmark in run.benchmarks) == NAMES
        assert [len(benchmark.data) for benchmark in run.benchmarks] == [7, 7, 5]
        assert run.datetime is not None
        assert run.datetime.tzinfo is dt.UTC

    def test_ops_back_filled(self) -> None:
        """A file older than 3.1 gets ``ops = 1 / mean``, like ``normalize_stats``."""
        run = parse_benchmark(DATA / "derived-pre-3.1-without-ops.json")
        stats = run.benchmarks[0].stats
        assert stats.ops == 1 / stats.mean

    def test_machine_and_commit(self) -> None:
        """Machine and commit info keep the fields a report shows, and the rest raw."""
        run = parse_benchmark(DATA / "pytest-benchmark-5.3.1.json")
        machine, commit = run.machine_info, run.commit_info
        assert (machine.node, machine.system, machine.python_version, machine.cpu) == (
            "vm",
            "Linux",
            "3.11.7",
            "AMD EPYC",
        )
        assert machine.raw["machine"] == "x86_64"
        assert (commit.id, commit.branch, commit.dirty, commit.error) == (
            "unversioned",
            "(unknown)",
            False,
            None,
        )

    def test_saved_without_data(self) -> None:
        """A ``--benchmark-save`` file without rounds loads, with a warning saying which flag."""
        run = parse_benchmark(DATA / "saved-without-data-5.3.1.json")
        assert [benchmark.data for benchmark in run.benchmarks] == [(), (), ()]
        assert run.warnings == (
            "no benchmark has its round timings (stats.data); write the file with "
            "--benchmark-json, or add --benchmark-save-data to --benchmark-save",
        )

    def test_rounds_mismatch_warns(self, tmp_path: Path) -> None:
        """Round timings that do not match ``rounds`` are a warning."""
        document = sample()
        first_stats(document)["data"] = [0.1, 0.2]
        run = parse_benchmark(write(tmp_path, document))
        assert run.warnings == ("benchmark 'test_sort[10]' has 2 round timings but 7 rounds",)

    @pytest.mark.parametrize(
        ("value", "warning"),
        [
            (None, "the file has no 'datetime'"),
            ("yesterday", "'datetime' is 'yesterday', not an ISO 8601 time; ignored"),
        ],
    )
    def test_bad_datetime_warns(self, tmp_path: Path, value: object, warning: str) -> None:
        """A missing or unreadable time is a warning, not a failure."""
        document = sample()
        document["datetime"] = value
        run = parse_benchmark(write(tmp_path, document))
        assert (run.datetime, run.warnings) == (None, (warning,))

    def test_commit_info_with_commit(self, tmp_path: Path) -> None:
        """A run inside a repository records its commit."""
        document = sample()
        document["commit_info"] = {
            "id": "abc123",
            "time": "2026-01-01T00:00:00+00:00",
            "dirty": True,
        }
        run = parse_benchmark(write(tmp_path, document))
        assert (run.commit_info.id, run.commit_info.time, run.commit_info.dirty) == (
            "abc123",
            "2026-01-01T00:00:00+00:00",
            True,
        )

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
    def test_bom_encodings(self, tmp_path: Path, encoding: str) -> None:
        """UTF-8 with a BOM and UTF-16/32 with a BOM load like plain UTF-8."""
        path = tmp_path / "bench.json"
        path.write_bytes((DATA / "pytest-benchmark-5.3.1.json").read_text("utf-8").encode(encoding))
        assert (
            parse_benchmark(path).benchmarks
            == parse_benchmark(DATA / "pytest-benchmark-5.3.1.json").benchmarks
        )


class TestBadBenchmarkFiles:
    """Every unusable file is one InputError line: the file, the problem, what to do."""

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            (b"", "the pytest-benchmark JSON is empty"),
            (b" \n\t ", "the pytest-benchmark JSON is empty"),
            (
                b'{"benchmarks": [',
                "the pytest-benchmark JSON is not valid JSON (Expecting value: line 1 column 17)",
            ),
            (
                b'{"version": "5.1.0", "benchm\xff',
                "the pytest-benchmark JSON is not UTF-8 text (byte 28)",
            ),
        ],
    )
    def test_unreadable(self, tmp_path: Path, content: bytes, problem: str) -> None:
        """Empty, whitespace-only, truncated and non-UTF-8 files are refused."""
        path = tmp_path / "bench.json"
        path.write_bytes(content)
        with pytest.raises(InputError) as caught:
            parse_benchmark(path)
        assert str(caught.value) == f"{path}: {problem}; {REMEDY}"

    def test_directory(self, tmp_path: Path) -> None:
        """A path that cannot be read says so."""
        with pytest.raises(
            InputError, match=r"cannot read the pytest-benchmark JSON \(Is a directory\)"
        ):
            parse_benchmark(tmp_path)

    def test_no_stats(self, tmp_path: Path) -> None:
        """A benchmark without ``stats`` is named."""
        document = sample()
        benchmarks = document["benchmarks"]
        assert isinstance(benchmarks, list)
        del benchmarks[1]["stats"]
        path = write(tmp_path, document)
        with pytest.raises(InputError) as caught:
            parse_benchmark(path)
        assert str(caught.value) == (
            f"{path}: benchmark 'test_sort[1000]' has no 'stats' "
            f"(was it written with --benchmark-json?); {REMEDY}"
        )

    @pytest.mark.parametrize(
        ("key", "value", "problem"),
        [
            ("mean", float("nan"), "stats.mean is nan; timings must be finite and not negative"),
            ("min", -1e-06, "stats.min is -1e-06; timings must be finite and not negative"),
            ("max", float("inf"), "stats.max is inf; timings must be finite and not negative"),
            ("median", "fast", 'stats.median is "fast", not a number'),
            ("rounds", 2.5, "stats.rounds is 2.5, not a count (an integer >= 0)"),
            ("data", {"a": 1}, "stats.data is an object, not an array"),
        ],
    )
    def test_bad_stats(self, tmp_path: Path, key: str, value: object, problem: str) -> None:
        """NaN, infinite, negative or mistyped statistics name the benchmark and the field."""
        document = sample()
        first_stats(document)[key] = value
        path = write(tmp_path, document)
        with pytest.raises(InputError) as caught:
            parse_benchmark(path)
        assert str(caught.value) == f"{path}: benchmark 'test_sort[10]': {problem}; {REMEDY}"

    def test_nan_round(self, tmp_path: Path) -> None:
        """A NaN among the round timings names its round."""
        document = sample()
        first_stats(document)["data"] = [0.1, float("nan")]
        path = write(tmp_path, document)
        with pytest.raises(InputError, match=r"'test_sort\[10\]': stats\.data\[1\] is nan"):
            parse_benchmark(path)

    @pytest.mark.parametrize(
        ("document", "problem"),
        [
            ([], "the document is an array, not an object"),
            (
                {"version": "5.1.0"},
                "is not a pytest-benchmark run (no 'benchmarks' array beside 'machine_info')",
            ),
            ({"benchmarks": [], "version": 5}, "'version' is 5, not a string"),
            (
                {"benchmarks": [], "version": "6.0.0"},
                "was written by pytest-benchmark '6.0.0', and this reader knows 3.x, 4.x, 5.x",
            ),
            (
                {"benchmarks": [], "version": "dev"},
                "was written by pytest-benchmark 'dev', and this reader knows 3.x, 4.x, 5.x",
            ),
            ({"benchmarks": [1], "version": "5.1.0"}, "benchmarks[0] is 1, not an object"),
            (
                {"benchmarks": [{}], "version": "5.1.0"},
                "benchmarks[0].name is missing or null, not a string",
            ),
            (
                {"benchmarks": [{"name": "b", "stats": []}], "version": "5.1.0"},
                "benchmark 'b': 'stats' is an array, not an object",
            ),
            (
                {"benchmarks": [], "version": "5.1.0", "machine_info": "x" * 50},
                "'machine_info' is \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..., not an object",
            ),
        ],
    )
    def test_bad_shape(self, tmp_path: Path, document: object, problem: str) -> None:
        """Wrong top-level shapes and unknown versions are refused, naming the place."""
        path = write(tmp_path, document)
        with pytest.raises(InputError) as caught:
            parse_benchmark(path)
        assert str(caught.value) == f"{path}: {problem}; {REMEDY}"


class TestIsBenchmarkJson:
    """Recognition of a decoded document."""

    def test_recognised(self) -> None:
        """A real run is recognised; a coverage report or a list is not."""
        assert is_benchmark_json(sample()) is True
        assert is_benchmark_json({"meta": {"format": 3}, "files": {}}) is False
        assert is_benchmark_json([]) is False
