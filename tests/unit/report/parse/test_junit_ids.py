"""The ids a JUnit read keeps for a baseline comparison: skipped tests always, all on request."""

from __future__ import annotations

from pathlib import Path

from ci.report.parse._junit_window import RERUN_WINDOW
from ci.report.parse.junit import parse_junit


def _write(path: Path, cases: str) -> Path:
    path.write_text(f'<testsuite name="s">{cases}</testsuite>', encoding="utf-8")
    return path


MIXED = (
    '<testcase classname="m" name="ok" time="0.1"/>'
    '<testcase classname="m" name="skip"><skipped message="later"/></testcase>'
    '<testcase classname="m" name="bad"><failure message="boom">tb</failure></testcase>'
    '<testcase classname="m" name="flaky"><failure message="once"/></testcase>'
    '<testcase classname="m" name="flaky" time="0.2"/>'
    '<testcase classname="m" name="then_skipped"><failure message="x"/></testcase>'
    '<testcase classname="m" name="then_skipped"><skipped/></testcase>'
    '<testcase classname="m" name="skip_then_pass"><skipped/></testcase>'
    '<testcase classname="m" name="skip_then_pass"/>'
)


class TestJUnitIds:
    def test_skipped_ids_follow_the_final_outcome(self, tmp_path: Path) -> None:
        """A test is listed as skipped only when its last attempt was skipped."""
        report = parse_junit(_write(tmp_path / "unit.xml", MIXED))
        assert report.skipped_ids == ("m::skip", "m::then_skipped")
        assert report.ids is None
        assert (report.counts.total, report.counts.skipped) == (6, 2)

    def test_all_ids_on_request(self, tmp_path: Path) -> None:
        """``ids=True`` keeps every distinct test id, reruns folded."""
        report = parse_junit(_write(tmp_path / "unit.xml", MIXED), ids=True)
        assert report.ids == frozenset(
            {"m::ok", "m::skip", "m::bad", "m::flaky", "m::then_skipped", "m::skip_then_pass"}
        )

    def test_durations_on_request(self, tmp_path: Path) -> None:
        """``ids=True`` also gives each test's final attempt's seconds (none or bad: 0)."""
        cases = MIXED + '<testcase classname="m" name="odd" time="-1"/>'
        report = parse_junit(_write(tmp_path / "unit.xml", cases), ids=True)
        assert report.durations == {
            "m::ok": 0.1,
            "m::skip": 0.0,
            "m::bad": 0.0,
            "m::flaky": 0.2,
            "m::then_skipped": 0.0,
            "m::skip_then_pass": 0.0,
            "m::odd": 0.0,
        }
        assert parse_junit(tmp_path / "unit.xml").durations is None

    def test_ids_survive_the_window_ageing(self, tmp_path: Path) -> None:
        """Ids of tests that left the rerun window long ago are all still there."""
        n = 3 * RERUN_WINDOW + 5
        cases = "".join(f'<testcase classname="c" name="t{i}" time="0.001"/>' for i in range(n))
        cases += '<testcase classname="c" name="last"><skipped/></testcase>'
        report = parse_junit(_write(tmp_path / "big.xml", cases), ids=True)
        assert report.ids is not None
        assert len(report.ids) == n + 1
        assert {"c::t0", f"c::t{n - 1}", "c::last"} <= report.ids
        assert report.skipped_ids == ("c::last",)

    def test_skipped_ids_agree_with_the_count_across_the_window(self, tmp_path: Path) -> None:
        """An id skipped again far beyond the window is one more skipped test, listed once;
        a rerun that overturns the later skip leaves the earlier one counted and listed.
        """
        filler = "".join(
            f'<testcase classname="c" name="t{i}"/>' for i in range(2 * RERUN_WINDOW + 1)
        )
        skip = '<testcase classname="c" name="s"><skipped/></testcase>'
        twice = parse_junit(_write(tmp_path / "twice.xml", skip + filler + skip))
        assert (twice.counts.total, twice.counts.skipped) == (2 * RERUN_WINDOW + 3, 2)
        assert twice.skipped_ids == ("c::s",)
        overturned = parse_junit(
            _write(
                tmp_path / "overturned.xml",
                skip + filler + skip + '<testcase classname="c" name="s"/>',
            )
        )
        assert (overturned.counts.total, overturned.counts.skipped) == (2 * RERUN_WINDOW + 3, 1)
        assert overturned.skipped_ids == ("c::s",)

    def test_tree_reader_keeps_ids_too(self, tmp_path: Path) -> None:
        """A file only the tree reader handles (a case inside a case) gives the same ids."""
        cases = (
            '<testcase classname="o" name="outer"><testcase classname="i" name="inner"/>'
            "</testcase>"
            '<testcase classname="o" name="s"><skipped/></testcase>'
        )
        report = parse_junit(_write(tmp_path / "nested.xml", cases), ids=True)
        assert report.skipped_ids == ("o::s",)
        assert report.ids == frozenset({"i::inner", "o::outer", "o::s"})
