"""Reports built as model values, for the views' snapshot, unit and property tests.

``with_baseline`` is a pull request as people see it: new and still-failing tests, fixed
ones, a coverage drop with diff coverage and a trend, a benchmark regression with history.
``over_budget`` has more failures than any comment holds; ``hostile`` puts every kind of
active text where untrusted text goes.
"""

from __future__ import annotations

from ci.report.model import (
    Baseline,
    BenchmarkComparison,
    Counts,
    CoverageFormat,
    CoverageReport,
    CoverageTotals,
    DiffCoverage,
    GateResult,
    InputStatus,
    Outcome,
    Report,
    RunInfo,
    StageCoverage,
    TestCase,
    TestsResult,
    Verdict,
)

__all__ = ["HOSTILE_TEXT", "failing", "hostile", "over_budget", "traceback", "with_baseline"]

#: Every kind of active text: mentions, references, table/code/HTML breakers, a forged marker.
HOSTILE_TEXT = (
    "@octocat @org/team #123 GH-7 https://github.com/o/r/issues/1 www.x.io | `x` ``` "
    "</details> <!-- noxci:report:default --> <b>bold</b> *em* _u_ [l](u) ~s~ $x$ \\| &amp;\n"
    "\x1b[31mred\x1b[0m \u202eevil"
)
RUN = RunInfo(
    commit="0123456789abcdef0123456789abcdef01234567",
    run_url="https://github.com/o/r/actions/runs/42",
    time="2026-01-02T03:04:05Z",
)


def traceback(name: str, lines: int = 6) -> str:
    """A pytest-style failure text of about ``lines`` lines."""
    body = [f"    def {name}():", "        value = compute()"]
    body += [f"        step_{n} = value + {n}" for n in range(max(lines - 4, 0))]
    return "\n".join([*body, ">       assert value == 1", "E       assert 2 == 1"])


def failing(name: str, stage: str = "unit", **fields: object) -> TestCase:
    """A failed test of ``tests/test_app.py`` with a message and a traceback."""
    values: dict[str, object] = {
        "stage": stage,
        "classname": "tests.test_app",
        "name": name,
        "file": "tests/test_app.py",
        "outcome": Outcome.FAILED,
        "message": "assert 2 == 1",
        "excerpt": traceback(name),
    }
    return TestCase(**{**values, **fields})  # type: ignore[arg-type]


def _coverage(covered: int, statements: int) -> CoverageReport:
    totals = CoverageTotals(
        covered_lines=covered, num_statements=statements, covered_branches=40, num_branches=50
    )
    return CoverageReport(
        format=CoverageFormat.DATA, paths=(), files=(), totals=totals, branch=True
    )


