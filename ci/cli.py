"""The command line: ``noxci …`` and ``python -m ci …``.

This is the only place that turns errors into exit codes (DESIGN.md, "Exit codes"):
:func:`main` catches :class:`~ci.errors.NoxciError`, prints its one line and exits with
its code; everything below raises.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ci import __version__
from ci.config import add_flags, flag_values, load_settings
from ci.errors import NoxciError
from ci.github.commands import add_commands
from ci.shards import add_command as add_durations_command

__all__ = ["main", "main_inner"]

#: The options ``noxci report`` takes as flags (everything else comes from config and env).
REPORT_FLAGS = (
    "reports",
    "fail_under",
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
)
FORMATS = ("terminal", "markdown", "json")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="noxci",
        description="Test stages as nox sessions, and one report that gates the merge.",
    )
    parser.add_argument("--version", action="version", version=f"noxci {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    report = commands.add_parser(
        "report",
        help="read the stages' artifacts, decide the gates, print the report",
        description="Read JUnit XML, coverage data and pytest-benchmark JSON; decide the gates; "
        "print the report. Exit 0 when every gate passed, 1 when one failed, 2 for unreadable input.",
    )
    report.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or directories to read (default: the reports directory)",
    )
    report.add_argument(
        "--expect",
        default=None,
        metavar="STAGES",
        help="comma-separated stages whose artifacts must be present (e.g. unit,integration)",
    )
    report.add_argument("--format", choices=FORMATS, default="terminal", help="what to print")
    report.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="write to FILE instead of printing",
    )
    report.add_argument(
        "--project",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="project directory holding pyproject.toml (default: the current one)",
    )
    add_flags(report, REPORT_FLAGS)
    add_commands(commands)  # matrix, merge, baseline, nightly: each sets `run`
    add_durations_command(commands)  # durations: pytest-split's file from JUnit
    return parser


def main_inner(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code. Raises :class:`NoxciError` for bad input."""
    args = _parser().parse_args(argv)
    if args.command != "report":
        return int(args.run(args))
    settings = load_settings(args.project, os.environ, flag_values(args, REPORT_FLAGS))
    from ci.report import pipeline  # noqa: PLC0415 - keeps `noxci --help` fast

    return pipeline.run(
        settings,
        project=args.project,
        paths=args.paths or [args.project / settings.reports],
        expect=None if args.expect is None else tuple(s for s in args.expect.split(",") if s),
        output_format=args.format,
        output=args.output,
        env=os.environ,
    )


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point: exit with the verdict's code, or 2 with one line for bad input."""
    try:
        code = main_inner(argv)
    except NoxciError as exc:
        print(f"noxci: error: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        print("noxci: interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)
