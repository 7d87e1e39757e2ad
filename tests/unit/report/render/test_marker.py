"""The hidden marker of the sticky comment."""

from __future__ import annotations

import pytest

from ci.errors import ConfigError
from ci.report.render.marker import comment_marker


class TestCommentMarker:
    def test_default_and_keyed(self) -> None:
        """The key is part of the marker, ``default`` when none is given."""
        assert (comment_marker(), comment_marker("docs-3.12")) == (
            "<!-- noxci:report:default -->",
            "<!-- noxci:report:docs-3.12 -->",
        )

    @pytest.mark.parametrize("key", ["", "-x", "a -->", "a b", "k" * 65])
    def test_bad_keys(self, key: str) -> None:
        """A key that could end the HTML comment or is empty is refused."""
        with pytest.raises(ConfigError, match="use 1-64 letters, digits"):
            comment_marker(key)
