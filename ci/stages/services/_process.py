"""One service's process: start it in its own session, wait until it is ready, stop its group.

Stopping sends SIGTERM to the service's process group (so its children go too), waits a
grace period and sends SIGKILL to what is left. Zombies count as gone: where PID 1 does
not reap orphans, they would otherwise look alive forever. On Linux each service also asks
the kernel for SIGKILL when its parent dies (``PR_SET_PDEATHSIG``), the last line of
defence when the stage itself is SIGKILLed.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime
import functools
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Final

from ci.errors import ServiceError
from ci.stages.services._plan import ServicePlan
from ci.stages.services._probe import PROBE_TIMEOUT, check_probe

__all__ = ["BLOCKED", "TAIL_LINES", "Running", "signals_blocked", "start", "stop", "wait_ready"]

#: How many lines of a service's log an error message quotes.
TAIL_LINES: Final = 20
#: Held back while a service starts and while services stop, so no interrupt strands one.
BLOCKED: Final = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
_POLL: Final = 0.05
_MAX_BACKOFF: Final = 0.5
_KILL_WAIT: Final = 2.0
_TAIL_BYTES: Final = 64 * 1024
_PR_SET_PDEATHSIG: Final = 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class Running:
    """A started service: its process (leader of its own process group) and its open log."""

    plan: ServicePlan
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    #: Where this run's output starts in the log file.
    offset: int


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` on Linux, loaded before forking (ctypes must not load it in the child)."""
    if not sys.platform.startswith("linux"):  # pragma: no cover - Linux only
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None


def _in_child(parent: int, prctl: Callable[..., int] | None) -> None:  # pragma: no cover
    """Runs in the forked child before exec (so coverage cannot see it)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, BLOCKED)
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Hold back SIGINT/SIGTERM/SIGHUP; pending ones arrive when the block ends."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, BLOCKED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def start(plan: ServicePlan, *, cwd: Path, env: Mapping[str, str]) -> Running:
    """Start one service in a new session, its output appended to its log after a header."""
    plan.log.parent.mkdir(parents=True, exist_ok=True)
    log = plan.log.open("ab")
    stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    command = shlex.join(plan.argv).replace("\n", r"\n")
    log.write(f"--- noxci {stamp}: starting {plan.name}: {command}\n".encode())
    log.flush()
    try:
        process = subprocess.Popen(
            plan.argv, cwd=cwd, env={"PYTHONUNBUFFERED": "1", **env, **plan.env},
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=functools.partial(_in_child, os.getpid(), _prctl()),  # noqa: PLW1509
        )  # fmt: skip
    except OSError as exc:
        log.close()
        what = f"{exc.strerror}: {exc.filename or plan.argv[0]!r}" if exc.strerror else str(exc)
        msg = f"service {plan.name!r} cannot start: {what}; check [tool.noxci.services.{plan.name}]"
        raise ServiceError(msg) from None
    return Running(plan=plan, process=process, log=log, offset=log.tell())


def _exit_text(code: int | None) -> str:
    if code is None:
        return "is still running"
    if code >= 0:
        return f"exited with code {code}"
    try:
        return f"was killed by {signal.Signals(-code).name}"
    except ValueError:
        return f"was killed by signal {-code}"


def _tail(path: Path, offset: int) -> list[str]:
    """The last :data:`TAIL_LINES` lines written to ``path`` after ``offset``."""
    with path.open("rb") as stream:
        start = max(offset, stream.seek(0, os.SEEK_END) - _TAIL_BYTES)
        stream.seek(start)
        text = stream.read().decode("utf-8", errors="replace")
    return text.splitlines()[-TAIL_LINES:]


def _failure(service: Running, what: str, *, cwd: Path) -> ServiceError:
    """``service 'x' <what>; last lines of <log>:`` and the lines, indented."""
    log = service.plan.log.absolute()
    shown = log.relative_to(cwd.absolute()) if log.is_relative_to(cwd.absolute()) else log
    lines = _tail(log, service.offset)
    head = f"service {service.plan.name!r} {what}"
    if not lines:
        return ServiceError(f"{head}; {shown} is empty")
    return ServiceError(f"{head}; last lines of {shown}:\n" + "\n".join(f"    {x}" for x in lines))


def wait_ready(service: Running, *, cwd: Path, env: Mapping[str, str]) -> None:
    """Probe with a short backoff until the service is ready, it exits, or its time is up."""
    plan = service.plan
    deadline = time.monotonic() + plan.timeout
    delay = _POLL
    while True:
        code = service.process.poll()
        if code is not None:
            raise _failure(service, f"{_exit_text(code)} before it was ready", cwd=cwd)
        if plan.probe is None:
            return
        left = deadline - time.monotonic()
        why = check_probe(
            plan.probe, timeout=min(PROBE_TIMEOUT, max(left, _POLL)), cwd=cwd, env=env
        )
        if why is None:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            what = f"not ready after {plan.timeout:g}s ({plan.probe.text} {why})"
            raise _failure(service, what, cwd=cwd)
        time.sleep(min(delay, left))
        delay = min(delay * 2, _MAX_BACKOFF)


def _live_member(stat: Path, pgid: int) -> bool:
    """Whether ``/proc/<pid>/stat`` describes a running (not zombie) process of group ``pgid``."""
    try:
        text = stat.read_text()
    except OSError:
        return False
    state, _ppid, pgrp = text[text.rindex(")") + 2 :].split()[:3]
    return state not in {"Z", "X"} and int(pgrp) == pgid


def _group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (zombies nobody reaps do not count)."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    proc = Path("/proc")
    if not proc.is_dir():  # pragma: no cover - not Linux: a zombie counts as alive
        return True
    return any(_live_member(stat, pgid) for stat in proc.glob("[0-9]*/stat"))


def _wait_gone(service: Running, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        exited = service.process.poll() is not None
        if exited and not _group_alive(service.process.pid):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL)


def stop(service: Running, *, grace: float) -> None:
    """SIGTERM the service's process group, SIGKILL what is left after ``grace`` seconds."""
    pgid = service.process.pid
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    if not _wait_gone(service, grace):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        _wait_gone(service, _KILL_WAIT)
    stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    ending = _exit_text(service.process.poll())
    service.log.write(f"--- noxci {stamp}: stopped {service.plan.name}: {ending}\n".encode())
    service.log.close()
