"""Diff coverage: how much of the lines a change adds or modifies ran under the tests.

Pure: changed lines (from :mod:`ci.report.parse.diff`) and a :class:`CoverageReport` in, a
:class:`DiffCoverage` and a :class:`GateResult` out.

**Lines, as diff-cover counts them.** A changed line counts when coverage measured it (an
executable line coverage did not exclude: ``# pragma: no cover`` lines, docstrings,
blank lines and lines of unmeasured files never count); it is covered when it ran. So the
percentage and the uncovered lines equal what ``diff-cover`` reports on the same coverage
and the same diff (tests/integration/test_diff_cover_reference.py holds us to that).

**Branches.** Averaging lines lets one untested branch hide among tested lines
(diff-cover #619): an ``if`` line that ran is covered even when its condition was never
false. So :attr:`DiffCoverage.partial` lists the changed lines that
ran but left a branch never taken (from coverage data or JSON, which keep branch arcs;
Cobertura keeps no arcs in our model, so it reports none). The percentage ignores them,
to stay equal to diff-cover; the ``every-line`` mode fails on them, as it fails on an
uncovered line (diff-cover's ``--branch-coverage`` makes the same lines violations).

**Paths.** Git names files relative to the repository's root; coverage names them
relative to the project (which may be a sub-directory of the repository) or absolutely.
Both are made absolute (git's against ``root``, coverage's relative ones against
``project``) and compared. A file still unmatched is matched by path suffix when exactly
one coverage file fits (coverage made in another checkout, such as a container's ``/app``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath

from ci.config import DiffMode
from ci.report.model import CoverageReport, DiffCoverage, FileCoverage, GateResult

__all__ = ["GATE", "NAMED", "diff_coverage", "diff_coverage_gate", "line_ranges"]

#: The gate's name in ``report.json``.
GATE = "diff-coverage"
#: How many ``path:lines`` items a gate's detail names before "and N more".
NAMED = 5
_DRIVE = re.compile(r"[A-Za-z]:/")


def _absolute(path: str, base: str) -> str:
    """``path`` (posix or Windows separators) made absolute against ``base``, normalised."""
    path = path.replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path):
        return posixpath.normpath(path)
    return posixpath.normpath(posixpath.join(base, path))


def _matcher(
    coverage: CoverageReport, project: str, root: str, changed: Iterable[str]
) -> dict[str, FileCoverage]:
    """The coverage of each changed path that coverage measured, by the changed path."""
    measured = {_absolute(entry.path, project): entry for entry in coverage.files}
    found: dict[str, FileCoverage] = {}
    unmatched = []
    for path in changed:
        entry = measured.pop(_absolute(path, root), None)
        if entry is None:
            unmatched.append(path)
        else:
            found[path] = entry
    inside = project.rstrip("/") + "/"
    foreign = [key for key in measured if not key.startswith((inside, root.rstrip("/") + "/"))]
    for path in unmatched:
        wanted = "/" + _absolute(path, root).removeprefix(inside)
        candidates = [key for key in foreign if key.endswith(wanted) and key in measured]
        if len(candidates) == 1:
            found[path] = measured.pop(candidates[0])
    return found


def diff_coverage(
    changed: Mapping[str, Sequence[int]],
    coverage: CoverageReport,
    *,
    project: PurePath,
    root: PurePath,
    source: str = "",
) -> DiffCoverage:
    """The coverage of the changed lines.

    ``changed`` maps paths relative to ``root`` (the repository's root) to line numbers;
    ``project`` is the directory coverage's relative paths start from. Both directories
    should be absolute and resolved (symbolic links followed), as coverage.py records them.
    """
    entries = _matcher(coverage, project.as_posix(), root.as_posix(), sorted(changed))
    covered = total = 0
    uncovered: dict[str, tuple[int, ...]] = {}
    partial: dict[str, tuple[int, ...]] = {}
    for path, entry in sorted(entries.items()):
        lines = set(changed[path])
        missing = lines & set(entry.missing_lines)
        ran = lines & set(entry.executed_lines) - missing
        total += len(ran) + len(missing)
        covered += len(ran)
        if missing:
            uncovered[path] = tuple(sorted(missing))
        branching = ran & {start for start, _ in entry.missing_branches}
        if branching:
            partial[path] = tuple(sorted(branching))
    return DiffCoverage(
        source=source, covered=covered, total=total, uncovered=uncovered, partial=partial
    )


def _spans(lines: Sequence[int]) -> list[str]:
    """Sorted line numbers as spans: ``[12, 13, 14, 40]`` → ``["12-14", "40"]``."""
    spans: list[list[int]] = []
    for line in lines:
        if spans and line == spans[-1][1] + 1:
            spans[-1][1] = line
        else:
            spans.append([line, line])
    return [f"{first}" if first == last else f"{first}-{last}" for first, last in spans]


def line_ranges(lines: Sequence[int]) -> str:
    """Sorted line numbers as ranges: ``[12, 13, 14, 40]`` → ``"12-14, 40"``."""
    return ", ".join(_spans(lines))


def _located(by_path: Mapping[str, tuple[int, ...]]) -> str:
    """``ci/x.py:12-14, ci/y.py:40``: each path's spans, the first :data:`NAMED` of them."""
    items = [f"{path}:{span}" for path, lines in by_path.items() for span in _spans(lines)]
    shown = ", ".join(items[:NAMED])
    return shown if len(items) <= NAMED else f"{shown} and {len(items) - NAMED} more"


def _count(number: int, what: str) -> str:
    return f"{number} {what}" if number == 1 else f"{number} {what}s"


def _shown(diff: DiffCoverage) -> str:
    """The percentage to one decimal, truncated: never shows a floor reached that is not."""
    tenths = 1000 * diff.covered // diff.total
    return f"{tenths // 10}.{tenths % 10}"


def _every_line(diff: DiffCoverage) -> GateResult:
    """Every changed executable line ran, and took each of its branches."""
    missing = sum(len(lines) for lines in diff.uncovered.values())
    partial = sum(len(lines) for lines in diff.partial.values())
    problems = []
    if missing:
        problems.append(
            f"{_count(missing, 'changed line')} not covered: {_located(diff.uncovered)}"
        )
    if partial:
        problems.append(
            f"{_count(partial, 'changed line')} with a branch never taken: {_located(diff.partial)}"
        )
    if problems:
        return GateResult(name=GATE, passed=False, detail="; ".join(problems))
    detail = f"every changed line covered ({_count(diff.total, 'line')})"
    return GateResult(name=GATE, passed=True, detail=detail)


def _uncovered_summary(diff: DiffCoverage) -> str:
    """``3 lines uncovered in ci/x.py: 12-14``, or how many of the changed lines ran."""
    missing = sum(len(lines) for lines in diff.uncovered.values())
    if not missing:
        return f"{diff.covered} of {_count(diff.total, 'changed line')} covered"
    files = "; ".join(f"{path}: {line_ranges(lines)}" for path, lines in diff.uncovered.items())
    where = (
        f"in {files}" if len(diff.uncovered) == 1 else f"in {len(diff.uncovered)} files: {files}"
    )
    return f"{_count(missing, 'line')} uncovered {where}"


def diff_coverage_gate(
    diff: DiffCoverage | None, *, mode: DiffMode = "floor", fail_under: float = 0.0
) -> GateResult:
    """The changed lines are covered: at least ``fail_under`` percent, or every one of them.

    ``diff`` is ``None`` when there was no coverage to measure the change against. A change
    without an executable line passes. The floor compares exactly (no rounding up).
    """
    if diff is None:
        return GateResult(
            name=GATE, passed=False, detail="no coverage data to measure the changed lines against"
        )
    if diff.percent is None:
        return GateResult(name=GATE, passed=True, detail="no changed executable line")
    if mode == "every-line":
        return _every_line(diff)
    summary = _uncovered_summary(diff)
    shown = f"diff coverage {_shown(diff)}%"
    if 100 * diff.covered < fail_under * diff.total:
        return GateResult(
            name=GATE, passed=False, detail=f"{shown} < floor {fail_under:g}% ({summary})"
        )
    floor = f" ≥ floor {fail_under:g}%" if fail_under > 0 else ""
    return GateResult(name=GATE, passed=True, detail=f"{shown}{floor} ({summary})")
