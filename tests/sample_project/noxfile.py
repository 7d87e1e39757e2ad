#!/usr/bin/env -S uv run --script
# /// script
# dependencies = ["nox>=2026.10.20", "noxci"]
# ///
"""sampleproj's CI: the noxci stages, configured in pyproject.toml's [tool.noxci].

``nox`` runs lint and the test stages in parallel, the benchmark alone, then the report.
"""

from __future__ import annotations

import nox
from ci.stages import register

nox.needs_version = ">=2026.10.20"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.parallel = "auto"  # type: ignore[assignment]  # converted by nox; typed int

register()

if __name__ == "__main__":
    nox.main()
