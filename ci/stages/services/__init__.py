"""Services for the integration stage: start them, wait until ready, hand over their address, stop.

A service is any command (a Redis binary, a local API server) declared in
``[tool.noxci.services.<name>]``; it replaces the docker-compose scripts projects keep
beside their tests. :func:`running_services` starts each one in its own session with its
output appended to ``<log_dir>/<name>.log``, waits until its ``ready`` probe succeeds,
yields the ``NOXCI_SERVICE_<NAME>_{HOST,PORT,URL}`` variables the tests get, and always
stops every service with its children, also when the tests fail, on Ctrl-C, and on
SIGTERM or SIGHUP (nox sends SIGTERM to an interrupted parallel session).

The pieces: ``_probe`` (readiness checks), ``_plan`` (placeholders, ports, variables),
``_process`` (one service's process from start to stop).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Final

from ci.config import ServiceSpec
from ci.stages.services._plan import (
    ServicePlan,
    env_prefix,
    free_ports,
    plan_services,
    service_env,
    substitute,
)
from ci.stages.services._probe import HOST, Probe, ProbeKind, check_probe, parse_probe
from ci.stages.services._process import Running, signals_blocked, start, stop, wait_ready

__all__ = [
    "HOST",
    "STOP_GRACE",
    "Probe",
    "ProbeKind",
    "ServicePlan",
    "check_probe",
    "env_prefix",
    "free_ports",
    "parse_probe",
    "plan_services",
    "running_services",
    "service_env",
    "substitute",
]

#: Seconds a stopping service gets between SIGTERM and SIGKILL.
STOP_GRACE: Final = 5.0
#: Turned into an interrupt for the duration (SIGINT already is one).
_HANDLED: Final = (signal.SIGTERM, signal.SIGHUP)

_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived while services ran: unwind like Ctrl-C, stopping them."""

    def __init__(self, signum: signal.Signals) -> None:
        super().__init__(signum.name)
        self.signum = signum


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise _Terminated(signal.Signals(signum))


def _install_handlers(previous: MutableMapping[signal.Signals, _Handler]) -> None:
    """Make SIGTERM/SIGHUP interrupts, remembering the handlers they replace (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in _HANDLED:
        current = signal.getsignal(signum)
        if current is not None and current != signal.SIG_IGN:
            previous[signum] = current
            signal.signal(signum, _interrupt)


@contextlib.contextmanager
def running_services(
    specs: Sequence[ServiceSpec],
    *,
    log_dir: Path,
    cwd: Path,
    env: Mapping[str, str],
    grace: float = STOP_GRACE,
) -> Iterator[dict[str, str]]:
    """Start every service, wait until each is ready, yield the tests' environment, stop them all.

    Services start one after the other in the given order, each once the previous one is
    ready, and stop in reverse order. Each gets ``env``, the ``NOXCI_SERVICE_*`` variables
    of all services and its own ``env``. The yielded dict holds only the ``NOXCI_SERVICE_*``
    variables. A service that exits or is not ready in time raises :class:`ServiceError`.

    SIGTERM and SIGHUP become an interrupt while services run; once they are stopped the
    signal goes again to the handler it was meant for (by default: the process ends by it).
    """
    plans = plan_services(specs, log_dir=log_dir)
    addresses = service_env(plans)
    started: list[Running] = []
    previous: dict[signal.Signals, _Handler] = {}
    interrupted: signal.Signals | None = None
    try:
        _install_handlers(previous)
        for plan in plans:
            with signals_blocked():
                started.append(start(plan, cwd=cwd, env={**env, **addresses}))
            wait_ready(started[-1], cwd=cwd, env={**env, **addresses, **plan.env})
        yield dict(addresses)
    except _Terminated as exc:
        interrupted = exc.signum
        raise
    finally:
        with signals_blocked():
            for service in reversed(started):
                stop(service, grace=grace)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            if interrupted is not None:
                signal.raise_signal(interrupted)  # delivered when the block ends
