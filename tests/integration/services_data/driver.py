"""Drives ``running_services`` as the integration stage does: services up, pytest, services down.

``driver.py WORK`` starts a ``web`` (HTTP) and an ``echo-store`` (TCP) service, each with
a child, runs pytest on :mod:`inner_checks` (copied into WORK) with the services'
variables, and exits with pytest's code. ``INNER_MODE`` (pass, fail, wait) reaches the
inner tests through the environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ci.config import ServiceSpec
from ci.stages.services import running_services

__all__ = ["main"]

HERE = Path(__file__).parent


def _spec(name: str, kind: str, ready: str, pids: Path) -> ServiceSpec:
    command = (sys.executable, str(HERE / "service.py"), kind, "{port}", str(pids), name)
    return ServiceSpec(name=name, command=command, ready=ready, timeout=20)


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
    sys.exit(main(Path(sys.argv[1])))
