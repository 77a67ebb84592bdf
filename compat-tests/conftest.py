"""Fixtures that put a real `trackbridge serve` process behind the real mlflow client.

Every test module gets its own server with an empty store (``server``); a test
that needs exact counts over the whole store asks for ``fresh_server`` instead.
Both are parametrized over the backends named in TRACKBRIDGE_COMPAT_BACKENDS
(default ``sqlite,postgres``). ``tracking`` / ``fresh_tracking`` additionally
point the mlflow client (env + mlflow.set_tracking_uri) at that server.

A test module may set ``SERVER_ARGS = ("--flag", ...)`` to start its servers with extra
`serve` flags; ``store_factory``'s ``make_server(store, extra_args)`` takes them per server.

Environment knobs:
  TRACKBRIDGE_COMPAT_BACKENDS  comma list out of sqlite, postgres
  TRACKBRIDGE_CMD              how to launch the server (default: node <repo>/bin/trackbridge.js)
  TRACKBRIDGE_STRICT_RESPONSES  passed on to the server; 1 unless set (an answer holding a key its
                               message does not define fails instead of losing the key)
  TRACKBRIDGE_COMPAT_HEALTH_TIMEOUT
                               seconds to wait for GET /health (default 30)
  TRACKBRIDGE_COMPAT_PG_HOST / _PG_PORT / _PG_ADMIN_DB
                               where the throwaway PostgreSQL databases are created
                               (default 127.0.0.1, 5432, test)
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shlex
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

# The client must not phone home while it is under test; set before mlflow is imported.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")
# The servers started here inherit it: a misspelt response field fails a test rather than vanish.
os.environ.setdefault("TRACKBRIDGE_STRICT_RESPONSES", "1")

import mlflow  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402
from mlflow.tracking import fluent  # noqa: E402

from compat_helpers import Api  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
KNOWN_BACKENDS = ("sqlite", "postgres")
HEALTH_TIMEOUT_S = float(os.environ.get("TRACKBRIDGE_COMPAT_HEALTH_TIMEOUT", "30"))
STOP_TIMEOUT_S = 20.0

PG_HOST = os.environ.get("TRACKBRIDGE_COMPAT_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("TRACKBRIDGE_COMPAT_PG_PORT", "5432")
PG_ADMIN_DB = os.environ.get("TRACKBRIDGE_COMPAT_PG_ADMIN_DB", "test")


def _selected_backends() -> list[str]:
    raw = os.environ.get("TRACKBRIDGE_COMPAT_BACKENDS", "sqlite,postgres")
    chosen = [b.strip() for b in raw.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in KNOWN_BACKENDS]
    if unknown or not chosen:
        raise pytest.UsageError(
            f"TRACKBRIDGE_COMPAT_BACKENDS={raw!r}: choose from {', '.join(KNOWN_BACKENDS)}"
        )
    return chosen


def _server_command() -> list[str]:
    override = os.environ.get("TRACKBRIDGE_CMD")
    if override:
        return shlex.split(override)
    return ["node", str(REPO / "bin" / "trackbridge.js")]


# --------------------------------------------------------------------------- stores


class Store:
    """An empty backing store: a SQLite file in a tmp dir, or a new PostgreSQL database."""

    def __init__(self, backend: str, workdir: Path):
        self.backend = backend
        self.workdir = workdir
        self.artifacts_root = workdir / "artifacts"
        self.artifacts_root.mkdir(parents=True, exist_ok=True)
        self._pg_db = None
        if backend == "sqlite":
            self.db_url = f"sqlite:///{workdir / 'trackbridge.sqlite'}"
        else:
            self._pg_db = f"trackbridge_compat_{secrets.token_hex(6)}"
            _psql(f"CREATE DATABASE {self._pg_db}")
            self.db_url = f"postgresql://{PG_HOST}:{PG_PORT}/{self._pg_db}"

    def destroy(self) -> None:
        if self._pg_db:
            _psql(f"DROP DATABASE IF EXISTS {self._pg_db} WITH (FORCE)")
            self._pg_db = None


def _psql(sql: str) -> None:
    cmd = ["psql", "-h", PG_HOST, "-p", PG_PORT, "-d", PG_ADMIN_DB, "-v", "ON_ERROR_STOP=1",
           "-q", "-c", sql]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"cannot run {shlex.join(cmd)}: {exc}", pytrace=False)
    if done.returncode != 0:
        pytest.fail(
            f"{shlex.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}\n"
            "PostgreSQL must be reachable for the postgres backend "
            "(or set TRACKBRIDGE_COMPAT_BACKENDS=sqlite).",
            pytrace=False,
        )


# --------------------------------------------------------------------------- servers

_live_servers: set["TrackbridgeServer"] = set()


@atexit.register
def _kill_leftover_servers() -> None:
    for srv in list(_live_servers):
        srv.kill()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TrackbridgeServer:
    """One `trackbridge serve` process over a given store."""

    def __init__(self, store: Store, name: str = "server", extra_args: tuple[str, ...] = ()):
        self.store = store
        self.extra_args = tuple(extra_args)
        self.backend = store.backend
        self.log_path = store.workdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> Api:
        return Api(self.url)

    def log_tail(self, limit: int = 6000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "<no server log>"
        return text[-limit:] if text else "<server log is empty>"

    def start(self, port: int | None = None) -> "TrackbridgeServer":
        """Start on `port`, or on a free port (retried if another process grabs it first)."""
        for _attempt in range(1 if port else 3):
            self.port = port or _free_port()
            cmd = _server_command() + [
                "serve",
                "--port", str(self.port),
                "--host", "127.0.0.1",
                "--db", self.store.db_url,
                "--artifacts-root", str(self.store.artifacts_root),
                *self.extra_args,
            ]
            with open(self.log_path, "ab") as log:
                log.write(f"$ {shlex.join(cmd)}\n".encode())
                log.flush()
                # Own process group, so a wrapper command (npx, tsx, ...) and its
                # children all receive the SIGTERM.
                self.proc = subprocess.Popen(
                    cmd, cwd=REPO, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                    start_new_session=True,
                )
            _live_servers.add(self)
            if self._wait_healthy(cmd):
                return self
            # The free port was taken between probing and binding: try another.
        pytest.fail(f"trackbridge never bound a free port:\n{self.log_tail()}", pytrace=False)

    def _wait_healthy(self, cmd: list[str]) -> bool:
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                _live_servers.discard(self)
                tail = self.log_tail()
                if "EADDRINUSE" in tail:
                    return False
                pytest.fail(
                    f"trackbridge exited with code {code} before /health answered.\n"
                    f"command: {shlex.join(cmd)}\n--- server output ---\n{tail}",
                    pytrace=False,
                )
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.kill()
        pytest.fail(
            f"trackbridge did not answer GET /health within {HEALTH_TIMEOUT_S:.0f}s.\n"
            f"command: {shlex.join(cmd)}\n--- server output ---\n{self.log_tail()}",
            pytrace=False,
        )

    def stop(self) -> int:
        """SIGTERM, then wait. Returns the exit code; fails if the server hangs."""
        if self.proc is None or self.proc.poll() is not None:
            _live_servers.discard(self)
            return self.proc.returncode if self.proc else 0
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(
                f"trackbridge did not exit within {STOP_TIMEOUT_S:.0f}s of SIGTERM\n"
                f"{self.log_tail()}",
                pytrace=False,
            )
        _live_servers.discard(self)
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        _live_servers.discard(self)


@contextlib.contextmanager
def running_server(backend: str, workdir: Path, extra_args: tuple[str, ...] = ()):
    store = Store(backend, workdir)
    try:
        srv = TrackbridgeServer(store, extra_args=extra_args).start()
        try:
            yield srv
        finally:
            srv.stop()
    finally:
        store.destroy()


# --------------------------------------------------------------------------- fixtures


def client_threads_finished(timeout_s: float = 30.0) -> None:
    """Waits for the work the client does on threads of its own after a call returns (linking a
    loaded prompt to the active experiment), so it ends while the test's server still answers."""
    for t in threading.enumerate():
        if t.name.startswith("link_prompt_to_experiment_thread"):
            t.join(timeout_s)


