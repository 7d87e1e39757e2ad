"""``python -m ci durations``: the store's and the JUnit files' durations merged into one file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci import _durations
from ci.cli import main_inner
from ci.errors import InputError
from ci.history import record_run
from ci.report.model import Outcome, TestCase
from tests.unit.history._reports import make_report

XUNIT = '<testsuite name="pytest">{}</testsuite>'


def write_junit(path: Path, **seconds: float) -> Path:
    """A JUnit file of passing tests of module ``tests.test_a``, ``name=seconds``."""
    cases = "".join(
        f'<testcase classname="tests.test_a" name="{name}" time="{time}"/>'
        for name, time in seconds.items()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(XUNIT.format(cases), encoding="utf-8")
    return path


def store(path: Path, durations: dict[str, float]) -> Path:
    """A results store holding one run with these test ids' durations."""
    outcomes = dict.fromkeys(durations, Outcome.PASSED)
    record_run(
        path,
        make_report(outcomes),
        commit=None,
        branch="main",
        outcomes=outcomes,
        env={},
        durations=durations,
    )
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with ``tests/test_a.py`` and ``tests/test_c.py``."""
    (tmp_path / "tests").mkdir()
    for name in ("test_a.py", "test_c.py"):
        (tmp_path / "tests" / name).write_text("", encoding="utf-8")
    return tmp_path


class TestCaseOf:
    @pytest.mark.parametrize(
        ("test_id", "parts"),
        [
            ("tests.test_a::t1", (None, "tests.test_a", "t1")),
            (
                "tests/test_c.py::tests.test_c.TestY::t[a::b]",
                ("tests/test_c.py", "tests.test_c.TestY", "t[a::b]"),
            ),
            ("f.py::name", ("f.py", "", "name")),
            ("Suite::a::b", (None, "Suite", "a::b")),
            ("alone.py", (None, "", "alone.py")),
        ],
    )
    def test_parts(self, test_id: str, parts: tuple[str | None, str, str]) -> None:
        """The file when the first part is a ``.py`` path, then classname, then the name."""
        case = _durations.case_of(test_id)
        assert (case.file, case.classname, case.name) == parts
        assert case.id == test_id

    @pytest.mark.parametrize(
        "case",
        [
            TestCase(stage="u", classname="tests.test_a.TestX", name="t[1]"),
            TestCase(stage="u", classname="tests.test_c", name="t", file="tests/test_c.py"),
            TestCase(stage="u", classname="tests.gone.test_b.TestZ", name="t[x::y]"),
        ],
    )
    def test_same_node_id_as_the_junit_case(self, project: Path, case: TestCase) -> None:
        """A stored id gets exactly the node id its JUnit case gets."""
        modules = _durations.Modules(project)
        found = _durations.node_id(_durations.case_of(case.id), modules)
        assert found == _durations.node_id(case, modules)


class TestUpdateDurations:
    def test_file_then_store_then_junit(self, project: Path) -> None:
        """Each later source wins for the tests it has; the earlier ones fill the rest."""
        history = store(
            project / "h.sqlite",
            {"tests.test_a::t1": 5.0, "tests.test_a.TestX::t2": 2.0, "tests.test_c::t3": 3.0},
        )
        output = project / ".test_durations"
        output.write_text('{"tests/test_a.py::TestX::t2": 9.0, "old.py::t": 1.0}', "utf-8")
        junit = write_junit(project / "j.xml", t1=1.5)
        written = _durations.update_durations(
            [junit], output=output, project=project, history=history
        )
        assert written == _durations.Written(files=1, tests=1, stored=3, total=4)
        assert json.loads(output.read_text(encoding="utf-8")) == {
            "old.py::t": 1.0,
            "tests/test_a.py::t1": 1.5,
            "tests/test_a.py::TestX::t2": 2.0,
            "tests/test_c.py::t3": 3.0,
        }

    def test_a_bad_store_beside_junit_is_a_problem(self, project: Path) -> None:
        """The JUnit files still make the file; the store's line is returned."""
        bad = project / "h.sqlite"
        bad.write_text("x" * 5000, encoding="utf-8")
        output = project / "d.json"
        junit = write_junit(project / "j.xml", t1=1.5)
        written = _durations.update_durations([junit], output=output, project=project, history=bad)
        assert (written.tests, written.stored, written.total) == (1, 0, 1)
        assert str(written.problem).startswith(f"history {bad}: not a usable results store")

    def test_a_bad_store_alone_is_the_error(self, project: Path) -> None:
        """Nothing else to go on: the store's own one line."""
        bad = project / "h.sqlite"
        bad.write_text("x" * 5000, encoding="utf-8")
        with pytest.raises(InputError, match=r"^history .*h\.sqlite: not a usable results store"):
            _durations.update_durations([], output=project / "d", project=project, history=bad)

    def test_nothing_anywhere(self, project: Path) -> None:
        """No stored and no JUnit duration: one line saying where we looked and what to do."""
        empty = write_junit(project / "e.xml")
        with pytest.raises(InputError) as raised:
            _durations.update_durations(
                [empty], output=project / "d", project=project, history=project / "none.sqlite"
            )
        assert str(raised.value) == (
            f"no test durations: history {project / 'none.sqlite'} has none and the JUnit "
            f"files in {empty} have none; run the tests and `python -m ci report` first "
            "(it stores them), or give JUnit files"
        )
        with pytest.raises(InputError, match=r"^no test durations: no JUnit files found; run"):
            _durations.update_durations([], output=project / "d", project=project)
        assert (project / "d").exists() is False


class TestCommand:
    def test_store_only(self, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """No reports directory: the default store alone, and the line says so."""
        store(project / ".noxci" / "history.sqlite", {"tests.test_a::t1": 0.5})
        assert main_inner(["durations", "--project", str(project)]) == 0
        output = project / ".test_durations"
        assert json.loads(output.read_text(encoding="utf-8")) == {"tests/test_a.py::t1": 0.5}
        history = project / ".noxci" / "history.sqlite"
        assert capsys.readouterr().out == (
            f"noxci: 1 test durations from history {history}; 1 in {output}\n"
        )

    def test_junit_and_history_flag(
        self, project: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The reports directory's JUnit files and ``--history PATH``, both counted."""
        history = store(project / "elsewhere.sqlite", {"tests.test_a::t1": 0.5, "x::y": 1.0})
        write_junit(project / "reports" / "junit" / "unit.xml", t1=2.0)
        args = ["durations", "--project", str(project), "--history", str(history)]
        assert main_inner(args) == 0
        output = project / ".test_durations"
        assert json.loads(output.read_text(encoding="utf-8")) == {
            "tests/test_a.py::t1": 2.0,
            "x.py::y": 1.0,
        }
        assert capsys.readouterr().out == (
            f"noxci: 1 test durations from 1 JUnit files, 2 from history {history}; 2 in {output}\n"
        )

    def test_bad_store_warns(self, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A bad store beside JUnit files: a warning line, the file written from JUnit."""
        bad = project / ".noxci" / "history.sqlite"
        bad.parent.mkdir()
        bad.write_text("x" * 5000, encoding="utf-8")
        junit = write_junit(project / "j.xml", t1=2.0)
        assert main_inner(["durations", str(junit), "--project", str(project)]) == 0
        captured = capsys.readouterr()
        assert captured.err.startswith(f"noxci: warning: history {bad}: not a usable results")
        assert captured.err.endswith("--history PATH (durations from JUnit only)\n")
        assert captured.out.startswith("noxci: 1 test durations from 1 JUnit files; 1 in ")
