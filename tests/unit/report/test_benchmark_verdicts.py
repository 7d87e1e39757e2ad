"""Benchmark verdicts: every rule with exact values on constructed runs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from ci.config import BenchmarkOverride, Settings
from ci.report.evaluate._benchstats import (
    fcr_level,
    summarize_run,
    t_quantile,
    t_sf,
)
from ci.report.evaluate.benchmarks import (
    BenchmarkPolicy,
    benchmark_gate,
    compare_benchmarks,
    policy_from_settings,
)
from ci.report.model import (
    Benchmark,
    BenchmarkComparison,
    BenchmarkRun,
    BenchmarkStats,
    CommitInfo,
    GateResult,
    MachineInfo,
    Verdict,
)

#: Student's t quantiles to compare with (R: ``qt(0.975, 4)``, ``qnorm(0.975)``…).
T975_4 = 2.7764451051977987
T9875_4 = 3.4954059325164
Z975 = 1.959963984540054
Z9875 = 2.241402727604947
#: The rules' arithmetic is shown on the median; the minimum's own rules have their own tests.
POLICY = BenchmarkPolicy(statistic="median")


def stats_of(data: Sequence[float]) -> BenchmarkStats:
    """pytest-benchmark's summary of ``data`` (only what verdicts read is exact)."""
    ordered = sorted(data)
    n = len(ordered)
    mean = sum(ordered) / n
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return BenchmarkStats(
        min=ordered[0], max=ordered[-1], mean=mean, stddev=0.0, median=median, iqr=0.0,
        q1=ordered[0], q3=ordered[-1], ld15iqr=ordered[0], hd15iqr=ordered[-1], ops=1 / mean if mean else 0.0,
        total=sum(ordered), rounds=n, iterations=1, iqr_outliers=0, stddev_outliers=0,
        outliers="0;0",
    )  # fmt: skip


def bench(name: str, *data: float, keep_data: bool = True) -> Benchmark:
    """A benchmark of ``tests/b/test_x.py`` whose rounds took ``data`` seconds."""
    return Benchmark(
        name=name,
        fullname=f"tests/b/test_x.py::{name}",
        stats=stats_of(data),
        data=tuple(data) if keep_data else (),
    )


def run(*benchmarks: Benchmark, node: str = "") -> BenchmarkRun:
    """One pytest-benchmark file holding ``benchmarks``."""
    return BenchmarkRun(
        path=Path("bench.json"),
        version="5.3.1",
        datetime=None,
        machine_info=MachineInfo(node=node),
        commit_info=CommitInfo(),
        benchmarks=benchmarks,
    )


def runs_at(name: str, *medians: float) -> list[BenchmarkRun]:
    """One run per median, each of three equal rounds."""
    return [run(bench(name, m, m, m)) for m in medians]


def only(comparisons: Sequence[BenchmarkComparison]) -> BenchmarkComparison:
    assert len(comparisons) == 1
    return comparisons[0]


def figures(comparison: BenchmarkComparison) -> tuple[float, float, float]:
    """``(change, low, high)`` of a comparison that has them."""
    assert comparison.change is not None
    assert comparison.low is not None
    assert comparison.high is not None
    return comparison.change, comparison.low, comparison.high


class TestStudentT:
    @pytest.mark.parametrize(
        ("p", "df", "expected"),
        [
            (0.975, 1, 12.706204736174698),
            (0.975, 2, 4.302652729749464),
            (0.975, 3, 3.182446305284263),
            (0.975, 4, T975_4),
            (0.9975, 8, 3.832518685),
            (0.975, None, Z975),
        ],
    )
    def test_quantiles(self, p: float, df: int | None, expected: float) -> None:
        """Quantiles match R's qt (and qnorm for infinitely many degrees of freedom)."""
        assert t_quantile(p, df) == pytest.approx(expected, rel=1e-9)

    @pytest.mark.parametrize(
        ("t", "df", "expected"),
        [
            (2.0, 1, 0.1475836176504333),
            (2.0, 4, 0.05805826175840775),
            (-2.0, 5, 0.9490302605850709),
            (0.0, 3, 0.5),
            (math.inf, 3, 0.0),
            (-math.inf, 3, 1.0),
            (1.0, None, 0.15865525393145707),
        ],
    )
    def test_upper_tail(self, t: float, df: int | None, expected: float) -> None:
        """Upper-tail probabilities match R's ``pt(t, df, lower.tail = FALSE)``."""
        assert t_sf(t, df) == pytest.approx(expected, rel=1e-12)


