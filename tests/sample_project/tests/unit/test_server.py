"""Unit tests of the service's request handling, without a socket."""

from __future__ import annotations

import json

from sampleproj.server import respond


class TestRespond:
    def test_health(self) -> None:
        """GET /health answers 200 with status ok."""
        assert respond("GET", "/health", b"") == (200, b'{"status": "ok"}')

    def test_merge(self) -> None:
        """POST /merge answers the normalized intervals and their size."""
        status, body = respond("POST", "/merge", b'{"intervals": [[4, 6], [1, 5]]}')
        assert (status, json.loads(body)) == (200, {"intervals": [[1, 6]], "size": 5})

    def test_bad_body_is_400(self) -> None:
        """A body without intervals is a client error."""
        status, body = respond("POST", "/merge", b"{}")
        assert (status, json.loads(body)) == (400, {"error": "bad intervals: 'intervals'"})

    def test_unknown_route_is_404(self) -> None:
        """Anything else is not found."""
        status, body = respond("GET", "/nope", b"")
        assert (status, json.loads(body)) == (404, {"error": "no route GET /nope"})
