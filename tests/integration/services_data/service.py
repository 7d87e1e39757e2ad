"""A service for the tests: an HTTP or TCP server that starts a child, each writing its PID.

``service.py http|tcp PORT PIDS NAME`` serves on 127.0.0.1:PORT once its child runs;
``service.py child PIDS NAME`` is that child: it sleeps, and the ``web`` one ignores
SIGTERM (so only the process group's SIGKILL ends it). Each writes ``PIDS/<NAME>-<role>.pid``.
"""

from __future__ import annotations

import http.server
import os
import signal
import socketserver
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["main"]


def _write_pid(pids: Path, name: str) -> None:
    pids.mkdir(parents=True, exist_ok=True)
    partial = pids / f"{name}.partial"
    partial.write_text(str(os.getpid()))
    partial.rename(pids / f"{name}.pid")


class _Web(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello from web"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Echo(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        if self.rfile.readline() == b"ping\n":
            self.wfile.write(b"pong\n")


def _start_child(pids: Path, name: str) -> None:
    subprocess.Popen([sys.executable, __file__, "child", str(pids), name])
    deadline = time.monotonic() + 10
    while not (pids / f"{name}-child.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def main(argv: list[str]) -> None:
    """Run as the leader (``http``/``tcp``) or as its ``child``."""
    if argv[0] == "child":
        if argv[2] == "web":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _write_pid(Path(argv[1]), f"{argv[2]}-child")
        time.sleep(120)
        return
    kind, port, pids, name = argv[0], int(argv[1]), Path(argv[2]), argv[3]
    _write_pid(pids, f"{name}-leader")
    _start_child(pids, name)
    print(f"{name} serving {kind} on port {port}", flush=True)
    server: socketserver.TCPServer
    if kind == "http":
        server = http.server.HTTPServer(("127.0.0.1", port), _Web)
    else:
        server = socketserver.TCPServer(("127.0.0.1", port), _Echo)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
