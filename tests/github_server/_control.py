"""The control endpoints (``/_...``) that drive a server from another process.

``GET /_health`` (200 once ready), ``GET /_state`` (the state as a seed document),
``POST /_seed`` (add records), ``GET|POST|DELETE /_faults`` (fault rules),
``GET|DELETE /_requests`` (the request log), ``GET /_validation_errors`` and
``POST /_reset`` (empty state, rules and logs). They are neither logged nor faulted.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

from tests.github_server._app import App
from tests.github_server._call import Reply
from tests.github_server._faults import Fault
from tests.github_server._records import SeedError, record_to_json
from tests.github_server._store import Store

__all__ = ["control"]


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw or b"null")
    except ValueError as error:
        msg = f"control: the body is not JSON ({error}); send a JSON document"
        raise SeedError(msg) from None


def _seed(app: App, raw: bytes) -> Reply:
    document = _json(raw)
    if not isinstance(document, dict):
        msg = 'control: a seed is a JSON object such as {"repos": [{"owner": "o", "name": "r"}]}'
        raise SeedError(msg)
    return Reply(status=200, body={"added": app.store.seed(document)})


def _add_faults(app: App, raw: bytes) -> Reply:
    document = _json(raw)
    items = document if isinstance(document, list) else [document]
    faults = [Fault.from_json(item) for item in items]
    for fault in faults:
        app.faults.add(fault)
    return Reply(status=200, body={"added": len(faults)})


def _faults(app: App) -> Reply:
    rules = [record_to_json(fault) | {"left": left} for fault, left in app.faults.active()]
    return Reply(status=200, body=rules)


def _reset(app: App) -> Reply:
    app.store = Store()
    app.faults.clear()
    app.clear_logs()
    return Reply(status=200, body={"reset": True})


def _clear_faults(app: App) -> Reply:
    app.faults.clear()
    return Reply(status=200, body={"cleared": True})


def _clear_requests(app: App) -> Reply:
    app.clear_logs()
    return Reply(status=200, body={"cleared": True})


_ROUTES: dict[tuple[str, str], Callable[[App, bytes], Reply]] = {
    ("GET", "/_health"): lambda app, _: Reply(status=200, body={"status": "ok"}),
    ("GET", "/_state"): lambda app, _: Reply(status=200, body=app.store.dump()),
    ("POST", "/_seed"): _seed,
    ("GET", "/_faults"): lambda app, _: _faults(app),
    ("POST", "/_faults"): _add_faults,
    ("DELETE", "/_faults"): lambda app, _: _clear_faults(app),
    ("GET", "/_requests"): lambda app, _: Reply(
        status=200, body=[dataclasses.asdict(record) for record in app.requests()]
    ),
    ("DELETE", "/_requests"): lambda app, _: _clear_requests(app),
    ("GET", "/_validation_errors"): lambda app, _: Reply(
        status=200, body=[dataclasses.asdict(failure) for failure in app.failures()]
    ),
    ("POST", "/_reset"): lambda app, _: _reset(app),
}


def control(app: App, method: str, path: str, raw: bytes) -> Reply:
    """The answer of a control endpoint; 400 with a message for a bad document."""
    route = _ROUTES.get((method, path))
    if route is None:
        known = ", ".join(f"{verb} {where}" for verb, where in _ROUTES)
        return Reply(
            status=404, body={"message": f"no control endpoint {method} {path}; known: {known}"}
        )
    try:
        return route(app, raw)
    except ValueError as error:
        return Reply(status=400, body={"message": str(error)})
