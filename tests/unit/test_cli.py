"""The command line: help, version, and one-line errors with the right exit code."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci import __version__
from ci.cli import main


class TestMain:
    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the version and exits 0."""
        with pytest.raises(SystemExit) as info:
            main(["--version"])
        assert info.value.code == 0
        assert capsys.readouterr().out == f"noxci {__version__}\n"

    def test_help_lists_the_report_command(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help names the report command."""
        with pytest.raises(SystemExit) as info:
            main(["--help"])
        assert info.value.code == 0
        assert "report" in capsys.readouterr().out

    def test_no_command_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A missing command exits 2 with argparse's message."""
        with pytest.raises(SystemExit) as info:
            main([])
        assert info.value.code == 2
        assert "the following arguments are required: COMMAND" in capsys.readouterr().err

    def test_bad_config_is_one_line(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A bad [tool.noxci] ends with exit 2 and exactly one line on stderr, no traceback."""
        (tmp_path / "pyproject.toml").write_text("[tool.noxci]\nfail-undr = 1\n", encoding="utf-8")
        with pytest.raises(SystemExit) as info:
            main(["report", "--project", str(tmp_path)])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert err == (
            f"noxci: error: {tmp_path / 'pyproject.toml'} [tool.noxci]: "
            "unknown key 'fail-undr'; did you mean 'fail-under'?\n"
        )
