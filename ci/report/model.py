"""The report model: frozen dataclasses and enums that every pipeline step shares.

Parsers turn artifacts into these values, evaluators compare them, renderers print them.
This module does no I/O and imports nothing of ours, so every step can depend on it and
it can depend on nothing (DESIGN.md, "Repository layout").

Sections: tests (JUnit), then coverage, benchmarks, the report and diff coverage (added
below, each under a ``# --- <name> ---`` header).
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ID_SEPARATOR",
    "Annotation",
    "AnnotationLevel",
    "Baseline",
    "Benchmark",
    "BenchmarkComparison",
    "BenchmarkRun",
    "BenchmarkStats",
    "CommitInfo",
    "Counts",
    "CoverageFormat",
    "CoverageReport",
    "CoverageTotals",
    "DiffCoverage",
    "FileCoverage",
    "GateResult",
    "InputKind",
    "InputStatus",
    "JUnitReport",
    "MachineInfo",
    "Outcome",
    "Report",
    "RunInfo",
    "StageCoverage",
    "TestCase",
    "TestsResult",
    "Verdict",
    "case_id",
]

# --- tests ---

#: What joins the parts of a test id (the pytest node-id separator).
ID_SEPARATOR = "::"


class Outcome(enum.StrEnum):
    """The final outcome of one test (DESIGN.md, "Counting rule")."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


def case_id(*, classname: str, name: str, file: str | None = None) -> str:
    """Return the stable id of a test: ``[file::][classname::]name``.

    The parts are joined by :data:`ID_SEPARATOR`; an empty ``classname`` and an unknown
    ``file`` are left out (with no separator). ``file`` is only what the JUnit file says
    (pytest ``xunit1``'s ``file`` attribute, jest-junit's ``file``…), never guessed.
    Examples: ``tests/test_a.py::tests.test_a.TestX::test_y``, ``suite::case``, ``case``.
    """
    parts = [part for part in (file, classname) if part]
    return ID_SEPARATOR.join([*parts, name])


@dataclass(frozen=True, kw_only=True, slots=True)
class TestCase:
    """One distinct test, by its final outcome after any reruns."""

    __test__ = False  # not a pytest test class, despite the name

    #: The stage the test ran in (the JUnit file stem unless configured).
    stage: str
    #: The JUnit ``classname`` ("" when the file gives none).
    classname: str
    #: The JUnit ``name``.
    name: str
    #: The source file, only where the JUnit file gives it.
    file: str | None = None
    #: The source line, only where the JUnit file gives it.
    line: int | None = None
    outcome: Outcome = Outcome.PASSED
    #: Seconds of the final attempt (0.0 when the file gives no valid ``time``).
    duration_s: float = 0.0
    #: The one-line message of a failure, error or skip ("" when none).
    message: str = ""
    #: A bounded excerpt of the failure text (first and last lines, a few KB at most).
    excerpt: str = ""
    #: How many extra attempts ran before the final one.
    reruns: int = 0
    #: Failed at least once, then passed on a rerun (counted as passed and as flaky).
    flaky: bool = False

    @property
    def id(self) -> str:
        """The stable id, as :func:`case_id` builds it."""
        return case_id(classname=self.classname, name=self.name, file=self.file)


@dataclass(frozen=True, kw_only=True, slots=True)
class Counts:
    """Test counts that add across files and stages (``sum(counts, Counts())``).

    ``total == passed + failed + errors + skipped``; ``flaky`` counts tests that are
    also in ``passed``; ``duration_s`` sums the final attempts' times.
    """

    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    flaky: int = 0
    duration_s: float = 0.0

    def __add__(self, other: Counts) -> Counts:
        """Return the counts of both operands together."""
        return Counts(
            total=self.total + other.total,
            passed=self.passed + other.passed,
            failed=self.failed + other.failed,
            errors=self.errors + other.errors,
            skipped=self.skipped + other.skipped,
            flaky=self.flaky + other.flaky,
            duration_s=self.duration_s + other.duration_s,
        )

    def __radd__(self, other: int) -> Counts:
        """Support ``sum(counts)`` with its default start of ``0``."""
        if other != 0:
            return NotImplemented
        return self

    @property
    def ok(self) -> bool:
        """No test failed or errored."""
        return self.failed == 0 and self.errors == 0