class TestFcrLevel:
    def test_nothing_selected_is_bonferroni(self) -> None:
        """With no p-value under q/m the level is q/m."""
        assert fcr_level([0.5, 0.2, 0.9, 0.03], 0.05) == 0.05 / 4

    def test_step_up_selects_the_largest_rank(self) -> None:
        """BH's step-up: the largest rank k with p_(k) <= k·q/m sets the level k·q/m."""
        assert fcr_level([0.001, 0.037, 0.024, 0.9], 0.05) == pytest.approx(3 * 0.05 / 4)

    def test_empty_family(self) -> None:
        """With nothing compared the level is q itself."""
        assert fcr_level([], 0.05) == 0.05


class TestSummarizeRun:
    def test_median_with_order_statistic_variance(self) -> None:
        """The median's variance comes from the ranks n/2 ± 0.98·√n, relative to the median."""
        summary = summarize_run([5.0, 1.0, 4.0, 2.0, 3.0], 9.0, "median")
        # n = 5: ranks floor(2.5 - 2.19) = 0 and ceil(2.5 + 2.19) = 5 -> clamped to 4
        assert summary.value == 3.0
        assert summary.within == pytest.approx(((5.0 - 1.0) / (2 * Z975 * 3.0)) ** 2, rel=1e-12)
        assert summary.spread == math.log(3.0)

    def test_mean_with_standard_error(self) -> None:
        """The mean's variance is the sample variance over n, relative to the mean squared."""
        summary = summarize_run([1.0, 2.0, 3.0], 9.0, "mean")
        assert (summary.value, summary.within) == (2.0, 1.0 / 3 / 4)

    def test_min_has_no_within_run_error(self) -> None:
        """The minimum carries no within-run variance; its spread is still median over min."""
        summary = summarize_run([2.0, 1.0, 3.0], 9.0, "min")
        assert (summary.value, summary.within, summary.spread) == (1.0, 0.0, math.log(2.0))

    def test_low_spread_is_the_tenth_percentile_over_the_fastest(self) -> None:
        """The low spread looks at the round a tenth of the way up, not at the median."""
        rounds = [1.0, 1.25, *([2.0] * 8)]
        summary = summarize_run(rounds, 9.0, "min")
        assert (summary.spread, summary.low_spread) == (math.log(2.0), math.log(1.25))

    def test_no_rounds_falls_back_to_the_file(self) -> None:
        """Without round timings the file's own statistic is used, with no variance."""
        summary = summarize_run([], 4.0, "median")
        assert (summary.value, summary.log, summary.within) == (4.0, math.log(4.0), 0.0)

    def test_zero_statistic_has_no_log(self) -> None:
        """A statistic of 0 s has no logarithm."""
        assert math.isnan(summarize_run([0.0, 0.0, 1.0], 9.0, "median").log)
        assert math.isnan(summarize_run([], 0.0, "median").log)

    def test_single_round_mean(self) -> None:
        """One round gives a mean with no variance."""
        assert summarize_run([2.0], 9.0, "mean").within == 0.0


