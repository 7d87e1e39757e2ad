"""sampleproj: sets of half-open integer intervals, normalized and immutable."""

from sampleproj.intervals import Interval, IntervalSet
from sampleproj.render import draw

__all__ = ["Interval", "IntervalSet", "draw"]