@dataclass(frozen=True, kw_only=True, slots=True)
class JUnitReport:
    """What one JUnit XML file holds: its counts and only the tests worth showing.

    Passed tests are counted but not kept (memory stays flat in the number of tests);
    ``cases`` holds the failed, errored and flaky ones, in file order.
    """

    path: Path
    stage: str
    counts: Counts
    #: The failed, errored and flaky tests (skipped ones are only counted).
    cases: tuple[TestCase, ...] = ()
    #: Problems that did not stop the file from being read, one line each.
    warnings: tuple[str, ...] = field(default=())
    #: The ids of the skipped tests, sorted.
    skipped_ids: tuple[str, ...] = ()
    #: Every test's duration in seconds by id (its final attempt's), when the reader was
    #: asked for every test (``None`` otherwise).
    durations: Mapping[str, float] | None = None

    @property
    def ids(self) -> frozenset[str] | None:
        """Every test's id, when the reader was asked for them (``None`` otherwise)."""
        return None if self.durations is None else frozenset(self.durations)


# --- coverage ---


class CoverageFormat(enum.StrEnum):
    """The flavour of a coverage input (what :mod:`ci.report.parse.coverage` read)."""

    #: coverage.py data files (``.coverage``, ``.coverage.*``), combined by coverage.py.
    DATA = "data"
    #: coverage.py's JSON report (``coverage json``, format 3).
    JSON = "json"
    #: Cobertura XML, from coverage.py or another tool.
    COBERTURA = "cobertura"


@dataclass(frozen=True, kw_only=True, slots=True)
class CoverageTotals:
    """Line and branch counts that add across files (``sum(totals, CoverageTotals())``).

    ``percent`` is coverage.py's ``Numbers.pc_covered``: lines and branches together, so
    it equals the total of ``coverage report`` on the same data, branches included.
    """

    covered_lines: int = 0
    num_statements: int = 0
    covered_branches: int = 0
    num_branches: int = 0

    def __add__(self, other: CoverageTotals) -> CoverageTotals:
        """Return the counts of both operands together."""
        return CoverageTotals(
            covered_lines=self.covered_lines + other.covered_lines,
            num_statements=self.num_statements + other.num_statements,
            covered_branches=self.covered_branches + other.covered_branches,
            num_branches=self.num_branches + other.num_branches,
        )

    def __radd__(self, other: int) -> CoverageTotals:
        """Support ``sum(totals)`` with its default start of ``0``."""
        if other != 0:
            return NotImplemented
        return self

    @property
    def missing_lines(self) -> int:
        """How many statements never ran."""
        return self.num_statements - self.covered_lines

    @property
    def missing_branches(self) -> int:
        """How many branch exits were never taken."""
        return self.num_branches - self.covered_branches

    @property
    def percent(self) -> float:
        """The precise percentage, computed exactly like coverage.py (100.0 when empty)."""
        denominator = self.num_statements + self.num_branches
        if denominator > 0:
            return (100.0 * (self.covered_lines + self.covered_branches)) / denominator
        return 100.0


