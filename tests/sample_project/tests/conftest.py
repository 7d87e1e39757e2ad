"""Markers by folder: a test's stage is the folder it lives in (``tests/<stage>/...``)."""

from __future__ import annotations

from pathlib import Path

import pytest

STAGE_FOLDERS = ("unit", "integration", "snapshot", "property", "benchmark")
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test the marker of its stage folder."""
    for item in items:
        relative = item.path.relative_to(TESTS) if item.path.is_relative_to(TESTS) else None
        if relative is not None and relative.parts and relative.parts[0] in STAGE_FOLDERS:
            item.add_marker(getattr(pytest.mark, relative.parts[0]))
