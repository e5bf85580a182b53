"""What the fuzz and load probes (scripts/fuzz.py, scripts/load.py) share: a gunicorn of their
own on PostgreSQL, started the way the README's production steps say, and a small HTTP client
that talks only to it.

The server: DEBUG off, a throwaway SECRET_KEY, its own database (created if missing, migrated,
seeded with the demo), its own Redis database (emptied first), collectstatic into a temporary
folder, gunicorn on a free port of 127.0.0.1. Stopped whatever happens.

The client: plain asyncio streams, one connection per request (gunicorn's sync workers close
it after each answer), a cookie jar per browser, and a source address of its own when asked
(any 127.x.y.z reaches the server, which then sees a different resident: the rate limits
count per address). It connects to 127.0.0.1 only, and sends exactly the bytes it is given,
so hostile requests (NUL, bad multipart, forged headers) reach the server as they are."""

import asyncio
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the probes never talk to anything else


def venv_tool(name: str) -> str:
    """A tool of the virtualenv this script runs in (make runs it with .venv/bin/python)."""
    return str(Path(sys.executable).parent / name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by the nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def say(name: str, text: str) -> None:
    print(f"{name}: {text}", flush=True)


# --- the server -------------------------------------------------------------------------------


class ProbeServer:
    """gunicorn on a database of its own. Use as a context manager; `env` is the environment
    it runs with, so the probe can open the same database in-process (django.setup())."""

    def __init__(
        self,
        name: str,
        *,
        database_url: str,
        redis_url: str,
        workers: int = 3,
        settings: dict[str, str] | None = None,
    ):
        self.name = name
        self.database_url = database_url
        self.redis_url = redis_url
        self.workers = workers
        self.work = Path(tempfile.mkdtemp(prefix=f"{name}-probe-"))
        self.log_path = self.work / "gunicorn.log"
        # Beside the database it belongs to, emptied with it.
        database = urlsplit(database_url).path.lstrip("/") or name
        self.media = Path(tempfile.gettempdir()) / f"{database}-probe-media"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.keep_log = False  # set by a probe that found something in it
        # Exactly what the README asks a deployer to set (nothing from a developer's .env:
        # the real environment wins over it, so every variable .env might set is given).
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "governance.settings",
            "DEBUG": "false",
            "SECRET_KEY": f"{name}-probe-{secrets.token_hex(24)}-not-a-real-secret",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "CSRF_TRUSTED_ORIGINS": "",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "STATIC_ROOT": str(self.work / "static"),
            "MEDIA_ROOT": str(self.media),
            "SECURE_COOKIES": "true",
            # Plain HTTP straight to gunicorn, from many loopback addresses (one per
            # resident), as if each were the TLS proxy's client: no redirect to https.
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_URL": "consolemail://",
            "SMS_BACKEND": "meetings.sms.ConsoleBackend",
            "LOG_LEVEL": "WARNING",
            **(settings or {}),
        }

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop(keep_log=True)
            raise
        return self

    def __exit__(self, *exc):
        self.stop(keep_log=self.keep_log or exc[0] is not None)

    def _manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True)

    def _create_database(self) -> None:
        import psycopg
        from psycopg import sql

        url = urlsplit(self.database_url)
        if not url.scheme.startswith("postgres"):
            raise SystemExit(f"{self.name}: the probe runs on PostgreSQL, not {url.scheme}")
        name = url.path.lstrip("/")
        admin_url = url._replace(path="/postgres").geturl()
        # A new database every run: the fuzz edits what it finds (names, scopes, statuses), so
        # a kept one would neither give the same run twice nor take the demo seed again.
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(self.name, f"created database {name}")
        shutil.rmtree(self.media, ignore_errors=True)  # the photos of the dropped database

    def _empty_redis(self) -> None:
        if not self.redis_url:
            return
        import redis

        redis.Redis.from_url(self.redis_url, socket_connect_timeout=2).flushdb()

    def start(self) -> None:
        started = time.monotonic()
        say(self.name, f"database {self.database_url}, redis {self.redis_url or '(none)'}")
        self._create_database()
        self._empty_redis()
        self._manage("migrate", "--noinput", "-v", "0")
        self._manage("collectstatic", "--noinput", "-v", "0")
        self._manage("seed_demo", "--i-know-this-is-not-production", "-v", "0")
        with open(self.log_path, "wb") as log:
            # No control socket: it would be shared (~/.gunicorn/) with any other gunicorn.
            self.process = subprocess.Popen(
                [
                    venv_tool("gunicorn"),
                    "governance.wsgi",
                    "--bind",
                    f"{HOST}:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--no-control-socket",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for _ in range(120):
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited; see {self.log_path}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as s:
                    s.sendall(f"GET /healthz HTTP/1.0\r\nHost: {HOST}\r\n\r\n".encode())
                    if b" 200 " in s.recv(64):
                        break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            raise SystemExit(f"{self.name}: gunicorn did not answer /healthz; see {self.log_path}")
        say(
            self.name,
            f"gunicorn ({self.workers} workers, pid {self.process.pid}) on {self.base}, "
            f"ready in {time.monotonic() - started:.0f} s",
        )

    def stop(self, *, keep_log: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if keep_log and self.log_path.exists():
            kept = Path(tempfile.gettempdir()) / f"{self.name}-gunicorn-{self.port}.log"
            shutil.copyfile(self.log_path, kept)
            say(self.name, f"the server's log is kept in {kept}")
        shutil.rmtree(self.work, ignore_errors=True)

    def log_errors(self) -> list[str]:
        """The server's error lines so far: each 'Internal Server Error: <path>' with the
        exception that ended its traceback."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(errors="replace").splitlines()
        found, current = [], None
        for line in lines:
            if line.startswith("Internal Server Error:") or "[CRITICAL] WORKER TIMEOUT" in line:
                if current:
                    found.append(current)
                current = line.strip()
            elif current and re.match(r"^[\w.]+(Error|Exception|Warning)\b", line):
                found.append(f"{current} -> {line.strip()}")
                current = None
        if current:
            found.append(current)
        return found


# --- the client -------------------------------------------------------------------------------


@dataclass
class Response:
    status: int  # 0: no answer (the connection closed or timed out)
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float
    error: str = ""
    reset: bool = False  # closed by the server while the request was still being sent

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return urlsplit(self.header("location")).path if self.header("location") else ""


def _parse(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    if any(k.lower() == "transfer-encoding" and "chunked" in v for k, v in headers):
        decoded, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            decoded, rest = decoded + rest[:size], rest[size + 2 :]
        body = decoded
    return status, headers, body


def multipart(fields: list[tuple[str, object]], boundary: str | None = None) -> tuple[str, bytes]:
    """A multipart/form-data body: (name, str) fields and (name, (filename, bytes, type)) files."""
    boundary = boundary or f"probe{secrets.token_hex(12)}"
    out = []
    for name, value in fields:
        if isinstance(value, tuple):
            filename, data, kind = value
            out.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
        else:
            data = value if isinstance(value, bytes) else str(value).encode()
            out.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + data
                + b"\r\n"
            )
    out.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(out)


def form_encoded(fields) -> bytes:
    """application/x-www-form-urlencoded; fields a dict or (name, value) pairs, a list value
    sent once per item."""
    pairs = []
    for name, value in fields.items() if isinstance(fields, dict) else fields:
        for v in value if isinstance(value, list) else [value]:
            pairs.append((name, v))
    return urlencode(pairs, doseq=False).encode()


def url_path(path: str, query=None) -> str:
    """The request target: the path's unsafe characters percent-encoded, and the query."""
    target = quote(path, safe="/%:@!$&'()*+,;=-._~")
    if query:
        pairs = query.items() if isinstance(query, dict) else query
        flat = [(k, v) for k, vs in pairs for v in (vs if isinstance(vs, list) else [vs])]
        target += "?" + urlencode(flat)
    return target


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = CSRF_INPUT.search(html)
    return found[1] if found else ""


@dataclass
class Browser:
    """One visitor: its cookies and the address it comes from."""

    port: int
    source: str = HOST
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    token: str = ""  # the CSRF token of the last form page read

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep_cookies(self, headers) -> None:
        for name, value in headers:
            if name.lower() != "set-cookie":
                continue
            pair, _, attributes = value.partition(";")
            key, _, val = pair.partition("=")
            gone = re.search(r"max-age=0\b|expires=thu, 01 jan 1970", attributes, re.I)
            if gone:
                self.cookies.pop(key.strip(), None)
            else:
                self.cookies[key.strip()] = val.strip().strip('"')

    async def request(
        self,
        method: str,
        path: str,
        *,
        query=None,
        data=None,
        files: list | None = None,
        body: bytes | None = None,
        content_type: str = "",
        headers: dict[str, str] | None = None,
        raw_target: str | None = None,
    ) -> Response:
        """data: form fields (urlencoded, or multipart with `files`); body: bytes as they are."""
        if files is not None:
            fields = list(data.items() if isinstance(data, dict) else (data or []))
            flat = [(k, x) for k, v in fields for x in (v if isinstance(v, list) else [v])]
            content_type, body = multipart(flat + files)
        elif data is not None:
            content_type, body = "application/x-www-form-urlencoded", form_encoded(data)
        head = {"Host": f"{HOST}:{self.port}", "User-Agent": "governance-probe"}
        if self.cookies:
            head["Cookie"] = self.cookie_header()
        if body is not None:
            head["Content-Type"] = content_type
            head["Content-Length"] = str(len(body))
        head.update(headers or {})
        head["Connection"] = "close"
        target = raw_target if raw_target is not None else url_path(path, query)
        lines = [f"{method} {target} HTTP/1.1", *(f"{k}: {v}" for k, v in head.items())]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + (body or b"")
        response = await self.send(raw)
        self._keep_cookies(response.headers)
        return response

    async def send(self, raw: bytes) -> Response:
        """Send these bytes as they are and read the answer."""
        started = time.perf_counter()
        writer, sent_all = None, False
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(
                    HOST, self.port, local_addr=(self.source, 0)
                )
                try:
                    writer.write(raw)
                    await writer.drain()
                    sent_all = True
                except ConnectionError:
                    pass  # it answered (and closed) before reading all: read what it said
                answer = await reader.read()
        except (TimeoutError, OSError) as error:
            seconds = time.perf_counter() - started
            if not sent_all and isinstance(error, ConnectionError):
                # The server answered before reading the whole request and closed the
                # connection; the kernel's reset then lost the answer. Not an error page:
                # one would be in the server's log (see ProbeServer.log_errors).
                return Response(0, [], b"", seconds, "reset while sending", reset=True)
            return Response(0, [], b"", seconds, type(error).__name__)
        finally:
            if writer is not None:
                writer.close()
        seconds = time.perf_counter() - started
        if not answer:
            return Response(0, [], b"", seconds, "closed without an answer", reset=not sent_all)
        try:
            status, headers, content = _parse(answer)
        except (ValueError, IndexError):
            return Response(0, [], answer, seconds, "unreadable answer")
        return Response(status, headers, content, seconds)

    async def get(self, path: str, query=None, **kwargs) -> Response:
        return await self.request("GET", path, query=query, **kwargs)

    async def post(self, path: str, data=None, **kwargs) -> Response:
        return await self.request("POST", path, data=data, **kwargs)

    async def login(self, username: str, password: str) -> bool:
        """Through the real login page, once; the session cookie is then reused."""
        page = await self.get("/accounts/login/")
        token = csrf_from(page.text)
        answer = await self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        return answer.status == 302 and "sessionid" in self.cookies
