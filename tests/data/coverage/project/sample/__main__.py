"""Run one sample scenario: ``python -m sample a`` or ``python -m sample b``."""

import sys

from .shapes import classify, describe, total

if sys.argv[1:] == ["a"]:
    classify(-1)
    total([1, 2])
else:
    classify(0)
    describe(0)