class TestPolicy:
    def test_first_matching_override_wins(self) -> None:
        """Overrides are tried in order on the fullname, then the name; the first one applies."""
        policy = BenchmarkPolicy(
            statistic="median",
            overrides=(
                BenchmarkOverride(pattern="tests/b/*::test_parse*", min_change=20.0),
                BenchmarkOverride(pattern="test_parse", min_change=1.0, statistic="min"),
                BenchmarkOverride(pattern="test_s*", statistic="mean"),
            ),
        )
        assert policy.for_benchmark("tests/b/test_x.py::test_parse", "test_parse") == (
            20.0,
            "median",
        )
        assert policy.for_benchmark("other::test_parse", "test_parse") == (1.0, "min")
        assert policy.for_benchmark("t.py::test_sort", "test_sort") == (5.0, "mean")
        assert policy.for_benchmark("t.py::test_json", "test_json") == (5.0, "median")

    def test_defaults_are_the_settings_defaults(self) -> None:
        """The policy's own defaults are ``[tool.noxci]``'s: the minimum, 5%."""
        assert BenchmarkPolicy() == policy_from_settings(Settings())
        assert (BenchmarkPolicy().statistic, BenchmarkPolicy().min_change) == ("min", 5.0)

    def test_from_settings(self) -> None:
        """min-change, statistic and the per-benchmark tables come from the settings."""
        override = BenchmarkOverride(pattern="test_*", min_change=10.0)
        policy = policy_from_settings(
            Settings(min_change=7.5, statistic="min", benchmarks=(override,))
        )
        assert policy == BenchmarkPolicy(min_change=7.5, statistic="min", overrides=(override,))


class TestNewAndMissing:
    def test_no_baseline_makes_every_benchmark_new(self) -> None:
        """Without a baseline every head benchmark is new, with its head value only."""
        head = [run(bench("test_a", 1.0, 3.0, 2.0), bench("test_b", 5.0))]
        assert compare_benchmarks(head, None, POLICY) == (
            BenchmarkComparison(name="tests/b/test_x.py::test_a", head=2.0, head_runs=1),
            BenchmarkComparison(name="tests/b/test_x.py::test_b", head=5.0, head_runs=1),
        )

    def test_empty_baseline_is_no_baseline(self) -> None:
        """A baseline without runs leaves every benchmark new."""
        assert only(compare_benchmarks([run(bench("test_a", 1.0))], [], POLICY)).verdict is (
            Verdict.NEW
        )

    def test_head_only_and_base_only(self) -> None:
        """A benchmark only in the head is new; one only in the base is missing."""
        head = [run(bench("test_new", 2.0)), run(bench("test_new", 8.0))]
        base = [run(bench("test_gone", 3.0, 1.0, 2.0))]
        assert compare_benchmarks(head, base, POLICY) == (
            BenchmarkComparison(name="tests/b/test_x.py::test_new", head=4.0, head_runs=2),
            BenchmarkComparison(
                name="tests/b/test_x.py::test_gone",
                base=2.0,
                verdict=Verdict.MISSING,
                base_runs=1,
            ),
        )

    def test_override_applies_to_new(self) -> None:
        """A new benchmark's value is its own statistic (here the min, by override)."""
        policy = BenchmarkPolicy(overrides=(BenchmarkOverride(pattern="test_a", statistic="min"),))
        comparison = only(compare_benchmarks([run(bench("test_a", 3.0, 1.0, 2.0))], None, policy))
        assert (comparison.head, comparison.statistic) == (1.0, "min")

    def test_a_repeated_benchmark_counts_once_per_run(self) -> None:
        """A fullname twice in one file is one run, its first copy."""
        head = [run(bench("test_a", 2.0), bench("test_a", 50.0))]
        assert only(compare_benchmarks(head, None, POLICY)).head == 2.0


def interval(change: float, margin: float) -> tuple[float, float, float]:
    """``(change, low, high)`` in percent from a log change and a log margin."""
    return (
        math.expm1(change) * 100,
        math.expm1(change - margin) * 100,
        math.expm1(change + margin) * 100,
    )


