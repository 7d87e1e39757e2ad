"""Whatever text sits in test ids, messages and tracebacks, the Markdown stays inert and fits."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ci.report.model import Counts, GateResult, Outcome, Report, TestCase, TestsResult
from ci.report.publishing import comment_body
from ci.report.render.markdown import COMMENT_LIMIT, render_markdown
from ci.report.render.marker import comment_marker
from tests.snapshot.model_reports import hostile

DEADLINE = settings(deadline=2_000)
MARKER = comment_marker()
#: Characters that mean something to Markdown, HTML, GitHub or our marker, and any others.
ACTIVE = st.sampled_from([*"@#|`<>!-/\\*_[]~$&:\n\r\t ", "</details>", "<!--", MARKER])
TEXT = st.lists(ACTIVE | st.characters() | st.text(max_size=5), max_size=40).map("".join)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    """A report whose failing tests have arbitrary ids, stages, messages and tracebacks."""
    cases = tuple(
        TestCase(
            stage=draw(TEXT),
            classname=draw(TEXT),
            name=draw(TEXT),
            outcome=draw(st.sampled_from([Outcome.FAILED, Outcome.ERROR])),
            message=draw(TEXT),
            excerpt=draw(TEXT),
        )
        for _ in range(draw(st.integers(0, 6)))
    )
    ids = tuple(case.id for case in cases)
    split = draw(st.integers(0, len(ids)))
    tests = TestsResult(
        counts=Counts(total=len(cases), failed=len(cases)),
        cases=cases,
        failing=ids,
        new_failures=ids[:split],
        still_failing=ids[split:],
    )
    gate = GateResult(name="tests", passed=not cases, detail=draw(TEXT))
    return Report(inputs=(), tests=tests, coverage=None, benchmarks=(), gates=(gate,))


def check_inert(text: str) -> None:
    """No mention, balanced details blocks."""
    assert re.findall(r"@[^\W\d_]", text) == []
    assert text.count("<details>") == text.count("</details>")


class TestMarkdownInert:
    @DEADLINE
    @given(reports())
    def test_comment(self, report: Report) -> None:
        """The comment as posted: inert, exactly one marker, within GitHub's limit."""
        posted = MARKER + "\n" + comment_body(report, MARKER)
        check_inert(posted)
        assert (posted.count(MARKER), posted.count("<!--")) == (1, 1)
        assert len(posted) <= COMMENT_LIMIT

    @DEADLINE
    @given(reports(), st.integers(300, 5_000))
    def test_any_limit(self, report: Report, limit: int) -> None:
        """Cut to any limit, the Markdown stays inert, balanced and within the limit."""
        text = render_markdown(report, limit=limit, where="`reports/report.md`")
        check_inert(text)
        assert "<!--" not in text
        assert len(text) <= limit

    @DEADLINE
    @given(TEXT)
    def test_text_everywhere(self, text: str) -> None:
        """The same text as id, stage, path, benchmark name, note and footer: still inert."""
        posted = MARKER + "\n" + comment_body(hostile(text), MARKER)
        check_inert(posted)
        assert (posted.count(MARKER), posted.count("<!--")) == (1, 1)
        assert len(posted) <= COMMENT_LIMIT
