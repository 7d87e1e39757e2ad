"""The running service, started by noxci's integration stage from [tool.noxci.services]."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import pytest

from sampleproj import IntervalSet


@pytest.fixture
def url() -> str:
    """The service's base URL, as noxci exports it."""
    return os.environ["NOXCI_SERVICE_INTERVALS_URL"].rstrip("/")


def _post(url: str, payload: object) -> tuple[int, object]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.load(exc)


class TestService:
    def test_host_and_port_match_url(self, url: str) -> None:
        """noxci exports host and port consistent with the URL."""
        host = os.environ["NOXCI_SERVICE_INTERVALS_HOST"]
        port = os.environ["NOXCI_SERVICE_INTERVALS_PORT"]
        assert url == f"http://{host}:{port}"

    def test_health(self, url: str) -> None:
        """The service answers its health check."""
        with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
            assert (response.status, json.load(response)) == (200, {"status": "ok"})

    def test_merge(self, url: str) -> None:
        """POST /merge merges overlapping intervals over real HTTP, as the library does."""
        payload = {"intervals": [[10, 20], [0, 5], [4, 12], [25, 27]]}
        answer = {"intervals": [[0, 20], [25, 27]], "size": 22}
        assert _post(f"{url}/merge", payload) == (200, answer)
        local = IntervalSet.of((10, 20), (0, 5), (4, 12), (25, 27))
        assert [[i.start, i.end] for i in local] == answer["intervals"]

    def test_bad_request(self, url: str) -> None:
        """A malformed body is answered with 400, not a crash."""
        status, body = _post(f"{url}/merge", {"intervals": [[3, 1]]})
        assert (status, body) == (
            400,
            {"error": "bad intervals: empty interval [3, 1): start must be below end"},
        )
