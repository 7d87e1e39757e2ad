"""A tiny HTTP service: ``POST /merge`` normalizes intervals, ``GET /health`` says it is up.

``python -m sampleproj.server --port 8000`` serves on 127.0.0.1. The request handling is
the pure function :func:`respond`, so it is unit-tested without a socket.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sampleproj.intervals import IntervalSet

__all__ = ["main", "respond"]


def _error(status: HTTPStatus, message: str) -> tuple[int, bytes]:
    return status.value, json.dumps({"error": message}).encode()


def respond(method: str, path: str, body: bytes) -> tuple[int, bytes]:
    """The status and JSON body the service answers with."""
    if (method, path) == ("GET", "/health"):
        return HTTPStatus.OK.value, b'{"status": "ok"}'
    if (method, path) != ("POST", "/merge"):
        return _error(HTTPStatus.NOT_FOUND, f"no route {method} {path}")
    try:
        pairs = json.loads(body)["intervals"]
        merged = IntervalSet.of(*((int(a), int(b)) for a, b in pairs))
    except (ValueError, KeyError, TypeError) as exc:
        return _error(HTTPStatus.BAD_REQUEST, f"bad intervals: {exc}")
    payload = {"intervals": [[i.start, i.end] for i in merged], "size": merged.size()}
    return HTTPStatus.OK.value, json.dumps(payload).encode()


class _Handler(BaseHTTPRequestHandler):
    def _answer(self, method: str) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        status, body = respond(method, self.path, self.rfile.read(length))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sampleproj.server")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    with ThreadingHTTPServer(("127.0.0.1", args.port), _Handler) as server:
        print(f"sampleproj.server listening on 127.0.0.1:{args.port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
