"""Open a JUnit file safely: recognise it, refuse what must not be parsed, explain failures.

JUnit files never declare a DTD, so a ``<!DOCTYPE`` is refused before libxml2 sees it:
that rules out external entities (no file read, no network) and entity-expansion bombs
("billion laughs"). The parser runs with ``resolve_entities=False``, ``no_network=True``
and ``load_dtd=False`` as well. ``huge_tree=True`` is a conscious choice: with no DTD there
is nothing to amplify, and it lets real files with more than 10 MB in one ``system-out``
or suites nested deeper than 256 levels (up to libxml2's 2048) be read, not rejected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from ci.errors import InputError

__all__ = [
    "CHUNK_BYTES",
    "HEAD_BYTES",
    "check_head",
    "first_tag",
    "is_junit",
    "open_events",
    "syntax_error",
    "target_parser",
]

#: How many bytes :func:`is_junit` needs to recognise a file.
HEAD_BYTES = 4096
_PROLOGUE_BYTES = 1 << 20
_ROOTS = frozenset({"testsuites", "testsuite"})
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_PROLOGUE = re.compile(r"\s*(?:(?:<\?.*?\?>|<!--.*?-->)\s*)*", re.DOTALL)
_START = re.compile(r"<(!DOCTYPE|[^\s/>!?]+)", re.IGNORECASE)
_HTML = re.compile(r"<!DOCTYPE\s+html\b|<html\b", re.IGNORECASE)
_DECLARED = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)", re.IGNORECASE)
_ENCODING_ERRORS = frozenset({31, 32, 79, 81})  # libxml2: unknown/unsupported/invalid encoding
CHUNK_BYTES = 32768  # what iterparse feeds at a time
_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": True,
    "remove_comments": True,
    "remove_pis": True,
}


def _decode(head: bytes) -> str:
    """Decode enough of ``head`` to read its markup: BOM and UTF-16 aware, else Latin-1."""
    for mark, codec in _BOMS:
        if head.startswith(mark):
            body = head[len(mark) :] if mark[0] in b"\xef\xff\xfe" else head
            return body.decode(codec, errors="ignore")
    return head.decode("latin-1")


def _root(head: bytes) -> tuple[str, int]:
    """``head`` decoded, and where its first markup after the prologue starts."""
    text = _decode(head)
    prologue = _PROLOGUE.match(text)
    assert prologue is not None  # every part of the pattern is optional
    return text, prologue.end()


def first_tag(head: bytes) -> str | None:
    """The first markup after the declaration, comments and PIs (None: not in ``head``)."""
    text, start = _root(head)
    found = _START.match(text, start)
    return found.group(1) if found else None


def is_junit(head: bytes) -> bool:
    """Tell from a file's first bytes (:data:`HEAD_BYTES` is enough) whether it is JUnit XML.

    True when the root element is ``<testsuites>`` or ``<testsuite>``, after an optional
    BOM, XML declaration, comments and processing instructions, in UTF-8 or UTF-16.
    """
    return first_tag(head) in _ROOTS


def _problem(head: bytes) -> str | None:
    """What makes ``head`` unfit for the parser, or None."""
    if not head.strip():
        return "is empty; check that the test run wrote its report"
    tag = first_tag(head)
    if tag is None:
        return "has no root element in its first 1 MiB; it is not XML"
    if _HTML.match(*_root(head)):
        return "is HTML, not JUnit XML (an error page saved as the report?)"
    if tag.upper() == "!DOCTYPE":
        return "declares a DTD, which JUnit XML never does, so it is not read (for safety)"
    if tag not in _ROOTS:
        return f"has root element <{tag}>, not <testsuites> or <testsuite>"
    return _encoding_problem(head)


def _encoding_problem(head: bytes) -> str | None:
    """UTF-16 that XML cannot recognise, or a declared one that is not (libxml2 is cryptic)."""
    if head[:2] in (b"<\x00", b"\x00<") and head[:4] not in (b"<\x00?\x00", b"\x00<\x00?"):
        return "is UTF-16 without a byte-order mark or XML declaration; write it with either"
    declared = _DECLARED.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower().startswith((b"utf-16", b"utf-32")):
        return f"declares encoding {declared.group(1).decode()} but is not written in it"
    return None


def check_head(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` can be read and starts like JUnit XML."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_PROLOGUE_BYTES)
    except OSError as error:
        msg = f"{path}: cannot read the JUnit file ({error.strerror}); check the path"
        raise InputError(msg) from None
    problem = _problem(head)
    if problem is not None:
        msg = f"{path}: {problem}; point the report at the test run's JUnit XML"
        raise InputError(msg)


def open_events(path: Path) -> etree.iterparse:
    """A hardened ``iterparse`` over the ``<testcase>`` elements of a checked file."""
    check_head(path)
    return etree.iterparse(str(path), events=("end",), tag="testcase", **_OPTIONS)


def target_parser(path: Path, target: object) -> etree.XMLParser:
    """A parser, hardened as :func:`open_events`'s, that calls ``target`` back; feed it
    :data:`CHUNK_BYTES` at a time (as iterparse does, so both meet errors alike).
    """
    check_head(path)
    return etree.XMLParser(target=target, **_OPTIONS)  # type: ignore[arg-type]


def syntax_error(path: Path, error: etree.XMLSyntaxError) -> InputError:
    """Turn libxml2's complaint into one line that says where and what to do."""
    line, column = error.position
    problem = " ".join(error.msg.split(", line")[0].split())  # one line, whatever libxml2 says
    where = f"line {line}, column {column}: {problem}"
    if getattr(error, "code", 0) in _ENCODING_ERRORS:  # lxml-stubs do not declare .code
        advice = "its bytes do not match its declared encoding; write it in that encoding"
    else:
        advice = "it is cut short or not XML; rerun the tests to write it again"
    return InputError(f"{path}: not well-formed XML ({where}); {advice}")
