"""Fixtures for the integration tests: a private Redis per test, real Celery workers and
beat in subprocesses against this run's test database, and emails counted in files.

Nothing here touches the machine's own Redis (6379): each test that needs Redis starts
its own `redis-server` on a free port, without persistence, and can stop it and start it
again on the same port (it comes back empty, as a restarted cache server does). Every
subprocess is started in its own process group and killed at teardown, also when the test
fails. Every wait is a polled condition with a deadline whose failure message carries the
subprocesses' output.
"""

import contextlib
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Small timings so a test sees a whole retry or redelivery cycle in seconds.
VISIBILITY_TIMEOUT = 3  # a message taken by a dead worker is handed out again after this
RETRY_BASE_SECONDS = 1  # backoff: ~1, ~2, ~4 s (±20 %)
MAX_RETRIES = 3  # four attempts in all
SWEEP_SECONDS = 2


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Nobody listens on it (connections closed a moment ago may linger in TIME_WAIT)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for(condition, *, timeout: float, describe, interval: float = 0.2):
    """Poll `condition` until it returns something true, and return that; fail after
    `timeout` seconds with `describe()` (a callable, so the output is read at the end)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s: {describe() if callable(describe) else describe}")
        time.sleep(interval)


def database_url_for_workers() -> str:
    """A DATABASE_URL for this run's test database (pytest-django has switched the
    connection's NAME to it), on a TCP host or the embedded server's Unix socket."""
    from django.db import connection

    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    if settings.get("PASSWORD"):
        user += ":" + quote(settings["PASSWORD"], safe="")
    options = settings.get("OPTIONS", {})  # dj-database-url puts ?host=…&port=… here
    host = str(settings["HOST"] or options.get("host") or "")
    port = str(settings["PORT"] or options.get("port") or "")
    name = quote(settings["NAME"], safe="")
    if host.startswith("/"):
        query = urlencode({"host": host, **({"port": port} if port else {})})
        return f"postgres://{user}@/{name}?{query}"
    return f"postgres://{user}@{host or 'localhost'}{':' + port if port else ''}/{name}"


def popen_logged(command: list[str], *, log: Path, **options) -> subprocess.Popen:
    """Start `command` in a process group of its own, its stdout and stderr appended to `log`."""
    with open(log, "ab") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **options)


# ---------------------------------------------------------------------------- Redis


class RedisServer:
    """A redis-server of this test's own, which can be stopped and started again on the same port."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = workdir / f"redis-{self.port}.log"
        self.process = None

    def start(self):
        assert self.process is None, "this Redis is already running"
        arguments = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = popen_logged([REDIS_SERVER, *arguments, "--daemonize", "no"], log=self.log)
        wait_for(self._answers, timeout=15, describe=lambda: f"redis-server did not answer:\n{self.log.read_text()}")

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:  # noqa: BLE001 - any failure to answer a ping means not up yet
            return False

    def stop(self):
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # like a crash: no save, no goodbye
        self.process.wait(timeout=10)
        self.process = None
        wait_for(lambda: port_is_free(self.port), timeout=10, describe=f"port {self.port} still taken")

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2, socket_connect_timeout=2)


@pytest.fixture
def integration_dir():
    """A folder for this test's logs, emails and broker files; INTEGRATION_KEEP=1 keeps it to read afterwards."""
    path = Path(tempfile.mkdtemp(prefix="rrr-integration-"))
    yield path
    if os.environ.get("INTEGRATION_KEEP"):
        print(f"\nintegration files kept in {path}")  # noqa: T201 - where to read them, on the terminal
    else:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def redis_server(integration_dir):
    if not os.path.exists(REDIS_SERVER):
        message = f"no redis-server at {REDIS_SERVER}: apt-get install -y redis-server"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(integration_dir)
    server.start()
    yield server
    server.stop()


# ----------------------------------------------------------------- the test process


def _drop_broker_connections(app):
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None and amqp._producer_pool is not None:
        amqp._producer_pool.force_close_all()
        amqp._producer_pool = None
    pools.reset()


@contextmanager
def broker_in_test_process(url: str, transport_options: dict):
    """Make tasks enqueued in this process (on commit, by services and admin actions) go
    to `url` instead of running eagerly; restore the test settings afterwards.

    Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets
    it to the machine's Redis), so the environment is switched too, and the connection is
    checked to lead where it should before anything is published."""
    from kombu import Connection

    from reviewapp.celery import app

    keys = ["broker_url", "broker_transport_options", "task_always_eager"]
    saved = {key: app.conf[key] for key in keys}
    environment = ["CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"]
    saved_environment = {name: os.environ.pop(name) for name in environment if name in os.environ}
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.update(broker_url=url, broker_transport_options=transport_options, task_always_eager=False)
    _drop_broker_connections(app)
    try:
        wanted, actual = Connection(url), app.connection_for_write()
        assert (actual.transport_cls, actual.hostname, actual.port, actual.virtual_host) == (
            wanted.transport_cls,
            wanted.hostname,
            wanted.port,
            wanted.virtual_host,
        ), f"the test process would publish to {actual.as_uri()}, not {url}"
        yield app
    finally:
        os.environ.pop("CELERY_BROKER_URL", None)
        os.environ.update(saved_environment)
        app.conf.update(saved)
        _drop_broker_connections(app)


