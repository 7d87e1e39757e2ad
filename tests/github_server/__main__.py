"""``python -m tests.github_server --port N [--host H] [--state-file F]``: the service.

Serves until SIGTERM or SIGINT, then stops cleanly (writing the state file when one
was given) and exits 0; ``GET /_health`` answers 200 once it is ready. A state file
that cannot be read is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from tests.github_server._records import SeedError
from tests.github_server._server import GitHubServer

__all__ = ["main"]


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.github_server", description="A local GitHub REST API for tests."
    )
    parser.add_argument("--port", type=int, required=True, help="port to listen on (0: any)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--state-file", type=Path, help="seed read at start, state written at stop")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until SIGTERM/SIGINT; the exit code."""
    arguments = _arguments(argv)
    server = GitHubServer(host=arguments.host, port=arguments.port, state_file=arguments.state_file)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):  # before serving: a stop may come at once
        signal.signal(signum, lambda *_: stop.set())
    try:
        server.start()
    except (OSError, ValueError, SeedError) as error:
        print(f"github-server: cannot start: {error}", file=sys.stderr)
        return 2
    print(json.dumps({"url": server.url}), flush=True)
    stop.wait()  # signal handlers run in this thread and wake it
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
