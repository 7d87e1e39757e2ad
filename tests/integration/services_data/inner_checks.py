"""The driven tests (copied as ``test_inner.py``): reach each service through its variables."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from pathlib import Path

__all__: list[str] = []


def test_web_is_reachable() -> None:
    """The HTTP service answers at NOXCI_SERVICE_WEB_URL."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(os.environ["NOXCI_SERVICE_WEB_URL"] + "/", timeout=5) as response:
        body: bytes = response.read()
    Path("reached-web").write_bytes(body)
    assert body == b"hello from web"


def test_store_is_reachable() -> None:
    """The TCP service answers at NOXCI_SERVICE_ECHO_STORE_HOST and _PORT."""
    host = os.environ["NOXCI_SERVICE_ECHO_STORE_HOST"]
    port = int(os.environ["NOXCI_SERVICE_ECHO_STORE_PORT"])
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(b"ping\n")
        answer = sock.makefile("rb").readline()
    Path("reached-store").write_bytes(answer)
    assert answer == b"pong\n"


def test_mode() -> None:
    """Fails on purpose in mode ``fail``; waits to be interrupted in mode ``wait``."""
    mode = os.environ.get("INNER_MODE", "pass")
    if mode == "wait":
        Path("waiting").touch()
        time.sleep(60)
    assert mode != "fail", "a deliberate failure"
