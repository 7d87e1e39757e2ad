"""Settings: defaults < [tool.noxci] < NOXCI_* < flags, and clear errors for bad keys."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from ci.config import (
    DIFF_MODES,
    STAGES,
    Kind,
    ServiceSpec,
    Settings,
    StageSpec,
    add_flags,
    flag_values,
    load_settings,
    options,
)
from ci.errors import ConfigError, ExitCode


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


class TestOptions:
    def test_names_are_derived_from_one_declaration(self) -> None:
        """The pyproject key, environment variable and flag all come from the field name."""
        by_attr = {opt.attr: opt for opt in options()}
        fail_under = by_attr["fail_under"]
        assert (fail_under.key, fail_under.env, fail_under.flag) == (
            "fail-under",
            "NOXCI_FAIL_UNDER",
            "--fail-under",
        )
        assert fail_under.kind is Kind.FLOAT
        assert fail_under.default == 0.0

    def test_every_scalar_field_is_an_option(self) -> None:
        """Tables are the only fields that are not options."""
        assert [opt.attr for opt in options()] == [
            "reports",
            "tests",
            "stages",
            "sources",
            "install",
            "python",
            "workers",
            "fail_under",
            "profile",
            "diff_base",
            "diff_file",
            "diff_fail_under",
            "diff_mode",
            "publish",
            "strict_publish",
            "comment_key",
            "check_name",
            "publish_budget",
            "event_file",
            "baseline",
            "fail_on",
            "max_drop",
            "min_change",
            "statistic",
            "history",
            "baseline_ref",
            "quarantine",
            "compare_runs",
        ]


class TestLoadSettings:
    def test_defaults_without_pyproject(self, tmp_path: Path) -> None:
        """A directory without pyproject.toml gets the declared defaults."""
        assert load_settings(tmp_path, {}) == Settings()

    def test_precedence(self, tmp_path: Path) -> None:
        """pyproject beats defaults, the environment beats pyproject, flags beat both."""
        project = write(
            tmp_path, "[tool.noxci]\nfail-under = 80\nworkers = '2'\nsources = ['pkg']\n"
        )
        settings = load_settings(project, {"NOXCI_FAIL_UNDER": "85.5", "NOXCI_WORKERS": "4"})
        assert (settings.fail_under, settings.workers, settings.sources) == (85.5, "4", ("pkg",))
        flagged = load_settings(
            project, {"NOXCI_FAIL_UNDER": "85.5"}, {"fail_under": 91.0, "reports": None}
        )
        assert flagged.fail_under == 91.0
        assert flagged.reports == Path("reports")

    def test_env_list_is_comma_separated(self, tmp_path: Path) -> None:
        """A list option from the environment splits on commas and drops blanks."""
        settings = load_settings(tmp_path, {"NOXCI_STAGES": "unit, integration,,"})
        assert settings.stages == ("unit", "integration")

    def test_unknown_key_suggests_the_close_one(self, tmp_path: Path) -> None:
        """A misspelt key fails with a did-you-mean hint."""
        project = write(tmp_path, "[tool.noxci]\nfail-undr = 80\n")
        with pytest.raises(ConfigError) as info:
            load_settings(project, {})
        assert str(info.value) == (
            f"{project / 'pyproject.toml'} [tool.noxci]: unknown key 'fail-undr'; did you mean 'fail-under'?"
        )
        assert info.value.exit_code is ExitCode.USAGE

    def test_unknown_key_without_close_match_lists_known_keys(self, tmp_path: Path) -> None:
        """A key like nothing known lists what is known instead."""
        project = write(tmp_path, "[tool.noxci]\nzzz = 1\n")
        with pytest.raises(
            ConfigError, match=r"unknown key 'zzz'; known keys: reports, tests, stages"
        ):
            load_settings(project, {})

    def test_wrong_type_in_pyproject(self, tmp_path: Path) -> None:
        """A value of the wrong type names the key and the expected kind."""
        project = write(tmp_path, "[tool.noxci]\nfail-under = 'high'\n")
        with pytest.raises(ConfigError, match=r"fail-under = 'high' is not a number$"):
            load_settings(project, {})

    def test_bool_is_not_a_number(self, tmp_path: Path) -> None:
        """TOML true is not accepted where a number is expected."""
        project = write(tmp_path, "[tool.noxci]\nfail-under = true\n")
        with pytest.raises(ConfigError, match="is not a number"):
            load_settings(project, {})

    def test_list_of_non_strings(self, tmp_path: Path) -> None:
        """A list option must hold strings only."""
        project = write(tmp_path, "[tool.noxci]\nsources = [1]\n")
        with pytest.raises(ConfigError, match=r"sources = \[1\] is not a list of strings"):
            load_settings(project, {})

    def test_bad_env_value(self, tmp_path: Path) -> None:
        """An environment value that does not parse names the variable."""
        with pytest.raises(ConfigError) as info:
            load_settings(tmp_path, {"NOXCI_FAIL_UNDER": "nan"})
        assert (
            str(info.value)
            == "environment NOXCI_FAIL_UNDER: 'nan' is not a valid number for fail-under"
        )

    def test_unknown_stage(self, tmp_path: Path) -> None:
        """A stage name that noxci does not know fails with a hint."""
        with pytest.raises(ConfigError, match=r"unknown stage 'unti'; did you mean 'unit'\?"):
            load_settings(tmp_path, {"NOXCI_STAGES": "unti"})

    def test_broken_toml(self, tmp_path: Path) -> None:
        """A pyproject that is not TOML is one clear error."""
        project = write(tmp_path, "[tool.noxci\n")
        with pytest.raises(
            ConfigError, match=r"pyproject.toml: cannot read it \(.*\); fix the file"
        ):
            load_settings(project, {})

    def test_paths_are_paths(self, tmp_path: Path) -> None:
        """Path options become Path values from any source."""
        project = write(tmp_path, "[tool.noxci]\nreports = 'out'\n")
        assert load_settings(project, {}).reports == Path("out")
        assert load_settings(project, {"NOXCI_REPORTS": "elsewhere"}).reports == Path("elsewhere")


class TestDiffOptions:
    def test_defaults(self, tmp_path: Path) -> None:
        """No diff is measured by default; the mode is a floor of 0."""
        settings = load_settings(tmp_path, {})
        assert (
            settings.diff_base,
            settings.diff_file,
            settings.diff_fail_under,
            settings.diff_mode,
        ) == (None, None, 0.0, "floor")
        assert DIFF_MODES == ("floor", "every-line")

    def test_from_pyproject_env_and_flags(self, tmp_path: Path) -> None:
        """Each layer sets the diff options; an empty diff-base unsets the pyproject one."""
        project = write(tmp_path, "[tool.noxci]\ndiff-base = 'origin/main'\ndiff-fail-under = 80\n")
        settings = load_settings(
            project, {"NOXCI_DIFF_MODE": "every-line"}, {"diff_fail_under": 90.0}
        )
        assert (settings.diff_base, settings.diff_fail_under, settings.diff_mode) == (
            "origin/main",
            90.0,
            "every-line",
        )
        from_env = load_settings(project, {"NOXCI_DIFF_FILE": "change.diff", "NOXCI_DIFF_BASE": ""})
        assert (from_env.diff_base, from_env.diff_file) == (None, Path("change.diff"))

    def test_unknown_mode(self, tmp_path: Path) -> None:
        """A mode that is not floor or every-line fails with a hint."""
        with pytest.raises(ConfigError) as info:
            load_settings(tmp_path, {"NOXCI_DIFF_MODE": "every_line"})
        assert str(info.value) == (
            "diff-mode 'every_line' ([tool.noxci], NOXCI_* or flags) is not a mode; "
            "did you mean 'every-line'?"
        )

    def test_unknown_mode_without_close_match(self, tmp_path: Path) -> None:
        """A mode like nothing known lists the known modes."""
        project = write(tmp_path, "[tool.noxci]\ndiff-mode = 'zzz'\n")
        with pytest.raises(ConfigError) as info:
            load_settings(project, {})
        assert str(info.value) == (
            "diff-mode 'zzz' ([tool.noxci], NOXCI_* or flags) is not a mode; "
            "known modes: floor, every-line"
        )

    @pytest.mark.parametrize("floor", ["-1", "100.5"])
    def test_floor_is_a_percentage(self, tmp_path: Path, floor: str) -> None:
        """A diff floor outside 0-100 is refused."""
        with pytest.raises(ConfigError) as info:
            load_settings(tmp_path, {"NOXCI_DIFF_FAIL_UNDER": floor})
        assert str(info.value) == (
            f"diff-fail-under {float(floor):g} ([tool.noxci], NOXCI_* or flags) "
            "is not a percentage (0-100)"
        )

    def test_base_and_file_together(self, tmp_path: Path) -> None:
        """diff-base and diff-file name two different changes: only one may be set."""
        project = write(tmp_path, "[tool.noxci]\ndiff-base = 'origin/main'\n")
        with pytest.raises(ConfigError) as info:
            load_settings(project, {}, {"diff_file": Path("c.diff")})
        assert str(info.value) == (
            "diff-base 'origin/main' and diff-file 'c.diff' are both set "
            "([tool.noxci], NOXCI_* or flags); set only one (an empty diff-base unsets it)"
        )


class TestTables:
    def test_service_table(self, tmp_path: Path) -> None:
        """A service table becomes a ServiceSpec; a command string is split on spaces."""
        project = write(
            tmp_path,
            "[tool.noxci.services.api]\ncommand = 'python -m api {port}'\n"
            "ready = 'tcp:127.0.0.1:{port}'\ntimeout = 5\nenv = {MODE = 'test'}\n",
        )
        assert load_settings(project, {}).services == {
            "api": ServiceSpec(
                name="api",
                command=("python", "-m", "api", "{port}"),
                ready="tcp:127.0.0.1:{port}",
                timeout=5.0,
                env={"MODE": "test"},
            )
        }

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ("ready = 'x'", "'command' is missing"),
            ("command = []", "'command' is empty"),
            ("command = ['a']\nready = 3", "ready must be a string"),
            ("command = ['a']\ntimeout = 0", "timeout must be a positive number of seconds, not 0"),
            (
                "command = ['a']\ntimeout = true",
                "timeout must be a positive number of seconds, not True",
            ),
            ("command = ['a']\nenv = {A = 1}", "env must be a table of strings"),
            ("command = ['a']\nredy = 'x'", "unknown key 'redy'; did you mean 'ready'?"),
            ("command = [1]", "command must be a string or a list of strings"),
        ],
    )
    def test_bad_service(self, tmp_path: Path, body: str, message: str) -> None:
        """Each malformed service table names the service and the problem."""
        project = write(tmp_path, f"[tool.noxci.services.db]\n{body}\n")
        with pytest.raises(ConfigError) as info:
            load_settings(project, {})
        assert "[services.db]" in str(info.value)
        assert message in str(info.value)

    def test_service_must_be_a_table(self, tmp_path: Path) -> None:
        """services.<name> that is not a table is refused."""
        project = write(tmp_path, "[tool.noxci.services]\ndb = 'redis-server'\n")
        with pytest.raises(ConfigError, match=r"services\.db must be a table"):
            load_settings(project, {})

    def test_services_must_be_a_table(self, tmp_path: Path) -> None:
        """services that is not a table of tables is refused."""
        project = write(tmp_path, "[tool.noxci]\nservices = 'x'\n")
        with pytest.raises(ConfigError, match="services must be a table of tables"):
            load_settings(project, {})

    def test_stage_table(self, tmp_path: Path) -> None:
        """Per-stage overrides keep what was given and leave the rest unset."""
        project = write(tmp_path, "[tool.noxci.stage.unit]\npaths = 'tests/fast'\nargs = ['-x']\n")
        settings = load_settings(project, {})
        assert settings.stage_spec("unit") == StageSpec(
            paths=("tests/fast",), args=("-x",), groups=None
        )
        assert settings.stage_spec("snapshot") == StageSpec()

    def test_unknown_stage_table(self, tmp_path: Path) -> None:
        """A table for a stage that does not exist gets a hint."""
        project = write(tmp_path, "[tool.noxci.stage.integraton]\nargs = []\n")
        with pytest.raises(
            ConfigError, match="unknown stage 'integraton'; did you mean 'integration'"
        ):
            load_settings(project, {})

    def test_stage_tables_are_validated(self, tmp_path: Path) -> None:
        """Unknown keys and non-tables inside [tool.noxci.stage] are refused."""
        project = write(tmp_path, "[tool.noxci.stage.unit]\nargz = []\n")
        with pytest.raises(ConfigError, match="unknown key 'argz'; did you mean 'args'"):
            load_settings(project, {})
        project = write(tmp_path, "[tool.noxci.stage]\nunit = 1\n")
        with pytest.raises(ConfigError, match=r"stage\.unit must be a table"):
            load_settings(project, {})
        project = write(tmp_path, "[tool.noxci]\nstage = 1\n")
        with pytest.raises(ConfigError, match="stage must be a table of tables"):
            load_settings(project, {})


class TestFlags:
    def test_flags_round_trip(self) -> None:
        """Generated flags parse into the option's kind; absent flags are None."""
        parser = argparse.ArgumentParser()
        add_flags(parser, ["fail_under", "reports"])
        namespace = parser.parse_args(["--fail-under", "75"])
        assert flag_values(namespace, ["fail_under", "reports"]) == {
            "fail_under": 75.0,
            "reports": None,
        }

    def test_bad_flag_value_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """argparse reports a flag value of the wrong kind and exits 2."""
        parser = argparse.ArgumentParser(prog="noxci")
        add_flags(parser, ["fail_under"])
        with pytest.raises(SystemExit) as info:
            parser.parse_args(["--fail-under", "lots"])
        assert info.value.code == 2
        assert "argument --fail-under: not a valid number: 'lots'" in capsys.readouterr().err


