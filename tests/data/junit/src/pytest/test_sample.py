"""A pytest module with one test of every outcome, to produce the pytest JUnit samples."""

import pytest


@pytest.fixture
def broken() -> None:
    raise RuntimeError("fixture could not start")


def test_pass() -> None:
    assert 1 + 1 == 2


def test_fail() -> None:
    expected = [1, 2, 3]
    assert expected == [1, 2, 4]


def test_error(broken: None) -> None:
    pass


def test_skip() -> None:
    pytest.skip("not on this platform")


@pytest.mark.xfail(reason="known bug 12")
def test_xfail() -> None:
    assert False


@pytest.mark.xfail(reason="fixed upstream?")
def test_xpass() -> None:
    pass


@pytest.mark.xfail(strict=True, reason="must fail")
def test_xpass_strict() -> None:
    pass


class TestGroup:
    @pytest.mark.parametrize("value", [1, "ünï ☃"])
    def test_param(self, value: object) -> None:
        assert value
