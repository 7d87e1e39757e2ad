"""The error hierarchy: each error carries the exit code the CLI ends with.

Only :func:`ci.cli.main` turns these into exit codes and one-line messages; everything
else raises them. A message names the file or option, says what is wrong and what to do.
"""

from __future__ import annotations

import enum

__all__ = [
    "ConfigError",
    "ExitCode",
    "InputError",
    "NoxciError",
    "PublishError",
    "ServiceError",
    "UsageError",
]


class ExitCode(enum.IntEnum):
    """What the command line ends with (DESIGN.md, "Exit codes")."""

    OK = 0
    GATE_FAILED = 1
    USAGE = 2
    PUBLISH_FAILED = 3


class NoxciError(Exception):
    """Base of every error noxci reports to a person instead of a traceback."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(NoxciError):
    """A command line that cannot be carried out as written."""


class ConfigError(UsageError):
    """``[tool.noxci]``, a ``NOXCI_*`` variable or a flag holds a value we cannot use."""


class InputError(NoxciError):
    """An input file (JUnit, coverage, benchmark JSON) that could not be read."""


class ServiceError(NoxciError):
    """A service of the integration stage did not start or never became ready."""


class PublishError(NoxciError):
    """Publishing failed and ``--strict-publish`` asked for that to fail the run."""

    exit_code = ExitCode.PUBLISH_FAILED
