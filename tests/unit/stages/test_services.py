"""Tests for ci.stages.services: planning, probes against real servers, real service processes."""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ci.config import ServiceSpec
from ci.errors import ConfigError, ServiceError
from ci.stages.services import (
    HOST,
    Probe,
    ProbeKind,
    ServicePlan,
    check_probe,
    env_prefix,
    free_ports,
    parse_probe,
    plan_services,
    running_services,
    service_env,
    substitute,
)

PY = sys.executable
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers ``/status/<code>`` with that code."""

    def do_GET(self) -> None:
        self.send_response(int(self.path.rsplit("/", 1)[-1]))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def http_port() -> Iterator[int]:
    """A real HTTP server on 127.0.0.1 answering ``/status/<code>``."""
    server = http.server.ThreadingHTTPServer((HOST, 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket listening on 127.0.0.1 that never answers."""
    with socket.create_server((HOST, 0)) as sock:
        yield sock


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on."""
    return free_ports(1)[0]


def _spec(name: str, *command: str, ready: str | None = None, timeout: float = 10.0) -> ServiceSpec:
    return ServiceSpec(name=name, command=command, ready=ready, timeout=timeout)


def _py(code: str, *args: str) -> tuple[str, ...]:
    return (PY, "-c", code, *args)


def _refused(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


class TestSubstitute:
    """``substitute`` replaces the two placeholders and nothing else."""

    def test_replaces_host_and_port(self) -> None:
        """Both placeholders are replaced wherever they occur."""
        assert substitute("{host}:{port}/{port}", port=8123) == "127.0.0.1:8123/8123"

    def test_keeps_port_without_one(self) -> None:
        """Without a port, ``{port}`` stays as written."""
        assert substitute("{host}:{port}", port=None) == "127.0.0.1:{port}"

    def test_keeps_other_braces(self) -> None:
        """Other braces, such as JSON in an argument, are left alone."""
        assert substitute('{"port": {port}, "x": {}}', port=1) == '{"port": 1, "x": {}}'


class TestFreePorts:
    """``free_ports`` gives distinct ports that can be bound."""

    def test_distinct_and_bindable(self) -> None:
        """Three ports are distinct and each can be bound on 127.0.0.1."""
        ports = free_ports(3)
        assert len(set(ports)) == 3
        for port in ports:
            with socket.create_server((HOST, port)) as sock:
                assert sock.getsockname()[1] == port

    def test_zero(self) -> None:
        """Asking for none gives none."""
        assert free_ports(0) == []


class TestEnvPrefix:
    """``env_prefix`` upper-cases the name and replaces anything but letters and digits."""

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("redis", "NOXCI_SERVICE_REDIS_"),
            ("github-api", "NOXCI_SERVICE_GITHUB_API_"),
            ("db.2 x", "NOXCI_SERVICE_DB_2_X_"),
        ],
    )
    def test_prefix(self, name: str, expected: str) -> None:
        """The prefix is derived from the name."""
        assert env_prefix(name) == expected


class TestParseProbe:
    """``parse_probe`` tells the three kinds apart and rejects malformed ones."""

    def test_tcp(self) -> None:
        """``tcp:HOST:PORT`` gives a TCP probe of that address."""
        assert parse_probe("tcp:localhost:6379", where="w") == Probe(
            kind=ProbeKind.TCP, text="tcp:localhost:6379", host="localhost", port=6379
        )

    @pytest.mark.parametrize("text", ["tcp:6379", "tcp:host:port", "tcp::1"])
    def test_bad_tcp(self, text: str) -> None:
        """A TCP probe without host or numeric port is a configuration error."""
        with pytest.raises(ConfigError) as caught:
            parse_probe(text, where="[x]")
        expected = f"[x]: ready = {text!r} is not tcp:HOST:PORT; write e.g. 'tcp:{{host}}:{{port}}'"
        assert str(caught.value) == expected

    def test_http(self) -> None:
        """An http URL gives an HTTP probe with the URL's host and port."""
        assert parse_probe("http://127.0.0.1:81/health", where="w") == Probe(
            kind=ProbeKind.HTTP, text="http://127.0.0.1:81/health", host="127.0.0.1", port=81
        )

    def test_https_without_port(self) -> None:
        """An https URL without a port has no port."""
        probe = parse_probe("https://example.test/", where="w")
        assert (probe.kind, probe.host, probe.port) == (ProbeKind.HTTP, "example.test", None)

    def test_http_bad_port(self) -> None:
        """A URL whose port is not a number is a configuration error."""
        with pytest.raises(ConfigError) as caught:
            parse_probe("http://h:{port}/", where="[x]")
        assert str(caught.value) == (
            "[x]: ready = 'http://h:{port}/' has an invalid port; "
            "write e.g. 'http://{host}:{port}/'"
        )

    def test_command(self) -> None:
        """Anything else is a command, split like a shell would, without one."""
        probe = parse_probe("redis-cli -p 1 'ping now'", where="w")
        assert (probe.kind, probe.argv) == (ProbeKind.COMMAND, ("redis-cli", "-p", "1", "ping now"))

    def test_empty(self) -> None:
        """An empty ``ready`` is a configuration error."""
        with pytest.raises(ConfigError) as caught:
            parse_probe("  ", where="[x]")
        assert str(caught.value) == (
            "[x]: ready is empty; give tcp:HOST:PORT, an http:// URL or a command"
        )


