"""Read JUnit XML files as a stream of tests, in memory flat in the number of tests.

Why streaming: a big suite writes a JUnit file of hundreds of MB, and the report needs
only counts plus the few tests worth showing. Both readers use libxml2 through lxml (C
speed, and a parser we can harden: see :mod:`._junit_input`), and neither holds more
than a batch of cases (a DOM reader such as junitparser holds every case at once).

Dialects: pytest (xunit1, xunit2, xdist, pytest-rerunfailures), unittest-xml-reporting,
Maven Surefire, jest-junit, mocha-junit-reporter, Node's junit reporter, ctest,
go-junit-report, PHPUnit, Robot Framework and behave; a root ``<testsuites>`` or
``<testsuite>``, nested suites, cases without ``classname`` or ``time``. How one case reads
is in :mod:`._junit_case`. Several ``<testcase>`` elements with the same id within
:data:`RERUN_WINDOW` cases of each other are attempts of one test (pytest-rerunfailures
writes one per attempt, interleaved with other workers' cases under xdist): the last
decides, the others count as reruns, and a test that passed after a rerun is flaky.

Two readers share those rules: :func:`iter_junit` yields every test as a model value,
from lxml's ``iterparse``, which hands over each finished ``<testcase>`` element; finished
elements are dropped from the tree in batches. :func:`parse_junit` is the fast path for
the report: an lxml parser target (:mod:`._junit_target`) that builds no tree, counts a
plain pass from its id and time alone (and ``status``, in files whose first case has
one: ctest, behave) and reads only the other cases in full; the counting itself is
:mod:`._junit_tally`'s. The few files the target would read differently from a tree (a
case inside a case, extreme nesting or size) it leaves to a tree reader, :func:`_read_tree`.

Bad input raises :class:`ci.errors.InputError`: one line with the file, the problem and
what to do. Unusable ``time`` values (negative, NaN, ``"1,5"``) are a warning instead:
the case counts with 0 s, and one line per file says how many cases had one.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lxml import etree

from ci.report.model import JUnitReport, TestCase
from ci.report.parse._junit_case import BadTimes, Raw, fold, read_case, to_case
from ci.report.parse._junit_input import (
    HEAD_BYTES,
    is_junit,
    open_events,
    syntax_error,
)
from ci.report.parse._junit_tally import BATCH, DETAILED_CASES, Tally
from ci.report.parse._junit_target import TREE_BYTES, TreeNeededError, read_fast
from ci.report.parse._junit_window import RERUN_WINDOW, Window, prune, take
from ci.shards import stage_of

__all__ = ["DETAILED_CASES", "HEAD_BYTES", "RERUN_WINDOW", "is_junit", "iter_junit", "parse_junit"]


def _read_all(path: Path, bad: BadTimes) -> Iterator[Raw]:
    """Yield every ``<testcase>`` element of the file as read, clearing each one."""
    events = open_events(path)
    statuses = None
    try:
        for seen, (_event, case) in enumerate(events, start=1):
            statuses = statuses if statuses is not None else "status" in case.attrib
            yield read_case(case, bad, statuses=statuses)
            case.clear()
            if seen % BATCH == 0:
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
    stage = stage or stage_of(path.stem)
    bad = BadTimes()
    for raw in _merged(_read_all(path, bad)):
        yield to_case(raw, stage)
    if bad.count and on_warning is not None:
        on_warning(bad.warning(path))


def parse_junit(path: Path | str, *, stage: str | None = None, ids: bool = False) -> JUnitReport:
    """Read a JUnit file into counts plus its failed, errored and flaky tests.

    Passed tests are only counted, skipped ones by id; the first :data:`DETAILED_CASES`
    failing tests keep an excerpt of their failure. ``stage`` defaults to the file's stem.
    ``ids`` also collects every test's id and duration (a baseline comparison needs the
    ids, the history store the durations; memory then grows with the number of tests).
    Raises :class:`InputError` if the file cannot be read.
    """
    path = Path(path)
    with _no_collection():
        try:
            tally = _read_fast(path, ids=ids)
            if tally is None:
                tally = Tally(ids=ids)
                _read_tree(path, tally)
        except etree.XMLSyntaxError as error:
            raise syntax_error(path, error) from None
        return tally.report(path, stage or stage_of(path.stem))


@contextmanager
def _no_collection() -> Iterator[None]:
    """Pause the cycle collector while a file is read.

    The reader makes no reference cycles (refcounting frees all it drops), yet it allocates
    container objects by the million, and each batch of them starts a collection that walks
    the young objects, and now and then the whole heap of the process. Pausing it took a
    million-case read from 1.45x to 1.35x the bare iterparse loop. It is switched back on
    as it was, whatever happens.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_fast(path: Path, *, ids: bool) -> Tally | None:
    """Count every case with :class:`CaseTarget`; None if the file needs the tree reader."""
    try:
        if path.stat().st_size >= TREE_BYTES:
            return None
    except OSError:
        pass  # check_head says what is wrong
    try:
        return read_fast(path, ids=ids)
    except TreeNeededError:
        return None


def _read_tree(path: Path, tally: Tally) -> None:
    """Count every case as :class:`CaseTarget` does, from the elements of a parsed tree."""
    for _event, case in open_events(path):
        if tally.statuses is None:
            tally.statuses = "status" in case.attrib
        children = len(case)
        if tally.statuses or children > 1 or (children and case[0].tag != "skipped"):
            tally.read(case)
            case.clear()
        else:
            get = case.get
            key = (get("file", ""), get("classname", ""), get("name", ""))
            tally.plain(key, get("time"), skipped=children > 0)
        if not tally.seen % BATCH:
            prune(case)