# ------------------------------------------------------------------------- processes


class Process:
    """A subprocess in its own process group, its output (stdout and stderr) in a file."""

    def __init__(self, name: str, command: list[str], *, env: dict, log: Path, cwd: Path = REPO):
        self.name, self.command, self.log = name, command, log
        self.process = popen_logged(command, log=log, cwd=cwd, env=env)
        self.pid = self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self):
        """SIGKILL the whole process group (the worker and its pool children): no clean-up,
        no acknowledgement, no goodbye to the broker."""
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, grace: float = 10):
        if self.running():
            with suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        self.kill()  # whatever is left of the group


class Mailbox:
    """The emails the worker wrote (one file each) and its attempts to send."""

    def __init__(self, root: Path):
        self.folder = root / "mail"
        self.control = root / "mail-control"
        self.folder.mkdir()
        self.control.mkdir()

    def messages(self) -> list:
        return [
            email.message_from_bytes(path.read_bytes(), policy=default_policy)
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def attempts(self) -> list[float]:
        path = self.control / "attempts"
        if not path.exists():
            return []
        return [float(line.split()[0]) for line in path.read_text().splitlines() if line.strip()]

    def block(self):
        (self.control / "block").touch()

    def unblock(self):
        (self.control / "block").unlink(missing_ok=True)

    def is_blocked_in_send(self) -> bool:
        return (self.control / "blocked").exists()

    def fail_first(self, count: int):
        (self.control / "fail_first").write_text(str(count))

    def stop_failing(self):
        (self.control / "fail_first").unlink(missing_ok=True)


class Celery:
    """Workers and beat for one test, all against the test database and the private Redis."""

    def __init__(self, root: Path, redis: RedisServer, database_url: str):
        self.root, self.redis = root, redis
        self.mailbox = Mailbox(root)
        self.processes: list[Process] = []
        self.env = {
            **{key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "TASK_"))},
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis.url,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "TASK_MAX_RETRIES": str(MAX_RETRIES),
            "TASK_RETRY_BASE_SECONDS": str(RETRY_BASE_SECONDS),
            "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "TEST_MAIL_DIR": str(self.mailbox.folder),
            "TEST_MAIL_CONTROL_DIR": str(self.mailbox.control),
            "PYTHONUNBUFFERED": "1",
        }

    def _start(self, name: str, arguments: list[str]) -> Process:
        log = self.root / f"{name}-{len(self.processes)}.log"
        process = Process(name, [PYTHON, "-m", "celery", "-A", "reviewapp", *arguments], env=self.env, log=log)
        self.processes.append(process)
        return process

    def worker(self) -> Process:
        """A worker with one pool process, started and ready to take tasks."""
        number = sum(1 for process in self.processes if process.name.startswith("worker"))
        process = self._start(
            f"worker{number}",
            [
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--pool=prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=worker{number}@%h",
            ],
        )
        wait_for(
            lambda: " ready." in process.output() or not process.running(),
            timeout=60,
            describe=self.outputs,
        )
        assert process.running(), f"the worker exited:\n{self.outputs()}"
        return process

    def beat(self) -> Process:
        process = self._start("beat", ["beat", "--loglevel=INFO", f"--schedule={self.root / 'beat-schedule'}"])
        wait_for(
            lambda: "beat: Starting" in process.output() or not process.running(), timeout=60, describe=self.outputs
        )
        assert process.running(), f"beat exited:\n{self.outputs()}"
        return process

    def outputs(self) -> str:
        parts = [
            f"===== {process.name} (pid {process.pid}) =====\n{process.output()[-6000:]}" for process in self.processes
        ]
        parts.append(f"===== redis =====\n{self.redis.log.read_text()[-2000:] if self.redis.log.exists() else ''}")
        return "\n".join(parts)

    def stop_all(self):
        for process in self.processes:
            process.stop(grace=5)


@pytest.fixture
def celery(integration_dir, redis_server, transactional_db):
    """Worker and beat starters for this test; the test process sends its tasks to the same
    private Redis. Everything is stopped at teardown, before the database is flushed."""
    runner = Celery(integration_dir, redis_server, database_url_for_workers())
    with broker_in_test_process(redis_server.url, {"visibility_timeout": VISIBILITY_TIMEOUT}):
        try:
            yield runner
        finally:
            runner.stop_all()
            runner.mailbox.unblock()
