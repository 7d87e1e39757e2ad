"""Functions with branches, so that the sample runs leave some lines and arcs missing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def classify(n: int) -> str:
    """Say whether ``n`` is negative, zero or positive."""
    if n < 0:
        return "negative"
    if n == 0:
        return "zero"
    return "positive"


def total(values: Sequence[int]) -> int:
    """Add the positive values."""
    result = 0
    for value in values:
        if value > 0:
            result += value
    return result


def describe(n: int) -> str:
    """Describe ``n`` in words."""
    return f"{n} is {classify(n)}"


def unsupported() -> None:
    """Never implemented."""
    raise NotImplementedError
