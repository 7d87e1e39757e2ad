"""``register()``: the noxci stages as nox sessions in any project's noxfile.

A project adopts noxci with two lines in its ``noxfile.py``::

    from ci.stages import register
    register()

and configures paths, thresholds and services in ``[tool.noxci]``.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ci.config import ARTIFACT_STAGES, TEST_STAGES, Settings, load_settings
from ci.errors import ConfigError
from ci.stages import _sessions
from ci.stages._selection import SessionInfo, pipeline_stages

if TYPE_CHECKING:
    import nox

__all__ = ["register", "session_infos"]

#: Tags: ``nox -t tests`` runs the four test stages; ``nox -t tests report`` adds the report.
TAGS: dict[str, tuple[str, ...]] = {
    "lint": ("lint",),
    **dict.fromkeys(TEST_STAGES, ("tests",)),
    "benchmark": ("benchmark",),
    "report": ("report",),
}


def session_infos(settings: Settings) -> list[SessionInfo]:
    """The sessions :func:`register` defines for these settings, in ``nox -l`` order."""
    names = [*settings.stages, "report"]
    return [SessionInfo(name=name, tags=TAGS[name]) for name in names]


def register(
    *,
    project: Path | None = None,
    argv: Sequence[str] | None = None,
    environ: MutableMapping[str, str] | None = None,
) -> Settings:
    """Define the stages and the report as nox sessions; return the settings they use.

    Reads ``[tool.noxci]`` from ``project``'s ``pyproject.toml`` (default: the directory
    nox runs the noxfile from). A bad configuration ends nox with one line and exit code 2.
    """
    import nox  # noqa: PLC0415 - noxci's report side does not need nox

    project = (project or Path.cwd()).resolve()
    environ = os.environ if environ is None else environ
    try:
        settings = load_settings(project, environ)
    except ConfigError as exc:
        print(f"noxci: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None

    infos = session_infos(settings)
    configured = nox.options.sessions
    follow = pipeline_stages(
        sys.argv[1:] if argv is None else argv,
        infos,
        ARTIFACT_STAGES,
        environ,
        configured=list(configured) if configured else None,
    )
    common = {"python": settings.python, "reuse_venv": True}

    def define(name: str, body: Callable[[nox.Session], None], **kwargs: object) -> None:
        body.__doc__ = _DOCS[name]
        nox.session(name=name, tags=list(TAGS[name]), **common, **kwargs)(body)  # type: ignore[call-overload]

    for stage in settings.stages:
        keep_going = stage in follow
        if stage == "lint":
            body = functools.partial(_sessions.lint_session, project=project, settings=settings)
        elif stage == "benchmark":
            body = functools.partial(
                _sessions.benchmark_session,
                project=project,
                settings=settings,
                keep_going=keep_going,
            )
        else:
            body = functools.partial(
                _sessions.test_session,
                project=project,
                settings=settings,
                stage=stage,
                keep_going=keep_going,
            )
        define(stage, _named(body, stage), allow_parallel=stage != "benchmark")

    expect = follow or tuple(s for s in ARTIFACT_STAGES if s in settings.stages)
    report = functools.partial(_sessions.report_session, settings=settings, expect=expect)
    define("report", _named(report, "report"), allow_parallel=True, requires=list(follow))
    return settings


def _named(body: Callable[[nox.Session], None], name: str) -> Callable[[nox.Session], None]:
    """A plain function (nox wants ``__name__`` and a docstring) calling ``body``."""

    def session(session: nox.Session) -> None:
        body(session)

    session.__name__ = session.__qualname__ = name
    return session


_DOCS = {
    "lint": "ruff check, ruff format --check, mypy --strict, workflow linters.",
    "unit": "pytest tests/unit -n auto under coverage; JUnit in reports/junit/unit.xml.",
    "integration": "pytest tests/integration -n auto with the declared services started first.",
    "snapshot": "pytest tests/snapshot (syrupy); `-- --snapshot-update` refreshes snapshots.",
    "property": "pytest tests/property (Hypothesis; NOXCI_PROFILE=dev|ci|nightly).",
    "benchmark": "pytest-benchmark without xdist, alone on the machine; JSON in reports/benchmark/.",
    "report": "python -m ci report over reports/: the verdict of every stage.",
}
