"""Bounded memory for the JUnit readers: the rerun window and pruning of the parsed tree.

The window holds the most recent tests by id, in two generations of
:data:`RERUN_WINDOW` cases each: a later ``<testcase>`` with the id of one in the window
is another attempt of that test. pytest-rerunfailures writes one element per attempt,
adjacent without xdist and interleaved with other workers' cases under it.
"""

from __future__ import annotations

from typing import TypeVar

from lxml import etree

from ci.report.parse._junit_case import Key

__all__ = ["RERUN_WINDOW", "Window", "prune", "take"]

#: Attempts of one test are merged when fewer than 4096 (at most 8191) cases apart.
RERUN_WINDOW = 4096

_T = TypeVar("_T")
#: The newest generation first.
Window = tuple[dict[Key, _T], dict[Key, _T]]

_MISSING = object()


def take(window: Window[_T], key: Key) -> _T:
    """Remove and return the entry of ``key``, which the window holds."""
    newest, oldest = window
    found = newest.pop(key, _MISSING)
    return oldest.pop(key) if found is _MISSING else found  # type: ignore[return-value]


def prune(case: etree._Element) -> None:
    """Drop everything the parser built before ``case``: earlier cases and whole suites.

    Everything before ``case`` in document order (its ancestors aside) is an earlier
    sibling of ``case`` or of one of its ancestors. ``case`` itself stays: iterparse may
    still hold it.
    """
    node = case
    parent = node.getparent()
    while parent is not None:
        index = parent.index(node)
        if index:
            del parent[:index]
        node, parent = parent, parent.getparent()
