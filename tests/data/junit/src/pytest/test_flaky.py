"""Tests for the pytest-rerunfailures sample: one flaky, one always failing, one passing."""

ATTEMPTS = {"flaky": 0}


def test_flaky() -> None:
    ATTEMPTS["flaky"] += 1
    assert ATTEMPTS["flaky"] >= 2, "fails on the first attempt"


def test_always_fails() -> None:
    print("attempt output")
    assert 0 == 1


def test_passes() -> None:
    pass
