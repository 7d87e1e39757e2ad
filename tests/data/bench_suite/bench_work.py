"""Real work for the verdict-quality suite, scaled per benchmark by an environment variable.

``BENCH_SUITE_SCALE="sort=1.1,json=1.25"`` multiplies how many times a benchmark repeats its
unit of work (``REPS`` by default), so a scale of 1.1 is 10% more work, hence about 10% more
time. Each unit is real library work (sorting, hashing, JSON, regex, compression, decimal
arithmetic, parsing...), sized so that one round takes a few milliseconds.
"""

from __future__ import annotations

import ast
import collections
import csv
import decimal
import hashlib
import io
import json
import os
import random
import re
import zlib
from collections.abc import Callable, Mapping

__all__ = ["REPS", "UNITS", "repetitions", "scales"]

#: Repetitions of the unit of work per round at scale 1.
REPS = 20
_RANDOM = random.Random(20240601)
_INTS = [_RANDOM.randrange(10**9) for _ in range(2_000)]
_BLOB = bytes(_RANDOM.getrandbits(8) for _ in range(64 * 1024))
_WORDS = [f"w{_RANDOM.randrange(500)}" for _ in range(3_000)]
_TEXT = " ".join(_WORDS)
_TEXTY = (_TEXT.encode() * 2)[:8_000]
_DOC = {
    "items": [
        {"id": i, "name": f"item-{i}", "tags": ["a", "b", str(i)], "price": i * 1.25}
        for i in range(120)
    ],
    "meta": {"total": 120, "ok": True, "next": None},
}
_PATTERN = re.compile(r"w(\d+)7\b")
_SOURCE = "\n".join(
    f"def f{i}(x, y=2):\n    return [x * y + {i} for _ in range(3) if x]\n" for i in range(8)
)
_CSV = "\n".join(f"{i},name-{i},{i * 0.5},{'yes' if i % 2 else 'no'}" for i in range(150))


def _sort() -> object:
    # Integers: sorting floats here ran 45% slower in some processes than in others.
    return sorted(_INTS)


def _sha256() -> object:
    return hashlib.sha256(_BLOB).digest()


def _json() -> object:
    return json.loads(json.dumps(_DOC))


def _regex() -> object:
    return _PATTERN.findall(_TEXT)


def _zlib() -> object:
    return zlib.compress(_TEXTY, 6)


def _decimal() -> object:
    with decimal.localcontext() as context:
        context.prec = 40
        total = decimal.Decimal(0)
        for i in range(1, 60):
            total += decimal.Decimal(i).sqrt() / decimal.Decimal(i + 1)
        return total


def _parse() -> object:
    return ast.parse(_SOURCE)


def _csv() -> object:
    return list(csv.reader(io.StringIO(_CSV)))


def _format() -> object:
    return "\n".join(f"{i:>6} {i / 7:10.4f} {hex(i)} {'x' * (i % 9)}" for i in range(150))


def _counter() -> object:
    return collections.Counter(_WORDS).most_common(10)


#: The unit of work of each benchmark, by its short name.
UNITS: Mapping[str, Callable[[], object]] = {
    "sort": _sort,
    "sha256": _sha256,
    "json": _json,
    "regex": _regex,
    "zlib": _zlib,
    "decimal": _decimal,
    "parse": _parse,
    "csv": _csv,
    "format": _format,
    "counter": _counter,
}


def scales(text: str) -> dict[str, float]:
    """Parse ``"sort=1.1,json=1.25"`` into ``{"sort": 1.1, "json": 1.25}``."""
    pairs = (item.split("=", 1) for item in text.split(",") if item.strip())
    return {name.strip(): float(value) for name, value in pairs}


def repetitions(name: str, environ: Mapping[str, str] = os.environ) -> int:
    """How many units of work benchmark ``name`` does per round under ``BENCH_SUITE_SCALE``."""
    return round(REPS * scales(environ.get("BENCH_SUITE_SCALE", "")).get(name, 1.0))
