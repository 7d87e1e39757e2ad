"""Shards: the shard selection, the shard's file names, and the durations file from JUnit."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ci import _durations
from ci.cli import main_inner
from ci.config import Settings
from ci.errors import InputError, UsageError
from ci.report.model import TestCase
from ci.shards import (
    Shard,
    coverage_name,
    junit_name,
    parse_shard,
    pytest_args,
    stage_of,
    stale_files,
    take_shard,
)
from ci.stages.commands import pytest_command

ROOT = Path(__file__).parents[2]
XUNIT2 = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="{n}">{cases}</testsuite></testsuites>
"""


def junit(path: Path, *cases: tuple[str, str, float]) -> Path:
    """Write a pytest-style JUnit file of passing ``(classname, name, seconds)`` cases."""
    body = "".join(f'<testcase classname="{c}" name="{n}" time="{t}"/>' for c, n, t in cases)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(XUNIT2.format(n=len(cases), cases=body), encoding="utf-8")
    return path


def case(classname: str, name: str, file: str | None = None) -> TestCase:
    """A passed test case as the JUnit reader yields it."""
    return TestCase(stage="unit", classname=classname, name=name, file=file)


class TestParseShard:
    @pytest.mark.parametrize(("text", "expected"), [("2/4", (2, 4)), (" 1 / 1 ", (1, 1))])
    def test_good(self, text: str, expected: tuple[int, int]) -> None:
        """I/N with 1 <= I <= N is a shard, spaces allowed."""
        shard = parse_shard(text, where="--shard")
        assert (shard.index, shard.total, shard.label) == (
            *expected,
            f"{expected[0]}/{expected[1]}",
        )

    @pytest.mark.parametrize("text", ["", "2", "0/4", "5/4", "a/b", "2/4/8", "-1/4"])
    def test_bad(self, text: str) -> None:
        """Anything else is one line naming where it came from and showing the form."""
        with pytest.raises(UsageError, match=r"^NOXCI_SHARD: shard .* is not I/N .*--shard 2/4$"):
            parse_shard(text, where="NOXCI_SHARD")


class TestTakeShard:
    def test_flag_with_a_separate_value(self) -> None:
        """``--shard 2/4`` is taken out; the rest goes to pytest in order."""
        assert take_shard(["-x", "--shard", "2/4", "-k", "a"], {}) == (
            Shard(index=2, total=4),
            ("-x", "-k", "a"),
        )

    def test_flag_with_equals_wins_over_the_environment(self) -> None:
        """``--shard=3/4`` beats ``NOXCI_SHARD``."""
        assert take_shard(["--shard=3/4"], {"NOXCI_SHARD": "1/4"}) == (
            Shard(index=3, total=4),
            (),
        )

    def test_environment(self) -> None:
        """Without the flag, ``NOXCI_SHARD`` selects the shard."""
        assert take_shard(["-x"], {"NOXCI_SHARD": "1/2"}) == (Shard(index=1, total=2), ("-x",))

    @pytest.mark.parametrize("env", [{}, {"NOXCI_SHARD": ""}, {"NOXCI_SHARD": "  "}])
    def test_no_shard(self, env: dict[str, str]) -> None:
        """No flag and an empty or missing variable: the whole stage."""
        assert take_shard(["tests/unit"], env) == (None, ("tests/unit",))

    def test_flag_without_a_value(self) -> None:
        """A trailing ``--shard`` is a usage error, not a silent whole-stage run."""
        with pytest.raises(UsageError, match=r"^--shard: shard '' is not I/N"):
            take_shard(["--shard"], {})


class TestNames:
    def test_whole_stage(self) -> None:
        """The whole stage keeps its historic names and passes no pytest-split option."""
        assert (junit_name("unit", None), coverage_name("unit", None)) == (
            "unit.xml",
            ".coverage.unit",
        )
        assert pytest_args(None, Path("/p/.test_durations")) == ()

    def test_shard(self) -> None:
        """A shard's files carry its index; pytest-split gets splits, group and the file."""
        shard = Shard(index=2, total=4)
        assert (junit_name("unit", shard), coverage_name("unit", shard)) == (
            "unit-shard-2.xml",
            ".coverage.unit.shard-2",
        )
        assert pytest_args(shard, Path("/p/.test_durations")) == (
            "--splits=4",
            "--group=2",
            "--splitting-algorithm=least_duration",
            "--durations-path=/p/.test_durations",
        )

    @pytest.mark.parametrize(
        ("stem", "stage"),
        [
            ("unit", "unit"),
            ("unit-shard-2", "unit"),
            ("unit-shard-12-py3.12", "unit-py3.12"),
            ("unit-py3.12", "unit-py3.12"),
            ("my-shard-stage", "my-shard-stage"),
        ],
    )
    def test_stage_of(self, stem: str, stage: str) -> None:
        """A shard's JUnit file counts under its stage; other stems are left alone."""
        assert stage_of(stem) == stage


