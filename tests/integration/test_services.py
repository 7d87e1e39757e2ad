"""Services of the integration stage, end to end: real services, a real pytest run, real signals.

``services_data/driver.py`` enters ``running_services`` with an HTTP and a TCP service
(each starting a child; the web one ignores SIGTERM) and runs pytest on ``inner_checks.py``.
Every service process writes its own PID, so the tests can tell that none is left behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "services_data"
ROLES = ["echo-store-child", "echo-store-leader", "web-child", "web-leader"]
#: Ignores and blocks the signals a stop sends, then becomes ``python <argv[1:]>``.
_HOSTILE = (
    "import os, signal, sys; stops = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}; "
    "[signal.signal(s, signal.SIG_IGN) for s in stops]; "
    "signal.pthread_sigmask(signal.SIG_BLOCK, stops); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody reaps does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def _pids(work: Path) -> dict[str, int]:
    return {path.stem: int(path.read_text()) for path in (work / "pids").glob("*.pid")}


def _survivors(work: Path, roles: list[str] = ROLES, wait: float = 5.0) -> list[str]:
    """The roles whose process still runs after up to ``wait`` seconds."""
    pids = _pids(work)
    deadline = time.monotonic() + wait
    while True:
        alive = [role for role in roles if _alive(pids[role])]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


@pytest.fixture
def work(tmp_path: Path) -> Iterator[Path]:
    """The driver's directory; whatever a failed test left running is killed afterwards."""
    yield tmp_path
    for pid in _pids(tmp_path).values():
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _driver(work: Path, mode: str) -> subprocess.Popen[str]:
    """The driver in its own process group, like a nox session started from a terminal.

    It starts with SIGINT, SIGTERM and SIGHUP ignored and blocked, as it would inherit them
    from a test run that a script started in the background: the driver must take a
    terminal's signal state itself (see its docstring), whatever this process passes on.
    """
    return subprocess.Popen(
        [sys.executable, "-c", _HOSTILE, str(DATA / "driver.py"), str(work)],
        env={**os.environ, "INNER_MODE": mode},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _run(work: Path, mode: str) -> tuple[int, str]:
    with _driver(work, mode) as driver:
        output, _ = driver.communicate(timeout=60)
    return driver.returncode, output


def _wait_until_waiting(work: Path, driver: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not (work / "waiting").exists():
        assert driver.poll() is None, driver.communicate()[0]
        assert time.monotonic() < deadline, "the inner tests never started waiting"
        time.sleep(0.05)


def _last_log_lines(work: Path) -> dict[str, str]:
    logs = work / "reports" / "services"
    return {log.name: log.read_text().splitlines()[-1].split(": ", 1)[1] for log in logs.iterdir()}


class TestServicesEndToEnd:
    """The driver with real services and a real pytest run."""

    def test_tests_reach_the_services(self, work: Path) -> None:
        """The services become ready, the tests reach both, and nothing is left running."""
        code, output = _run(work, "pass")
        assert code == 0, output
        assert "3 passed" in output
        assert (work / "reached-web").read_bytes() == b"hello from web"
        assert (work / "reached-store").read_bytes() == b"pong\n"
        assert sorted(_pids(work)) == ROLES
        assert _survivors(work) == []

    def test_failing_run_leaves_nothing(self, work: Path) -> None:
        """After a failing test run, no service process and no child of one remains."""
        code, output = _run(work, "fail")
        assert code == 1, output
        assert "1 failed, 2 passed" in output
        assert _survivors(work) == []
        assert _last_log_lines(work) == {
            "web.log": "stopped web: was killed by SIGTERM",
            "echo-store.log": "stopped echo-store: was killed by SIGTERM",
        }

    @pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
    def test_interrupted_run_leaves_nothing(self, work: Path, signum: signal.Signals) -> None:
        """A signal to the driver's group while tests run stops every service and child."""
        with _driver(work, "wait") as driver:
            _wait_until_waiting(work, driver)
            assert _survivors(work, wait=0) == ROLES
            os.killpg(driver.pid, signum)
            output, _ = driver.communicate(timeout=30)
        assert driver.returncode == -signum, output
        assert _survivors(work) == []
        assert sorted(_last_log_lines(work)) == ["echo-store.log", "web.log"]

    def test_killed_driver_takes_its_services(self, work: Path) -> None:
        """When the driver is SIGKILLed, the kernel kills the services it started (Linux).

        Their own children outlive them: only a clean stop reaches a service's group.
        """
        with _driver(work, "wait") as driver:
            _wait_until_waiting(work, driver)
            os.killpg(driver.pid, signal.SIGKILL)
            driver.communicate(timeout=30)
        assert _survivors(work, ["echo-store-leader", "web-leader"]) == []
