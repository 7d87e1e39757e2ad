"""The budget allocator: what goes in first, what is cut, and what the cut says."""

from __future__ import annotations

import pytest

from ci.report.render._budget import (
    Budget,
    Entry,
    Part,
    cut_note,
    pack,
    utf8_bytes,
    utf16_units,
)


def detail(text: str) -> Entry:
    """An entry ``- text`` whose detail is ``text`` repeated in a block."""
    return Entry(text=f"- {text}", detail=lambda: f"\n  ({text * 5})")


def failures(count: int, *, lead: int = 2) -> Part:
    """A list of ``count`` entries with details, under a heading."""
    return Part(head=("#### F",), entries=tuple(detail(f"f{n}") for n in range(count)), lead=lead)


class TestPack:
    def test_no_limit_takes_everything(self) -> None:
        """Without a limit every block, entry and detail is there, and no cut note."""
        parts = [
            Part(head=("# T",)),
            failures(2),
            Part(prefix="| a |\n|---|", entries=(Entry(text="| 1 |"),)),
        ]
        assert pack(parts, Budget()) == (
            "# T\n\n#### F\n\n- f0\n  (f0f0f0f0f0)\n- f1\n  (f1f1f1f1f1)\n\n| a |\n|---|\n| 1 |\n"
        )

    def test_details_go_before_entries(self) -> None:
        """Short of room, the lead entries keep their lines and lose their details."""
        text = pack([failures(2)], Budget(limit=80, where="W"))
        assert text == "#### F\n\n- f0\n- f1\n\n… 2 tracebacks left out, see W\n"

    def test_lead_of_a_later_part_before_the_rest_of_an_earlier_one(self) -> None:
        """A later part's lead entries come before an earlier part's other entries."""
        parts = [failures(50, lead=1), Part(head=("#### B",), entries=(Entry(text="- b"),))]
        text = pack(parts, Budget(limit=120, where="W"))
        assert text == ("#### F\n\n- f0\n  (f0f0f0f0f0)\n\n… and 49 more, see W\n\n#### B\n\n- b\n")

    def test_cut_keeps_a_prefix(self) -> None:
        """The list is cut at its first entry that does not fit, never skipping to a later one."""
        entries = (Entry(text="- a"), Entry(text="- " + "x" * 50), Entry(text="- c"))
        text = pack([Part(entries=entries, lead=0)], Budget(limit=60, where="W"))
        assert text == "- a\n\n… and 2 more, see W\n"

    def test_fixed_block_that_does_not_fit_is_left_out(self) -> None:
        """A block larger than what is left is dropped; smaller later ones still go in."""
        parts = [Part(head=("x" * 100,)), Part(head=("# small",))]
        assert pack(parts, Budget(limit=20)) == "# small\n"

    def test_suffix_closes_what_prefix_opens(self) -> None:
        """A folded list opens and closes around its entries, and the note names the noun."""
        part = Part(
            prefix="<details>\n",
            entries=(Entry(text="c1"), Entry(text="c2" * 40)),
            sep="\n\n",
            suffix="</details>",
            noun="charts",
        )
        text = pack([part], Budget(limit=110, where="W"))
        assert text == "<details>\n\nc1\n\n</details>\n\n… and 1 more charts, see W\n"

    def test_empty_parts_render_nothing(self) -> None:
        """A part with neither blocks nor entries takes no room and adds no blank lines."""
        assert pack([Part(), Part(head=("# a",)), Part()], Budget()) == "# a\n"

    @pytest.mark.parametrize("limit", [40, 100, 300, 1_000, 3_000])
    def test_stays_within_the_limit(self, limit: int) -> None:
        """Whatever the limit, the packed text never exceeds it."""
        parts = [Part(head=("# headline",)), failures(200), failures(100, lead=5)]
        assert len(pack(parts, Budget(limit=limit, where="`x`"))) <= limit

    def test_bytes_budget(self) -> None:
        """Measured in UTF-8 bytes, multi-byte text is cut sooner than in characters."""
        parts = [Part(entries=tuple(Entry(text="- é" * 10) for _ in range(20)), lead=0)]
        by_bytes = pack(parts, Budget(limit=300, where="W", measure=utf8_bytes))
        by_chars = pack(parts, Budget(limit=300, where="W", measure=len))
        assert utf8_bytes(by_bytes) <= 300
        lines = [line for line in by_bytes.splitlines() if line.startswith("- é")]
        assert (len(lines), by_chars.count("\n- é") + 1) == (6, 8)


class TestMeasures:
    def test_utf16_counts_astral_characters_twice(self) -> None:
        """An emoji outside the BMP is two UTF-16 units; ASCII is one."""
        assert (utf16_units("a📈"), utf16_units("é"), utf8_bytes("é📈")) == (3, 1, 6)


class TestCutNote:
    def test_variants(self) -> None:
        """Left-out entries, left-out details, or both, with thousands separators."""
        assert [
            cut_note(1_234, 0, where="W"),
            cut_note(0, 5, where="W", detail_noun="tracebacks"),
            cut_note(2, 3, where="W", noun="charts", detail_noun="tracebacks"),
        ] == [
            "… and 1,234 more, see W",
            "… 5 tracebacks left out, see W",
            "… and 2 more charts (3 tracebacks left out), see W",
        ]
