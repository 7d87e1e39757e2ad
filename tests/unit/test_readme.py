"""The README tells the truth: its commands are what CI runs, its reference covers every option."""

from __future__ import annotations

import re
from pathlib import Path

from ci.config import options

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```console\n(.+?)\n```", section)


class TestQuickStart:
    def test_exactly_two_commands(self) -> None:
        """The quick start has the main job and the tests, nothing else."""
        assert quick_start_commands() == [
            'python -m pip install "nox[uv]" && python -m nox',
            'python -m pip install "nox[uv]" && python -m nox -t tests report',
        ]

    def test_ci_runs_the_test_command_verbatim(self) -> None:
        """.ci/run's last line is the README's test command."""
        lines = (ROOT / ".ci/run").read_text(encoding="utf-8").strip().splitlines()
        assert lines[-1] == quick_start_commands()[1]


class TestConfigurationReference:
    def test_every_option_is_documented(self) -> None:
        """Each option has a row naming its key and environment variable, in declaration order."""
        rows = re.findall(r"^\| `([a-z-]+)` \| `(NOXCI_[A-Z_]+)` \|", README, flags=re.MULTILINE)
        assert rows == [(opt.key, opt.env) for opt in options()]
