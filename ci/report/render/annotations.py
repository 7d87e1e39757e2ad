"""The report as line annotations, most important first.

Order: failing tests that are new against the baseline, the other failing tests,
benchmark regressions (at the benchmark's test file), then changed lines that no test
ran (consecutive lines grouped). Channels that can show only a few (workflow commands
show 10 per level) take them from the front. A test without a known file gets its path
from a pytest-style ``classname`` (``tests.unit.test_a.TestX`` → ``tests/unit/test_a.py``)
and is left out when it has neither: GitHub needs a path to place an annotation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from ci.report.model import (
    ID_SEPARATOR,
    Annotation,
    AnnotationLevel,
    DiffCoverage,
    Outcome,
    Report,
    TestCase,
)

__all__ = ["DETAILS_LIMIT", "MESSAGE_LIMIT", "TITLE_LIMIT", "render_annotations"]

#: GitHub's limit on an annotation's title, in characters.
TITLE_LIMIT = 255
#: How much of a failure message an annotation shows (GitHub allows 64 KB; lines stay readable).
MESSAGE_LIMIT = 4096
#: How much failure text goes in the folded details (GitHub allows 64 KB).
DETAILS_LIMIT = 16384


def render_annotations(
    report: Report,
    *,
    diff: DiffCoverage | None = None,
    regressed: Mapping[str, str] | None = None,
) -> list[Annotation]:
    """Every annotation of the report, most important first.

    ``regressed`` maps a regressed benchmark's full name (``path::test``) to a one-line
    detail such as ``"median +12% (+8%…+15%)"``; ``diff`` gives the uncovered changed lines.
    """
    new = set(report.tests.new_failures)
    failing = [c for c in report.tests.cases if c.outcome in {Outcome.FAILED, Outcome.ERROR}]
    failing.sort(key=lambda case: case.id not in new)
    found = [note for case in failing if (note := _failure(case, new=case.id in new))]
    found += [
        note for name, detail in (regressed or {}).items() if (note := _regression(name, detail))
    ]
    if diff is not None:
        found += _uncovered(diff.uncovered)
    return found


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _path_from_classname(classname: str) -> str | None:
    """``tests.unit.test_a.TestX`` → ``tests/unit/test_a.py``; None when it is not a module path."""
    parts = classname.split(".")
    while parts and parts[-1][:1].isupper():
        parts.pop()
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return "/".join(parts) + ".py"


def _failure(case: TestCase, *, new: bool) -> Annotation | None:
    path = case.file or _path_from_classname(case.classname)
    if path is None:
        return None
    line = case.line if case.line is not None and case.line > 0 else 1
    what = "new failure" if new else case.outcome.value
    message = (
        case.message or f"{case.id} {'errored' if case.outcome is Outcome.ERROR else 'failed'}"
    )
    return Annotation(
        path=path,
        start_line=line,
        end_line=line,
        level=AnnotationLevel.FAILURE,
        title=_clip(f"{what}: {case.id}", TITLE_LIMIT),
        message=_clip(message, MESSAGE_LIMIT),
        raw_details=_clip(case.excerpt, DETAILS_LIMIT),
    )


def _regression(fullname: str, detail: str) -> Annotation | None:
    path = fullname.split(ID_SEPARATOR, 1)[0]
    if not path.endswith(".py"):
        return None
    return Annotation(
        path=path,
        start_line=1,
        end_line=1,
        level=AnnotationLevel.WARNING,
        title=_clip(f"benchmark regressed: {fullname}", TITLE_LIMIT),
        message=_clip(detail or "slower than the baseline", MESSAGE_LIMIT),
    )


def _ranges(lines: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Consecutive lines as ``(first, last)`` ranges, in order."""
    start = end = None
    for line in sorted(set(lines)):
        if end is not None and line == end + 1:
            end = line
            continue
        if start is not None and end is not None:
            yield start, end
        start = end = line
    if start is not None and end is not None:
        yield start, end


def _uncovered(uncovered: Mapping[str, tuple[int, ...]]) -> list[Annotation]:
    found = []
    for path in sorted(uncovered):
        for first, last in _ranges(uncovered[path]):
            where = f"line {first}" if first == last else f"lines {first}-{last}"
            found.append(
                Annotation(
                    path=path,
                    start_line=first,
                    end_line=last,
                    level=AnnotationLevel.WARNING,
                    title="not covered by tests",
                    message=f"Changed {where} never ran during the tests.",
                )
            )
    return found
