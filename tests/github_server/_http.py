"""HTTP on top of ``App``: a threading server, keep-alive, faults, and the request log.

Faults act here because they are about the wire: an error status or rate limit
answers instead of the API, a delay sleeps first (cut short when the server stops),
and a drop closes the connection with nothing written, before or after the API ran.
Every API answer carries GitHub's headers (rate limit, request id, media type).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.github_server._api_repos import rate_limit_headers
from tests.github_server._app import App, Incoming, RequestRecord
from tests.github_server._call import Reply
from tests.github_server._control import control
from tests.github_server._faults import Fault, FaultKind, fault_reply

__all__ = ["HttpServer"]


class HttpServer(ThreadingHTTPServer):
    """A threading HTTP server of one ``App`` that can cut its open connections."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection so ``close_connections`` can end it."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection once its handler is done."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every open connection (idle keep-alive ones would otherwise linger)."""
        self.stopping.set()
        with self._connections_lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 200 ms stall
    server: HttpServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the request log is the record."""

    def do_GET(self) -> None:
        """Serve a GET."""
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _handle(self) -> None:
        app = self.server.app
        split = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if split.path.startswith("/_") and not split.path.startswith("/_blobs/"):
            self._send(control(app, self.command, split.path, raw))
            return
        request = Incoming(
            method=self.command,
            path=split.path,
            query=split.query,
            authorization=self.headers.get("Authorization"),
            body=raw,
        )
        fault = app.faults.take(self.command, split.path)
        reply = self._outcome(app, request, fault)
        record = RequestRecord(
            method=self.command,
            path=split.path,
            query=split.query,
            status=None if reply is None else reply.status,
            fault=None if fault is None else fault.kind.value,
            body=_parsed(raw),
        )
        app.log(record)  # before answering, so a client that got its answer finds it logged
        if reply is None:
            self.close_connection = True
        else:
            self._send(reply, api=fault is None or fault.kind is not FaultKind.STATUS)

    def _outcome(self, app: App, request: Incoming, fault: Fault | None) -> Reply | None:
        """The answer to ``request`` under ``fault``; None to drop the connection."""
        if fault is None:
            return app.dispatch(request)
        if fault.kind is FaultKind.DELAY:
            return None if self.server.stopping.wait(fault.seconds) else app.dispatch(request)
        if fault.kind is FaultKind.DROP:
            if fault.after_apply:
                app.dispatch(request)
            return None
        return fault_reply(fault)

    def _send(self, reply: Reply, *, api: bool = False) -> None:
        payload = reply.raw if reply.raw is not None else b""
        if reply.body is not None:
            payload = json.dumps(reply.body).encode()
        self.send_response_only(reply.status)
        self.send_header("Date", self.date_time_string())
        if not any(name == "Server" for name, _ in reply.headers):
            self.send_header("Server", "GitHub.com")
        if payload or reply.status not in (204, 302):
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(payload)))
        if api:
            for name, value in rate_limit_headers():
                self.send_header(name, value)
            self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
            self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
            self.send_header("X-GitHub-Request-Id", uuid.uuid4().hex[:20].upper())
        for name, value in reply.headers:
            self.send_header(name, value)
        try:
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (a timeout); the answer still counts as sent
            self.close_connection = True


def _parsed(raw: bytes) -> Any:
    """The JSON of a request body for the log (its text when it is not JSON)."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
