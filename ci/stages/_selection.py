"""Which sessions this ``nox`` invocation runs, and so whether the report follows the stages.

nox aborts a session whose ``requires=`` prerequisite failed. A report that only ran when
every test passed would be useless, so when the report is part of the same invocation
(``nox``, ``nox -t tests report``, ``nox -s unit report``) it requires the stages selected
with it, and those stages let a test failure (pytest exit 1) through: the report gives
the verdict and its exit code fails the run. ``nox -s report`` alone requires nothing,
so the CI report job reads downloaded artifacts without re-running a stage, and
``nox -s unit`` alone fails on a failing test as usual.

nox runs each parallel session in a child ``nox --parallel-worker`` process that inherits
the environment; the parent records its decision in :data:`PIPELINE_ENV` for them.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping, MutableMapping, Sequence

__all__ = ["PIPELINE_ENV", "SessionInfo", "pipeline_stages", "selected_sessions"]

#: Comma-separated stages whose artifacts the report of this invocation expects.
PIPELINE_ENV = "NOXCI_PIPELINE_STAGES"


@dataclasses.dataclass(frozen=True, kw_only=True)
class SessionInfo:
    """What selection needs to know about a session."""

    name: str
    tags: tuple[str, ...] = ()
    default: bool = True


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-s", "-e", "--session", "--sessions", nargs="*", dest="sessions")
    parser.add_argument("-t", "--tags", nargs="*", dest="tags")
    parser.add_argument("-k", "--keywords", dest="keywords")
    parser.add_argument("--parallel-worker", action="store_true", dest="worker")
    return parser


def selected_sessions(
    argv: Sequence[str],
    sessions: Sequence[SessionInfo],
    configured: Sequence[str] | None = None,
) -> frozenset[str] | None:
    """Names of the sessions ``nox argv`` selects, or ``None`` when that cannot be told.

    ``configured`` is ``nox.options.sessions`` as the noxfile set it. Keyword expressions
    (``-k``) are not evaluated: they give ``None``, and the report then runs standalone.
    """
    args = list(argv)
    if "--" in args:
        args = args[: args.index("--")]
    known, _ = _parser().parse_known_args(args)
    if known.keywords:
        return None
    if known.tags is not None:
        wanted = set(known.tags)
        return frozenset(s.name for s in sessions if wanted.intersection(s.tags))
    if known.sessions is not None:
        # A python-qualified name such as ``unit-3.12`` still selects ``unit``.
        names = {s.name for s in sessions}
        picked = set()
        for given in known.sessions:
            base = given.split("(")[0]
            picked.add(base if base in names else base.rsplit("-", 1)[0])
        return frozenset(picked)
    if configured:
        return frozenset(configured)
    return frozenset(s.name for s in sessions if s.default)


def is_worker(argv: Sequence[str]) -> bool:
    """Whether this process is a child that nox's parallel scheduler started."""
    return "--parallel-worker" in argv


def pipeline_stages(
    argv: Sequence[str],
    sessions: Sequence[SessionInfo],
    artifact_stages: Sequence[str],
    environ: MutableMapping[str, str],
    configured: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """The stages the report of this invocation follows (empty: no report, or report alone).

    The parent process decides and writes :data:`PIPELINE_ENV`; parallel workers read it.
    """
    if is_worker(argv):
        return _from_env(environ)
    selected = selected_sessions(argv, sessions, configured)
    stages: tuple[str, ...] = ()
    if selected is not None and "report" in selected:
        stages = tuple(s for s in artifact_stages if s in selected)
    environ[PIPELINE_ENV] = ",".join(stages)
    return stages


def _from_env(environ: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(s for s in environ.get(PIPELINE_ENV, "").split(",") if s)