class TestSeveralRuns:
    def test_t_interval_on_per_run_logs(self) -> None:
        """Three runs a side: pooled run-to-run SD 2% (df 4), 95% t interval, regressed."""
        e = math.e
        base = runs_at("test_a", 1.0, e**0.02, e**-0.02)
        head = runs_at("test_a", e**0.2, e**0.22, e**0.18)
        comparison = only(compare_benchmarks(head, base, POLICY))
        expected = interval(0.2, T975_4 * 0.02 * math.sqrt(2 / 3))
        assert figures(comparison) == pytest.approx(expected, rel=1e-9)
        assert (comparison.base, comparison.head) == pytest.approx((1.0, e**0.2), rel=1e-12)
        assert comparison == BenchmarkComparison(
            name="tests/b/test_x.py::test_a",
            base=comparison.base,
            head=comparison.head,
            change=comparison.change,
            low=comparison.low,
            high=comparison.high,
            verdict=Verdict.REGRESSED,
            head_runs=3,
            base_runs=3,
            note=(
                "3 vs 3 runs: t on per-run medians, run-to-run 2.0% (df 4); "
                "95% interval, FCR-adjusted"
            ),
        )

    def test_sides_are_geometric_means(self) -> None:
        """A side's value is the geometric mean of its runs' statistics."""
        comparison = only(compare_benchmarks(runs_at("t", 1.0, 4.0), runs_at("t", 2.0), POLICY))
        assert (comparison.head, comparison.base) == (2.0, 2.0)
        assert comparison.change == pytest.approx(0.0, abs=1e-12)

    def test_floor_on_run_to_run_noise(self) -> None:
        """Identical runs are not taken as noiseless: the SD is at least 0.5%."""
        base = runs_at("test_a", 1.0, 1.0)
        head = runs_at("test_a", 1.1, 1.1)
        comparison = only(compare_benchmarks(head, base, POLICY))
        expected = interval(math.log(1.1), 4.302652729749464 * 0.005)
        assert figures(comparison) == pytest.approx(expected, rel=1e-9)
        assert comparison.note.startswith(
            "2 vs 2 runs: t on per-run medians, run-to-run 0.5% (df 2)"
        )

    def test_disturbed_run_is_set_aside(self) -> None:
        """A run more than 20% above its side's median run is set aside."""
        base = runs_at("test_a", 1.0, 1.0, 1.25)
        head = runs_at("test_a", 1.0, 1.0, 1.19)
        comparison = only(compare_benchmarks(head, base, POLICY))
        assert comparison.base == 1.0
        assert comparison.head == pytest.approx(1.19 ** (1 / 3), rel=1e-12)
        assert comparison.note.startswith("3 vs 3 runs (1 disturbed set aside): t on per-run")
        assert (comparison.head_runs, comparison.base_runs) == (3, 3)

    def test_widely_spread_run_is_set_aside(self) -> None:
        """A run whose rounds spread 20% wider than the side's quietest run is set aside."""
        base = [*runs_at("t", 1.0, 1.0), run(bench("t", 1.0, 1.3, 1.3))]
        comparison = only(compare_benchmarks(runs_at("t", 1.0, 1.0), base, POLICY))
        assert (comparison.base, comparison.change, comparison.base_runs) == (1.0, 0.0, 3)
        assert comparison.note.startswith("2 vs 3 runs (1 disturbed set aside): t on")

    def test_minimum_keeps_a_partly_slowed_run(self) -> None:
        """For the minimum, a wide spread sets no run aside: a run slowed for part of its
        rounds still has its fastest one, while a run slowed throughout spreads no wider
        than a quiet one (this pair is from a measured 3 vs 2 split: regex, ms).
        """
        head = [run(bench("t", *rounds)) for rounds in ((3.97, 4.0), (4.03, 4.1), (3.98, 4.0))]
        slowed_throughout = run(bench("t", 7.31, 7.47, 7.5))
        slowed_partly = run(bench("t", 4.08, 8.28, 8.3))
        base = [slowed_throughout, slowed_partly]
        comparison = only(compare_benchmarks(head, base, BenchmarkPolicy(statistic="min")))
        assert comparison.base == pytest.approx(math.sqrt(7.31 * 4.08), rel=1e-12)
        assert (comparison.verdict, comparison.base_runs) == (Verdict.UNCHANGED, 2)
        assert comparison.note.startswith("3 vs 2 runs: t on per-run mins")
        median = only(compare_benchmarks(head, base, POLICY))
        assert median.note.startswith("3 vs 2 runs (1 disturbed set aside)")

    def test_runs_without_timings_are_never_set_aside_for_spread(self) -> None:
        """Runs without round timings have no spread to judge; the level rule still applies."""
        base = [
            run(bench("t", 1.0, 1.0, 1.0, keep_data=False)),
            run(bench("t", 1.0, 1.1, 1.1)),
            run(bench("t", 1.1, 1.1, 1.1)),
        ]
        comparison = only(compare_benchmarks(runs_at("t", 1.0, 1.0), base, POLICY))
        assert comparison.base == pytest.approx((1.0 * 1.1 * 1.1) ** (1 / 3), rel=1e-12)

    def test_single_run_against_several(self) -> None:
        """One head run against three base runs uses the base's spread (df 2)."""
        e = math.e
        comparison = only(
            compare_benchmarks(runs_at("t", e**0.5), runs_at("t", 1.0, e**0.02, e**-0.02), POLICY)
        )
        sd = math.sqrt(0.0008 / 2)
        _, low, _ = interval(0.5, 4.302652729749464 * sd * math.sqrt(1 + 1 / 3))
        assert comparison.verdict is Verdict.REGRESSED
        assert comparison.low == pytest.approx(low, rel=1e-9)


