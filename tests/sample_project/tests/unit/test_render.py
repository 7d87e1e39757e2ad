"""Unit tests of draw's argument checking (its pictures are snapshot tests)."""

from __future__ import annotations

import pytest

from sampleproj import IntervalSet, draw


class TestDraw:
    def test_empty_window_is_refused(self) -> None:
        """A window whose start is not below its end is an error."""
        with pytest.raises(ValueError, match=r"cannot draw \[3, 3\)"):
            draw(IntervalSet(), 3, 3)