class TestStaleFiles:
    @pytest.fixture
    def reports(self, tmp_path: Path) -> Path:
        """A reports directory holding a whole run and two shards of ``unit``, and ``other``."""
        names = [
            "junit/unit.xml",
            "junit/unit-shard-1.xml",
            "junit/unit-shard-2.xml",
            "junit/other.xml",
            "coverage/.coverage.unit.host.1.x",
            "coverage/.coverage.unit.shard-1.host.2.x",
            "coverage/.coverage.unit.shard-2.host.3.x",
            "coverage/.coverage.other.host.4.x",
        ]
        for name in names:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("", encoding="utf-8")
        return tmp_path

    def names(self, reports: Path, shard: Shard | None) -> list[str]:
        """The stale files, relative to ``reports``, sorted."""
        return sorted(str(p.relative_to(reports)) for p in stale_files(reports, "unit", shard))

    def test_whole_stage_replaces_every_shard(self, reports: Path) -> None:
        """A whole-stage run clears its own files and every shard's, not other stages'."""
        assert self.names(reports, None) == [
            "coverage/.coverage.unit.host.1.x",
            "coverage/.coverage.unit.shard-1.host.2.x",
            "coverage/.coverage.unit.shard-2.host.3.x",
            "junit/unit-shard-1.xml",
            "junit/unit-shard-2.xml",
            "junit/unit.xml",
        ]

    def test_shard_replaces_itself_and_the_whole_stage(self, reports: Path) -> None:
        """Shard 2 clears its own files and the whole run's, keeping shard 1's."""
        assert self.names(reports, Shard(index=2, total=2)) == [
            "coverage/.coverage.unit.host.1.x",
            "coverage/.coverage.unit.shard-2.host.3.x",
            "junit/unit-shard-2.xml",
            "junit/unit.xml",
        ]


class TestPytestCommand:
    def test_a_shard_of_the_unit_stage(self) -> None:
        """The shard's JUnit file and pytest-split's options, before the stage's own args."""
        project = Path("/p")
        argv = pytest_command(
            Settings(),
            "unit",
            project=project,
            rcfile=Path("/p/rc.toml"),
            posargs=["-x"],
            shard=Shard(index=3, total=4),
        ).argv
        assert "--junitxml=/p/reports/junit/unit-shard-3.xml" in argv
        assert argv[-5:] == (
            "--splits=4",
            "--group=3",
            "--splitting-algorithm=least_duration",
            "--durations-path=/p/.test_durations",
            "-x",
        )


class TestNodeId:
    @pytest.mark.parametrize(
        ("classname", "name", "expected"),
        [
            (
                "tests.unit.test_shards.TestNames",
                "test_shard",
                "tests/unit/test_shards.py::TestNames::test_shard",
            ),
            ("tests.unit.test_shards", "test_x[a.b]", "tests/unit/test_shards.py::test_x[a.b]"),
            (
                "tests.unit.test_shards.TestA.TestB",
                "t",
                "tests/unit/test_shards.py::TestA::TestB::t",
            ),
            ("tests.gone.test_old.TestA", "t", "tests/gone/test_old.py::TestA::t"),
            ("tests.gone.test_old", "t", "tests/gone/test_old.py::t"),
            ("Suite", "t", "Suite::t"),
            ("", "t", "t"),
        ],
    )
    def test_from_the_classname(self, classname: str, name: str, expected: str) -> None:
        """A file of the project when one matches; else the parts before a class name."""
        assert _durations.node_id(case(classname, name), _durations.Modules(ROOT)) == expected

    def test_from_the_file_attribute(self) -> None:
        """xunit1's ``file`` names the module; the rest of the classname is the class path."""
        found = case("pkg.mod.TestA", "t", file="pkg/mod.py")
        assert (
            _durations.node_id(found, _durations.Modules(Path("/nowhere")))
            == "pkg/mod.py::TestA::t"
        )