class TestOneRunPerSide:
    def test_assumed_run_noise(self) -> None:
        """One run a side: 3% assumed per run, normal quantile, within-run terms of 0."""
        comparison = only(compare_benchmarks(runs_at("t", 1.3), runs_at("t", 1.0), POLICY))
        expected = interval(math.log(1.3), Z975 * 0.03 * math.sqrt(2))
        assert figures(comparison) == pytest.approx(expected, rel=1e-9)
        assert comparison.verdict is Verdict.REGRESSED
        assert comparison.note == (
            "1 vs 1 run: run-to-run noise unseen, assumed 3.0% per run; 95% interval, FCR-adjusted"
        )

    def test_wider_head_spread_stretches_the_interval_down(self) -> None:
        """A head run whose median sits further above its fastest round may have been slowed."""
        head = [run(bench("t", 1.0, 1.3, 1.3, 1.3, 1.3))]
        base = [run(bench("t", 1.0, 1.0, 1.0, 1.0, 1.0))]
        comparison = only(compare_benchmarks(head, base, POLICY))
        # head: median 1.3, fastest 1.0, order-statistic ranks 0 and 4 for its variance
        within = ((1.3 - 1.0) / (2 * Z975 * 1.3)) ** 2
        margin = Z975 * math.sqrt(2 * 0.03**2 + within)
        stretch = math.log(1.3) - 0.03  # beyond the assumed 3% run-to-run noise
        assert figures(comparison) == pytest.approx(
            (
                30.0,
                math.expm1(math.log(1.3) - stretch - margin) * 100,
                math.expm1(math.log(1.3) + margin) * 100,
            ),
            rel=1e-9,
        )
        assert comparison.verdict is Verdict.UNCHANGED
        assert comparison.note.startswith(
            "1 vs 1 run: run-to-run noise unseen, assumed 3.0% per run, "
            "head run spread up to 23.2% wider around it;"
        )

    def test_wider_base_spread_stretches_the_interval_up(self) -> None:
        """A slowed base run may hide a regression: the interval reaches further up."""
        head = [run(bench("t", 2.4, 2.4, 2.4, 2.4, 2.4))]
        base = [run(bench("t", 1.0, 1.6, 1.6, 1.6, 1.6))]
        comparison = only(compare_benchmarks(head, base, POLICY))
        within = ((1.6 - 1.0) / (2 * Z975 * 1.6)) ** 2
        margin = Z975 * math.sqrt(2 * 0.03**2 + within)
        change = math.log(2.4 / 1.6)
        assert figures(comparison) == pytest.approx(
            (
                50.0,
                math.expm1(change - margin) * 100,
                math.expm1(change + math.log(1.6) - 0.03 + margin) * 100,
            ),
            rel=1e-9,
        )
        assert comparison.verdict is Verdict.REGRESSED
        assert "base run spread up to 44.0% wider around it;" in comparison.note

    def test_other_machine_adds_machine_noise(self) -> None:
        """Sides with no machine in common carry a 10% machine term as well."""
        head = [run(bench("t", 1.3, 1.3, 1.3), node="runner-1")]
        base = [run(bench("t", 1.0, 1.0, 1.0), node="runner-2")]
        comparison = only(compare_benchmarks(head, base, POLICY))
        _, low, _ = interval(math.log(1.3), Z975 * math.sqrt(2 * 0.03**2 + 0.1**2))
        assert comparison.low == pytest.approx(low, rel=1e-9)
        assert "; different machines, +10% machine noise;" in comparison.note

    def test_runs_without_timings_use_the_summary(self) -> None:
        """Files without round timings are compared on their own statistic, and say so."""
        head = [run(bench("t", 2.0, 2.0, 2.0, keep_data=False))]
        base = [run(bench("t", 1.0, 1.0, 1.0, keep_data=False))]
        comparison = only(compare_benchmarks(head, base, POLICY))
        assert (comparison.head, comparison.base, comparison.verdict) == (
            2.0,
            1.0,
            Verdict.REGRESSED,
        )
        assert "; some runs without round timings;" in comparison.note


