"""What to start for each service: placeholders replaced, a free port picked, a log file named.

In a command, ``ready`` and ``env``, ``{port}`` is a free TCP port picked on 127.0.0.1 for
the service (so parallel runs never clash) and ``{host}`` is 127.0.0.1. A service with a
port and no ``ready`` is ready when its port accepts connections; a service without
``{port}`` whose ``ready`` names an address (``tcp:127.0.0.1:6379``) is found there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path

from ci.config import ServiceSpec
from ci.errors import ConfigError
from ci.stages.services._probe import HOST, Probe, parse_probe

__all__ = ["ServicePlan", "env_prefix", "free_ports", "plan_services", "service_env", "substitute"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServicePlan:
    """One service ready to start: placeholders replaced, address and log file known."""

    name: str
    argv: tuple[str, ...]
    probe: Probe | None
    env: Mapping[str, str]
    host: str
    port: int | None
    timeout: float
    log: Path


def substitute(text: str, *, port: int | None) -> str:
    """``text`` with ``{host}`` and (when there is one) ``{port}`` replaced; other braces stay."""
    text = text.replace("{host}", HOST)
    return text if port is None else text.replace("{port}", str(port))


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports free on :data:`HOST` right now."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((HOST, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def env_prefix(name: str) -> str:
    """``NOXCI_SERVICE_<NAME>_``: the name upper-cased, anything but ``A-Z0-9`` as ``_``."""
    return f"NOXCI_SERVICE_{re.sub(r'[^A-Z0-9]', '_', name.upper())}_"


def _uses_port(spec: ServiceSpec) -> bool:
    return any("{port}" in text for text in (*spec.command, spec.ready or "", *spec.env.values()))


def _plan(spec: ServiceSpec, *, port: int | None, log_dir: Path) -> ServicePlan:
    ready = spec.ready if spec.ready is not None or port is None else "tcp:{host}:{port}"
    where = f"[tool.noxci.services.{spec.name}]"
    probe = None if ready is None else parse_probe(substitute(ready, port=port), where=where)
    host = HOST
    if port is None and probe is not None and probe.port is not None:
        host, port = probe.host, probe.port
    return ServicePlan(
        name=spec.name,
        argv=tuple(substitute(arg, port=port) for arg in spec.command),
        probe=probe,
        env={key: substitute(value, port=port) for key, value in spec.env.items()},
        host=host,
        port=port,
        timeout=spec.timeout,
        log=log_dir / f"{re.sub(r'[^A-Za-z0-9._-]', '_', spec.name)}.log",
    )


def plan_services(specs: Sequence[ServiceSpec], *, log_dir: Path) -> list[ServicePlan]:
    """A plan per service, with a fresh port for each one whose configuration says ``{port}``."""
    ports = iter(free_ports(sum(_uses_port(spec) for spec in specs)))
    return [
        _plan(spec, port=next(ports) if _uses_port(spec) else None, log_dir=log_dir)
        for spec in specs
    ]


def service_env(plans: Sequence[ServicePlan]) -> dict[str, str]:
    """The variables that tell the tests (and later services) where each service listens."""
    env: dict[str, str] = {}
    for plan in plans:
        prefix = env_prefix(plan.name)
        if prefix + "HOST" in env:
            where = f"[tool.noxci.services.{plan.name}]"
            msg = f"{where}: another service also sets {prefix}*; rename one of them"
            raise ConfigError(msg)
        env[prefix + "HOST"] = plan.host
        if plan.port is not None:
            env[prefix + "PORT"] = str(plan.port)
            env[prefix + "URL"] = f"http://{plan.host}:{plan.port}"
    return env