class TestJunitFiles:
    def test_directories_oldest_first(self, tmp_path: Path) -> None:
        """JUnit files under a directory, oldest first; other files are passed over."""
        new = junit(tmp_path / "junit" / "a.xml", ("m", "t", 1.0))
        old = junit(tmp_path / "junit" / "b.xml", ("m", "t", 2.0))
        (tmp_path / "junit" / "notes.txt").write_text("hello", encoding="utf-8")
        (tmp_path / "junit" / "bench.json").write_text('{"benchmarks": []}', encoding="utf-8")
        os.utime(old, (1_000_000, 1_000_000))
        assert _durations.junit_files([tmp_path / "junit"]) == [old, new]

    def test_missing_path(self, tmp_path: Path) -> None:
        """A path that is not there is one line naming it."""
        with pytest.raises(InputError, match=r"nope\.xml: no such file or directory; give JUnit"):
            _durations.junit_files([tmp_path / "nope.xml"])

    def test_a_named_file_that_is_not_junit(self, tmp_path: Path) -> None:
        """A file given by name must be JUnit."""
        other = tmp_path / "b.json"
        other.write_text('{"benchmarks": []}', encoding="utf-8")
        with pytest.raises(InputError, match=r"b\.json: .*; give JUnit files"):
            _durations.junit_files([other])


class TestReadDurations:
    def test_missing_file_is_empty(self, tmp_path: Path) -> None:
        """No file yet: no durations."""
        assert _durations.read_durations(tmp_path / ".test_durations") == {}

    def test_old_list_format(self, tmp_path: Path) -> None:
        """pytest-split's old ``[[id, seconds]]`` form is read too."""
        path = tmp_path / "d"
        path.write_text('[["a.py::t", 1], ["b.py::t", 2.5]]', encoding="utf-8")
        assert _durations.read_durations(path) == {"a.py::t": 1.0, "b.py::t": 2.5}

    @pytest.mark.parametrize("text", ["not json", '{"a": "slow"}', '{"a": true}', "3"])
    def test_not_a_durations_file(self, tmp_path: Path, text: str) -> None:
        """Anything else is one line saying how to start afresh."""
        path = tmp_path / "d"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=r"not a durations file .*remove it to start afresh"):
            _durations.read_durations(path)

    def test_unreadable(self, tmp_path: Path) -> None:
        """A directory in the file's place is one line, not a traceback."""
        with pytest.raises(InputError, match="cannot read it"):
            _durations.read_durations(tmp_path)


class TestDurationsCommand:
    def test_merges_shards_keeps_unknown_tests_newest_wins(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Two shards' and an older file merge into the existing durations file."""
        (tmp_path / "tests").mkdir()
        (tmp_path / "tests" / "test_a.py").write_text("", encoding="utf-8")
        junit_dir = tmp_path / "reports" / "junit"
        older = junit(junit_dir / "unit-py3.11.xml", ("tests.test_a", "t1", 9.0))
        os.utime(older, (1_000_000, 1_000_000))
        junit(junit_dir / "unit-shard-1.xml", ("tests.test_a", "t1", 1.25))
        junit(junit_dir / "unit-shard-2.xml", ("tests.test_a.TestX", "t2[1]", 0.5))
        output = tmp_path / ".test_durations"
        output.write_text('{"tests/test_gone.py::t": 3.0}', encoding="utf-8")
        assert main_inner(["durations", "--project", str(tmp_path)]) == 0
        assert json.loads(output.read_text(encoding="utf-8")) == {
            "tests/test_a.py::t1": 1.25,
            "tests/test_a.py::TestX::t2[1]": 0.5,
            "tests/test_gone.py::t": 3.0,
        }
        assert capsys.readouterr().out == (
            f"noxci: 2 test durations from 3 JUnit files; 3 in {output}\n"
        )

    def test_explicit_paths_and_output(self, tmp_path: Path) -> None:
        """Named files and --output; written sorted and indented as pytest-split writes it."""
        source = junit(tmp_path / "x.xml", ("b", "t", 2.0), ("a", "t", 1.0))
        output = tmp_path / "out" / "durations.json"
        args = ["durations", str(source), "--output", str(output), "--project", str(tmp_path)]
        assert main_inner(args) == 0
        assert (
            output.read_text(encoding="utf-8") == '{\n    "a.py::t": 1.0,\n    "b.py::t": 2.0\n}\n'
        )