def with_baseline() -> Report:
    """A pull request with new failures, fixes, a coverage drop and a benchmark regression."""
    cases = (
        failing("test_parse_empty", message="ValueError: empty input"),
        failing("test_totals", stage="integration"),
        failing("test_retry", outcome=Outcome.ERROR, message="failed on setup"),
        failing("test_flaky_io", outcome=Outcome.PASSED, flaky=True, reruns=1, message=""),
    )
    new = (cases[0].id, cases[2].id)
    tests = TestsResult(
        counts=Counts(
            total=120, passed=112, failed=2, errors=1, skipped=5, flaky=1, duration_s=9.5
        ),
        stages={
            "unit": Counts(total=100, passed=95, failed=1, errors=1, skipped=3, duration_s=4.25),
            "integration": Counts(
                total=20, passed=17, failed=1, skipped=2, flaky=1, duration_s=5.25
            ),
        },
        cases=cases,
        failing=tuple(sorted((cases[0].id, cases[1].id, cases[2].id))),
        new_failures=tuple(sorted(new)),
        fixed=("tests/test_app.py::tests.test_app::test_old_bug",),
        still_failing=(cases[1].id,),
        newly_skipped=("tests/test_app.py::tests.test_app::test_network",),
    )
    history = (1.20e-5, 1.22e-5, 1.19e-5, 1.21e-5)
    return Report(
        inputs=(InputStatus(path="reports/junit/unit.xml", kind=None),),
        tests=tests,
        coverage=_coverage(850, 1000),
        benchmarks=(),
        gates=(
            GateResult(name="tests", passed=False, detail="2 failed, 1 error (2 new)"),
            GateResult(name="coverage", passed=True, detail="coverage 84% ≥ floor 80%"),
            GateResult(name="benchmarks", passed=False, detail="1 regressed"),
        ),
        diff=DiffCoverage(
            source="origin/main...HEAD",
            covered=30,
            total=40,
            uncovered={"ci/app.py": (10, 11, 12, 13, 14, 20), "ci/io.py": (5,)},
            partial={"ci/app.py": (30,)},
        ),
        comparisons=(
            BenchmarkComparison(
                name="tests/benchmark/test_app.py::test_join",
                base=9.4e-7,
                head=9.3e-7,
                change=-1.1,
                low=-2.5,
                high=0.4,
                verdict=Verdict.UNCHANGED,
                history=(9.5e-7, 9.4e-7),
            ),
            BenchmarkComparison(
                name="tests/benchmark/test_app.py::test_parse[big]",
                base=1.21e-5,
                head=1.6e-5,
                change=32.2,
                low=25.1,
                high=39.8,
                verdict=Verdict.REGRESSED,
                history=history,
            ),
            BenchmarkComparison(
                name="tests/benchmark/test_app.py::test_sort[1000]",
                base=1.74e-5,
                head=1.31e-5,
                change=-24.7,
                low=-28.0,
                high=-21.2,
                verdict=Verdict.IMPROVED,
                note="3 runs a side",
            ),
        ),
        baseline=Baseline(source="base artifacts of 1a2b3c4", commit="1a2b3c4d5e6f"),
        coverage_delta=-1.5,
        stage_coverage=(
            StageCoverage(stage="unit", percent=81.25, fail_under=80),
            StageCoverage(stage="integration", percent=62.5),
        ),
        coverage_lost=(("ci/app.py", 92.0, 81.5), ("ci/io.py", 75.0, 70.0)),
        coverage_history=(85.9, 86.41, 86.26),
        run=RUN,
    )


def over_budget(count: int = 5_000, excerpt_bytes: int = 5_000) -> Report:
    """``count`` failures with tracebacks of ``excerpt_bytes`` each; the last tenth are new."""
    line = "E   " + "x" * 60 + "\n"
    excerpt = (line * (excerpt_bytes // len(line) + 1))[:excerpt_bytes]
    cases = tuple(
        failing(f"test_case_{index:05d}", excerpt=excerpt, message=f"assert {index} == -1")
        for index in range(count)
    )
    new = tuple(case.id for case in cases[count - count // 10 :])
    still = tuple(case.id for case in cases[: count - count // 10])
    base = with_baseline()
    tests = TestsResult(
        counts=Counts(total=count, failed=count),
        stages={"unit": Counts(total=count, failed=count)},
        cases=cases,
        failing=tuple(case.id for case in cases),
        new_failures=new,
        still_failing=still,
    )
    return Report(
        inputs=(),
        tests=tests,
        coverage=base.coverage,
        benchmarks=(),
        gates=(GateResult(name="tests", passed=False, detail=f"{count} failed"),),
        diff=base.diff,
        comparisons=base.comparisons,
        baseline=base.baseline,
        coverage_delta=base.coverage_delta,
        run=RUN,
    )


def hostile(text: str = HOSTILE_TEXT) -> Report:
    """``text`` in every place untrusted text goes: ids, messages, tracebacks, paths, names."""
    case = failing(text, classname=text, stage=text, message=text, excerpt=f"{text}\n{text}")
    tests = TestsResult(
        counts=Counts(total=1, failed=1),
        stages={text: Counts(total=1, failed=1)},
        cases=(case,),
        failing=(case.id,),
        new_failures=(case.id,),
    )
    return Report(
        inputs=(InputStatus(path=text, kind=None, error=text),),
        tests=tests,
        coverage=_coverage(85, 100),
        benchmarks=(),
        gates=(GateResult(name="tests", passed=False, detail=text),),
        diff=DiffCoverage(source=text, covered=1, total=2, uncovered={text: (1,)}),
        comparisons=(
            BenchmarkComparison(
                name=text,
                base=1.0,
                head=2.0,
                change=100.0,
                verdict=Verdict.REGRESSED,
                note=text,
                history=(1.0, 1.1),
            ),
        ),
        baseline=Baseline(source=text, commit=text),
        coverage_delta=0.0,
        stage_coverage=(StageCoverage(stage=text, percent=50.0, fail_under=60),),
        coverage_lost=((text, 90.0, 80.0),),
        run=RunInfo(commit=text, run_url=text, time=text),
    )
