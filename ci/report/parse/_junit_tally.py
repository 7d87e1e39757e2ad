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
from collections.abc import Callable, Iterator
from itertools import groupby, repeat
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

from lxml import etree

from ci.report.model import Counts, JUnitReport, case_id
from ci.report.parse._junit_case import (
    EXCERPT_CHARS,
    BadTimes,
    Key,
    Node,
    Raw,
    duration,
    fold,
    read_case,
    to_case,
)
from ci.report.parse._junit_window import RERUN_WINDOW, Window, take

__all__ = ["BATCH", "DETAILED_CASES", "Entry", "Tally"]

#: How many failing tests per file keep their failure excerpt (later ones: the message).
DETAILED_CASES = 1000
#: Cases between summings of plain times (and prunings of a parsed tree); divides
#: :data:`RERUN_WINDOW`.
BATCH = 1024

_NUL = "\x00"
_KEY = itemgetter("file", "classname", "name")
_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")

#: A test in the window: read; or just its ``time`` for a plain pass, and a 1-tuple of
#: it for a plain skip (a lone ``<skipped>`` child). Plain times are summed by batch.
Entry = Raw | str | None | tuple[str | None]


class Tally:
    """The counts of one file so far, the rerun window, and the failing and flaky tests.

    Cases are counted a batch at a time: :meth:`plain` and :meth:`read` (and a parser
    target's plain passes, :meth:`pass_attributes`) only queue them. Counting a batch
    without one repeated id (nearly always) is a few calls at C speed; a batch with one
    is counted case by case, in file order.
    """

    def __init__(self, *, ids: bool = False) -> None:
        self.bad = BadTimes()
        #: Every test's key and final entry, when asked for (a baseline comparison needs the
        #: ids, the history store the durations): filled from the window as it ages, so
        #: counting costs nothing more per case.
        self.ids: dict[Key, Entry] | None = {} if ids else None
        #: The tests whose outcome so far is skipped, each key's parts joined by NUL (which
        #: XML cannot hold): one string a test, as a file may skip tens of thousands. A list,
        #: not a dict (a fifth of the memory): a skip that a later attempt overturns is
        #: counted in ``unskipped`` and taken out when the report is made.
        self.skips: list[str] = []
        self.unskipped: dict[str, int] = {}
        self.seen = self.merged = 0
        self.statuses: bool | None = None  # whether the dialect marks cases not run
        self.outcomes = [0, 0, 0, 0]  # of read tests and plain skips; the rest passed
        self.flaky = 0
        self.duration = 0.0
        self.kept: dict[Key, Raw] = {}
        self.newest: dict[Key, Entry] = {}
        self.oldest: dict[Key, Entry] = {}
        self.times: list[str | None] = []
        #: The batch: attributes of plain passes, and the other cases with their place
        #: among those (how many plain passes came before).
        self.passes: list[dict[str, str]] = []
        self.pass_attributes = self.passes.append
        self.others: list[tuple[int, Key, Entry]] = []
        self._kept_later = 0  # read cases in the batch that the count will keep

    def plain(self, key: Key, time: str | None, *, skipped: bool = False) -> None:
        """Count a plain pass, or a plain skip: just its id and ``time`` attribute."""
        self.others.append((len(self.passes), key, (time,) if skipped else time))
        self.seen += 1
        if not self.seen % BATCH:
            self._next_batch()

    def detailed(self) -> bool:
        """Whether the next failing test keeps its failure text (the first ones do)."""
        return len(self.kept) + self._kept_later < DETAILED_CASES

    def failed(
        self, key: Key, time: str | None, *, line: str | None, outcome: int, message: str
    ) -> None:
        """Count a failed or errored case from its message alone (no longer :meth:`detailed`)."""
        raw = Raw(key, outcome, duration(time, self.bad), line, message[:EXCERPT_CHARS], "", 0)
        self._kept_later += 1
        self.others.append((len(self.passes), key, raw))
        self.seen += 1
        if not self.seen % BATCH:
            self._next_batch()

    def read(self, case: etree._Element | Node) -> None:
        """Read and count a case that is not plain (it has children, or a ``status``)."""
        details = self.detailed()
        raw = read_case(case, self.bad, statuses=bool(self.statuses), details=details)
        self._kept_later += raw.outcome in (1, 2) or (raw.outcome == 0 and raw.reruns > 0)
        self.others.append((len(self.passes), raw.key, raw))
        self.seen += 1
        if not self.seen % BATCH:
            self._next_batch()

    def _next_batch(self) -> None:
        """Count the batch; every :data:`RERUN_WINDOW` cases, age the window."""
        self._flush()
        self._add_times()
        if not self.seen % RERUN_WINDOW:
            if self.ids is not None:
                self.ids.update(self.oldest)
            self.oldest, self.newest = self.newest, {}

    def pass_keys(self, passes: list[dict[str, str]]) -> tuple[list[Key], list[str | None]]:
        """The keys and ``time`` values of plain passes' attributes."""
        try:  # nearly always: every case has all three
            keys = list(map(_KEY, passes))
        except KeyError:
            keys = list(
                zip(
                    _get(passes, "file"),
                    _get(passes, "classname"),
                    _get(passes, "name"),
                    strict=True,
                )
            )
        return keys, list(map(dict.get, passes, repeat("time")))

    def _flush(self) -> None:
        """Count the batch: at C speed when no id in it is repeated, else case by case."""
        passes, others = self.passes, self.others
        keys, times = self.pass_keys(passes) if passes else ([], [])
        if self._entered(keys, times):
            for _, key, entry in others:
                self._add(key, entry)
            self.times += times
        else:
            done = 0
            for place, key, entry in others:
                for index in range(done, place):
                    self._apply(keys[index], times[index])
                done = place
                self._apply(key, entry)
            for index in range(done, len(keys)):
                self._apply(keys[index], times[index])
        passes.clear()
        others.clear()
        self._kept_later = 0

    def _entered(self, keys: list[Key], times: list[str | None]) -> bool:
        """Put the batch's passes in the window if no id of the batch repeats one in it or
        in the window (nearly always); else change nothing and say so.
        """
        newest, oldest = self.newest, self.oldest
        if not (newest.keys().isdisjoint(keys) and oldest.keys().isdisjoint(keys)):
            return False
        size = len(newest)
        newest.update(zip(keys, times, strict=True))
        others = {key for _, key, _ in self.others}
        if (
            len(newest) == size + len(keys)
            and len(others) == len(self.others)
            and newest.keys().isdisjoint(others)
            and oldest.keys().isdisjoint(others)
        ):
            return True
        for key in keys:  # none was there before: the window is as it was
            newest.pop(key, None)
        return False

    def _add(self, key: Key, entry: Entry) -> None:
        """Count a case whose id the window does not hold."""
        if isinstance(entry, Raw):
            self._count(entry)
        elif isinstance(entry, tuple):
            self.times.append(entry[0])
            self.outcomes[3] += 1
            self.skips.append(_NUL.join(key))
        else:
            self.times.append(entry)
        self.newest[key] = entry

    def _apply(self, key: Key, entry: Entry) -> None:
        """Count a case, folding it into an earlier attempt the window holds."""
        if key not in self.newest and key not in self.oldest:
            self._add(key, entry)
            return
        if not isinstance(entry, Raw):  # counted here, taken back by _merge
            if isinstance(entry, tuple):
                self.outcomes[3] += 1
            self.times.append(entry[0] if isinstance(entry, tuple) else entry)
        self.newest[key] = self._merge(key, entry)

    def _count(self, raw: Raw) -> None:
        """Count a read test (one with children, or several attempts folded)."""
        self.outcomes[raw.outcome] += 1
        if raw.outcome == 3:
            self.skips.append(_NUL.join(raw.key))
        self.duration += raw.duration
        if raw.outcome in (1, 2) or (raw.outcome == 0 and raw.reruns):
            self.flaky += raw.outcome == 0
            self.kept[raw.key] = raw

    def _merge(self, key: Key, later: Entry) -> Raw:
        """Fold a later attempt into the earlier one the window holds; count the result."""
        window: Window[Entry] = (self.newest, self.oldest)
        earlier = take(window, key)
        if earlier.outcome == 3 if isinstance(earlier, Raw) else isinstance(earlier, tuple):
            joined = _NUL.join(key)
            self.unskipped[joined] = self.unskipped.get(joined, 0) + 1
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
        present = list(filter(None, times))
        try:  # no "-": none is negative ("1,5" fails float(); NaN and inf make the sum so)
            total = math.inf if "-" in "".join(present) else sum(map(float, present))
        except ValueError:
            total = math.nan
        if math.isfinite(total):
            self.duration += total
        else:
            self.duration += sum(duration(time, self.bad) for time in times)
        times.clear()

    def report(self, path: Path, stage: str) -> JUnitReport:
        """The counts and kept tests as a model value, once every case is in."""
        self._flush()
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
        cases = _drained(self.kept, lambda _, raw: to_case(raw, stage))
        skipped_ids = self._skipped_ids()
        warnings = (self.bad.warning(path),) if self.bad.count else ()
        durations = None
        if self.ids is not None:
            self.ids.update(self.oldest)
            self.ids.update(self.newest)
            durations = {_id(key): _seconds(entry) for key, entry in self.ids.items()}
        return JUnitReport(
            path=path,
            stage=stage,
            counts=counts,
            cases=cases,
            warnings=warnings,
            skipped_ids=skipped_ids,
            durations=durations,
        )

    def _skipped_ids(self) -> tuple[str, ...]:
        """The ids of the skipped tests, sorted, emptying :attr:`skips` as it goes."""
        joined, unskipped = self.skips, self.unskipped
        ids: list[str] = []
        while joined:
            one = joined.pop()
            if unskipped.get(one):
                unskipped[one] -= 1
            else:
                ids.append(_id(_split(one)))
        ids.sort()
        return tuple(key for key, _ in groupby(ids))