class TestVerdicts:
    def test_improved_when_wholly_below(self) -> None:
        """An interval wholly below -min-change is an improvement."""
        comparison = only(compare_benchmarks(runs_at("t", 0.5), runs_at("t", 1.0), POLICY))
        assert (comparison.change, comparison.verdict) == (-50.0, Verdict.IMPROVED)

    def test_unchanged_when_interval_reaches_the_band(self) -> None:
        """An interval that reaches into ±min-change is unchanged, whatever the estimate."""
        comparison = only(compare_benchmarks(runs_at("t", 1.1), runs_at("t", 1.0), POLICY))
        assert comparison.verdict is Verdict.UNCHANGED
        assert comparison.low == pytest.approx(
            math.expm1(math.log(1.1) - Z975 * 0.03 * math.sqrt(2)) * 100, rel=1e-9
        )

    def test_min_change_override(self) -> None:
        """A larger min-change for one benchmark turns its regression into unchanged."""
        policy = BenchmarkPolicy(overrides=(BenchmarkOverride(pattern="t", min_change=40.0),))
        comparison = only(compare_benchmarks(runs_at("t", 1.3), runs_at("t", 1.0), policy))
        assert (comparison.verdict, comparison.min_change) == (Verdict.UNCHANGED, 40.0)

    def test_statistic_override(self) -> None:
        """The statistic an override names is the one compared."""
        policy = BenchmarkPolicy(overrides=(BenchmarkOverride(pattern="t", statistic="mean"),))
        head = [run(bench("t", 1.0, 1.0, 4.0))]
        base = [run(bench("t", 1.0, 1.0, 1.0))]
        comparison = only(compare_benchmarks(head, base, policy))
        assert (comparison.head, comparison.base, comparison.statistic) == (2.0, 1.0, "mean")

    def test_zero_statistic_has_no_ratio(self) -> None:
        """A statistic of 0 s cannot be divided by: unchanged, no change, and a note."""
        comparison = only(
            compare_benchmarks([run(bench("t", 0.0, 0.0, 1.0))], runs_at("t", 1.0), POLICY)
        )
        assert comparison == BenchmarkComparison(
            name="tests/b/test_x.py::t",
            base=1.0,
            head=0.0,
            verdict=Verdict.UNCHANGED,
            head_runs=1,
            base_runs=1,
            note="a statistic is 0 s",
        )

    def test_zero_statistic_among_several_runs(self) -> None:
        """A side with a 0 s run has the value 0 and no disturbed runs set aside."""
        head = [run(bench("t", 0.0)), run(bench("t", 1.0)), run(bench("t", 9.0))]
        comparison = only(compare_benchmarks(head, None, POLICY))
        assert comparison.head == 0.0


