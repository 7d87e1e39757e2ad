"""The exact command lines each stage runs."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ci.config import Settings, StageSpec, load_settings
from ci.coverage_config import coverage_config
from ci.stages.commands import (
    Command,
    benchmark_command,
    hypothesis_profile,
    lint_commands,
    pytest_command,
    report_command,
    stage_paths,
)

PROJECT = Path("/project")
RCFILE = Path("/project/.noxci/coverage-unit.toml")


class TestPytestCommand:
    def test_unit_stage(self) -> None:
        """A test stage runs pytest under coverage with xdist and its own JUnit file."""
        command = pytest_command(Settings(), "unit", project=PROJECT, rcfile=RCFILE, posargs=["-x"])
        assert command == Command(
            argv=(
                "python",
                "-m",
                "coverage",
                "run",
                "--rcfile=/project/.noxci/coverage-unit.toml",
                "-m",
                "pytest",
                "tests/unit",
                "--junitxml=/project/reports/junit/unit.xml",
                "-o",
                "junit_suite_name=unit",
                "-o",
                "junit_family=xunit2",
                "-n",
                "auto",
                "-x",
            ),
            env={"NOXCI_STAGE": "unit"},
            success_codes=(0,),
        )

    def test_test_paths_in_posargs_replace_the_stage_paths(self, tmp_path: Path) -> None:
        """`nox -s unit -- tests/unit/test_x.py::test_y` runs just that test."""
        (tmp_path / "tests/unit").mkdir(parents=True)
        (tmp_path / "tests/unit/test_x.py").write_text("", encoding="utf-8")
        argv = pytest_command(
            Settings(),
            "unit",
            project=tmp_path,
            rcfile=RCFILE,
            posargs=["tests/unit/test_x.py::test_y"],
        ).argv
        assert argv[6:8] == ("pytest", "--junitxml=" + str(tmp_path / "reports/junit/unit.xml"))
        assert argv[-1] == "tests/unit/test_x.py::test_y"

    def test_keep_going_lets_test_failures_through(self) -> None:
        """Before a report, exit code 1 (tests failed) does not fail the stage; 5 (none ran) does."""
        command = pytest_command(
            Settings(), "unit", project=PROJECT, rcfile=RCFILE, keep_going=True
        )
        assert command.success_codes == (0, 1)

    def test_property_stage_loads_the_hypothesis_profile(self) -> None:
        """The property stage loads noxci's plugin and picks the profile from the environment."""
        command = pytest_command(
            Settings(), "property", project=PROJECT, rcfile=RCFILE, env={"CI": "true"}
        )
        assert command.argv[-3:] == ("-p", "ci.pytest_plugin", "--hypothesis-profile=ci")

    def test_configured_paths_args_and_workers(self) -> None:
        """Stage overrides and the worker count reach the command line in order."""
        settings = Settings(
            workers="0", stage={"integration": StageSpec(paths=("it",), args=("-v",))}
        )
        argv = pytest_command(
            settings, "integration", project=PROJECT, rcfile=RCFILE, posargs=["-k", "x"]
        ).argv
        assert argv[7] == "it"
        assert "-n" not in argv
        assert argv[-3:] == ("-v", "-k", "x")


class TestHypothesisProfile:
    def test_precedence(self) -> None:
        """NOXCI_PROFILE wins, then CI=true means ci, else dev."""
        assert hypothesis_profile(Settings(profile="nightly"), {"CI": "true"}) == "nightly"
        assert hypothesis_profile(Settings(), {"CI": "true"}) == "ci"
        assert hypothesis_profile(Settings(), {"CI": "false"}) == "dev"
        assert hypothesis_profile(Settings(), {}) == "dev"


