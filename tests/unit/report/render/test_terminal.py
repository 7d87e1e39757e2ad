"""The terminal view: the same priorities as the Markdown, compactly, closing line last."""

from __future__ import annotations

import dataclasses

from ci.report.model import Counts, DiffCoverage, Report, TestsResult
from ci.report.render.terminal import LISTED, closing_line, render_terminal
from tests.snapshot.model_reports import hostile, over_budget, with_baseline


def lines(report: Report) -> list[str]:
    """The view's lines at 120 columns, table rows left out."""
    text = render_terminal(report, width=120)
    return [line for line in text.splitlines() if not line.startswith(("┃", "│", "┏", "┡", "└"))]


class TestClosingLine:
    def test_errors_count_as_failed(self) -> None:
        """CI logs read this exact line."""
        counts = Counts(total=7, passed=3, failed=1, errors=1, skipped=2)
        assert closing_line(counts) == "report: 3 passed, 2 failed, 2 skipped"


class TestRenderTerminal:
    def test_with_baseline(self) -> None:
        """Verdict, new then still failing, changes, coverage and diff, benchmark changes, gates."""
        assert lines(with_baseline()) == [
            "noxci: FAILED: tests, benchmarks",
            "tests by stage" + " " * 72,
            "NEW FAILED tests/test_app.py::tests.test_app::test_parse_empty - ValueError: empty input",
            "NEW ERROR tests/test_app.py::tests.test_app::test_retry - failed on setup",
            "STILL FAILED tests/test_app.py::tests.test_app::test_totals - assert 2 == 1",
            "against base artifacts of 1a2b3c4: 2 new failures, 1 fixed, 1 still failing, "
            "1 newly skipped, 0 removed, 1 flaky",
            "coverage 84.76% (-1.50 pp)",
            "diff coverage 75.00% (30/40 changed lines)",
            "  not covered: ci/app.py: 10\u201314, 20",
            "  not covered: ci/io.py: 5",
            "  lost: ci/app.py: 92.00% → 81.50%",
            "  lost: ci/io.py: 75.00% → 70.00%",
            "benchmarks: 1 regressed, 1 improved, 1 unchanged",
            "  REGRESSED tests/benchmark/test_app.py::test_parse[big]: 12.1 µs → 16 µs, "
            "+32.2% (+25.1% to +39.8%)",
            "  IMPROVED tests/benchmark/test_app.py::test_sort[1000]: 17.4 µs → 13.1 µs, "
            "-24.7% (-28.0% to -21.2%)",
            "FAIL tests: 2 failed, 1 error (2 new)",
            "PASS coverage: coverage 84% ≥ floor 80%",
            "FAIL benchmarks: 1 regressed",
            "report: 112 passed, 3 failed, 5 skipped",
        ]

    def test_stage_table_has_coverage(self) -> None:
        """Each stage's own coverage, and the total's, in the table."""
        text = render_terminal(with_baseline(), width=120)
        assert (
            "│ unit        │   100 │     95 │      1 │      1 │       3 │     0 │ 4.2s │   81.25% │"
            in text
        )
        assert (
            "│ total       │   120 │    112 │      2 │      1 │       5 │     1 │ 9.5s │   84.76% │"
            in text
        )

    def test_many_failures_are_cut(self) -> None:
        """New failures first, then the others, up to LISTED, then how many more."""
        found = lines(over_budget(30, 100))
        listed = [line for line in found if line.startswith(("NEW ", "STILL "))]
        assert (len(listed), listed[0][:9], listed[3][:12]) == (LISTED, "NEW FAILE", "STILL FAILED")
        assert "… and 10 more failures in reports/report.md" in found

    def test_without_baseline(self) -> None:
        """No baseline: plain failure lines, all benchmarks, and the comparisons unavailable."""
        report = dataclasses.replace(with_baseline(), baseline=None, coverage_delta=None)
        found = lines(report)
        assert found[2:6] == [
            "FAILED tests/test_app.py::tests.test_app::test_parse_empty - ValueError: empty input",
            "FAILED tests/test_app.py::tests.test_app::test_totals - assert 2 == 1",
            "ERROR tests/test_app.py::tests.test_app::test_retry - failed on setup",
            "no baseline: comparisons are unavailable",
        ]
        assert found[6] == "coverage 84.76%"
        assert (
            "  UNCHANGED tests/benchmark/test_app.py::test_join: 940 ns → 930 ns, -1.1% (-2.5% to +0.4%)"
            in found
        )

    def test_control_characters_cannot_drive_the_terminal(self) -> None:
        """Escape sequences and bidi overrides in untrusted text are replaced."""
        text = render_terminal(hostile(), width=400)
        assert ("\x1b" in text, "\u202e" in text, "\ufffd[31mred" in text) == (False, False, True)
        assert text.endswith("report: 0 passed, 1 failed, 0 skipped\n")

    def test_long_lists_are_cut(self) -> None:
        """More uncovered files or benchmark changes than LISTED: how many more, and where."""
        base = with_baseline()
        many = {f"ci/m{n}.py": (1,) for n in range(LISTED + 2)}
        faster = base.comparisons[2]
        report = dataclasses.replace(
            base,
            diff=dataclasses.replace(base.diff or DiffCoverage(), uncovered=many),
            comparisons=tuple(
                dataclasses.replace(faster, name=f"b{n}", change=None) for n in range(LISTED + 1)
            ),
        )
        found = lines(report)
        assert "  … and 2 more files in reports/report.md" in found
        assert "  … and 1 more in reports/report.md" in found
        assert "  IMPROVED b0: 17.4 µs → 13.1 µs" in found

    def test_empty_report(self) -> None:
        """No inputs at all: a passing headline, an empty table and the closing line."""
        report = Report(inputs=(), tests=TestsResult(), coverage=None, benchmarks=(), gates=())
        found = lines(report)
        assert (found[0], found[-2], found[-1]) == (
            "noxci: every gate passed",
            "no baseline: comparisons are unavailable",
            "report: 0 passed, 0 failed, 0 skipped",
        )