@dataclass(frozen=True, kw_only=True, slots=True)
class FileCoverage:
    """The coverage of one source file: its lines, its branches and their counts.

    Branch arcs are ``(from_line, to_line)`` pairs as coverage.py reports them (a negative
    ``to_line`` leaves the code object); Cobertura gives only branch counts, no arcs.
    """

    #: The file as the report names it (relative to the project when coverage.py can).
    path: str
    totals: CoverageTotals
    executed_lines: tuple[int, ...] = ()
    missing_lines: tuple[int, ...] = ()
    excluded_lines: tuple[int, ...] = ()
    executed_branches: tuple[tuple[int, int], ...] = ()
    missing_branches: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class CoverageReport:
    """The coverage of a whole run: every measured file and the totals they add up to."""

    format: CoverageFormat
    #: The input files that were read (several data files are combined into one report).
    paths: tuple[Path, ...]
    #: One entry per source file, sorted by path.
    files: tuple[FileCoverage, ...]
    #: The sum of every file's totals.
    totals: CoverageTotals
    #: Whether branches were measured (``num_branches`` is 0 otherwise).
    branch: bool = False
    #: Problems that did not stop the inputs from being read, one line each.
    warnings: tuple[str, ...] = ()

    @property
    def percent(self) -> float:
        """The total percentage, as ``coverage report`` computes it."""
        return self.totals.percent

    def file(self, path: str) -> FileCoverage | None:
        """Return the coverage of one file by its reported path, ``None`` if not measured."""
        return next((entry for entry in self.files if entry.path == path), None)

    def missing_lines_by_file(self) -> dict[str, tuple[int, ...]]:
        """Return the missing lines of every file that has any, by path."""
        return {entry.path: entry.missing_lines for entry in self.files if entry.missing_lines}


