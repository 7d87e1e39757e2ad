"""Markers by folder: a test's stage is the folder it lives in (``tests/<stage>/...``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sample_harness import shared_envdir_path

STAGE_FOLDERS = ("unit", "integration", "snapshot", "property", "benchmark")
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give every test the marker of its stage folder."""
    for item in items:
        relative = item.path.relative_to(TESTS) if item.path.is_relative_to(TESTS) else None
        if relative is not None and relative.parts and relative.parts[0] in STAGE_FOLDERS:
            item.add_marker(getattr(pytest.mark, relative.parts[0]))


@pytest.fixture(scope="session")
def shared_envdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One nox envdir for every run of the sample project in this test session."""
    return shared_envdir_path(tmp_path_factory)
