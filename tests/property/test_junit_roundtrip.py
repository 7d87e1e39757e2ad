"""Property: the JUnit reader counts exactly what junitparser's writer wrote.

Hypothesis builds random but valid documents: nested suites, random counts and outcomes,
names and classnames in any Unicode that XML allows, cases without classname or time.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import junitparser
from hypothesis import given, settings
from hypothesis import strategies as st

from ci.report.model import Outcome
from ci.report.parse.junit import iter_junit, parse_junit

_RESULTS = {
    Outcome.FAILED: junitparser.Failure,
    Outcome.ERROR: junitparser.Error,
    Outcome.SKIPPED: junitparser.Skipped,
}


def _xml_char(char: str) -> bool:
    """Whether XML 1.0 allows the character (no controls, surrogates or U+FFFE/FFFF)."""
    code = ord(char)
    return (code >= 0x20 or char in "\t\n\r") and code not in (0xFFFE, 0xFFFF)


xml_text = st.text(
    st.characters(exclude_categories=["Cs"]).filter(_xml_char), min_size=0, max_size=20
)


@dataclass(frozen=True, kw_only=True)
class Case:
    """One generated test case."""

    name: str
    classname: str | None
    time: float | None
    outcome: Outcome
    message: str


@dataclass(frozen=True, kw_only=True)
class Suite:
    """One generated suite, possibly holding suites."""

    cases: list[Case]
    suites: list[Suite]


cases = st.builds(
    Case,
    name=xml_text,
    classname=st.none() | xml_text,
    time=st.none() | st.floats(min_value=0, max_value=1e5, allow_nan=False),
    outcome=st.sampled_from(list(Outcome)),
    message=xml_text,
)
suites = st.recursive(
    st.builds(Suite, cases=st.lists(cases, max_size=8), suites=st.just([])),
    lambda inner: st.builds(
        Suite, cases=st.lists(cases, max_size=8), suites=st.lists(inner, max_size=3)
    ),
    max_leaves=6,
)


def _build(suite: Suite, numbering: list[int]) -> junitparser.TestSuite:
    """A junitparser suite; names are made unique by a prefix so no two cases are attempts."""
    built = junitparser.TestSuite("suite")
    for case in suite.cases:
        numbering.append(len(numbering))
        written = junitparser.TestCase(
            f"{numbering[-1]}:{case.name}", classname=case.classname, time=case.time
        )
        if case.outcome in _RESULTS:
            written.result = [_RESULTS[case.outcome](message=case.message)]
        built.add_testcase(written)
    for inner in suite.suites:
        built.add_testsuite(_build(inner, numbering))  # type: ignore[no-untyped-call]
    return built


def first_line(message: str) -> str:
    """What the model keeps of a message: its first line, stripped first."""
    return message.strip().partition("\n")[0]


def _flatten(suite: Suite) -> list[Case]:
    """Every case of a suite tree."""
    return [*suite.cases, *(case for inner in suite.suites for case in _flatten(inner))]


class TestRoundTrip:
    """Counts read back equal counts written."""

    @settings(deadline=timedelta(seconds=2))
    @given(roots=st.lists(suites, min_size=1, max_size=3), single_root=st.booleans())
    def test_counts(self, roots: list[Suite], single_root: bool) -> None:
        """Totals, outcomes and durations match what was written, through both readers."""
        document: junitparser.JUnitXml | junitparser.TestSuite = junitparser.JUnitXml()
        numbering: list[int] = []
        if single_root:
            document = _build(roots[0], numbering)
            roots = roots[:1]
        else:
            for root in roots:
                document.add_testsuite(_build(root, numbering))
        written = [case for root in roots for case in _flatten(root)]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "unit.xml"
            document.write(str(path))
            report = parse_junit(path)
            read = list(iter_junit(path))
        counts = report.counts
        expected = [sum(case.outcome is outcome for case in written) for outcome in Outcome]
        assert [counts.passed, counts.failed, counts.errors, counts.skipped] == expected
        assert [sum(test.outcome is outcome for test in read) for outcome in Outcome] == expected
        assert (counts.total, len(read), counts.flaky) == (len(written), len(written), 0)
        seconds = math.fsum(case.time or 0.0 for case in written)
        assert math.isclose(counts.duration_s, seconds, rel_tol=1e-9, abs_tol=1e-9)

    @settings(deadline=timedelta(seconds=2))
    @given(root=suites)
    def test_names_and_messages(self, root: Suite) -> None:
        """Failing tests come back with the exact names, classnames and messages written."""
        document = junitparser.JUnitXml()
        numbering: list[int] = []
        document.add_testsuite(_build(root, numbering))
        written = _flatten(root)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "unit.xml"
            document.write(str(path))
            report = parse_junit(path)
        failing = [
            (f"{number}:{case.name}", case.classname or "", first_line(case.message))
            for number, case in enumerate(written)
            if case.outcome in (Outcome.FAILED, Outcome.ERROR)
        ]
        got = [(test.name, test.classname, test.message) for test in report.cases]
        assert sorted(got) == sorted(failing)