class TestFalseCoverageRate:
    def test_two_changes_keep_the_95_level(self) -> None:
        """Both of two benchmarks selected: intervals at 1 - 2·q/2 = 95%."""
        head = [run(bench("a", 2.0), bench("b", 0.5))]
        base = [run(bench("a", 1.0), bench("b", 1.0))]
        verdicts = compare_benchmarks(head, base, POLICY)
        assert [c.verdict for c in verdicts] == [Verdict.REGRESSED, Verdict.IMPROVED]
        assert all(c.note.endswith("; 95% interval, FCR-adjusted") for c in verdicts)

    def test_one_change_of_two_tightens_the_level(self) -> None:
        """One of two selected: intervals at 1 - q/2 = 97.5% for both."""
        head = [run(bench("a", 2.0), bench("b", 1.0))]
        base = [run(bench("a", 1.0), bench("b", 1.0))]
        a, b = compare_benchmarks(head, base, POLICY)
        assert (a.verdict, b.verdict) == (Verdict.REGRESSED, Verdict.UNCHANGED)
        assert a.low == pytest.approx(
            math.expm1(math.log(2.0) - Z9875 * 0.03 * math.sqrt(2)) * 100, rel=1e-9
        )
        assert b.note.endswith("; 97.5% interval, FCR-adjusted")

    def test_t_level_uses_the_same_rate(self) -> None:
        """With several runs the adjusted level applies to Student's t as well (df 2)."""
        head = [run(bench("a", 2.0), bench("b", 1.0)), run(bench("a", 2.0), bench("b", 1.0))]
        base = [run(bench("a", 1.0), bench("b", 1.0)), run(bench("a", 1.0), bench("b", 1.0))]
        a, _ = compare_benchmarks(head, base, POLICY)
        # Student's t with 2 df in closed form: t_p = (2p - 1) · sqrt(2 / (1 - (2p - 1)²))
        t9875_2 = 0.975 * math.sqrt(2 / (1 - 0.975**2))
        assert a.low == pytest.approx(math.expm1(math.log(2.0) - t9875_2 * 0.005) * 100, rel=1e-9)


class TestGate:
    def comparison(
        self, name: str, verdict: Verdict, change: float | None = None
    ) -> BenchmarkComparison:
        low = None if change is None else change - 7
        high = None if change is None else change + 7
        return BenchmarkComparison(
            name=f"tests/b/test_x.py::{name}", change=change, low=low, high=high, verdict=verdict
        )

    def test_one_regression_shows_its_interval(self) -> None:
        """One regression fails the gate with its change and interval."""
        result = benchmark_gate(
            [
                self.comparison("test_parse", Verdict.REGRESSED, 31.0),
                self.comparison("b", Verdict.UNCHANGED, 1.0),
            ]
        )
        assert result == GateResult(
            name="benchmarks", passed=False, detail="test_parse: +31% (+24% … +38%)"
        )

    def test_small_changes_keep_a_decimal(self) -> None:
        """Changes under 10% are shown with one decimal."""
        result = benchmark_gate([self.comparison("t", Verdict.REGRESSED, 8.25)])
        assert result.detail == "t: +8.2% (+1.2% … +15%)"

    def test_several_regressions_are_named(self) -> None:
        """Several regressions: how many, the first three with their change, and the rest counted."""
        result = benchmark_gate(
            [self.comparison(f"test_{i}", Verdict.REGRESSED, 10.0 + i) for i in range(5)]
        )
        assert result == GateResult(
            name="benchmarks",
            passed=False,
            detail="5 regressed: test_0 +10%, test_1 +11%, test_2 +12% and 2 more",
        )

    def test_passing_counts_every_verdict(self) -> None:
        """A passing gate counts improved, unchanged, new and missing, in that order."""
        result = benchmark_gate(
            [
                self.comparison("a", Verdict.NEW),
                self.comparison("b", Verdict.UNCHANGED, 1.0),
                self.comparison("c", Verdict.IMPROVED, -20.0),
                self.comparison("d", Verdict.UNCHANGED, -1.0),
                self.comparison("e", Verdict.MISSING),
                self.comparison("f", Verdict.IMPROVED, -30.0),
            ]
        )
        assert result == GateResult(
            name="benchmarks", passed=True, detail="2 improved, 2 unchanged, 1 new, 1 missing"
        )

    def test_no_benchmarks(self) -> None:
        """Nothing to compare passes and says so."""
        assert benchmark_gate([]) == GateResult(
            name="benchmarks", passed=True, detail="no benchmarks"
        )

    def test_unknown_change_is_shown_as_such(self) -> None:
        """A regression without a change (never made by compare) still reads."""
        result = benchmark_gate([self.comparison("t", Verdict.REGRESSED)])
        assert result.detail == "t: n/a (n/a … n/a)"