def _drained(items: dict[_K, _V], convert: Callable[[_K, _V], _T]) -> tuple[_T, ...]:
    """Each item converted, in order, emptying ``items`` as it goes (so the two sides of a
    conversion of tens of thousands of tests are never all in memory at once).
    """
    done: list[_T] = []
    while items:
        done.append(convert(*items.popitem()))
    done.reverse()
    return tuple(done)


def _get(attributes: list[dict[str, str]], name: str) -> Iterator[str]:
    """Each attribute dict's value of ``name`` (empty when missing), at C speed."""
    return map(dict.get, attributes, repeat(name), repeat(""))


def _split(joined: str) -> Key:
    """A key from its parts joined by NUL."""
    file, classname, name = joined.split(_NUL)
    return file, classname, name


def _id(key: Key) -> str:
    file, classname, name = key
    return case_id(classname=classname, name=name, file=file or None)


def _seconds(entry: Entry) -> float:
    """A window entry's duration (a bad time counts 0 s: the count already warned of it)."""
    if isinstance(entry, Raw):
        return entry.duration
    return duration(entry[0] if isinstance(entry, tuple) else entry, BadTimes())


def _as_raw(key: Key, entry: Entry) -> Raw:
    """A window entry as a read test (a plain case knows only its time)."""
    if isinstance(entry, Raw):
        return entry
    if isinstance(entry, tuple):
        return Raw(key, 3, duration(entry[0], BadTimes()), None, "", "", 0)
    return Raw(key, 0, duration(entry, BadTimes()), None, "", "", 0)
