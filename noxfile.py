#!/usr/bin/env -S uv run --script
# /// script
# dependencies = ["nox>=2026.10.20"]
# ///
"""noxci's own stages: this repository is the first project that uses noxci.

``nox`` runs every stage in parallel, then the report; ``nox -t tests report`` runs the
four test stages and the report (what CI runs); ``nox -s report`` reports on whatever
is in ``reports/`` without running a stage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

nox.needs_version = ">=2026.10.20"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.parallel = "auto"  # type: ignore[assignment]  # nox converts "auto" to the core count

# noxci's own source tree is where the stages come from; other projects `pip install noxci`.
sys.path.insert(0, str(Path(__file__).parent))

from ci.stages import register  # noqa: E402

register()

if __name__ == "__main__":
    nox.main()
