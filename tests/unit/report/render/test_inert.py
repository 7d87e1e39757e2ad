"""Untrusted text made inert: exact strings for every kind of active text."""

from __future__ import annotations

import pytest

from ci.report.render._inert import (
    clip,
    clip_lines,
    fence,
    inert,
    inert_code,
    mermaid_label,
    plain,
    safe_url,
)

Z = "\u200b"


class TestInert:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            pytest.param("@octocat and @org/team", f"@{Z}octocat and @{Z}org/team", id="mention"),
            pytest.param("fixes #123", f"fixes #{Z}123", id="reference"),
            pytest.param("see GH-7, gh-8, sigh-9", f"see GH-{Z}7, gh-{Z}8, sigh-9", id="gh-ref"),
            pytest.param(
                "https://github.com/o/r/issues/1 www.x.io",
                f"https:{Z}//github.com/o/r/issues/1 www{Z}.x.io",
                id="autolink",
            ),
            pytest.param("a|b", "a\\|b", id="pipe"),
            pytest.param("a\\|b", "a\\\\\\|b", id="escaped-pipe"),
            pytest.param("</details><!-- x -->", "&lt;/details&gt;&lt;!-- x --&gt;", id="html"),
            pytest.param("&amp;", "&amp;amp;", id="entity"),
            pytest.param(
                "*a* _b_ [c](d) `e` ~f~ $g$",
                "\\*a\\* \\_b\\_ \\[c\\](d) \\`e\\` \\~f\\~ \\$g\\$",
                id="markdown",
            ),
            pytest.param("one\ntwo\r\n\t three", "one two three", id="newlines"),
            pytest.param("\x1b[31mred\u202e", "\ufffd\\[31mred\ufffd", id="controls"),
        ],
    )
    def test_active_text(self, text: str, expected: str) -> None:
        """Each kind of active text comes out as the exact inert string."""
        assert inert(text) == expected

    def test_limit_clips_before_escaping(self) -> None:
        """The clip happens on the raw text, so an escape is never cut in half."""
        assert inert("a|bcd", 3) == "a\\|…"


class TestCode:
    def test_inert_code_keeps_lines(self) -> None:
        """Lines stay, tabs expand; only details tags, comment openers and mentions are broken."""
        assert inert_code("a\r\n</DETAILS>\r<!-- x --> @me\tz #1") == (
            f"a\n<{Z}/DETAILS>\n<{Z}!-- x --> @{Z}me  z #1"
        )

    def test_fence_is_longer_than_any_backtick_run(self) -> None:
        """A run of 5 backticks inside gets a fence of 6; every non-empty line is indented."""
        assert fence("x `````\n\ny", indent="  ") == ("  ``````text\n  x `````\n\n  y\n  ``````")

    def test_fence_has_three_backticks_at_least(self) -> None:
        """Text without backticks gets the usual three, with the info string."""
        assert fence("x", info="mermaid") == "```mermaid\nx\n```"


class TestClip:
    def test_clip(self) -> None:
        """Short text is kept; long text ends in an ellipsis within the limit."""
        assert (clip("abc", 3), clip("abcd", 3)) == ("abc", "ab…")

    def test_clip_lines_keeps_first_and_last_lines(self) -> None:
        """A long traceback keeps its start and its end, saying how much was left out."""
        text = "\n".join(f"line {n}" for n in range(100))
        assert clip_lines(text, 100) == (
            "line 0\nline 1\nline 2\nline 3\n… 754 characters left out …\nline 99"
        )

    def test_clip_lines_keeps_short_text(self) -> None:
        """Text within the limit is returned as it is."""
        assert clip_lines("a\nb", 10) == "a\nb"


class TestOthers:
    def test_plain(self) -> None:
        """One line, control characters replaced."""
        assert plain(" a\n\x07b ") == "a \ufffdb"

    def test_mermaid_label(self) -> None:
        """Only safe characters stay; a long label keeps its end."""
        assert mermaid_label('t[1] "<b>@x#y') == "t[1] __b__x_y"
        assert mermaid_label("a" * 5 + "b" * 10, 8) == "…bbbbbbb"

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("https://github.com/o/r/actions/runs/1", "https://github.com/o/r/actions/runs/1"),
            ("http://127.0.0.1:8080/run", "http://127.0.0.1:8080/run"),
            ("javascript:alert(1)", None),
            ("https://x.io/a)b", None),
            ("https://x.io/a b", None),
            (None, None),
        ],
    )
    def test_safe_url(self, url: str | None, expected: str | None) -> None:
        """Only plain http(s) URLs that cannot end a Markdown link early are kept."""
        assert safe_url(url) == expected
