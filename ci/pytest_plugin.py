"""pytest plugin the property stage loads (``-p ci.pytest_plugin``): Hypothesis profiles.

``dev`` is fast for a laptop, ``ci`` is the default under ``CI=true``, ``nightly`` digs deep
(``NOXCI_PROFILE=nightly``). The stage passes ``--hypothesis-profile``; the example database
lives under ``.noxci/hypothesis`` so failures found once are replayed first next time.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

__all__ = ["PROFILES", "register_profiles"]

#: Examples per test for each profile.
PROFILES = {"dev": 25, "ci": 200, "nightly": 5_000}


def register_profiles(database: Path = Path(".noxci") / "hypothesis") -> None:
    """Register the dev, ci and nightly profiles, all sharing one example database."""
    db = DirectoryBasedExampleDatabase(str(database))
    for name, examples in PROFILES.items():
        settings.register_profile(
            name,
            max_examples=examples,
            database=db,
            deadline=None if name == "nightly" else 2_000,
            suppress_health_check=[HealthCheck.too_slow] if name == "nightly" else [],
            print_blob=name != "dev",
        )


register_profiles()
