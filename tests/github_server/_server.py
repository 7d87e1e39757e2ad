"""``GitHubServer``: the local GitHub API on 127.0.0.1, in a thread of the caller.

Start it (port 0 picks a free port), point a client's base URL at ``server.url``, seed
records, add faults, then look at ``requests`` and ``validation_errors``. With a
``state_file``, the state is read from it at start (a seed document) and written back
at stop, which is how the standalone service hands its state over.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import TracebackType
from typing import TypeVar, cast

from tests.github_server._app import App, RequestRecord, ValidationFailure
from tests.github_server._faults import Fault
from tests.github_server._http import HttpServer
from tests.github_server._openapi import SPEC_PATH, load_spec
from tests.github_server._records import Record
from tests.github_server._store import Store

__all__ = ["GitHubServer"]

_R = TypeVar("_R", bound=Record)


class GitHubServer:
    """A local GitHub REST API checked against GitHub's OpenAPI description."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: Path | None = None,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        self.app = App(load_spec(spec_path))
        self._address = (host, port)
        self._state_file = state_file
        self._http: HttpServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> GitHubServer:
        """Load the state file if any, bind, and serve in a daemon thread."""
        if self._state_file is not None and self._state_file.exists():
            self.app.store.seed(json.loads(self._state_file.read_text(encoding="utf-8")))
        self._http = HttpServer(self._address, self.app)
        host, port = self._http.server_address[:2]
        self.app.base = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"github-server:{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end open connections, and write the state file if any."""
        if self._http is None:
            return
        self._http.close_connections()
        self._http.shutdown()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._http = None
        if self._state_file is not None:
            temporary = self._state_file.with_suffix(self._state_file.suffix + ".tmp")
            temporary.write_text(json.dumps(self.app.store.dump(), indent=1), encoding="utf-8")
            temporary.replace(self._state_file)

    def __enter__(self) -> GitHubServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (PyGithub's ``base_url``)."""
        assert self.app.base, "start the server first"
        return self.app.base

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.url.rsplit(":", 1)[1])

    @property
    def store(self) -> Store:
        """The state (read it under ``store.lock`` while clients are running)."""
        return self.app.store

    @property
    def requests(self) -> list[RequestRecord]:
        """Every API request so far (control endpoints excluded), oldest first."""
        return self.app.requests()

    @property
    def validation_errors(self) -> list[ValidationFailure]:
        """Requests and answers that did not fit GitHub's description, and handler crashes."""
        return self.app.failures()

    def seed(self, *records: Record) -> None:
        """Add records, in order (ids, numbers and timestamps left at 0 or "" are filled)."""
        with self.app.store.lock:
            for record in records:
                self.app.store.add(record)

    def add(self, record: _R) -> _R:
        """Add one record and return it as stored, its id, number and timestamps filled."""
        with self.app.store.lock:
            return cast(_R, self.app.store.add(record))

    def add_fault(self, fault: Fault) -> None:
        """Add a fault rule."""
        self.app.faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self.app.faults.clear()

    def clear_requests(self) -> None:
        """Forget the request log and the validation failures."""
        self.app.clear_logs()
