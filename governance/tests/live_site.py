"""The site as production runs it, for tests of what happens around it: gunicorn in its own
process with the real settings, DEBUG off, files from collectstatic, and a DATABASE_URL of
the test's choosing; and stand-ins for a database that misbehaves on the wire."""

import contextlib
import http.client
import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port_url() -> str:
    """A database address where nothing listens: every connection is refused at once."""
    return f"postgres://postgres@127.0.0.1:{free_port()}/governance"


class SilentServer:
    """Accepts connections and never answers: a PostgreSQL that is hung (stopped, or stuck
    on its disk) looks like this from the client, whose kernel still gets every TCP ACK."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/governance"

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                self.held.append(self.listener.accept()[0])

    def close(self):
        self.listener.close()
        for conn in self.held:
            conn.close()


class FreezingProxy(SilentServer):
    """Passes connections through to a real server until `freeze()`; from then on it holds
    every open connection silent and answers no new one: a server that hung while the site
    kept connections to it."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.frozen = threading.Event()
        super().__init__()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                client = self.listener.accept()[0]
                self.held.append(client)
                if not self.frozen.is_set():
                    server = socket.create_connection(self.upstream)
                    self.held.append(server)
                    threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, a, b):
        with selectors.DefaultSelector() as selector, contextlib.suppress(OSError):
            selector.register(a, selectors.EVENT_READ, b)
            selector.register(b, selectors.EVENT_READ, a)
            while not self.frozen.is_set():
                for key, _ in selector.select(timeout=0.1):
                    if self.frozen.is_set():
                        return
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)

    def freeze(self):
        self.frozen.set()


def collect_static(root: Path) -> Path:
    """collectstatic with the production storage into `root`, as a deployment runs it."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=site_environment(closed_port_url(), root),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return root


def site_environment(database_url: str, static_root: Path, **extra) -> dict:
    """Exactly what the README asks a deployer to set; nothing from a developer's .env."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        DEBUG="false",
        SECRET_KEY="live-site-test-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS="",
        DATABASE_URL=database_url,
        REDIS_URL="",
        EMAIL_URL="consolemail://",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(static_root.parent / "media"),
        SECURE_COOKIES="false",
        LOG_LEVEL="CRITICAL",
        # Behind the TLS proxy on this machine, as the README binds it.
        TRUSTED_PROXIES="127.0.0.1",
    )
    env.update(extra)
    return env


@dataclass
class Answer:
    status: int
    headers: dict
    body: str
    seconds: float


def fetch(base: str, path: str, *, timeout: float, language: str | None = None) -> Answer:
    """GET over HTTP; a site that does not answer within `timeout` seconds fails the test."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    # As the TLS-terminating proxy in front of gunicorn asks.
    headers = {"X-Forwarded-Proto": "https"}
    if language:
        headers["Cookie"] = f"django_language={language}"
    start = time.monotonic()
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode()
    except TimeoutError:
        pytest.fail(f"GET {path}: no answer within {timeout} s")
    finally:
        conn.close()
    return Answer(
        response.status,
        {k.lower(): v for k, v in response.getheaders()},
        body,
        time.monotonic() - start,
    )


@contextlib.contextmanager
def live_site(database_url: str, static_root: Path, **extra_env):
    """gunicorn with one worker (so a kept database connection serves the next request) and
    its default 30 s timeout, on a free port; stopped afterwards whatever happens."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = static_root.parent / f"gunicorn-{port}.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "governance.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "30",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=site_environment(database_url, static_root, **extra_env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
        # a page that needs no database: it also loads the URLs and templates in the worker
        fetch(base, "/no-such-page/", timeout=30)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
