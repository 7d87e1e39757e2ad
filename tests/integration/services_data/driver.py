"""Drives ``running_services`` as the integration stage does: services up, pytest, services down.

``driver.py WORK`` starts a ``web`` (HTTP) and an ``echo-store`` (TCP) service, each with
a child, runs pytest on :mod:`inner_checks` (copied into WORK) with the services'
variables, and exits with pytest's code. ``INNER_MODE`` (pass, fail, wait) reaches the
inner tests through the environment.

It first takes the signal state of a command a terminal starts in the foreground: SIGINT,
SIGTERM and SIGHUP at their defaults and not blocked. Dispositions and the mask are
inherited through fork and exec, and the test runner may not have that state: a shell
ignores SIGINT in a job it starts in the background (``nox ... &`` in a script), and
``running_services`` rightly leaves an ignored signal ignored; the driver and its inner
pytest would then sleep through the test's Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ci.config import ServiceSpec
from ci.stages.services import running_services

__all__ = ["as_from_a_terminal", "main"]

HERE = Path(__file__).parent


def _spec(name: str, kind: str, ready: str, pids: Path) -> ServiceSpec:
    command = (sys.executable, str(HERE / "service.py"), kind, "{port}", str(pids), name)
    return ServiceSpec(name=name, command=command, ready=ready, timeout=20)


def as_from_a_terminal() -> None:
    """SIGINT raises KeyboardInterrupt, SIGTERM and SIGHUP end the process, none is blocked."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


def main(work: Path) -> int:
    """Run the inner tests against real services; pytest's exit code."""
    shutil.copy(HERE / "inner_checks.py", work / "test_inner.py")
    (work / "pytest.ini").write_text("[pytest]\n")
    pids = work / "pids"
    specs = [
        _spec("web", "http", "http://{host}:{port}/", pids),
        _spec("echo-store", "tcp", "tcp:{host}:{port}", pids),
    ]
    log_dir = work / "reports" / "services"
    with running_services(specs, log_dir=log_dir, cwd=work, env=os.environ, grace=0.5) as env:
        argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "test_inner.py"]
        return subprocess.run(argv, cwd=work, env={**os.environ, **env}, check=False).returncode


if __name__ == "__main__":
    as_from_a_terminal()
    sys.exit(main(Path(sys.argv[1])))
