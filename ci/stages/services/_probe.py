"""Readiness probes of a service: ``tcp:HOST:PORT``, an ``http(s)://`` URL, or a command.

A probe answers ``None`` when the service is ready and otherwise a few words saying why
not (``refused``, ``answered HTTP 503``, ``exited with code 1``), which the stage's error
message puts after the probe's text. The HTTP probe ignores proxy variables: services
listen on 127.0.0.1, and a proxy would only get in the way.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import http.client
import shlex
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from ci.errors import ConfigError

__all__ = ["HOST", "PROBE_TIMEOUT", "Probe", "ProbeKind", "check_probe", "parse_probe"]

#: Where every service listens: ``{host}`` in the configuration.
HOST: Final = "127.0.0.1"
#: Seconds one readiness probe may take.
PROBE_TIMEOUT: Final = 2.0


class ProbeKind(enum.Enum):
    """The three ways a service can say it is ready."""

    TCP = "tcp"
    HTTP = "http"
    COMMAND = "command"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Probe:
    """A readiness check with its placeholders replaced."""

    kind: ProbeKind
    #: The ``ready`` text, as error messages quote it.
    text: str
    #: The address a TCP probe connects to or an HTTP probe's URL points at.
    host: str = HOST
    port: int | None = None
    #: A command probe's argv.
    argv: tuple[str, ...] = ()


def parse_probe(text: str, *, where: str) -> Probe:
    """The probe a ``ready`` value describes; :class:`ConfigError` naming ``where`` if bad."""
    if text.startswith("tcp:"):
        host, sep, port = text.removeprefix("tcp:").rpartition(":")
        if not (sep and host and port.isdigit()):
            example = "tcp:{host}:{port}"
            msg = f"{where}: ready = {text!r} is not tcp:HOST:PORT; write e.g. {example!r}"
            raise ConfigError(msg)
        return Probe(kind=ProbeKind.TCP, text=text, host=host, port=int(port))
    if text.startswith(("http://", "https://")):
        parts = urllib.parse.urlsplit(text)
        try:
            port_number = parts.port
        except ValueError:
            msg = f"{where}: ready = {text!r} has an invalid port; write e.g. 'http://{{host}}:{{port}}/'"
            raise ConfigError(msg) from None
        return Probe(kind=ProbeKind.HTTP, text=text, host=parts.hostname or HOST, port=port_number)
    argv = tuple(shlex.split(text))
    if not argv:
        msg = f"{where}: ready is empty; give tcp:HOST:PORT, an http:// URL or a command"
        raise ConfigError(msg)
    return Probe(kind=ProbeKind.COMMAND, text=text, argv=argv)


@functools.cache
def _no_proxy_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _describe(exc: BaseException) -> str:
    """Why a probe failed, in a few words that follow the probe's text."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        return _describe(exc.reason)
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError | subprocess.TimeoutExpired):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return f"failed: {exc.strerror}" + (f": {exc.filename}" if exc.filename else "")
    return f"failed: {exc}"


def _check(probe: Probe, *, timeout: float, cwd: Path, env: Mapping[str, str]) -> str | None:
    if probe.kind is ProbeKind.TCP:
        with socket.create_connection((probe.host, probe.port or 0), timeout=timeout):
            return None
    if probe.kind is ProbeKind.HTTP:
        try:
            with _no_proxy_opener().open(probe.text, timeout=timeout):
                return None  # urllib raises HTTPError for anything but 2xx
        except urllib.error.HTTPError as exc:
            exc.close()
            return f"answered HTTP {exc.code}"
    done = subprocess.run(
        probe.argv, cwd=cwd, env=dict(env), timeout=timeout, check=False,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return None if done.returncode == 0 else f"exited with code {done.returncode}"


def check_probe(probe: Probe, *, timeout: float, cwd: Path, env: Mapping[str, str]) -> str | None:
    """``None`` when the probe succeeds, else why not (``refused``, ``answered HTTP 503``...).

    Each probe gives up after ``timeout`` seconds; a command probe runs in ``cwd`` with ``env``.
    """
    try:
        return _check(probe, timeout=timeout, cwd=cwd, env=env)
    except (OSError, http.client.HTTPException, subprocess.TimeoutExpired) as exc:
        return _describe(exc)
