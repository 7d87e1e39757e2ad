"""The shard simulation: a skewed suite split into 4 shards run as 4 concurrent processes.

A generated project holds 40 tests: four slow ones (4.0, 3.5, 3.0 and 2.5 s of sleep),
34 of 0.2 s, one failing and one skipped (about 20 s in all). It runs once whole (the
reference, and the source of the durations file ``python -m ci durations`` writes), then
as 4 concurrent pytest processes with exactly the pytest-split options a stage's shard
passes (:func:`ci.shards.pytest_args`): first without durations, then with them.

Balance is judged twice: on the sum of each shard's JUnit ``time`` attributes, and on each
shard process's wall time (from its start to its exit, interpreter start-up and collection
included). The slow tests sleep, so CPU contention on a busy 2-core machine barely moves
either; the wall time adds start-up and scheduling noise on top of a balanced shard's 5 s,
which the 25 % bound still leaves room for. Both figures, and pytest's own session time
(the JUnit ``testsuite`` ``time``), are printed (``-s``) with and without durations.

The durations file is also made the way a project keeps it: a real ``python -m ci report
--history`` run of the whole suite, then ``python -m ci durations`` from that store alone;
it must equal the one written from the JUnit file.

Without durations pytest-split weighs every test the same and deals them out in name
order, so the slow tests (``test_case_00``, ``_04``, ``_08``, ``_12``) land in one shard:
the contrast shows that the durations file, not luck, does the balancing.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from ci.cli import main_inner
from ci.report.discover import discover
from ci.report.inputs import read_inputs
from ci.report.model import Counts
from ci.report.parse.junit import parse_junit
from ci.shards import Shard, junit_name, pytest_args
from tests.sample_harness import copy_sample, run_nox

SHARDS = 4
SLOW = {0: 4.0, 4: 3.5, 8: 3.0, 12: 2.5}
FAST_S = 0.2
TESTS = 40
FAILING, SKIPPED = 38, 39
#: The acceptance bound: the slowest shard within 25 % of the fastest.
BOUND = 1.25


@dataclasses.dataclass(frozen=True, kw_only=True)
class Run:
    """One pytest process: its JUnit file and its wall time."""

    junit: Path
    wall_s: float


@dataclasses.dataclass(frozen=True, kw_only=True)
class Simulation:
    """The whole run, the durations files, and both sharded runs."""

    project: Path
    whole: Run
    ours: Path
    theirs: Path
    blind: tuple[Run, ...]
    balanced: tuple[Run, ...]


def _body(index: int) -> str:
    if index == FAILING:
        return "    assert 1 + 1 == 3\n"
    if index == SKIPPED:
        return '    pytest.skip("not here")\n'
    return f"    time.sleep({SLOW.get(index, FAST_S)})\n"


def write_project(root: Path) -> Path:
    """A project of four test files, ten tests each, with the slow ones named to collide."""
    tests = root / "tests"
    tests.mkdir(parents=True)
    pyproject = '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for number in range(4):
        lines = ["import time\n\nimport pytest\n"]
        cls = number % 2 == 1  # half the files keep their tests in a class
        if cls:
            lines.append("\nclass TestGroup:")
        for index in range(number, TESTS, 4):
            indent = "    " if cls else ""
            args = "self" if cls else ""
            body = "".join(f"{indent}{line}\n" for line in _body(index).splitlines())
            lines.append(f"\n{indent}def test_case_{index:02d}({args}) -> None:\n{body}")
        (tests / f"test_part_{number}.py").write_text("\n".join(lines), encoding="utf-8")
    return root


def run_pytest(project: Path, junit: Path, extra: Sequence[str]) -> Run:
    """pytest with only pytest-split as a plugin, timed from start to exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "PYTEST_"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    argv = [sys.executable, "-m", "pytest", "-p", "pytest_split.plugin", "-p", "no:cacheprovider"]
    argv += ["-q", f"--junitxml={junit}", "-o", "junit_family=xunit2", *extra]
    started = time.monotonic()
    done = subprocess.run(
        argv, cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    wall = time.monotonic() - started
    assert done.returncode in {0, 1}, done.stdout[-2000:] + done.stderr[-2000:]  # tests ran
    return Run(junit=junit, wall_s=wall)


def run_shards(project: Path, reports: Path, durations: Path) -> tuple[Run, ...]:
    """The 4 shards at once, each as a stage's shard runs it."""
    shards = [Shard(index=i, total=SHARDS) for i in range(1, SHARDS + 1)]
    junit = reports / "junit"
    with concurrent.futures.ThreadPoolExecutor(max_workers=SHARDS) as pool:
        runs = pool.map(
            lambda s: run_pytest(project, junit / junit_name("unit", s), pytest_args(s, durations)),
            shards,
        )
        return tuple(runs)


@pytest.fixture(scope="module")
def simulation(tmp_path_factory: pytest.TempPathFactory) -> Simulation:
    """Everything run once: whole, durations written, 4 shards blind, 4 shards balanced."""
    root = tmp_path_factory.mktemp("shards")
    project = write_project(root / "project")
    theirs = root / "stored_by_pytest_split.json"
    whole = run_pytest(
        project,
        root / "whole" / "junit" / "unit.xml",
        ["--store-durations", f"--durations-path={theirs}"],
    )
    ours = project / ".test_durations"
    assert main_inner(["durations", str(whole.junit), "--project", str(project)]) == 0
    blind = run_shards(project, root / "blind", root / "no-such-durations-file")
    balanced = run_shards(project, root / "balanced", ours)
    return Simulation(
        project=project, whole=whole, ours=ours, theirs=theirs, blind=blind, balanced=balanced
    )


def shard_seconds(runs: Sequence[Run]) -> list[float]:
    """Each shard's sum of JUnit test times."""
    return [parse_junit(run.junit).counts.duration_s for run in runs]


def session_seconds(run: Run) -> float:
    """pytest's own session time: the ``time`` of the JUnit file's ``testsuite``."""
    text = run.junit.read_text(encoding="utf-8")
    found = re.search(r'<testsuite [^>]*\btime="([0-9.]+)"', text)
    assert found is not None, text[:500]
    return float(found[1])


def ratio(values: Sequence[float]) -> float:
    """Slowest over fastest."""
    return max(values) / min(values)


def run_ci(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m ci ARGS`` in ``project``, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NOXCI_"))}
    return subprocess.run(
        [sys.executable, "-m", "ci", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def without_time(counts: Counts) -> Counts:
    """Counts with the duration left out (times differ from run to run)."""
    return dataclasses.replace(counts, duration_s=0.0)


class TestDurationsFile:
    def test_the_ids_pytest_split_itself_stores(self, simulation: Simulation) -> None:
        """Our file has exactly the node ids pytest-split's --store-durations writes, same times."""
        ours = json.loads(simulation.ours.read_text(encoding="utf-8"))
        theirs = json.loads(simulation.theirs.read_text(encoding="utf-8"))
        assert sorted(ours) == sorted(theirs)
        assert len(ours) == TESTS
        assert max(abs(ours[key] - theirs[key]) for key in ours) < 0.002

    def test_the_store_gives_the_same_file(self, simulation: Simulation, tmp_path: Path) -> None:
        """``report --history`` over the whole run, then ``durations`` from that store alone."""
        store, output = tmp_path / "history.sqlite", tmp_path / "from_store.json"
        junit = simulation.whole.junit.parent
        report = run_ci(simulation.project, "report", str(junit), "--history", str(store))
        assert (report.returncode, report.stderr) == (1, "")  # the one failing test
        done = run_ci(
            simulation.project, "durations", "--history", str(store), "--output", str(output)
        )
        assert (done.returncode, done.stderr) == (0, "")
        assert (
            done.stdout
            == f"noxci: {TESTS} test durations from history {store}; {TESTS} in {output}\n"
        )
        assert json.loads(output.read_text(encoding="utf-8")) == json.loads(
            simulation.ours.read_text(encoding="utf-8")
        )


class TestMergedShards:
    @pytest.mark.parametrize("which", ["blind", "balanced"])
    def test_totals_and_ids_equal_the_whole_run(self, simulation: Simulation, which: str) -> None:
        """The report's reading of the 4 shards: the whole run's counts and test ids, once each."""
        runs: tuple[Run, ...] = getattr(simulation, which)
        whole = read_inputs(
            discover([simulation.whole.junit]), project=simulation.project, ids=True
        )
        merged = read_inputs(discover([runs[0].junit.parent]), project=simulation.project, ids=True)
        assert without_time(merged.tests.counts) == without_time(whole.tests.counts)
        assert without_time(whole.tests.counts) == Counts(total=40, passed=38, failed=1, skipped=1)
        assert merged.ids == whole.ids
        assert len(merged.ids or ()) == TESTS
        assert merged.tests.failing == whole.tests.failing
        # every shard's file counts under its stage: one row, the whole run's counts
        assert list(merged.tests.stages) == ["unit"]
        assert without_time(merged.tests.stages["unit"]) == without_time(whole.tests.counts)


class TestBalance:
    def test_durations_balance_the_shards(
        self, simulation: Simulation, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With durations the slowest shard is within 25 % of the fastest; without, it is not.

        Both in test time (JUnit) and in each shard process's wall time.
        """
        blind = shard_seconds(simulation.blind)
        balanced = shard_seconds(simulation.balanced)
        with capsys.disabled():
            for label, runs, seconds in (
                ("without durations", simulation.blind, blind),
                ("with durations", simulation.balanced, balanced),
            ):
                walls = [run.wall_s for run in runs]
                sessions = [session_seconds(run) for run in runs]
                print(
                    f"\n{label}: test time per shard {[round(s, 2) for s in seconds]} s "
                    f"(max/min {ratio(seconds):.2f}); pytest session "
                    f"{[round(s, 2) for s in sessions]} s (max/min {ratio(sessions):.2f}); "
                    f"process wall {[round(w, 2) for w in walls]} s (max/min {ratio(walls):.2f}); "
                    f"whole run {simulation.whole.wall_s:.1f} s"
                )
        assert max(balanced) <= BOUND * min(balanced)
        assert max(blind) > BOUND * min(blind)
        walls = [run.wall_s for run in simulation.balanced]
        blind_walls = [run.wall_s for run in simulation.blind]
        assert max(walls) <= BOUND * min(walls)
        assert max(blind_walls) > BOUND * min(blind_walls)


class TestStageShards:
    def test_two_shards_of_the_sample_unit_stage_add_up(
        self, tmp_path: Path, shared_envdir: Path
    ) -> None:
        """``nox -s unit -- --shard I/2`` twice: two JUnit files and data sets, one whole stage."""
        project = copy_sample(tmp_path / "sample")
        whole = run_nox(project, shared_envdir, "-s", "unit")
        assert whole.returncode == 0, whole.output[-3000:]
        reference = parse_junit(whole.reports / "junit" / "unit.xml").counts
        for label in ("1/2", "2/2"):
            run = run_nox(project, shared_envdir, "-s", "unit", "--", "--shard", label)
            assert run.returncode == 0, run.output[-3000:]
        junit = sorted(path.name for path in (project / "reports" / "junit").iterdir())
        assert junit == ["unit-shard-1.xml", "unit-shard-2.xml"]
        data = {p.name.split(".")[3] for p in (project / "reports" / "coverage").iterdir()}
        assert data == {"shard-1", "shard-2"}
        shards = [parse_junit(project / "reports" / "junit" / name).counts for name in junit]
        assert without_time(shards[0] + shards[1]) == without_time(reference)
        assert min(counts.total for counts in shards) > 0
