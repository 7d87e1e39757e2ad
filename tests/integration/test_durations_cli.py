"""``python -m ci durations`` from a store a real ``python -m ci report --history`` run wrote.

The JUnit file mixes the three shapes pytest writes: a module-level test, a test in a
class (xunit2: no ``file``) and an xunit1 test with a ``file`` attribute; its node ids
must come out of the store exactly as they come out of the JUnit file itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="4">
<testcase classname="tests.test_a" name="test_one" time="1.5"/>
<testcase classname="tests.test_a.TestGroup" name="test_two[x-1]" time="0.25"/>
<testcase file="tests/test_b.py" classname="tests.test_b.TestB" name="test_three" time="3.0">
<failure message="boom">tb</failure></testcase>
<testcase classname="tests.test_b.TestB" name="test_four" time="0.0"><skipped/></testcase>
</testsuite></testsuites>
"""
EXPECTED = {
    "tests/test_a.py::TestGroup::test_two[x-1]": 0.25,
    "tests/test_a.py::test_one": 1.5,
    "tests/test_b.py::TestB::test_four": 0.0,
    "tests/test_b.py::TestB::test_three": 3.0,
}


def _ci(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m ci ARGS`` in ``project``, without the caller's GitHub or noxci variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "NOXCI_"))}
    return subprocess.run(
        [sys.executable, "-m", "ci", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean | env,
    )


def _read(path: Path) -> dict[str, float]:
    data: dict[str, float] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with two test modules and a JUnit file of its run outside ``reports/``."""
    root = tmp_path / "p"
    (root / "tests").mkdir(parents=True)
    for name in ("test_a.py", "test_b.py"):
        (root / "tests" / name).write_text("", encoding="utf-8")
    (tmp_path / "run" / "unit.xml").parent.mkdir()
    (tmp_path / "run" / "unit.xml").write_text(JUNIT, encoding="utf-8")
    return root


@pytest.fixture
def store(project: Path) -> Path:
    """The store a real report run wrote (one failing test: the report exits 1)."""
    history = project.parent / "history.sqlite"
    done = _ci(project, "report", str(project.parent / "run"), "--history", str(history))
    assert (done.returncode, done.stderr) == (1, "")
    return history


class TestDurationsCli:
    def test_store_gives_the_junit_node_ids(self, project: Path, store: Path) -> None:
        """From the store alone: every test, node ids and times as the JUnit path gives them."""
        done = _ci(project, "durations", "--history", str(store))
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == (
            f"noxci: 4 test durations from history {store}; 4 in .test_durations\n"
        )
        from_store = _read(project / ".test_durations")
        assert from_store == EXPECTED
        junit_only = project / "junit-only.json"
        done = _ci(
            project,
            "durations",
            str(project.parent / "run" / "unit.xml"),
            "--output",
            str(junit_only),
            "--history",
            str(project / "none.sqlite"),
        )
        assert done.returncode == 0
        assert _read(junit_only) == from_store

    def test_junit_wins_and_the_store_fills_the_rest(self, project: Path, store: Path) -> None:
        """A newer shard's JUnit file wins for its test; NOXCI_HISTORY names the store."""
        shard = project / "reports" / "junit" / "unit-shard-1.xml"
        shard.parent.mkdir(parents=True)
        shard.write_text(
            '<testsuite><testcase classname="tests.test_a" name="test_one" time="9.5"/>'
            '<testcase classname="tests.test_a" name="test_new" time="0.5"/></testsuite>',
            encoding="utf-8",
        )
        (project / ".test_durations").write_text('{"tests/test_gone.py::t": 2.0}', "utf-8")
        done = _ci(project, "durations", NOXCI_HISTORY=str(store))
        assert (done.returncode, done.stderr) == (0, "")
        assert done.stdout == (
            f"noxci: 2 test durations from 1 JUnit files, 4 from history {store}; "
            "6 in .test_durations\n"
        )
        assert _read(project / ".test_durations") == {
            **EXPECTED,
            "tests/test_a.py::test_one": 9.5,
            "tests/test_a.py::test_new": 0.5,
            "tests/test_gone.py::t": 2.0,
        }

    def test_no_durations_anywhere(self, project: Path) -> None:
        """No store and no JUnit file: exit 2 with one line, no file written."""
        done = _ci(project, "durations")
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == (
            "noxci: error: no test durations: history .noxci/history.sqlite has none and no "
            "JUnit files found; run the tests and `python -m ci report` first (it stores "
            "them), or give JUnit files\n"
        )
        assert (project / ".test_durations").exists() is False