class TestCoverageConfig:
    def test_forces_what_the_report_relies_on(self, tmp_path: Path) -> None:
        """The project's coverage config is kept; branch, parallel, relative paths, subprocess are forced."""
        (tmp_path / "pyproject.toml").write_text(
            "[tool.coverage.run]\nbranch = false\nomit = ['*/vendored/*']\n"
            "[tool.coverage.report]\nexclude_also = ['if DEBUG:']\n"
            "[tool.coverage.paths]\nsource = ['src/', '*/site-packages/']\n",
            encoding="utf-8",
        )
        settings = Settings(sources=("src/pkg",))
        text = coverage_config(tmp_path, settings, tmp_path / "reports/coverage/.coverage.unit")
        assert tomllib.loads(text)["tool"]["coverage"] == {
            "run": {
                "branch": True,
                "omit": ["*/vendored/*"],
                "parallel": True,
                "relative_files": True,
                "data_file": str(tmp_path / "reports/coverage/.coverage.unit"),
                "patch": ["subprocess"],
                "disable_warnings": ["no-data-collected"],
                "source": ["src/pkg"],
            },
            "report": {"exclude_also": ["if DEBUG:"]},
            "paths": {
                "source": ["src/", "*/site-packages/"],
                "noxci-project": ["./", f"{tmp_path.resolve()}/"],
            },
        }

    def test_without_pyproject(self, tmp_path: Path) -> None:
        """A project without coverage config still gets a complete one."""
        text = coverage_config(tmp_path, Settings(), Path("/d/.coverage.unit"))
        assert tomllib.loads(text) == {
            "tool": {
                "coverage": {
                    "run": {
                        "branch": True,
                        "parallel": True,
                        "relative_files": True,
                        "data_file": "/d/.coverage.unit",
                        "patch": ["subprocess"],
                        "disable_warnings": ["no-data-collected"],
                    },
                    "paths": {"noxci-project": ["./", f"{tmp_path.resolve()}/"]},
                }
            }
        }


class TestOtherStages:
    def test_benchmark_never_uses_xdist(self) -> None:
        """pytest-benchmark switches itself off under xdist, so the stage disables xdist."""
        command = benchmark_command(Settings(), project=PROJECT)
        assert command.argv == (
            "python",
            "-m",
            "pytest",
            "tests/benchmark",
            "-p",
            "no:xdist",
            "--benchmark-json=/project/reports/benchmark/benchmark.json",
            "--junitxml=/project/reports/junit/benchmark.xml",
            "-o",
            "junit_suite_name=benchmark",
        )

    def test_lint_without_workflows(self, tmp_path: Path) -> None:
        """ruff check, ruff format --check and mypy --strict over sources, tests and the noxfile."""
        (tmp_path / "noxfile.py").write_text("", encoding="utf-8")
        argvs = [c.argv for c in lint_commands(Settings(sources=("ci",)), project=tmp_path)]
        assert argvs == [
            ("ruff", "check", "ci", "tests", "noxfile.py"),
            ("ruff", "format", "--check", "ci", "tests", "noxfile.py"),
            ("mypy", "--strict", "ci", "tests", "noxfile.py"),
        ]

    def test_lint_with_workflows(self, tmp_path: Path) -> None:
        """Workflows add zizmor."""
        (tmp_path / ".github/workflows").mkdir(parents=True)
        (tmp_path / ".github/workflows/ci.yml").write_text("on: push\n", encoding="utf-8")
        argvs = [c.argv for c in lint_commands(Settings(), project=tmp_path)]
        assert argvs[-1] == ("zizmor", "--offline", ".github")

    def test_report_expects_the_stages_that_ran(self) -> None:
        """The report is told which stages' artifacts must be there."""
        assert report_command(Settings(), expect=("unit", "property")).argv == (
            "python",
            "-m",
            "ci",
            "report",
            "reports",
            "--expect=unit,property",
        )
        assert report_command(Settings(), expect=()).argv == (
            "python",
            "-m",
            "ci",
            "report",
            "reports",
        )

    def test_stage_paths(self, tmp_path: Path) -> None:
        """Paths default to <tests>/<stage>."""
        (tmp_path / "pyproject.toml").write_text("[tool.noxci]\ntests = 't'\n", encoding="utf-8")
        assert stage_paths(load_settings(tmp_path, {}), "snapshot") == ("t/snapshot",)