class TestPlanServices:
    """``plan_services`` picks ports, replaces placeholders and names log files."""

    def test_port_everywhere(self, tmp_path: Path) -> None:
        """The picked port replaces ``{port}`` in the command, ``ready`` and ``env``."""
        spec = ServiceSpec(
            name="api", command=("serve", "--port", "{port}"), ready="http://{host}:{port}/",
            env={"LISTEN": "{host}:{port}"},
        )  # fmt: skip
        (plan,) = plan_services([spec], log_dir=tmp_path)
        port = plan.port
        assert isinstance(port, int)
        assert plan == ServicePlan(
            name="api",
            argv=("serve", "--port", str(port)),
            probe=Probe(kind=ProbeKind.HTTP, text=f"http://127.0.0.1:{port}/", port=port),
            env={"LISTEN": f"127.0.0.1:{port}"},
            host="127.0.0.1",
            port=port,
            timeout=30.0,
            log=tmp_path / "api.log",
        )

    def test_default_probe_is_the_port(self, tmp_path: Path) -> None:
        """A service with a port and no ``ready`` is probed on its port."""
        (plan,) = plan_services([_spec("db", "db", "{port}")], log_dir=tmp_path)
        assert plan.probe == Probe(
            kind=ProbeKind.TCP, text=f"tcp:127.0.0.1:{plan.port}", port=plan.port
        )

    def test_fixed_address_from_ready(self, tmp_path: Path) -> None:
        """Without ``{port}``, the address comes from ``ready``."""
        (plan,) = plan_services(
            [_spec("redis", "redis-server", ready="tcp:localhost:6379")], log_dir=tmp_path
        )
        assert (plan.host, plan.port) == ("localhost", 6379)

    def test_no_port_no_probe(self, tmp_path: Path) -> None:
        """Without ``{port}`` and ``ready`` there is neither a port nor a probe."""
        (plan,) = plan_services([_spec("worker", "work")], log_dir=tmp_path)
        assert (plan.port, plan.probe) == (None, None)

    def test_command_probe_keeps_host(self, tmp_path: Path) -> None:
        """A command probe gives no address: the host stays 127.0.0.1 without a port."""
        (plan,) = plan_services([_spec("q", "q", ready="q-ping")], log_dir=tmp_path)
        assert (plan.host, plan.port) == ("127.0.0.1", None)

    def test_distinct_ports_and_log_names(self, tmp_path: Path) -> None:
        """Two services get two ports; odd characters in a name become ``_`` in the log name."""
        plans = plan_services(
            [_spec("a/b", "x", "{port}"), _spec("c", "y", "{port}")], log_dir=tmp_path
        )
        assert plans[0].port != plans[1].port
        assert [p.log.name for p in plans] == ["a_b.log", "c.log"]


class TestServiceEnv:
    """``service_env`` gives host, port and URL per service."""

    def test_variables(self, tmp_path: Path) -> None:
        """A service with a port gets all three; one without gets only its host."""
        plans = [
            *plan_services([_spec("redis", "r", ready="tcp:127.0.0.1:6379")], log_dir=tmp_path),
            *plan_services([_spec("worker", "w")], log_dir=tmp_path),
        ]
        assert service_env(plans) == {
            "NOXCI_SERVICE_REDIS_HOST": "127.0.0.1",
            "NOXCI_SERVICE_REDIS_PORT": "6379",
            "NOXCI_SERVICE_REDIS_URL": "http://127.0.0.1:6379",
            "NOXCI_SERVICE_WORKER_HOST": "127.0.0.1",
        }

    def test_clash(self, tmp_path: Path) -> None:
        """Two names that give the same variables are a configuration error."""
        plans = plan_services([_spec("my-db", "a"), _spec("my.db", "b")], log_dir=tmp_path)
        with pytest.raises(ConfigError) as caught:
            service_env(plans)
        assert str(caught.value) == (
            "[tool.noxci.services.my.db]: another service also sets NOXCI_SERVICE_MY_DB_*; "
            "rename one of them"
        )


