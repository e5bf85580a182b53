"""A stand-in for an SMS provider's HTTP API on 127.0.0.1, for the providers' tests: the
official SDK is pointed at it (SMS_PROVIDER_ENDPOINT) and talks to it as to the provider.
It keeps every request it received and gives the answers it was told to, in order (then
the provider's success), one of which may be to say nothing until the client gave up."""

import importlib
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest


def sdk_or_skip(module: str):
    """Import a provider's SDK; without it skip the module, unless REQUIRE_SMS_SDK is set
    (CI installs requirements-sms.txt and sets it: there a missing SDK fails)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("REQUIRE_SMS_SDK"):
            raise
        pytest.skip(
            f"{module} is not installed: pip install -r requirements-sms.txt "
            "(REQUIRE_SMS_SDK=1 makes this a failure)",
            allow_module_level=True,
        )


@dataclass
class Received:
    action: str  # the API's action, from its header (X-Acs-Action, X-TC-Action)
    query: dict  # the query string's parameters
    body: dict  # a JSON body's, or a form's, parameters
    headers: dict


@dataclass
class Answer:
    status: int = 200
    body: dict | None = None
    silent: bool = False  # say nothing until the test ends: the client times out


SILENCE = Answer(silent=True)


@dataclass
class StubProvider:
    success: dict  # the body of the provider's answer when a text was taken
    content_type: str = "application/json"
    received: list[Received] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self):
        self.released = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                kind = self.headers.get("Content-Type", "")
                body = json.loads(raw) if raw and "json" in kind else dict(parse_qsl(raw))
                stub.received.append(
                    Received(
                        action=self.headers.get("X-Acs-Action")
                        or self.headers.get("X-TC-Action", ""),
                        query=dict(parse_qsl(urlsplit(self.path).query)),
                        body=body,
                        headers=dict(self.headers),
                    )
                )
                answer = stub.answers.pop(0) if stub.answers else Answer(body=stub.success)
                if answer.silent:
                    stub.released.wait(timeout=10)
                    return
                payload = json.dumps(answer.body or {}).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", stub.content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client is gone

            def log_message(self, format, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def answer(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
