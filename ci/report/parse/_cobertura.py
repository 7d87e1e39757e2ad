"""Read Cobertura XML coverage reports: coverage.py's ``coverage xml`` and other tools'.

What is read: every ``<class>``'s direct ``<lines>`` (``<methods>`` repeat those lines, so
they are ignored); a line with ``hits > 0`` ran, and ``condition-coverage="50% (1/2)"``
gives its branch counts. Classes and files naming the same source file are merged line by
line (a line ran if it ran anywhere; a line's branches count by the best input). Cobertura
has no branch arcs, so :class:`FileCoverage` gets counts only. The total is computed like
coverage.py's, so coverage.py's own Cobertura output gives the same total as its report.

Paths: with exactly one ``<source>``, file names are joined to it (coverage.py writes names
relative to the source directory) and made relative to ``project`` when inside it; with
none or several, or one outside ``project`` (another machine's checkout), names are kept
as written.

Hardening: no DTD is loaded, no entity resolved, no network used.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from lxml import etree

from ci.errors import InputError
from ci.report.model import CoverageFormat, CoverageReport, CoverageTotals, FileCoverage

__all__ = ["is_cobertura", "parse_cobertura"]

_PROLOGUE = re.compile(
    r"\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^[>]*(?:\[.*?\])?\s*>)\s*)*", re.DOTALL
)
_COVERAGE_ROOT = re.compile(r"<coverage[\s>/]")
_CONDITIONS = re.compile(r"\((\d+)/(\d+)\)")
_REMEDY = "regenerate it with the coverage tool (coverage.py: `coverage xml`)"


class _Line(NamedTuple):
    """One source line as Cobertura reports it."""

    ran: bool
    covered_branches: int
    branches: int


def is_cobertura(head: bytes) -> bool:
    """Tell from a file's first bytes whether it is Cobertura XML (root ``<coverage>``)."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            text = head[len(bom) :].decode(codec, errors="ignore")
            break
    else:
        text = head.decode("latin-1")
    prologue = _PROLOGUE.match(text)
    return _COVERAGE_ROOT.match(text, prologue.end() if prologue else 0) is not None


def parse_cobertura(paths: Sequence[Path], *, project: Path = Path()) -> CoverageReport:
    """Read and merge Cobertura XML files; raise :class:`InputError` for a bad one."""
    lines: dict[str, dict[int, _Line]] = {}
    has_branches = False
    for path in paths:
        root = _read(path)
        has_branches |= _int(root.get("branches-valid", "0"), path, "branches-valid") > 0
        for name, number, line in _lines(root, path, project):
            known = lines.setdefault(name, {}).get(number)
            lines[name][number] = line if known is None else _best(known, line)
            has_branches |= line.branches > 0
    files = tuple(_file(name, lines[name]) for name in sorted(lines))
    return CoverageReport(
        format=CoverageFormat.COBERTURA,
        paths=tuple(paths),
        files=files,
        totals=sum((entry.totals for entry in files), CoverageTotals()),
        branch=has_branches,
    )


def _best(first: _Line, second: _Line) -> _Line:
    """One line reported twice: it ran if it ran in either; its branches count by the best."""
    return _Line(
        ran=first.ran or second.ran,
        covered_branches=max(first.covered_branches, second.covered_branches),
        branches=max(first.branches, second.branches),
    )


def _read(path: Path) -> etree._Element:
    """Parse one file safely and check that its root is ``<coverage>``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except OSError as error:
        msg = f"{path}: cannot read the Cobertura XML ({error}); check the path"
        raise InputError(msg) from None
    except etree.XMLSyntaxError as error:
        msg = f"{path}: the Cobertura XML is not well-formed ({error.msg}); {_REMEDY}"
        raise InputError(msg) from None
    if root.tag != "coverage":
        msg = f"{path}: the root element is <{root.tag}>, not Cobertura's <coverage>; {_REMEDY}"
        raise InputError(msg)
    return root


def _lines(root: etree._Element, path: Path, project: Path) -> list[tuple[str, int, _Line]]:
    """Every ``(file, line number, line)`` of the report."""
    sources = [(source.text or "").strip() for source in root.iterfind("sources/source")]
    base = sources[0] if len(sources) == 1 and sources[0] else None
    found: list[tuple[str, int, _Line]] = []
    for element in root.iterfind("packages/package/classes/class"):
        filename = element.get("filename")
        if not filename:
            msg = f"{path}: a <class> has no filename attribute; {_REMEDY}"
            raise InputError(msg)
        name = _name(base, filename, project)
        for line in element.iterfind("lines/line"):
            number = _int(line.get("number"), path, f"{filename} line number")
            hits = _int(line.get("hits", "0"), path, f"{filename} line {number} hits")
            covered, total = 0, 0
            if line.get("branch") == "true":
                match = _CONDITIONS.search(line.get("condition-coverage", ""))
                covered, total = (int(match[1]), int(match[2])) if match else (0, 0)
            found.append((name, number, _Line(hits > 0, min(covered, total), total)))
    return found


def _name(base: str | None, filename: str, project: Path) -> str:
    """The file's path: joined to the only ``<source>``, relative to ``project`` if inside.

    A source outside ``project`` (another machine's checkout) leaves the name as written.
    """
    if base is None:
        return filename
    joined = PurePosixPath(posixpath.normpath(posixpath.join(base.replace("\\", "/"), filename)))
    if joined.is_absolute():
        root = PurePosixPath(project.resolve().as_posix())
        return str(joined.relative_to(root)) if joined.is_relative_to(root) else filename
    return str(joined)


def _int(value: str | None, path: Path, what: str) -> int:
    """A non-negative integer attribute, or :class:`InputError` naming it."""
    if value is None or not value.strip().isdigit():
        msg = f"{path}: {what} is {value!r}, not a whole number; {_REMEDY}"
        raise InputError(msg)
    return int(value)


def _file(name: str, lines: dict[int, _Line]) -> FileCoverage:
    """One file's coverage from its lines."""
    executed = tuple(number for number in sorted(lines) if lines[number].ran)
    missing = tuple(number for number in sorted(lines) if not lines[number].ran)
    return FileCoverage(
        path=name,
        totals=CoverageTotals(
            covered_lines=len(executed),
            num_statements=len(lines),
            covered_branches=sum(line.covered_branches for line in lines.values()),
            num_branches=sum(line.branches for line in lines.values()),
        ),
        executed_lines=executed,
        missing_lines=missing,
    )