# --- benchmarks ---


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchmarkStats:
    """pytest-benchmark's summary of one benchmark, in seconds per iteration."""

    min: float
    max: float
    mean: float
    stddev: float
    median: float
    iqr: float
    q1: float
    q3: float
    ld15iqr: float
    hd15iqr: float
    #: Operations per second, ``1 / mean`` (back-filled for files older than 3.1).
    ops: float
    total: float
    rounds: int
    iterations: int
    iqr_outliers: int
    stddev_outliers: int
    #: pytest-benchmark's ``"<stddev outliers>;<iqr outliers>"`` text.
    outliers: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Benchmark:
    """One benchmark of a pytest-benchmark run: who it is, its summary and its rounds."""

    name: str
    fullname: str
    group: str | None = None
    #: The test's parameters (``{}`` when it is not parametrized).
    params: Mapping[str, object] = field(default_factory=dict, hash=False)
    #: The parameter id (``None`` when it is not parametrized).
    param: str | None = None
    extra_info: Mapping[str, object] = field(default_factory=dict, hash=False)
    #: How it ran (timer, min_rounds, max_time, warmup...), as pytest-benchmark records it.
    options: Mapping[str, object] = field(default_factory=dict, hash=False)
    stats: BenchmarkStats
    #: Every round's time per iteration (``stats.data``); empty when the file has none.
    data: tuple[float, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class MachineInfo:
    """Where a benchmark run ran (pytest-benchmark's ``machine_info``)."""

    node: str = ""
    machine: str = ""
    processor: str = ""
    system: str = ""
    release: str = ""
    python_implementation: str = ""
    python_version: str = ""
    #: The CPU's brand string ("" when py-cpuinfo gave none).
    cpu: str = ""
    #: Everything the file says, for renderers that want more.
    raw: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class CommitInfo:
    """Which commit a benchmark run measured (pytest-benchmark's ``commit_info``)."""

    id: str | None = None
    time: str | None = None
    branch: str | None = None
    project: str | None = None
    dirty: bool | None = None
    #: Why pytest-benchmark could not tell (outside a repository, say); ``None`` if it could.
    error: str | None = None
    raw: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchmarkRun:
    """What one pytest-benchmark JSON file holds."""

    path: Path
    #: The pytest-benchmark version that wrote the file.
    version: str
    #: When the run ended, as the file says (pytest-benchmark writes UTC).
    datetime: _dt.datetime | None
    machine_info: MachineInfo
    commit_info: CommitInfo
    benchmarks: tuple[Benchmark, ...]
    #: Problems that did not stop the file from being read, one line each.
    warnings: tuple[str, ...] = ()


# --- report ---


class InputKind(enum.StrEnum):
    """What an input file holds (``report.json`` ``inputs[].kind``)."""

    JUNIT = "junit"
    COVERAGE = "coverage"
    BENCHMARK = "benchmark"


@dataclass(frozen=True, kw_only=True, slots=True)
class InputStatus:
    """One input of a report, read or not (``report.json`` ``inputs[]``)."""

    path: str
    kind: InputKind | None
    #: Why it could not be read: one line naming the file, the problem and what to do.
    error: str | None = None

    @property
    def ok(self) -> bool:
        """The input was read."""
        return self.error is None


@dataclass(frozen=True, kw_only=True, slots=True)
class GateResult:
    """One gate's decision, with a one-line detail a person understands."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True, kw_only=True, slots=True)
class TestsResult:
    """Every JUnit input together: counts overall and per stage, and the tests worth showing."""

    __test__ = False  # not a pytest test class, despite the name

    counts: Counts = field(default_factory=Counts)
    stages: Mapping[str, Counts] = field(default_factory=dict, hash=False)
    #: Failed, errored and flaky tests, in input order.
    cases: tuple[TestCase, ...] = ()
    #: Ids of every failed or errored test (sorted), whether or not a baseline is known.
    failing: tuple[str, ...] = ()
    #: Ids of every skipped test (sorted): what a later run's "newly skipped" compares with.
    skipped_ids: tuple[str, ...] = ()
    # The comparison with the baseline (all empty without one), each sorted by id.
    #: Failing now, and passed, was skipped or did not exist in the baseline.
    new_failures: tuple[str, ...] = ()
    #: Failing in the baseline, passed now.
    fixed: tuple[str, ...] = ()
    #: Failing in the baseline and now.
    still_failing: tuple[str, ...] = ()
    #: Skipped now, ran (passed or failed) in the baseline.
    newly_skipped: tuple[str, ...] = ()
    #: In the baseline, not run now (only as far as the baseline lists its tests).
    removed: tuple[str, ...] = ()
    #: Failing now, and known to be flaky from the history store (sorted).
    known_flaky: tuple[str, ...] = ()


class Verdict(enum.StrEnum):
    """What the comparison of one benchmark with its baseline decided."""

    REGRESSED = "regressed"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    #: In the head only (or no baseline at all).
    NEW = "new"
    #: In the baseline only.
    MISSING = "missing"


@dataclass(frozen=True, kw_only=True, slots=True)
class BenchmarkComparison:
    """One benchmark, head against baseline (``report.json`` ``benchmarks[]``).

    ``change``, ``low`` and ``high`` are percent (``+31.0`` is 31% slower); the interval
    ``low … high`` is where the true change lies at the configured confidence.
    """

    #: The benchmark's fullname (``tests/benchmark/test_x.py::test_parse[big]``).
    name: str
    unit: str = "s"
    #: The statistic's value on the baseline side (``None``: not in the baseline).
    base: float | None = None
    #: The statistic's value on the head side (``None``: missing from the head).
    head: float | None = None
    change: float | None = None
    low: float | None = None
    high: float | None = None
    verdict: Verdict = Verdict.NEW
    #: The statistic compared ("median", "mean" or "min").
    statistic: str = "median"
    #: The smallest change in percent that counts (``min-change``).
    min_change: float = 5.0
    #: How many runs (pytest-benchmark JSON files) each side had.
    head_runs: int = 0
    base_runs: int = 0
    #: One line on how the interval was made ("" when there is nothing to say).
    note: str = ""
    #: Earlier values of the statistic, oldest first (from history; empty without).
    history: tuple[float, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class StageCoverage:
    """The coverage one stage's tests reached on their own, and its floor if any."""

    stage: str
    percent: float
    fail_under: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Baseline:
    """The base side of a comparison, read from a ``report.json`` or a directory of artifacts.

    A ``report.json`` baseline lists only its failing and skipped tests
    (``tests_complete`` False: a test that passed there and is gone now is not "removed").
    """

    #: Where it came from (a path).
    source: str
    #: The final outcome of each test the baseline lists, by id.
    outcomes: Mapping[str, Outcome] = field(default_factory=dict, hash=False)
    #: Whether ``outcomes`` holds every test of the baseline run.
    tests_complete: bool = True
    #: The coverage total in percent (``None``: the baseline has none).
    coverage_percent: float | None = None
    #: Per file: (covered, coverable) as coverage.py counts them (lines + branches).
    coverage_files: Mapping[str, tuple[int, int]] = field(default_factory=dict, hash=False)
    #: The baseline's benchmark runs, each a pytest-benchmark JSON file read.
    benchmark_runs: tuple[BenchmarkRun, ...] = ()
    #: The commit the baseline ran on, when known.
    commit: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RunInfo:
    """Where and when this report was made (the footer): all optional, from the environment."""

    commit: str | None = None
    #: A link to the CI run (``$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID``).
    run_url: str | None = None
    #: When the report was made, ISO 8601 UTC.
    time: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Report:
    """Everything a verdict rests on; ``report.json`` is its rendering."""

    inputs: tuple[InputStatus, ...]
    tests: TestsResult
    coverage: CoverageReport | None
    benchmarks: tuple[BenchmarkRun, ...]
    gates: tuple[GateResult, ...]
    #: The coverage of the changed lines, when a diff was given.
    diff: DiffCoverage | None = None
    #: Every benchmark of the head (and the baseline's missing ones), compared or "new".
    comparisons: tuple[BenchmarkComparison, ...] = ()
    #: The baseline compared with (``None``: none was given).
    baseline: Baseline | None = None
    #: Coverage total minus the baseline's, in percentage points (``None``: no baseline).
    coverage_delta: float | None = None
    #: Per-stage coverage (only for stages with their own data files).
    stage_coverage: tuple[StageCoverage, ...] = ()
    #: Files whose coverage fell against the baseline, most lost first:
    #: (path, base percent, head percent); a removed file is not listed.
    coverage_lost: tuple[tuple[str, float, float], ...] = ()
    #: Earlier coverage totals in percent, oldest first (from history; empty without).
    coverage_history: tuple[float, ...] = ()
    run: RunInfo = field(default_factory=RunInfo)

    @property
    def passed(self) -> bool:
        """Every gate passed."""
        return all(gate.passed for gate in self.gates)


# --- diff coverage ---


@dataclass(frozen=True, kw_only=True, slots=True)
class DiffCoverage:
    """The coverage of the lines a change adds or modifies (``report.json`` ``coverage.diff``).

    Line-based, like diff-cover: a changed line counts when coverage.py measured it (an
    executable line that is not excluded), and is covered when it ran. Paths are relative to
    the git repository's root, as git names them.
    """

    #: Where the changed lines came from (``origin/main...HEAD`` or a diff file's path).
    source: str = ""
    #: Changed executable lines that ran.
    covered: int = 0
    #: Changed executable lines.
    total: int = 0
    #: The changed executable lines that never ran, by path (only paths that have any).
    uncovered: Mapping[str, tuple[int, ...]] = field(default_factory=dict, hash=False)
    #: Changed lines that ran but left a branch never taken, by path (branch data only).
    partial: Mapping[str, tuple[int, ...]] = field(default_factory=dict, hash=False)

    @property
    def percent(self) -> float | None:
        """Covered changed lines in percent; ``None`` when no changed line is executable."""
        return 100.0 * self.covered / self.total if self.total else None


# --- annotations ---


class AnnotationLevel(enum.StrEnum):
    """How severe an annotation is (GitHub's check-run ``annotation_level``)."""

    NOTICE = "notice"
    WARNING = "warning"
    FAILURE = "failure"


@dataclass(frozen=True, kw_only=True, slots=True)
class Annotation:
    """A message attached to lines of a file: a check-run annotation or a workflow command."""

    #: The file, relative to the repository root, as GitHub names it.
    path: str
    start_line: int
    end_line: int
    level: AnnotationLevel
    #: What happened, in plain text (shown under the line).
    message: str
    #: A one-line heading ("" when none).
    title: str = ""
    #: Longer plain text shown folded (a traceback excerpt; "" when none).
    raw_details: str = ""