class TestNeighbours:
    def runs_with_noisy_neighbour(self, gap: int) -> tuple[list[BenchmarkRun], list[BenchmarkRun]]:
        """A head run where the benchmark ``gap`` places before ``t`` spread wide."""
        quiet = [bench(f"q{i}", 1.0, 1.0, 1.0) for i in range(gap - 1)]
        head = [run(bench("noisy", 1.0, 1.5, 1.5), *quiet, bench("t", 2.0, 2.0, 2.0))]
        base = [run(bench("noisy", 1.0, 1.0, 1.0), *quiet, bench("t", 1.0, 1.0, 1.0))]
        return head, base

    def test_next_benchmark_stretches_the_interval(self) -> None:
        """A run disturbed right next to a benchmark stretches its interval by that spread."""
        head, base = self.runs_with_noisy_neighbour(1)
        _, comparison = compare_benchmarks(head, base, POLICY)
        assert comparison.low == pytest.approx(
            math.expm1(math.log(2.0) - (math.log(1.5) - 0.03) - Z9875 * 0.03 * math.sqrt(2)) * 100,
            rel=1e-9,
        )
        assert "head run spread up to 37.5% wider around it" in comparison.note

    def test_farther_benchmark_does_not(self) -> None:
        """Two places away, a disturbance no longer counts (``neighbours`` is 1)."""
        head, base = self.runs_with_noisy_neighbour(2)
        *_, comparison = compare_benchmarks(head, base, POLICY)
        assert comparison.note == (
            "1 vs 1 run: run-to-run noise unseen, assumed 3.0% per run; "
            "98.33% interval, FCR-adjusted"
        )

    def test_reach_is_a_policy(self) -> None:
        """With neighbours = 2 the farther disturbance counts too."""
        head, base = self.runs_with_noisy_neighbour(2)
        *_, comparison = compare_benchmarks(
            head, base, BenchmarkPolicy(statistic="median", neighbours=2)
        )
        assert "head run spread up to 37.5% wider around it" in comparison.note


class TestNeighboursOfAMinimum:
    """For the minimum, a neighbour is evidence only when nearly all its rounds were slowed."""

    MIN = BenchmarkPolicy(statistic="min")

    def compare(self, noisy: Sequence[float]) -> BenchmarkComparison:
        """``t`` doubled, next to a neighbour whose head rounds were ``noisy``."""
        head = [run(bench("noisy", *noisy), bench("t", *([2.0] * 20)))]
        base = [run(bench("noisy", *([1.0] * 20)), bench("t", *([1.0] * 20)))]
        _, comparison = compare_benchmarks(head, base, self.MIN)
        return comparison

    def test_neighbour_slowed_in_nearly_every_round_stretches(self) -> None:
        """A neighbour slowed by half in 18 of 20 rounds stretches the interval by that."""
        comparison = self.compare([1.0, 1.0, *([1.5] * 18)])
        assert "head run spread up to 37.5% wider around it" in comparison.note
        assert comparison.low == pytest.approx(
            math.expm1(math.log(2.0) - (math.log(1.5) - 0.03) - Z9875 * 0.03 * math.sqrt(2)) * 100,
            rel=1e-9,
        )

    def test_neighbour_slowed_in_half_its_rounds_does_not(self) -> None:
        """A neighbour slowed in half of its rounds moves its median, not its low rounds."""
        comparison = self.compare([*([1.0] * 10), *([1.5] * 10)])
        assert comparison.note == (
            "1 vs 1 run: run-to-run noise unseen, assumed 3.0% per run; "
            "97.5% interval, FCR-adjusted"
        )
        assert comparison.verdict is Verdict.REGRESSED