def _probe(text: str, tmp_path: Path, timeout: float = 2.0) -> str | None:
    return check_probe(
        parse_probe(text, where="w"), timeout=timeout, cwd=tmp_path, env=dict(os.environ)
    )


class TestCheckProbe:
    """``check_probe`` against real servers and commands."""

    def test_tcp_ready(self, listener: socket.socket, tmp_path: Path) -> None:
        """A listening port is ready."""
        assert _probe(f"tcp:127.0.0.1:{listener.getsockname()[1]}", tmp_path) is None

    def test_tcp_refused(self, closed_port: int, tmp_path: Path) -> None:
        """A closed port is refused."""
        assert _probe(f"tcp:127.0.0.1:{closed_port}", tmp_path) == "refused"

    def test_http_ok(self, http_port: int, tmp_path: Path) -> None:
        """A 2xx answer is ready."""
        assert _probe(f"http://127.0.0.1:{http_port}/status/204", tmp_path) is None

    @pytest.mark.parametrize("code", [404, 503])
    def test_http_error(self, http_port: int, code: int, tmp_path: Path) -> None:
        """Any other answer is not ready, and says which status it was."""
        assert (
            _probe(f"http://127.0.0.1:{http_port}/status/{code}", tmp_path)
            == f"answered HTTP {code}"
        )

    def test_http_refused(self, closed_port: int, tmp_path: Path) -> None:
        """An HTTP probe of a closed port is refused."""
        assert _probe(f"http://127.0.0.1:{closed_port}/", tmp_path) == "refused"

    def test_http_timeout(self, listener: socket.socket, tmp_path: Path) -> None:
        """A server that accepts but never answers times out."""
        port = listener.getsockname()[1]
        assert _probe(f"http://127.0.0.1:{port}/", tmp_path, timeout=0.2) == "timed out"

    def test_http_hangup(self, tmp_path: Path) -> None:
        """A server that closes without answering fails with the reason."""
        with socket.create_server((HOST, 0)) as server:
            port = server.getsockname()[1]

            def hang_up() -> None:
                conn, _ = server.accept()
                conn.recv(1024)
                conn.close()

            thread = threading.Thread(target=hang_up)
            thread.start()
            why = _probe(f"http://127.0.0.1:{port}/", tmp_path)
            thread.join()
        assert why == "failed: Remote end closed connection without response"

    def test_http_ignores_proxy(
        self, http_port: int, closed_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A proxy in the environment is not used: 127.0.0.1 is reached directly."""
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{closed_port}")
        assert _probe(f"http://127.0.0.1:{http_port}/status/200", tmp_path) is None

    def test_command_ok(self, tmp_path: Path) -> None:
        """A command exiting 0 is ready; it runs in the given directory."""
        (tmp_path / "flag").touch()
        assert _probe(f"{PY} -c 'open(\"flag\")'", tmp_path) is None

    def test_command_fails(self, tmp_path: Path) -> None:
        """A command exiting non-zero is not ready, and says its code."""
        assert _probe(f"{PY} -c 'raise SystemExit(3)'", tmp_path) == "exited with code 3"

    def test_command_missing(self, tmp_path: Path) -> None:
        """A command that does not exist fails with the reason."""
        assert _probe("no-such-cmd-xyz", tmp_path) == (
            "failed: No such file or directory: no-such-cmd-xyz"
        )

    def test_command_timeout(self, tmp_path: Path) -> None:
        """A command that takes too long times out."""
        assert _probe(f"{PY} -c 'import time; time.sleep(5)'", tmp_path, timeout=0.3) == "timed out"


@contextlib.contextmanager
def _services(tmp_path: Path, *specs: ServiceSpec, grace: float = 2.0) -> Iterator[dict[str, str]]:
    with running_services(
        specs, log_dir=tmp_path / "services", cwd=tmp_path, env=dict(os.environ), grace=grace
    ) as env:
        yield env


def _log_lines(tmp_path: Path, name: str) -> list[str]:
    """The service's log with timestamps replaced by ``STAMP``."""
    text = (tmp_path / "services" / f"{name}.log").read_text()
    return re.sub(STAMP, "STAMP", text).splitlines()


def _wait_for_output(tmp_path: Path, name: str) -> str:
    """The first line a service wrote to its log, waiting up to 10 s for it."""
    deadline = time.monotonic() + 10
    while len(lines := _log_lines(tmp_path, name)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    return lines[1]


HTTP_SERVER = (PY, "-m", "http.server", "--bind", "{host}", "{port}")


class TestRunningServices:
    """``running_services`` with real processes."""

    def test_ready_reachable_stopped(self, tmp_path: Path) -> None:
        """A service becomes ready, is reachable at the given URL, and is stopped afterwards."""
        spec = ServiceSpec(name="web", command=HTTP_SERVER, ready="http://{host}:{port}/")
        with _services(tmp_path, spec) as env:
            port = int(env["NOXCI_SERVICE_WEB_PORT"])
            assert env == {
                "NOXCI_SERVICE_WEB_HOST": "127.0.0.1",
                "NOXCI_SERVICE_WEB_PORT": str(port),
                "NOXCI_SERVICE_WEB_URL": f"http://127.0.0.1:{port}",
            }
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(env["NOXCI_SERVICE_WEB_URL"], timeout=5) as response:
                assert response.status == 200
        assert _refused(port) is True
        lines = _log_lines(tmp_path, "web")
        argv = f"{PY} -m http.server --bind 127.0.0.1 {port}"
        assert lines[0] == f"--- noxci STAMP: starting web: {argv}"
        assert lines[-1] == "--- noxci STAMP: stopped web: was killed by SIGTERM"

    def test_log_appended(self, tmp_path: Path) -> None:
        """A second run appends to the log after a new header."""
        for _ in range(2):
            with _services(tmp_path, _spec("job", *_py("print('hi')"))):
                pass
        headers = [x for x in _log_lines(tmp_path, "job") if x.startswith("--- noxci STAMP: start")]
        assert len(headers) == 2

    def test_not_ready_message(self, tmp_path: Path, closed_port: int) -> None:
        """A service never ready fails with the probe, why, and the last 20 lines of its log."""
        code = "import time\nfor i in range(25): print('line', i)\ntime.sleep(30)"
        spec = _spec("slow", *_py(code), ready=f"tcp:{HOST}:{closed_port}", timeout=1.5)
        started = time.monotonic()
        with pytest.raises(ServiceError) as caught, _services(tmp_path, spec):
            pytest.fail("the body must not run")  # pragma: no cover
        assert time.monotonic() - started < 8
        tail = "\n".join(f"    line {i}" for i in range(5, 25))
        assert str(caught.value) == (
            f"service 'slow' not ready after 1.5s (tcp:127.0.0.1:{closed_port} refused); "
            f"last lines of services/slow.log:\n{tail}"
        )
        assert (
            _log_lines(tmp_path, "slow")[-1]
            == "--- noxci STAMP: stopped slow: was killed by SIGTERM"
        )

    def test_exit_before_ready(self, tmp_path: Path, closed_port: int) -> None:
        """A service that exits early fails with its exit code and this run's output only."""
        spec = _spec(
            "broken",
            *_py("print('bad config')\nraise SystemExit(3)"),
            ready=f"tcp:{HOST}:{closed_port}",
        )
        messages = []
        for _ in range(2):
            with pytest.raises(ServiceError) as caught, _services(tmp_path, spec):
                pytest.fail("the body must not run")  # pragma: no cover
            messages.append(str(caught.value))
        expected = (
            "service 'broken' exited with code 3 before it was ready; "
            "last lines of services/broken.log:\n    bad config"
        )
        assert messages == [expected, expected]

    @pytest.mark.parametrize(("signum", "said"), [(9, "SIGKILL"), (40, "signal 40")])
    def test_killed_before_ready(
        self, tmp_path: Path, closed_port: int, signum: int, said: str
    ) -> None:
        """A service killed by a signal says which; an empty log says so."""
        code = f"import os; os.kill(os.getpid(), {signum})"
        spec = _spec("gone", *_py(code), ready=f"tcp:{HOST}:{closed_port}")
        with pytest.raises(ServiceError) as caught, _services(tmp_path, spec):
            pytest.fail("the body must not run")  # pragma: no cover
        assert str(caught.value) == (
            f"service 'gone' was killed by {said} before it was ready; services/gone.log is empty"
        )

    def test_log_outside_cwd(self, tmp_path: Path, closed_port: int) -> None:
        """A log outside the working directory is named by its absolute path."""
        spec = _spec("x", *_py("raise SystemExit(1)"), ready=f"tcp:{HOST}:{closed_port}")
        log_dir = tmp_path / "logs"
        (tmp_path / "w").mkdir()
        with (
            pytest.raises(ServiceError) as caught,
            running_services([spec], log_dir=log_dir, cwd=tmp_path / "w", env=dict(os.environ)),
        ):
            pytest.fail("the body must not run")  # pragma: no cover
        assert str(caught.value) == (
            f"service 'x' exited with code 1 before it was ready; {log_dir / 'x.log'} is empty"
        )

    def test_cannot_start(self, tmp_path: Path) -> None:
        """A command that does not exist fails with a hint where it is configured."""
        with (
            pytest.raises(ServiceError) as caught,
            _services(tmp_path, _spec("x", "no-such-cmd-xyz")),
        ):
            pytest.fail("the body must not run")  # pragma: no cover
        assert str(caught.value) == (
            "service 'x' cannot start: No such file or directory: 'no-such-cmd-xyz'; "
            "check [tool.noxci.services.x]"
        )

    def test_later_services_see_earlier_ones(self, tmp_path: Path) -> None:
        """Every service gets the variables of all services and its own env, with placeholders."""
        code = (
            "import os, time\n"
            "print(os.environ['NOXCI_SERVICE_DB_PORT'], os.environ['MINE'])\n"
            "time.sleep(9)"
        )
        db = _spec("db", *HTTP_SERVER)
        app = ServiceSpec(name="app", command=_py(code), env={"MINE": "on {host}"})
        with _services(tmp_path, db, app) as env:
            assert (
                _wait_for_output(tmp_path, "app") == f"{env['NOXCI_SERVICE_DB_PORT']} on 127.0.0.1"
            )

    def test_failure_stops_earlier_services(self, tmp_path: Path, closed_port: int) -> None:
        """When a later service fails, the ones already running are stopped."""
        db = _spec("db", *HTTP_SERVER)
        bad = _spec("bad", *_py("raise SystemExit(2)"), ready=f"tcp:{HOST}:{closed_port}")
        with pytest.raises(ServiceError), _services(tmp_path, db, bad):
            pytest.fail("the body must not run")  # pragma: no cover
        assert (
            _log_lines(tmp_path, "db")[-1] == "--- noxci STAMP: stopped db: was killed by SIGTERM"
        )
        port = int(_log_lines(tmp_path, "db")[0].rsplit(" ", 1)[1])
        assert _refused(port) is True

    def test_stubborn_service_is_killed(self, tmp_path: Path) -> None:
        """A service and child that ignore SIGTERM are killed after the grace period."""
        code = (
            "import signal, subprocess, sys, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
            "print(child.pid, flush=True)\n"
            "time.sleep(60)"
        )
        with _services(tmp_path, _spec("stubborn", *_py(code)), grace=0.3):
            child = int(_wait_for_output(tmp_path, "stubborn"))
        assert _log_lines(tmp_path, "stubborn")[-1] == (
            "--- noxci STAMP: stopped stubborn: was killed by SIGKILL"
        )
        state = Path(f"/proc/{child}/stat")
        assert not state.exists() or state.read_text().rsplit(")", 1)[1].split()[0] == "Z"

    def test_sigterm_stops_services(self, tmp_path: Path) -> None:
        """SIGTERM interrupts the body, stops the services, then reaches the previous handler."""
        ports: list[int] = []
        received: list[tuple[int, bool]] = []

        def previous(signum: int, frame: object) -> None:
            received.append((signum, _refused(ports[0])))

        def interrupted() -> None:
            with _services(tmp_path, _spec("db", *HTTP_SERVER)) as env:
                ports.append(int(env["NOXCI_SERVICE_DB_PORT"]))
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(5)  # pragma: no cover - the signal interrupts this

        before = signal.signal(signal.SIGTERM, previous)
        try:
            with pytest.raises(KeyboardInterrupt) as caught:
                interrupted()
            assert signal.getsignal(signal.SIGTERM) == previous
        finally:
            signal.signal(signal.SIGTERM, before)
        assert str(caught.value) == "SIGTERM"
        assert received == [(signal.SIGTERM, True)]

    def test_ignored_signal_stays_ignored(self, tmp_path: Path) -> None:
        """A signal the process ignores is left ignored while services run."""
        previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
        try:
            with _services(tmp_path, _spec("job", *_py("import time; time.sleep(9)"))):
                assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
                assert signal.getsignal(signal.SIGTERM) != signal.SIG_DFL
        finally:
            signal.signal(signal.SIGHUP, previous)

    def test_outside_main_thread(self, tmp_path: Path) -> None:
        """In another thread no handler is installed, and services still start and stop."""
        seen: list[object] = []

        def run() -> None:
            with _services(tmp_path, _spec("job", *_py("import time; time.sleep(9)"))) as env:
                seen.extend([env, signal.getsignal(signal.SIGTERM)])

        before = signal.getsignal(signal.SIGTERM)
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        assert seen == [{"NOXCI_SERVICE_JOB_HOST": "127.0.0.1"}, before]
