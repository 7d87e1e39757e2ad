"""The coverage configuration noxci measures and reports with, as TOML text.

The test stages and the report must agree on it: data files hold relative paths and
branch arcs, and only a configuration with ``relative_files`` and the same sources
combines them right. Both sides build it here, from the project's own ``[tool.coverage]``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ci.config import Settings

__all__ = ["coverage_config"]


def _dump_toml(table: Mapping[str, Any], prefix: str = "") -> list[str]:
    """A minimal TOML writer for coverage's configuration (strings, numbers, lists, tables)."""
    lines: list[str] = []
    scalars = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    tables = {k: v for k, v in table.items() if isinstance(v, Mapping)}
    if prefix and scalars:
        lines.append(f"[{prefix}]")
    for key, value in scalars.items():
        lines.append(f"{json.dumps(key)} = {json.dumps(value)}")
    for key, sub in tables.items():
        lines.extend(_dump_toml(sub, f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key)))
    return lines


def coverage_config(project: Path, settings: Settings, data_file: Path) -> str:
    """The coverage configuration a test stage measures with, as TOML text.

    It starts from the project's own ``[tool.coverage]`` and forces what noxci relies on:
    branch coverage, parallel data files (one per process, pytest-xdist workers included
    through coverage's subprocess patch), relative paths so runners can be combined, and
    the stage's own data file.
    """
    own: dict[str, Any] = {}
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as stream:
            own = tomllib.load(stream).get("tool", {}).get("coverage", {})
    merged = {
        key: dict(value) if isinstance(value, Mapping) else value for key, value in own.items()
    }
    run = merged.setdefault("run", {})
    run.update(
        {
            "branch": True,
            "parallel": True,
            "relative_files": True,
            "data_file": str(data_file),
            "patch": sorted({*run.get("patch", []), "subprocess"}),
            # Under xdist the controller process runs no test code: its empty data is expected.
            "disable_warnings": sorted({*run.get("disable_warnings", []), "no-data-collected"}),
        }
    )
    if settings.sources:
        run["source"] = list(settings.sources)
    # A process running outside the project directory (a nested nox in another checkout)
    # records this project's files by absolute path; combining maps them back.
    merged.setdefault("paths", {})["noxci-project"] = ["./", f"{project.resolve()}/"]
    return "\n".join(_dump_toml({"tool": {"coverage": merged}})) + "\n"