@pytest.fixture(autouse=True)
def _client_threads_end_with_their_test():
    # Left running, such a thread retries against a stopped server for minutes and holds up exit.
    yield
    client_threads_finished()


@pytest.fixture(scope="module", params=_selected_backends())
def backend(request) -> str:
    return request.param


def _module_server_args(request) -> tuple[str, ...]:
    """Extra `serve` flags a test module asks for with a module-level SERVER_ARGS tuple."""
    return tuple(getattr(request.module, "SERVER_ARGS", ()))


@pytest.fixture(scope="module")
def server(backend, tmp_path_factory, request):
    """A server shared by every test of one module (and one backend)."""
    workdir = tmp_path_factory.mktemp(f"trackbridge-{backend}")
    with running_server(backend, workdir, _module_server_args(request)) as srv:
        yield srv


@pytest.fixture
def fresh_server(backend, tmp_path, request):
    """A server with an empty store for this test alone."""
    with running_server(backend, tmp_path, _module_server_args(request)) as srv:
        yield srv


@pytest.fixture
def store_factory(backend, tmp_path):
    """For tests that stop and restart servers over one store themselves."""
    stores: list[Store] = []
    servers: list[TrackbridgeServer] = []

    def make_store() -> Store:
        store = Store(backend, tmp_path / f"store{len(stores)}")
        stores.append(store)
        return store

    def make_server(store: Store, extra_args: tuple[str, ...] = ()) -> TrackbridgeServer:
        srv = TrackbridgeServer(store, name=f"server{len(servers)}", extra_args=extra_args)
        servers.append(srv)
        return srv

    yield make_store, make_server
    for srv in servers:
        try:
            srv.stop()
        finally:
            srv.kill()
    for store in stores:
        store.destroy()