def test_stages_are_in_listing_order() -> None:
    """The stages appear in the order nox lists them."""
    assert STAGES == ("lint", "unit", "integration", "snapshot", "property", "benchmark")


class TestPublishOptions:
    def test_unknown_mode_suggests_the_close_one(self, tmp_path: Path) -> None:
        """publish = 'githb' fails with a hint."""
        project = write(tmp_path, "[tool.noxci]\npublish = 'githb'\n")
        with pytest.raises(ConfigError) as info:
            load_settings(project, {})
        assert str(info.value) == "publish 'githb' is not a mode; did you mean 'github'?"

    def test_budget_must_be_positive(self, tmp_path: Path) -> None:
        """A publishing budget of 0 seconds is refused."""
        with pytest.raises(
            ConfigError, match="publish-budget 0 must be a positive number of seconds"
        ):
            load_settings(tmp_path, {"NOXCI_PUBLISH_BUDGET": "0"})

    def test_strict_publish_is_a_switch(self) -> None:
        """--strict-publish takes no value; absent means not given."""
        parser = argparse.ArgumentParser()
        add_flags(parser, ["strict_publish"])
        assert parser.parse_args(["--strict-publish"]).strict_publish is True
        assert parser.parse_args([]).strict_publish is None

    def test_strict_publish_from_the_environment(self, tmp_path: Path) -> None:
        """NOXCI_STRICT_PUBLISH=true turns it on."""
        assert load_settings(tmp_path, {"NOXCI_STRICT_PUBLISH": "true"}).strict_publish is True
