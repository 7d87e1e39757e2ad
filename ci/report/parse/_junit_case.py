"""Read one ``<testcase>`` element of a JUnit file, in any dialect :mod:`.junit` knows.

A case's outcome is its decisive child by precedence failure > error > skipped; a case
with none passed, unless its ``status`` says it did not run (ctest ``notrun``/``disabled``,
behave ``skipped``/``untested``). Surefire's ``flakyFailure``/``flakyError``/
``rerunFailure``/``rerunError`` children are earlier attempts: each counts as a rerun.

A case comes as an lxml element (the tree readers) or as a :class:`Node` (the parser
target, which builds no lxml tree: an lxml element costs a new document each).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple, overload

from lxml import etree

from ci.report.model import Outcome, TestCase

__all__ = [
    "EXCERPT_CHARS",
    "NOT_RUN",
    "OUTCOMES",
    "BadTimes",
    "Key",
    "Node",
    "Raw",
    "duration",
    "excerpt",
    "fold",
    "read_case",
    "to_case",
]

#: How many characters of failure text a case keeps (first and last lines).
EXCERPT_CHARS = 4096
#: ``status`` values that mark a childless case as not run (counted as skipped).
NOT_RUN = ("notrun", "disabled", "skipped", "untested")
_MESSAGE_CHARS = 500
OUTCOMES = (Outcome.PASSED, Outcome.FAILED, Outcome.ERROR, Outcome.SKIPPED)
_DECISIVE = {"failure": 1, "error": 2, "skipped": 3}
_RERUNS = frozenset({"rerunFailure", "rerunError", "flakyFailure", "flakyError"})

#: A test's identity as read: (file, classname, name), "" for a missing attribute.
Key = tuple[str, str, str]


class BadTimes:
    """How many ``time`` attributes could not be used, and the first of them."""

    __slots__ = ("count", "first")

    def __init__(self) -> None:
        self.count = 0
        self.first = ""

    def note(self, value: str) -> None:
        """Remember one unusable value."""
        self.count += 1
        self.first = self.first or value

    def warning(self, path: object) -> str:
        """One line for every case whose ``time`` could not be used."""
        return (
            f"{path}: {self.count} test case(s) have an unusable time (first: {self.first!r}); "
            "counted as 0 s; fix the tool's time format"
        )


class Node:
    """An element as :func:`read_case` reads it: what an lxml element would hold."""

    __slots__ = ("attrib", "children", "tag", "text")

    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        self.tag = tag
        self.attrib = attrib
        self.text: str | None = None  # before the first child, as lxml's ``.text``
        self.children: list[Node] = []

    def __iter__(self) -> Iterator[Node]:
        return iter(self.children)

    @overload
    def get(self, key: str) -> str | None: ...
    @overload
    def get(self, key: str, default: str) -> str: ...
    def get(self, key: str, default: str | None = None) -> str | None:
        """An attribute, like lxml's ``get``."""
        return self.attrib.get(key, default)

    def findtext(self, tag: str) -> str | None:
        """The text of the first child ``tag`` ("" if none), None without one, like lxml's."""
        for child in self.children:
            if child.tag == tag:
                return child.text or ""
        return None


class Raw(NamedTuple):
    """One test as read from its ``<testcase>`` element(s), before it becomes a model value."""

    key: Key
    outcome: int  # an index into OUTCOMES
    duration: float
    line: str | None
    message: str
    text: str
    reruns: int


def duration(value: str | None, bad: BadTimes) -> float:
    """Seconds from a ``time`` attribute: ``1,234.5`` is read as grouped; junk counts as 0."""
    if not value:
        return 0.0
    text = value.replace(",", "") if "," in value and "." in value else value
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if math.isfinite(seconds) and seconds >= 0:
        return seconds
    bad.note(value)
    return 0.0


def excerpt(text: str) -> str:
    """First and last lines of ``text``, about :data:`EXCERPT_CHARS` characters in all."""
    if len(text) <= EXCERPT_CHARS:
        return text
    half = EXCERPT_CHARS // 2
    head, tail = text[:half], text[-half:]
    head = head.rpartition("\n")[0] if "\n" in head else head  # whole lines where there
    tail = tail.partition("\n")[2] if "\n" in tail else tail  # are lines
    left_out = len(text) - len(head) - len(tail)
    return f"{head}\n[… {left_out} characters left out …]\n{tail}"


def read_case(
    case: etree._Element | Node, bad: BadTimes, *, statuses: bool = True, details: bool = True
) -> Raw:
    """Read one finished ``<testcase>`` element (the failure text comes bounded).

    ``statuses``: honour a ``status`` attribute saying the case did not run.
    ``details``: read the failure text and skip reasons (else only a failure's message).
    """
    outcome, detail, rerun, output, reruns = 0, None, None, None, 0
    for child in case:
        tag = child.tag
        found = _DECISIVE.get(tag) if isinstance(tag, str) else None
        if found is not None:
            if detail is None or found < outcome:
                outcome, detail = found, child
        elif tag in _RERUNS:
            reruns += 1
            rerun = rerun if rerun is not None else child
        elif tag == "system-out":
            output = child
    if outcome == 0 and statuses and case.get("status", "").lower() in NOT_RUN:
        outcome = 3
    key = (case.get("file", ""), case.get("classname", ""), case.get("name", ""))
    seconds = duration(case.get("time"), bad)
    detail = detail if detail is not None else rerun
    if detail is None or not (details or outcome in (1, 2)):
        return Raw(key, outcome, seconds, case.get("line"), "", "", reruns)
    if not details:
        message = detail.get("message", "")[:EXCERPT_CHARS]
        return Raw(key, outcome, seconds, case.get("line"), message, "", reruns)
    text = (detail.text or "").strip() or (detail.findtext("stackTrace") or "").strip()
    if not text and output is not None:
        text = (output.text or "").strip()
    message = (detail.get("message") or text.partition("\n")[0])[:EXCERPT_CHARS]
    return Raw(key, outcome, seconds, case.get("line"), message, excerpt(text), reruns)


def fold(earlier: Raw, later: Raw) -> Raw:
    """One test from two of its attempts: the later decides, the earlier is a rerun."""
    return later._replace(
        reruns=earlier.reruns + 1 + later.reruns,
        message=later.message or earlier.message,
        text=later.text or earlier.text,
    )


def to_case(raw: Raw, stage: str, *, detailed: bool = True) -> TestCase:
    """Build the model value of a read test (without its excerpt unless ``detailed``)."""
    file, classname, name = raw.key
    outcome = OUTCOMES[raw.outcome]
    line = raw.line
    return TestCase(
        stage=stage,
        classname=classname,
        name=name,
        file=file or None,
        line=int(line) if line and line.isdigit() else None,
        outcome=outcome,
        duration_s=raw.duration,
        message=raw.message.strip().partition("\n")[0][:_MESSAGE_CHARS],
        excerpt=excerpt(raw.text or raw.message) if detailed else "",
        reruns=raw.reruns,
        flaky=outcome is Outcome.PASSED and raw.reruns > 0,
    )