def _reset_client_state() -> None:
    with contextlib.suppress(Exception):
        mlflow.flush_async_logging()
    while mlflow.active_run() is not None:
        try:
            mlflow.end_run()
        except Exception:
            fluent._active_run_stack.get().pop()
    fluent._active_experiment_id = None
    fluent._last_active_run_id.set(None)


@contextlib.contextmanager
def _client_pointed_at(url: str, request, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    if request.node.get_closest_marker("client_retries") is None:
        # A 5xx answer must fail the test at once, not after minutes of retries.
        monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
    for var in ("MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_RUN_ID",
                "MLFLOW_ENABLE_ASYNC_LOGGING"):
        monkeypatch.delenv(var, raising=False)
    _reset_client_state()
    mlflow.set_tracking_uri(url)
    try:
        yield
    finally:
        _reset_client_state()
        mlflow.set_tracking_uri(None)


@pytest.fixture
def tracking(server, request, monkeypatch):
    """The module's server, with the mlflow client pointed at it."""
    with _client_pointed_at(server.url, request, monkeypatch):
        yield server


@pytest.fixture
def fresh_tracking(fresh_server, request, monkeypatch):
    """A server with an empty store, with the mlflow client pointed at it."""
    with _client_pointed_at(fresh_server.url, request, monkeypatch):
        yield fresh_server


# --------------------------------------------------------------------------- per-test deadline


def pytest_addoption(parser):
    parser.addini("compat_timeout", "seconds allowed for each setup/call/teardown phase",
                  default="180")


def pytest_configure(config):
    config.addinivalue_line("markers", "deadline(seconds): override compat_timeout for a test")
    config.addinivalue_line(
        "markers", "client_retries: keep the mlflow client's default HTTP retries for this test")


@contextlib.contextmanager
def _deadline(item, phase: str):
    marker = item.get_closest_marker("deadline")
    seconds = float(marker.args[0]) if marker else float(item.config.getini("compat_timeout"))

    def expire(signum, frame):
        raise TimeoutError(f"{phase} of {item.nodeid} exceeded {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with _deadline(item, "setup"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with _deadline(item, "call"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    with _deadline(item, "teardown"):
        yield
