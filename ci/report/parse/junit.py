"""Read JUnit XML files as a stream of tests, in memory flat in the number of tests.

Why streaming: a big suite writes a JUnit file of hundreds of MB, and the report needs
only counts plus the few tests worth showing. lxml's ``iterparse`` (C speed, and a parser
we can harden: see :mod:`._junit_input`) hands over each finished ``<testcase>``; finished
elements are dropped from the tree in batches, so it never holds more than a batch (a DOM
reader such as junitparser holds every case at once).

Dialects: pytest (xunit1, xunit2, xdist, pytest-rerunfailures), unittest-xml-reporting,
Maven Surefire, jest-junit, mocha-junit-reporter, Node's junit reporter, ctest,
go-junit-report, PHPUnit, Robot Framework and behave; a root ``<testsuites>`` or
``<testsuite>``, nested suites, cases without ``classname`` or ``time``. How one case reads
is in :mod:`._junit_case`. Several ``<testcase>`` elements with the same id within
:data:`RERUN_WINDOW` cases of each other are attempts of one test (pytest-rerunfailures
writes one per attempt, interleaved with other workers' cases under xdist): the last
decides, the others count as reruns, and a test that passed after a rerun is flaky.

Two readers share those rules: :func:`iter_junit` yields every test as a model value;
:func:`parse_junit` is the fast path for the report: for a plain pass it reads only the
id and time (and ``status``, in files whose first case has one: ctest, behave).

Bad input raises :class:`ci.errors.InputError`: one line with the file, the problem and
what to do. Unusable ``time`` values (negative, NaN, ``"1,5"``) are a warning instead:
the case counts with 0 s, and one line per file says how many cases had one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

from ci.report.model import Counts, JUnitReport, TestCase
from ci.report.parse._junit_case import BadTimes, Key, Raw, duration, fold, read_case, to_case
from ci.report.parse._junit_input import HEAD_BYTES, is_junit, open_events, syntax_error
from ci.report.parse._junit_window import RERUN_WINDOW, Window, prune, take

__all__ = ["DETAILED_CASES", "HEAD_BYTES", "RERUN_WINDOW", "is_junit", "iter_junit", "parse_junit"]

#: How many failing tests per file keep their failure excerpt (later ones: the message).
DETAILED_CASES = 1000
_BATCH = 1024  # cases between prunings of the tree; divides RERUN_WINDOW


def _read_all(path: Path, bad: BadTimes) -> Iterator[Raw]:
    """Yield every ``<testcase>`` element of the file as read, clearing each one."""
    events = open_events(path)
    statuses = None
    try:
        for seen, (_event, case) in enumerate(events, start=1):
            statuses = statuses if statuses is not None else "status" in case.attrib
            yield read_case(case, bad, statuses=statuses)
            case.clear()
            if seen % _BATCH == 0:
                prune(case)
    except etree.XMLSyntaxError as error:
        raise syntax_error(path, error) from None


def _merged(raws: Iterator[Raw]) -> Iterator[Raw]:
    """Fold the attempts of each test into one, releasing tests as they leave the window."""
    window: Window[Raw] = ({}, {})
    for seen, attempt in enumerate(raws, start=1):
        key = attempt.key
        if key in window[0] or key in window[1]:
            window[0][key] = fold(take(window, key), attempt)
        else:
            window[0][key] = attempt
        if seen % RERUN_WINDOW == 0:
            yield from window[1].values()
            window = ({}, window[0])
    yield from window[1].values()
    yield from window[0].values()


def iter_junit(
    path: Path | str, *, stage: str | None = None, on_warning: Callable[[str], None] | None = None
) -> Iterator[TestCase]:
    """Yield each distinct test of a JUnit file once, by its final outcome.

    Tests come in file order of their last attempt, a window (:data:`RERUN_WINDOW`) late.
    ``stage`` defaults to the file's stem. Warnings go to ``on_warning`` (one line each)
    once the file has been read. Raises :class:`InputError` if the file cannot be read.
    """
    path = Path(path)
    stage = stage or path.stem
    bad = BadTimes()
    for raw in _merged(_read_all(path, bad)):
        yield to_case(raw, stage)
    if bad.count and on_warning is not None:
        on_warning(bad.warning(path))


#: A test in the window: read; or just its ``time`` for a plain pass, and a 1-tuple of
#: it for a plain skip (a lone ``<skipped>`` child). Plain times are summed by batch.
_Entry = Raw | str | None | tuple[str | None]


class _Tally:
    """The counts of one file so far, and the failing and flaky tests it keeps."""

    def __init__(self) -> None:
        self.bad = BadTimes()
        self.seen = self.merged = 0
        self.outcomes = [0, 0, 0, 0]  # of read tests and plain skips; the rest passed
        self.flaky = 0
        self.duration = 0.0
        self.kept: dict[Key, Raw] = {}

    def count(self, raw: Raw) -> None:
        """Count a read test (one with children, or several attempts folded)."""
        self.outcomes[raw.outcome] += 1
        self.duration += raw.duration
        if raw.outcome in (1, 2) or (raw.outcome == 0 and raw.reruns):
            self.flaky += raw.outcome == 0
            self.kept[raw.key] = raw

    def merge(self, window: Window[_Entry], key: Key, later: _Entry) -> Raw:
        """Fold a later attempt into the earlier one the window holds; count the result."""
        earlier = take(window, key)
        self.merged += 1
        if isinstance(earlier, Raw):
            self.outcomes[earlier.outcome] -= 1
            self.duration -= earlier.duration
            self.flaky -= earlier.outcome == 0 and earlier.reruns > 0
            self.kept.pop(key, None)
        else:
            self._uncount_plain(earlier)
        if not isinstance(later, Raw):
            self._uncount_plain(later)
        folded = fold(_as_raw(key, earlier), _as_raw(key, later))
        self.count(folded)
        return folded

    def _uncount_plain(self, entry: str | tuple[str | None] | None) -> None:
        """Take back a plain case (its time is among those summed by batch)."""
        if isinstance(entry, tuple):
            self.outcomes[3] -= 1
            entry = entry[0]
        self.duration -= duration(entry, BadTimes())

    def add_times(self, times: list[str | None]) -> None:
        """Add the ``time`` values of plain passes: at C speed unless one is unusable."""
        try:
            values = list(map(float, filter(None, times)))
        except ValueError:
            values = [math.nan]
        total = sum(values)
        if math.isfinite(total) and min(values, default=0.0) >= 0:
            self.duration += total
        else:
            self.duration += sum(duration(time, self.bad) for time in times)
        times.clear()

    def report(self, path: Path, stage: str) -> JUnitReport:
        """The counts and kept tests as a model value."""
        failed, errors, skipped = self.outcomes[1:]
        total = self.seen - self.merged
        counts = Counts(
            total=total,
            passed=total - failed - errors - skipped,
            failed=failed,
            errors=errors,
            skipped=skipped,
            flaky=self.flaky,
            duration_s=max(self.duration, 0.0),
        )
        cases = tuple(to_case(raw, stage) for raw in self.kept.values())
        warnings = (self.bad.warning(path),) if self.bad.count else ()
        return JUnitReport(path=path, stage=stage, counts=counts, cases=cases, warnings=warnings)


def _as_raw(key: Key, entry: _Entry) -> Raw:
    """A window entry as a read test (a plain case knows only its time)."""
    if isinstance(entry, Raw):
        return entry
    if isinstance(entry, tuple):
        return Raw(key, 3, duration(entry[0], BadTimes()), None, "", "", 0)
    return Raw(key, 0, duration(entry, BadTimes()), None, "", "", 0)


def parse_junit(path: Path | str, *, stage: str | None = None) -> JUnitReport:
    """Read a JUnit file into counts plus its failed, errored and flaky tests.

    Passed and skipped tests are only counted; the first :data:`DETAILED_CASES` failing
    tests keep an excerpt of their failure. ``stage`` defaults to the file's stem.
    Raises :class:`InputError` if the file cannot be read.
    """
    path = Path(path)
    tally = _Tally()
    newest: dict[Key, _Entry] = {}
    oldest: dict[Key, _Entry] = {}
    times: list[str | None] = []
    add_time = times.append
    statuses = None  # whether the dialect marks cases not run (decided by the first case)
    seen = 0
    try:
        for _event, case in open_events(path):
            if statuses is None:
                statuses = "status" in case.attrib
            children = len(case)
            if statuses or children > 1 or (children and case[0].tag != "skipped"):
                raw = read_case(
                    case, tally.bad, statuses=statuses, details=len(tally.kept) < DETAILED_CASES
                )
                case.clear()
                if raw.key in newest or raw.key in oldest:
                    newest[raw.key] = tally.merge((newest, oldest), raw.key, raw)
                else:
                    tally.count(raw)
                    newest[raw.key] = raw
            else:  # a plain pass or skip: read at C speed, times summed by batch
                key = (case.get("file", ""), case.get("classname", ""), case.get("name", ""))
                time = case.get("time")
                add_time(time)
                entry: _Entry = time
                if children:
                    tally.outcomes[3] += 1
                    entry = (time,)
                if key in newest or key in oldest:
                    newest[key] = tally.merge((newest, oldest), key, entry)
                else:
                    newest[key] = entry
            seen += 1
            if seen % _BATCH == 0:
                tally.add_times(times)
                prune(case)
                if seen % RERUN_WINDOW == 0:
                    oldest, newest = newest, {}
    except etree.XMLSyntaxError as error:
        raise syntax_error(path, error) from None
    tally.seen = seen
    tally.add_times(times)
    return tally.report(path, stage or path.stem)
