"""The GitHub Actions job matrix, generated from the noxfile's sessions (``nox -l --json``).

One matrix serves every stage, so the workflow has one job definition and no duplicated
setup: each test stage (tag ``tests``) runs on every supported Python, ``lint`` and
``benchmark`` run once (the benchmark compares head and base on one runner), and the
``report`` runs in a job of its own. The nightly profile also runs the benchmark on every
Python, with more rounds. A session that nox already parametrizes by Python keeps its own
interpreter. A test stage configured with ``shards = N`` runs as N jobs per Python, each
with its ``shard`` (``I/N``, which the workflow hands to nox as ``NOXCI_SHARD``). Each cell
names a unique artifact, so no two jobs upload under one name.

``python -m ci matrix`` prints ``{"include": [...]}`` for ``fromJSON`` and, with
``--github-output``, writes it as the step output ``matrix``.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

from ci.config import Settings
from ci.errors import InputError

__all__ = [
    "PROFILES",
    "PYTHONS",
    "Cell",
    "Profile",
    "build_matrix",
    "list_sessions",
    "matrix_json",
    "parse_sessions",
    "stage_shards",
]

#: The Python versions noxci supports, oldest first: the test stages run on each.
PYTHONS: Final = ("3.11", "3.12", "3.13", "3.14")
#: ``pr`` for pull requests and pushes; ``nightly`` for the scheduled run.
Profile = Literal["pr", "nightly"]
PROFILES: Final[tuple[Profile, ...]] = ("pr", "nightly")
#: What a cell runs, by the session's tag.
Kind = Literal["tests", "lint", "benchmark"]
_KINDS: Final[tuple[Kind, ...]] = ("tests", "lint", "benchmark")
#: Extra pytest options per stage kind for the nightly profile (``PYTEST_ADDOPTS``).
NIGHTLY_ADDOPTS: Final[Mapping[str, str]] = {"benchmark": "--benchmark-min-rounds=50"}
#: The prefix of every artifact a stage job uploads (the report job downloads ``noxci-*``).
ARTIFACT_PREFIX: Final = "noxci-"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Session:
    """One entry of ``nox -l --json``."""

    #: What ``nox -s`` takes (``unit``, or ``unit-3.12`` for a parametrized session).
    signature: str
    #: The session's function name (the stage).
    name: str
    #: The Python nox pins the session to, or ``None`` (nox's own interpreter).
    python: str | None
    tags: tuple[str, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Cell:
    """One job of the matrix."""

    #: The job's name as GitHub shows it, e.g. ``unit (3.12)``.
    name: str
    #: The stage: what the report calls it and what the artifacts belong to.
    stage: str
    #: What ``nox -s`` runs.
    session: str
    #: The Python ``actions/setup-python`` installs and ``nox --force-python`` uses.
    python: str
    kind: Kind
    #: The unique name the job's ``reports/`` are uploaded under.
    artifact: str
    #: ``PYTEST_ADDOPTS`` for the job ("" for none).
    pytest_addopts: str = ""
    #: The shard the job runs, ``I/N`` (the workflow passes it as ``NOXCI_SHARD``); "" for all.
    shard: str = ""

    def as_json(self) -> dict[str, str]:
        """The cell as the workflow reads it (``matrix.session``, ``matrix.pytest-addopts``...).

        ``shard`` is left out of an unsharded cell (``matrix.shard`` then reads as "").
        """
        return {
            field.name.replace("_", "-"): getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name != "shard" or self.shard
        }


def list_sessions(project: Path, *, nox: Sequence[str] = ("nox",)) -> str:
    """``nox -l --json`` run in ``project``; InputError with nox's last line when it fails."""
    try:
        done = subprocess.run(
            [*nox, "-l", "--json"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except FileNotFoundError:
        msg = f"{nox[0]}: not found; install nox (pip install nox) or pass --sessions FILE"
        raise InputError(msg) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        msg = f"{project}: `nox -l --json` failed ({last}); fix the noxfile"
        raise InputError(msg)
    return done.stdout


def parse_sessions(text: str, *, where: str = "nox -l --json") -> list[Session]:
    """The sessions of ``nox -l --json`` output; InputError naming ``where`` if it is not that."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        msg = f"{where}: not JSON; give the output of `nox -l --json`"
        raise InputError(msg) from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        msg = f"{where}: not a list of sessions; give the output of `nox -l --json`"
        raise InputError(msg)
    sessions = []
    for item in data:
        name, signature = item.get("name"), item.get("session")
        python, tags = item.get("python"), item.get("tags", [])
        if not isinstance(name, str) or not isinstance(signature, str):
            msg = f"{where}: a session without 'name' and 'session'; give `nox -l --json` output"
            raise InputError(msg)
        sessions.append(
            Session(
                signature=signature,
                name=name,
                python=python if isinstance(python, str) else None,
                tags=tuple(tag for tag in tags if isinstance(tag, str)),
            )
        )
    return sessions


def _kind(session: Session) -> Kind | None:
    """What a session is to the matrix, by its tags; ``None``: not a matrix job (report)."""
    for kind in _KINDS:
        if kind in session.tags:
            return kind
    return None


def _pythons(session: Session, kind: Kind, profile: Profile, pythons: Sequence[str]) -> list[str]:
    if session.python is not None:
        return [session.python]
    if kind == "tests" or (kind == "benchmark" and profile == "nightly"):
        return list(pythons)
    return [pythons[0]]


def stage_shards(settings: Settings) -> dict[str, int]:
    """The stages configured with more than one shard (``[tool.noxci.stage.<name>] shards``)."""
    return {name: spec.shards for name, spec in settings.stage.items() if spec.shards > 1}


def _shard_cells(cell: Cell, shards: int) -> list[Cell]:
    """A test stage's cell as ``shards`` cells, one per shard; the cell itself for one."""
    if shards <= 1 or cell.kind != "tests":
        return [cell]
    return [
        dataclasses.replace(
            cell,
            name=f"{cell.stage} ({cell.python}, {index}/{shards})",
            artifact=f"{cell.artifact}-shard-{index}",
            shard=f"{index}/{shards}",
        )
        for index in range(1, shards + 1)
    ]


def build_matrix(
    sessions: Sequence[Session],
    *,
    profile: Profile = "pr",
    pythons: Sequence[str] = PYTHONS,
    shards: Mapping[str, int] | None = None,
) -> list[Cell]:
    """The jobs for ``sessions``, in ``nox -l`` order, each Python of a stage in turn.

    A test stage in ``shards`` (stage → N, from :func:`stage_shards`) runs as N jobs per
    Python, one per shard, each uploading its own artifact.
    """
    if not pythons:
        msg = "matrix: no Python versions given; pass --python 3.11,3.12"
        raise InputError(msg)
    cells: list[Cell] = []
    for session in sessions:
        kind = _kind(session)
        if kind is None:
            continue
        for python in _pythons(session, kind, profile, pythons):
            cell = Cell(
                name=f"{session.name} ({python})",
                stage=session.name,
                session=session.signature,
                python=python,
                kind=kind,
                artifact=f"{ARTIFACT_PREFIX}{session.name}-py{python}",
                pytest_addopts=NIGHTLY_ADDOPTS.get(kind, "") if profile == "nightly" else "",
            )
            cells.extend(_shard_cells(cell, (shards or {}).get(session.name, 1)))
    names = [cell.artifact for cell in cells]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        msg = f"matrix: artifact {duplicated[0]!r} would be uploaded twice; rename a session"
        raise InputError(msg)
    return cells


def matrix_json(cells: Sequence[Cell]) -> str:
    """``{"include": [...]}`` on one line, for ``fromJSON`` in the workflow."""
    return json.dumps({"include": [cell.as_json() for cell in cells]}, separators=(",", ":"))
