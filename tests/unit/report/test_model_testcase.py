"""Tests of the test-result part of the model: outcomes, test ids, cases and counts."""

from __future__ import annotations

import dataclasses

import pytest

from ci.report.model import ID_SEPARATOR, Counts, Outcome, TestCase, case_id


class TestCaseId:
    """The stable id format ``[file::][classname::]name``."""

    def test_all_parts(self) -> None:
        """File, classname and name are joined by the separator, in that order."""
        assert case_id(file="tests/test_a.py", classname="tests.test_a.TestX", name="test_y") == (
            "tests/test_a.py::tests.test_a.TestX::test_y"
        )

    def test_without_file(self) -> None:
        """An unknown file is left out with its separator."""
        assert case_id(classname="suite", name="case") == "suite::case"

    def test_without_classname(self) -> None:
        """An empty classname is left out with its separator."""
        assert case_id(classname="", name="case", file="a.js") == "a.js::case"

    def test_name_only(self) -> None:
        """A name alone is the whole id."""
        assert case_id(classname="", name="case") == "case"

    def test_separator(self) -> None:
        """The separator is pytest's node-id separator."""
        assert ID_SEPARATOR == "::"


class TestTestCase:
    """The frozen value of one distinct test."""

    def test_defaults(self) -> None:
        """A case built from stage, classname and name is a plain pass."""
        case = TestCase(stage="unit", classname="c", name="n")
        assert (case.outcome, case.duration_s, case.reruns, case.flaky) == (
            Outcome.PASSED,
            0.0,
            0,
            False,
        )
        assert (case.file, case.line, case.message, case.excerpt) == (None, None, "", "")

    def test_id_uses_file(self) -> None:
        """The id property includes the file when known."""
        case = TestCase(stage="unit", classname="c", name="n", file="f.py")
        assert case.id == "f.py::c::n"

    def test_frozen(self) -> None:
        """Cases cannot be changed after construction."""
        case = TestCase(stage="unit", classname="c", name="n")
        with pytest.raises(dataclasses.FrozenInstanceError):
            case.name = "other"  # type: ignore[misc]

    def test_keyword_only(self) -> None:
        """Positional construction is refused."""
        with pytest.raises(TypeError):
            TestCase("unit", "c", "n")  # type: ignore[call-arg]


class TestOutcome:
    """The closed set of final outcomes."""

    def test_values(self) -> None:
        """The four outcomes serialise as lower-case words."""
        assert [outcome.value for outcome in Outcome] == ["passed", "failed", "error", "skipped"]


class TestCounts:
    """Counts that add across files and stages."""

    def test_add(self) -> None:
        """Every field adds."""
        one = Counts(total=3, passed=1, failed=1, errors=0, skipped=1, flaky=1, duration_s=1.5)
        two = Counts(total=2, passed=0, failed=0, errors=2, skipped=0, flaky=0, duration_s=0.25)
        assert one + two == Counts(
            total=5, passed=1, failed=1, errors=2, skipped=1, flaky=1, duration_s=1.75
        )

    def test_sum(self) -> None:
        """``sum()`` with its default start adds a list of counts."""
        parts = [Counts(total=1, passed=1), Counts(total=1, failed=1), Counts(total=1, skipped=1)]
        assert sum(parts) == Counts(total=3, passed=1, failed=1, skipped=1)

    def test_radd_other_numbers(self) -> None:
        """Adding counts to a number other than 0 is refused."""
        with pytest.raises(TypeError):
            _ = 1 + Counts()

    def test_ok(self) -> None:
        """Counts are ok without failures or errors, skips and flakes aside."""
        assert Counts(total=2, passed=1, skipped=1, flaky=1).ok is True
        assert Counts(total=1, failed=1).ok is False
        assert Counts(total=1, errors=1).ok is False
