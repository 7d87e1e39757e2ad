"""Reading JSON inputs (coverage JSON, pytest-benchmark JSON) with one-line errors.

Why one place: every JSON reader must refuse the same bad files in the same words (empty,
truncated, not text, not an object) and walk untrusted shapes without ``KeyError`` or
``TypeError`` tracebacks. :func:`load_json` turns the file into Python values; the
``expect_*`` helpers check one value each and raise :class:`ShapeError` naming where in
the document it sits, which the format's reader turns into an :class:`InputError`.

Encodings: UTF-8, with or without a byte-order mark, and UTF-16/UTF-32 *with* a BOM are
read (Python's ``json`` reads them too, and Windows tools write them); anything else that
is not valid UTF-8 is refused. ``NaN`` and ``Infinity`` load as floats, so the readers can
say which field holds one instead of refusing the whole file.
"""

from __future__ import annotations

import codecs
import json
import math
from pathlib import Path

from ci.errors import InputError

__all__ = [
    "ShapeError",
    "decode_text",
    "expect_count",
    "expect_list",
    "expect_object",
    "expect_str",
    "expect_timing",
    "load_json",
]

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ShapeError(Exception):
    """A JSON value is missing or has the wrong type; the message says where and what."""


def decode_text(raw: bytes, errors: str = "strict") -> str:
    """Decode a text file: UTF-8 (BOM optional), or UTF-16/32 announced by a BOM.

    Raises :class:`UnicodeDecodeError` when the bytes are not valid in that encoding
    (unless ``errors`` says otherwise, as for :meth:`bytes.decode`).
    """
    encoding = next((codec for bom, codec in _BOMS if raw.startswith(bom)), "utf-8")
    return raw.decode(encoding, errors)


def load_json(path: Path, *, what: str, remedy: str) -> object:
    """Read and decode the JSON file ``path``, described as ``what`` in error messages.

    Raises :class:`InputError` ("<path>: <problem>; <remedy>") when the file cannot be read,
    is empty or whitespace only, is not text, or is not valid JSON.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        msg = f"{path}: cannot read the {what} ({error.strerror}); check the path and permissions"
        raise InputError(msg) from None
    try:
        text = decode_text(raw)
    except UnicodeDecodeError as error:
        msg = f"{path}: the {what} is not UTF-8 text (byte {error.start}); {remedy}"
        raise InputError(msg) from None
    if not text.strip():
        msg = f"{path}: the {what} is empty; {remedy}"
        raise InputError(msg)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        msg = f"{path}: the {what} is not valid JSON ({error.msg}: {where}); {remedy}"
        raise InputError(msg) from None
    except RecursionError:
        msg = f"{path}: the {what} is nested too deeply to read; {remedy}"
        raise InputError(msg) from None


def expect_object(value: object, where: str) -> dict[str, object]:
    """Return ``value`` if it is a JSON object, else raise :class:`ShapeError`."""
    if not isinstance(value, dict):
        msg = f"{where} is {_kind(value)}, not an object"
        raise ShapeError(msg)
    return value


def expect_list(value: object, where: str) -> list[object]:
    """Return ``value`` if it is a JSON array, else raise :class:`ShapeError`."""
    if not isinstance(value, list):
        msg = f"{where} is {_kind(value)}, not an array"
        raise ShapeError(msg)
    return value


def expect_str(value: object, where: str) -> str:
    """Return ``value`` if it is a JSON string, else raise :class:`ShapeError`."""
    if not isinstance(value, str):
        msg = f"{where} is {_kind(value)}, not a string"
        raise ShapeError(msg)
    return value


def expect_count(value: object, where: str) -> int:
    """Return ``value`` if it is a non-negative integer, else raise :class:`ShapeError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{where} is {_kind(value)}, not a count (an integer >= 0)"
        raise ShapeError(msg)
    return value


def expect_timing(value: object, where: str) -> float:
    """Return ``value`` as a float if it is a finite number >= 0, else raise :class:`ShapeError`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{where} is {_kind(value)}, not a number"
        raise ShapeError(msg)
    if not math.isfinite(value) or value < 0:
        msg = f"{where} is {value!r}; timings must be finite and not negative"
        raise ShapeError(msg)
    return float(value)


def _kind(value: object) -> str:
    """Describe a JSON value for an error message: its type, and the value when short."""
    if value is None:
        return "missing or null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
