"""One test that fails on purpose, only when SAMPLEPROJ_FAIL=1 (skipped otherwise).

noxci's integration test turns it on to see what a red run leaves behind.
"""

from __future__ import annotations

import os

import pytest

from sampleproj import IntervalSet


@pytest.mark.skipif(os.environ.get("SAMPLEPROJ_FAIL") != "1", reason="set SAMPLEPROJ_FAIL=1")
def test_deliberate_failure() -> None:
    """Fails on purpose: [0, 2) does not hold three integers."""
    assert IntervalSet.of((0, 2)).size() == 3
