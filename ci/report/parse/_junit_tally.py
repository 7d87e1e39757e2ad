"""The counts of one JUnit file as :func:`.junit.parse_junit` reads it, case by case.

Both of its readers (the parser target of :mod:`._junit_target` and the tree fallback)
hand each finished ``<testcase>`` to a :class:`Tally`, in file order: a *plain* case (a
pass, or a skip whose only child is ``<skipped>``) as just its id and ``time``, any other
as its element. Plain cases are counted in plain ints and their times summed by batch at
C speed; only read cases and tests with several attempts become :class:`Raw` values. The
rerun window (:mod:`._junit_window`) holds, per id, the read test or a plain case's time.
"""

from __future__ import annotations

import math
from pathlib import Path

from lxml import etree

from ci.report.model import Counts, JUnitReport, case_id
from ci.report.parse._junit_case import BadTimes, Key, Node, Raw, duration, fold, read_case, to_case
from ci.report.parse._junit_window import RERUN_WINDOW, Window, take

__all__ = ["BATCH", "DETAILED_CASES", "Entry", "Tally"]

#: How many failing tests per file keep their failure excerpt (later ones: the message).
DETAILED_CASES = 1000
#: Cases between summings of plain times (and prunings of a parsed tree); divides
#: :data:`RERUN_WINDOW`.
BATCH = 1024

#: A test in the window: read; or just its ``time`` for a plain pass, and a 1-tuple of
#: it for a plain skip (a lone ``<skipped>`` child). Plain times are summed by batch.
Entry = Raw | str | None | tuple[str | None]


class Tally:
    """The counts of one file so far, the rerun window, and the failing and flaky tests."""

    def __init__(self, *, ids: bool = False) -> None:
        self.bad = BadTimes()
        #: Every test's key, when asked for (a baseline comparison needs them): filled from
        #: the window as it ages, so counting costs nothing more per case.
        self.ids: set[Key] | None = set() if ids else None
        #: The keys of tests whose outcome so far is skipped (skips are few, usually).
        self.skips: dict[Key, None] = {}
        self.seen = self.merged = 0
        self.statuses: bool | None = None  # whether the dialect marks cases not run
        self.outcomes = [0, 0, 0, 0]  # of read tests and plain skips; the rest passed
        self.flaky = 0
        self.duration = 0.0
        self.kept: dict[Key, Raw] = {}
        self.newest: dict[Key, Entry] = {}
        self.oldest: dict[Key, Entry] = {}
        self.times: list[str | None] = []

    def plain(self, key: Key, time: str | None, *, skipped: bool = False) -> None:
        """Count a plain pass, or a plain skip: just its id and ``time`` attribute."""
        self.times.append(time)
        entry: Entry = time
        if skipped:
            self.outcomes[3] += 1
            self.skips[key] = None
            entry = (time,)
        if key in self.newest or key in self.oldest:
            self.newest[key] = self._merge(key, entry)
        else:
            self.newest[key] = entry
        self.seen += 1
        if not self.seen % BATCH:
            self._next_batch()

    def read(self, case: etree._Element | Node) -> None:
        """Read and count a case that is not plain (it has children, or a ``status``)."""
        raw = read_case(
            case, self.bad, statuses=bool(self.statuses), details=len(self.kept) < DETAILED_CASES
        )
        if raw.key in self.newest or raw.key in self.oldest:
            self.newest[raw.key] = self._merge(raw.key, raw)
        else:
            self._count(raw)
            self.newest[raw.key] = raw
        self.seen += 1
        if not self.seen % BATCH:
            self._next_batch()

    def _next_batch(self) -> None:
        """Sum the batch's plain times; every :data:`RERUN_WINDOW` cases, age the window."""
        self._add_times()
        if not self.seen % RERUN_WINDOW:
            if self.ids is not None:
                self.ids.update(self.oldest)
            self.oldest, self.newest = self.newest, {}

    def _count(self, raw: Raw) -> None:
        """Count a read test (one with children, or several attempts folded)."""
        self.outcomes[raw.outcome] += 1
        if raw.outcome == 3:
            self.skips[raw.key] = None
        self.duration += raw.duration
        if raw.outcome in (1, 2) or (raw.outcome == 0 and raw.reruns):
            self.flaky += raw.outcome == 0
            self.kept[raw.key] = raw

    def _merge(self, key: Key, later: Entry) -> Raw:
        """Fold a later attempt into the earlier one the window holds; count the result."""
        window: Window[Entry] = (self.newest, self.oldest)
        earlier = take(window, key)
        self.skips.pop(key, None)
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
        self._count(folded)
        return folded

    def _uncount_plain(self, entry: str | tuple[str | None] | None) -> None:
        """Take back a plain case (its time is among those summed by batch)."""
        if isinstance(entry, tuple):
            self.outcomes[3] -= 1
            entry = entry[0]
        self.duration -= duration(entry, BadTimes())

    def _add_times(self) -> None:
        """Add the ``time`` values of plain cases: at C speed unless one is unusable."""
        times = self.times
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
        """The counts and kept tests as a model value, once every case is in."""
        self._add_times()
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
        ids = None
        if self.ids is not None:
            self.ids.update(self.oldest)
            self.ids.update(self.newest)
            ids = frozenset(_id(key) for key in self.ids)
        return JUnitReport(
            path=path,
            stage=stage,
            counts=counts,
            cases=cases,
            warnings=warnings,
            skipped_ids=tuple(sorted(_id(key) for key in self.skips)),
            ids=ids,
        )


def _id(key: Key) -> str:
    file, classname, name = key
    return case_id(classname=classname, name=name, file=file or None)


def _as_raw(key: Key, entry: Entry) -> Raw:
    """A window entry as a read test (a plain case knows only its time)."""
    if isinstance(entry, Raw):
        return entry
    if isinstance(entry, tuple):
        return Raw(key, 3, duration(entry[0], BadTimes()), None, "", "", 0)
    return Raw(key, 0, duration(entry, BadTimes()), None, "", "", 0)
