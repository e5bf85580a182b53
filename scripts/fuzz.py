"""Fuzz probe: thousands of hostile requests to every public and staff page of a real server.

    make fuzz                                   # at least 10,000 requests
    .venv/bin/python scripts/fuzz.py --requests 2000 --seed 7

Starts its own server as the README's production steps do (DEBUG off, gunicorn, its own
database FUZZ_DATABASE_URL, default governance_fuzz, migrated and seeded with the demo; its
own Redis database FUZZ_REDIS_URL), with the public rate limits raised so the fuzz is not all
429s; the residents come from many addresses (127.0.1.x), and a last round from one address
goes over the limits on purpose.

What it sends: the public pages (home, the appeal form as GET and as POST with hostile fields,
photos and broken multipart, the tracking look-up and pages with bad codes, withdrawals and
return-visit answers, posters with bad ids, the language switch, static files), and, logged in
through the real login page as `guangda` (community staff) and `admin` (superuser), every
admin list with hostile filter, search, order and page values, every add and change page and
every form on them posted back with hostile values (formset counts up to 2147483648 too),
change, history and delete pages with bad ids, every appeal action and meeting page, the
autocompletes with hostile terms; bad CSRF tokens, forged X-Forwarded-For, odd methods and
malformed requests; the login page itself with other usernames (so no lockout can shut the
fuzz's own users out); a few huge bodies and decompression bombs.

Prints progress, then the count by status, and every distinct (method, path pattern, status)
that got a 5xx or no answer, with an example and the server's exception. Exits non-zero on
any 5xx or request without an answer, if the rate limits never answered 429, or if fewer than
--requests were sent before --max-seconds (the bound on the run). The database keeps what the
fuzz did to it (it is the fuzz's own; seed_demo tops it up on the next run); --seed repeats
a run's choices.
"""

import argparse
import asyncio
import contextvars
import io
import os
import random
import re
import secrets
import struct
import sys
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import probes
from probes import Browser, ProbeServer, csrf_from, say

sys.path.insert(0, str(probes.ROOT))
from branches.tests.html_forms import read_forms  # noqa: E402 (stdlib only: no Django needed)

PASSWORD = "demo-2026"  # the demo's, published in the README
STAFF = ("guangda", "admin")
TRACK_LIMIT, SUBMIT_LIMIT, KEEP_LIMIT = 60, 10, 30  # per address; the fuzz spreads addresses
OVER = 5  # requests past each limit in the last round
OVER_LIMITS = 2 * OVER
RESIDENT_ADDRESSES = [f"127.0.1.{i}" for i in range(1, 251)]
LIMITS_ADDRESS = "127.0.2.1"
LOGIN_ADDRESSES = [f"127.0.3.{i}" for i in range(1, 51)]

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "Infinity",
    "true",
    "null",
    "None",
    "[]",
    "{}",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775807",
    "9223372036854775808",
    "1" + "0" * 30,
    "١٣٩١٢٣٤٥٦٧٨",  # a mobile number in Arabic-Indic digits
    "１３９１２３４５６７８",  # and in full-width ones
    "१३९१२३४५६७८",
    "١٢",
    "\x00",
    "a\x00b",
    "13912345678\x00",
    "'; DROP TABLE meetings_appeal; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% debug %}",
    "../../../../etc/passwd",
    "%",
    "%00",
    "%zz",
    "_",
    "\\",
    "*",
    "a\r\nSet-Cookie: x=1",
    "\u202e\u200b\ufeff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "😀" * 50,
    "\u0301" * 200,
    "测" * 3000,
    "x" * 70_000,
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "24:61",
    "K7QF-93MX",
    "k7qf 93mx",
    "-pk",
    "id__gt",
    "__proto__",
]
COUNTS = ["-1", "0", "1", "7", "50", "51", "1001", "2147483647", "2147483648", "99999999999", "x"]
BAD_IDS = [
    "0",
    "-1",
    "abc",
    "1.5",
    "1e3",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "١٢",
    "１",
    " 1",
    "1;",
    "' OR 1=1 --",
    "%00",
    "a" * 300,
    "_",
]
SCRIPTS = [(0x20, 0x7E), (0xA0, 0x2FF), (0x400, 0x4FF), (0x600, 0x6FF), (0x4E00, 0x9FFF)]


def photo(kind: str, size=(64, 48)) -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb's first bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 4096, 9)  # a few rows: the header is what counts
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def near_limit_png() -> bytes:
    """A real PNG just under the photo pixel limit (6000 x 6000), about 40 kB on the wire."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (6000, 6000), 128).save(out, format="PNG")
    return out.getvalue()


# The kind of request a worker is making (each worker is a task: its own value).
MAKER: contextvars.ContextVar[str] = contextvars.ContextVar("maker", default="prepare")


def statuses(counts: Counter) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))


def raw_request(line: str, *headers: str, body: str = "") -> str:
    return "\r\n".join([line, *headers, "Connection: close", "", body])


@dataclass(frozen=True)
class Seen:
    """One distinct failure: how to recognise it, and the first example."""

    method: str
    pattern: str
    status: int


class Fuzz:
    def __init__(self, args, server: ProbeServer, world: dict):
        self.args = args
        self.server = server
        self.port = server.port
        self.rng = random.Random(args.seed)
        self.world = world
        self.sent = 0
        self.statuses: Counter = Counter()
        self.by_part: dict[str, Counter] = defaultdict(Counter)
        self.failures: dict[Seen, tuple[int, str]] = {}
        self.seconds: Counter = Counter()
        self.patterns: set[tuple[str, str]] = set()  # the distinct (method, path pattern) sent
        self.made: Counter = Counter()
        self.deadline = 0.0
        self.staff: dict[str, Browser] = {}
        self.relogins = Counter()
        self.residents: list[Browser] = []
        self.forms_cache: dict[tuple[str, str], list] = {}
        self.images = {
            "jpeg": photo("JPEG"),
            "png": photo("PNG"),
            "gif": photo("GIF"),
            "bmp": photo("BMP"),
            "webp": photo("WEBP"),
            "bomb": png_declaring(30_000, 30_000),
            "wide": png_declaring(2**31 - 1, 1),
        }

    # --- values -----------------------------------------------------------------------------

    def value(self) -> str:
        if self.rng.random() < 0.7:
            return self.rng.choice(HOSTILE)
        low, high = self.rng.choice(SCRIPTS)
        n = self.rng.randrange(0, 40)
        text = "".join(chr(self.rng.randint(low, high)) for _ in range(n))
        if self.rng.random() < 0.1:
            text += "\x00"
        return text

    def values(self):
        return self.value() if self.rng.random() < 0.85 else [self.value(), self.value()]

    def bad_id(self) -> str:
        return self.rng.choice(BAD_IDS)

    # --- sending and counting -----------------------------------------------------------------

    async def hit(self, part: str, pattern: str, browser: Browser, method: str, path: str, **kw):
        response = await browser.request(method, path, **kw)
        self.count(part, response)
        self.patterns.add((method, pattern))
        if response.status >= 500 or (response.status == 0 and not response.reset):
            seen = Seen(method, pattern, response.status)
            if seen not in self.failures:
                example = f"{method} {path} {kw.get('query') or ''} {str(kw.get('data'))[:300]}"
                self.failures[seen] = (0, f"{example} {response.error}".strip())
            count, example = self.failures[seen]
            self.failures[seen] = (count + 1, example)
        if part == "staff" and response.status == 302 and "login" in response.location:
            await self.relogin(browser)
        return response

    def count(self, part: str, response) -> None:
        status = "reset" if response.reset else response.status
        self.sent += 1
        self.statuses[status] += 1
        self.by_part[part][status] += 1
        self.seconds[MAKER.get()] += response.seconds
        self.made[MAKER.get()] += 1

    async def relogin(self, browser: Browser) -> None:
        """A staff page that sent us to the login page: this session ended (a fuzzed form
        logged it out or changed its user). Log in again, a few times at most."""
        user = next((u for u, b in self.staff.items() if b is browser), None)
        if user is None or self.relogins[user] >= 5:
            return
        self.relogins[user] += 1
        browser.cookies.clear()
        await browser.login(user, PASSWORD)

    def resident(self) -> Browser:
        return self.rng.choice(self.residents)

    # --- public pages ---------------------------------------------------------------------------

    async def public_get(self):
        b = self.resident()
        path, pattern = self.rng.choice(
            [
                ("/", "/"),
                ("/appeals/new/", "/appeals/new/"),
                ("/appeals/track/", "/appeals/track/"),
                ("/healthz", "/healthz"),
                ("/i18n/setlang/", "/i18n/setlang/"),
                ("/accounts/login/", "/accounts/login/"),
                ("/admin/login/", "/admin/login/"),
                ("/scoreboard/", "/scoreboard/"),
                (f"/scoreboard/estates/{self.value()[:12]}/", "/scoreboard/estates/<id>/"),
                ("/dashboard/zeros/", "/dashboard/zeros/"),
                ("/dashboard/zeros/export.csv", "/dashboard/zeros/export.csv"),
            ]
        )
        names = ["estate", "building", "code", "next", "q", "language", "period", "community"]
        names.append(self.value()[:20])
        query = {self.rng.choice(names): self.values() for _ in range(self.rng.randrange(4))}
        headers = self.hostile_headers()
        await self.hit("public", f"GET {pattern}", b, "GET", path, query=query, headers=headers)

    def hostile_headers(self) -> dict:
        headers = {}
        if self.rng.random() < 0.3:
            headers["X-Forwarded-For"] = self.rng.choice(
                ["1.2.3.4", "1.2.3.4, 127.0.0.1", "unknown", "::1", "999.1.1.1", "a" * 500, ""]
            )
        if self.rng.random() < 0.1:
            headers["Accept-Language"] = self.rng.choice(["en", "zh-hans", "*;q=x", "x" * 300])
        if self.rng.random() < 0.1:
            headers["Cookie"] = self.rng.choice(
                [
                    "django_language=xx",
                    "django_language=en; csrftoken=" + "x" * 64,
                    "sessionid=" + "A" * 40,
                    "sessionid=../../etc; csrftoken=短",
                    "csrftoken=",
                ]
            )
        if self.rng.random() < 0.05:
            headers["X-Forwarded-Proto"] = self.rng.choice(["https", "gopher", ""])
        return headers

    def appeal_fields(self) -> dict:
        w = self.world
        estate = self.rng.choice(w["estates"])
        return {
            "estate": str(estate),
            "building": self.rng.choice(w["buildings_of"].get(estate, []) + [""]),
            "category": str(self.rng.choice(w["categories"])),
            "title": "楼道灯坏了",
            "description": "3单元楼道灯一周没亮。",
            "contact_name": "张阿姨",
            "contact_phone": f"139{self.rng.randrange(10**8):08d}",
            "consent": "on",
            "website": "",
        }

    async def public_form_post(self):
        b = self.resident()
        if not b.token or self.rng.random() < 0.05:
            page = await self.hit("public", "GET /appeals/new/", b, "GET", "/appeals/new/")
            b.token = csrf_from(page.text)
        data = self.appeal_fields()
        # Mostly one or a few hostile fields in an otherwise good appeal, so the fuzz gets past
        # the first check; sometimes nothing but hostile values.
        if self.rng.random() < 0.2:
            data = {}
        for _ in range(self.rng.randrange(0, 4)):
            name = self.rng.choice([*data, "remove_kept", "photos", self.value()[:30]])
            data[name] = self.values()
        data["csrfmiddlewaretoken"] = b.token
        files = None
        if self.rng.random() < 0.35:
            files = [self.upload() for _ in range(self.rng.choice([1, 1, 2, 3, 4]))]
        await self.hit(
            "public", "POST /appeals/new/", b, "POST", "/appeals/new/", data=data, files=files
        )

    def upload(self):
        kind = self.rng.choice(
            ["jpeg", "png", "gif", "bmp", "webp", "bomb", "wide", "text", "empty", "cut"]
        )
        name = self.rng.choice(
            ["photo.jpg", "../../etc/passwd", "a\x00.jpg", "照片.png", "x" * 300, "", "p.exe"]
        )
        if kind == "text":
            data = b"#!/bin/sh\necho hello\n"
        elif kind == "empty":
            data = b""
        elif kind == "cut":
            data = self.images["jpeg"][: len(self.images["jpeg"]) // 2]
        else:
            data = self.images[kind]
        content_type = self.rng.choice(["image/jpeg", "image/png", "text/plain", "", "x/\x00"])
        return ("photos", (name, data, content_type))

    async def public_multipart_raw(self):
        """Multipart bodies that are broken in themselves."""
        b = self.resident()
        if not b.token:
            page = await self.hit("public", "GET /appeals/new/", b, "GET", "/appeals/new/")
            b.token = csrf_from(page.text)
        token = b.token
        boundary = "probe" + secrets.token_hex(6)
        part = f"--{boundary}\r\nContent-Disposition: form-data; "
        good = f'{part}name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        end = f"--{boundary}--\r\n"
        bodies = {
            "no final boundary": f'{good}{part}name="title"\r\n\r\nx',
            "wrong boundary": good.replace(boundary, "other") + end,
            "no name": f"{good}--{boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n{end}",
            "garbage disposition": f"{good}--{boundary}\r\nContent-Disposition: \x00;;==\r\n\r\n"
            f"x\r\n{end}",
            "bad utf-8": f'{good}{part}name="title"\r\n\r\n\udcff\udcfe\r\n{end}',
            "base64 part": f'{good}{part}name="photos"; filename="a.jpg"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n{end}",
            "many fields": good
            + "".join(f'{part}name="f{i}"\r\n\r\n{i}\r\n' for i in range(1100))
            + end,
            "many files": good
            + "".join(
                f'{part}name="photos"; filename="{i}.jpg"\r\nContent-Type: image/jpeg\r\n\r\nx\r\n'
                for i in range(120)
            )
            + end,
            "empty": "",
        }
        name = self.rng.choice(sorted(bodies))
        body = bodies[name].encode("utf-8", "surrogateescape")
        content_type = self.rng.choice(
            [
                f"multipart/form-data; boundary={boundary}",
                "multipart/form-data",
                f"multipart/form-data; boundary={boundary}; charset=utf-99",
                f"multipart/mixed; boundary={boundary}",
                "application/x-www-form-urlencoded",
                "application/json",
                "text/plain; charset=\x00",
            ]
        )
        await self.hit(
            "public",
            f"POST /appeals/new/ (multipart: {name})",
            b,
            "POST",
            "/appeals/new/",
            body=body,
            content_type=content_type,
        )

    async def public_urlencoded_raw(self):
        b = self.resident()
        if not b.token:
            page = await self.hit("public", "GET /appeals/new/", b, "GET", "/appeals/new/")
            b.token = csrf_from(page.text)
        token = b.token
        body = self.rng.choice(
            [
                f"csrfmiddlewaretoken={token}&title=%zz%&estate=%ff%fe",
                f"csrfmiddlewaretoken={token}&" + "&".join(f"a{i}=1" for i in range(1200)),
                f"csrfmiddlewaretoken={token}&estate=1&estate=2&estate=%00&consent=on&consent=off",
                f"csrfmiddlewaretoken={token}&=&&&==&%00=%00",
            ]
        )
        path = self.rng.choice(["/appeals/new/", "/appeals/track/K7QF-93MX/", "/i18n/setlang/"])
        await self.hit(
            "public",
            f"POST {path} (raw form)",
            b,
            "POST",
            path,
            body=body.encode(),
            content_type="application/x-www-form-urlencoded",
        )

    async def public_bad_csrf(self):
        b = Browser(self.port, source=self.rng.choice(RESIDENT_ADDRESSES))
        case = self.rng.choice(["no cookie", "mismatch", "short", "non-ascii", "other session"])
        data = self.appeal_fields()
        if case != "no cookie":
            await b.get("/appeals/new/")
            self.sent += 1
        if case == "mismatch":
            data["csrfmiddlewaretoken"] = secrets.token_urlsafe(48)[:64]
        elif case == "short":
            b.cookies["csrftoken"] = "abc"
            data["csrfmiddlewaretoken"] = "abc"
        elif case == "non-ascii":
            b.cookies["csrftoken"] = "令牌" * 16
            data["csrfmiddlewaretoken"] = "令牌" * 16
        elif case == "other session":
            other = self.resident()
            data["csrfmiddlewaretoken"] = other.token or "x"
        path = self.rng.choice(
            ["/appeals/new/", "/i18n/setlang/", "/accounts/login/", self.track_path()]
        )
        await self.hit("public", f"POST (bad CSRF: {case})", b, "POST", path, data=data)

    def track_path(self) -> str:
        if self.rng.random() < 0.5:
            return f"/appeals/track/{self.rng.choice(self.world['codes'])}/"
        return f"/appeals/track/{self.value()[:40].replace('/', '') or 'x'}/"

    async def public_track(self):
        b = self.resident()
        choice = self.rng.random()
        if choice < 0.3:
            code = self.rng.choice([self.value(), self.rng.choice(self.world["codes"])])
            await self.hit(
                "public",
                "GET /appeals/track/?code=",
                b,
                "GET",
                "/appeals/track/",
                query={"code": code},
            )
        elif choice < 0.6:
            code = self.rng.choice([self.value(), self.rng.choice(self.world["codes"])])
            target = "/appeals/" + self.rng.choice(["track", "submitted"]) + "/"
            code = code.replace("/", "").replace("?", "").replace("#", "") or "x"
            await self.hit("public", f"GET {target}<code>/", b, "GET", f"{target}{code}/")
        else:
            code = self.rng.choice(self.world["codes"])
            page = await self.hit(
                "public", "GET /appeals/track/<code>/", b, "GET", f"/appeals/track/{code}/"
            )
            data = {
                "csrfmiddlewaretoken": csrf_from(page.text),
                "action": self.rng.choice(["withdraw", "answer", "", self.value()]),
                "note": self.value(),
                "solved": self.rng.choice(["yes", "no", self.value()]),
                "satisfaction": self.rng.choice(["satisfied", "basic", self.value()]),
                "comment": self.value(),
            }
            await self.hit(
                "public",
                "POST /appeals/track/<code>/",
                b,
                "POST",
                f"/appeals/track/{code}/",
                data=data,
            )

    async def public_other(self):
        b = self.resident()
        path, pattern = self.rng.choice(
            [
                (f"/appeals/posters/estate/{self.id_or_bad('branches.estate')}/", "poster estate"),
                (
                    f"/appeals/posters/building/{self.id_or_bad('branches.building')}/",
                    "poster building",
                ),
                (
                    f"/appeals/new/kept/{self.rng.choice(['1', '4', '0', '99999999999999'])}/",
                    "kept photo",
                ),
                (
                    f"/static/{self.rng.choice(['../manage.py', 'vendor/x.css', self.value()])}",
                    "static",
                ),
                (f"/media/private/{self.value()}", "media"),
                (f"/{self.value()}", "anything"),
            ]
        )
        method = self.rng.choice(["GET", "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"])
        await self.hit("public", f"{method} {pattern}", b, method, path)

    async def public_setlang(self):
        b = self.resident()
        if not b.token:
            page = await self.hit("public", "GET /appeals/new/", b, "GET", "/appeals/new/")
            b.token = csrf_from(page.text)
        data = {
            "csrfmiddlewaretoken": b.token,
            "language": self.rng.choice(["en", "zh-hans", self.value()]),
            "next": self.rng.choice(
                ["/", "//evil.example/", "https://evil.example/", self.value()]
            ),
        }
        await self.hit("public", "POST /i18n/setlang/", b, "POST", "/i18n/setlang/", data=data)

    async def malformed(self):
        """Requests broken at the HTTP level: gunicorn (or Django) must answer 4xx."""
        b = Browser(self.port, source=self.rng.choice(RESIDENT_ADDRESSES))
        host = f"Host: {probes.HOST}:{self.port}"
        post = "POST /appeals/new/ HTTP/1.1"
        cases = {
            "bad host": raw_request("GET / HTTP/1.1", "Host: evil.example"),
            "no host": raw_request("GET / HTTP/1.1"),
            "long line": raw_request(f"GET /?q={'x' * 9000} HTTP/1.1", host),
            "many headers": raw_request(
                "GET / HTTP/1.1", host, *(f"X-{i}: {i}" for i in range(150))
            ),
            "bad method": raw_request("G\x00T / HTTP/1.1", host),
            "absolute target": raw_request("GET http://evil.example/admin/ HTTP/1.1", host),
            "bad version": raw_request("GET / HTTP/9.9", host),
            "bad length": raw_request(post, host, "Content-Length: -5"),
            "two lengths": raw_request(
                post, host, "Content-Length: 1", "Content-Length: 2", body="ab"
            ),
            "bad chunks": raw_request(
                post, host, "Transfer-Encoding: chunked", body="zz\r\nabc\r\n0\r\n\r\n"
            ),
            "nul in path": raw_request("GET /appeals/\x00/ HTTP/1.1", host),
            "raw utf-8 path": raw_request("GET /appeals/track/码码/ HTTP/1.1", host),
            "bad percent": raw_request("GET /appeals/track/%zz%ff/?code=%ff%fe%00 HTTP/1.1", host),
            "header nul": raw_request("GET / HTTP/1.1", host, "X-A: a\x00b"),
        }
        name = self.rng.choice(sorted(cases))
        raw = cases[name].encode()
        response = await b.send(raw)
        self.count("malformed", response)
        if response.status >= 500 or (response.status == 0 and not response.reset):
            seen = Seen("RAW", name, response.status)
            count, example = self.failures.get(seen, (0, f"{raw[:200]!r} {response.error}"))
            self.failures[seen] = (count + 1, example)

    # --- staff pages ----------------------------------------------------------------------------

    def id_or_bad(self, label: str) -> str:
        ids = self.world["ids"].get(label) or []
        if ids and self.rng.random() < 0.6:
            return str(self.rng.choice(ids))
        return self.bad_id()

    def may_post(self, user: str, path: str, data: dict) -> bool:
        """What the fuzz must not do to itself: change or log out its own users, delete real
        records wholesale, or close every meeting (the outcome pages would then all refuse)."""
        own = {str(self.world["user_ids"][u]) for u in STAFF}
        if "logout" in path:
            return False
        match = re.match(r"/admin/auth/user/([^/]+)/", path)
        if match and match[1] in own:
            return False
        if path.endswith("/delete/") and data.get("post"):
            return not re.match(r"/admin/\w+/\w+/\d+/delete/$", path)
        if data.get("post") == "yes" and data.get("action") == "delete_selected":
            return False
        match = re.match(r"/admin/meetings/meeting/(\d+)/close/$", path)
        return not (match and int(match[1]) % 4)

    async def staff_list(self):
        user = self.rng.choice(STAFF)
        b = self.staff[user]
        url = self.rng.choice(self.world["changelists"])
        names = self.world["list_parameters"].get((user, url)) or ["q", "o", "p"]
        query = {}
        for _ in range(self.rng.randrange(1, 5)):
            query[self.rng.choice(names + ["q", "o", "p", "e", "all", "_to_field", "_popup"])] = (
                self.values()
            )
        await self.hit("staff", f"GET {url}?<hostile>", b, "GET", url, query=query)

    async def staff_page_form(self):
        """A staff page's forms, each posted back as the page gives it with some fields
        replaced by hostile values (formset counts among them)."""
        user = self.rng.choice(STAFF)
        b = self.staff[user]
        url, pattern = self.rng.choice(self.world["pages"])
        key = (user, url)
        if key not in self.forms_cache or self.rng.random() < 0.1:
            page = await self.hit("staff", f"GET {pattern}", b, "GET", url)
            try:
                forms = read_forms(page.text)
            except Exception:  # noqa: BLE001 - a page the reader cannot read is not ours to judge
                forms = []
            self.forms_cache[key] = [
                f for f in forms if (f.attrs.get("method") or "get").lower() == "post"
            ]
            b.token = csrf_from(page.text) or b.token
        forms = self.forms_cache[key]
        if not forms:
            return
        form = self.rng.choice(forms)
        target = urlsplit(form.attrs.get("action") or url).path or url
        data = {k: (v if len(v) > 1 else v[0]) for k, v in form.data().items()}
        data["csrfmiddlewaretoken"] = b.token
        for _ in range(self.rng.randrange(1, 4)):
            names = list(data) or ["x"]
            name = self.rng.choice(names)
            if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
                data[name] = self.rng.choice(COUNTS)
            else:
                data[name] = self.values()
        if self.rng.random() < 0.1:
            for name in [n for n in data if n.endswith("TOTAL_FORMS")]:
                data[name] = self.rng.choice(["2147483648", "1001", "99999999999"])
        if not self.may_post(user, target, data):
            return
        target_pattern = re.sub(r"/\d+/", "/<id>/", target)
        await self.hit("staff", f"POST {target_pattern} (page form)", b, "POST", target, data=data)

    async def staff_object_routes(self):
        """Every route of every admin, with real and bad ids and hostile route values."""
        user = self.rng.choice(STAFF)
        b = self.staff[user]
        route = self.rng.choice(self.world["routes"])
        path = route.prefix
        for part in route.parts:
            if part == "<object_id>":
                path += self.id_or_bad(route.label)
            elif part == "<action>":
                path += self.rng.choice([*self.world["actions"], self.value()[:30] or "x"])
            elif part == "<photo_id>":
                path += str(self.rng.choice(self.world["ids"].get("meetings.appealphoto") or [1]))
            else:
                path += part
        path = path.replace("\x00", "%00")
        method = self.rng.choice(["GET", "GET", "POST", "POST", "POST", "PUT", "HEAD"])
        data = None
        if method == "POST":
            data = {"csrfmiddlewaretoken": b.token}
            fields = []
            if "<action>" in route.parts:
                action = path.rstrip("/").rsplit("/", 1)[-1]
                fields = [f"{action}-{f}" for f in self.world["action_fields"].get(action, [])]
            for name in self.rng.sample(fields, k=min(len(fields), self.rng.randrange(0, 6))):
                data[name] = self.values()
            if self.rng.random() < 0.3:
                data[self.value()[:20] or "x"] = self.values()
            if not self.may_post(user, path, data):
                return
        await self.hit("staff", f"{method} {route.pattern}", b, method, path, data=data)

    async def staff_meeting_post(self):
        user = self.rng.choice(STAFF)
        b = self.staff[user]
        meeting = self.id_or_bad("meetings.meeting")
        page = self.rng.choice(["outcome", "forum", "agenda", "close"])
        path = f"/admin/meetings/meeting/{meeting}/{page}/"
        appeal = self.id_or_bad("meetings.appeal")
        data = {"csrfmiddlewaretoken": b.token}
        if page == "outcome":
            action = self.rng.choice([*self.world["actions"], self.value()[:20]])
            data.update(appeal=appeal, outcome=action)
            for name in self.world["action_fields"].get(action, []):
                if self.rng.random() < 0.7:
                    data[f"o{appeal}-{action}-{name}"] = self.values()
        elif page == "forum":
            data["forum-TOTAL_FORMS"] = self.rng.choice(COUNTS)
            data["forum-INITIAL_FORMS"] = self.rng.choice(COUNTS)
            for i in self.rng.sample([0, 1, 5, 49, 50, 1000], k=3):
                for name in ("title", "category", "building", "contact_name", "contact_phone"):
                    data[f"forum-{i}-{name}"] = self.values()
        elif page == "agenda":
            data["appeals"] = [self.id_or_bad("meetings.appeal") for _ in range(3)] + [self.value()]
        if not self.may_post(user, path, data):
            return
        await self.hit(
            "staff", f"POST /admin/meetings/meeting/<id>/{page}/", b, "POST", path, data=data
        )

    async def staff_autocomplete(self):
        user = self.rng.choice(STAFF)
        b = self.staff[user]
        app_label, model_name, field_name = self.rng.choice(self.world["autocompletes"])
        query = {
            "app_label": app_label if self.rng.random() < 0.9 else self.value(),
            "model_name": model_name if self.rng.random() < 0.9 else self.value(),
            "field_name": field_name if self.rng.random() < 0.9 else self.value(),
            "term": self.values(),
        }
        if self.rng.random() < 0.3:
            query["page"] = self.rng.choice(COUNTS)
        await self.hit(
            "staff", "GET /admin/autocomplete/", b, "GET", "/admin/autocomplete/", query=query
        )

    async def staff_bad_csrf(self):
        user = self.rng.choice(STAFF)
        b = self.staff[user]
        url, pattern = self.rng.choice(self.world["pages"])
        data = {"csrfmiddlewaretoken": self.rng.choice(["", "x" * 64, secrets.token_hex(32)])}
        if not self.may_post(user, url, data):
            return
        await self.hit("staff", f"POST {pattern} (bad CSRF)", b, "POST", url, data=data)

    async def login_page(self):
        """The login pages themselves, with usernames the fuzz does not log in with, from
        addresses of their own: a lockout there shuts nobody the fuzz needs out."""
        b = Browser(self.port, source=self.rng.choice(LOGIN_ADDRESSES))
        path = self.rng.choice(["/accounts/login/", "/admin/login/"])
        page = await self.hit("login", f"GET {path}", b, "GET", path)
        username = self.value()
        if username.strip().lower() in STAFF:
            username = "nobody"
        data = {
            "csrfmiddlewaretoken": csrf_from(page.text),
            "username": username,
            "password": self.value(),
            "next": self.rng.choice(["/admin/", "//evil.example/", self.value()]),
        }
        await self.hit("login", f"POST {path}", b, "POST", path, data=data)

    # --- the run --------------------------------------------------------------------------------

    # Weights: every kind often enough to reach every page, the cheap ones more (the login
    # page is the dearest: a password hash per try).
    MAKERS = [
        ("public_get", 10),
        ("public_form_post", 8),
        ("public_multipart_raw", 3),
        ("public_urlencoded_raw", 1),
        ("public_bad_csrf", 6),
        ("public_track", 10),
        ("public_other", 10),
        ("public_setlang", 1),
        ("malformed", 6),
        ("staff_list", 8),
        ("staff_page_form", 8),
        ("staff_object_routes", 20),
        ("staff_meeting_post", 3),
        ("staff_autocomplete", 8),
        ("staff_bad_csrf", 6),
        ("login_page", 0.5),
    ]

    async def worker(self):
        names = [name for name, _ in self.MAKERS]
        weights = [weight for _, weight in self.MAKERS]
        while self.sent < self.args.requests and time.monotonic() < self.deadline:
            maker = self.rng.choices(names, weights)[0]
            MAKER.set(maker)
            await getattr(self, maker)()

    async def progress(self, started):
        while True:
            await asyncio.sleep(15)
            seconds = time.monotonic() - started
            failures = sum(count for count, _ in self.failures.values())
            say(
                "fuzz",
                f"{seconds:4.0f} s: {self.sent} requests ({self.sent / seconds:.0f}/s), "
                f"{failures} 5xx or unanswered; {statuses(self.statuses)}",
            )

    async def prepare(self):
        for user in STAFF:
            b = Browser(self.port)
            if not await b.login(user, PASSWORD):
                raise SystemExit(f"fuzz: could not log in as {user}")
            self.staff[user] = b
            page = await b.get("/admin/")
            b.token = csrf_from(page.text) or b.cookies.get("csrftoken", "")
            for url in self.world["changelists"]:
                html = (await b.get(url)).text
                names = set()
                for query in re.findall(r'href="\?([^"#]*)"', html):
                    names.update(n for n, _ in parse_qsl(query.replace("&amp;", "&")))
                self.world["list_parameters"][(user, url)] = sorted(names)
            self.sent += 2 + len(self.world["changelists"])
        for address in RESIDENT_ADDRESSES:
            self.residents.append(Browser(self.port, source=address))

    async def limits(self) -> int:
        """From one address: over the look-up limit, then over the filing limit. Counts 429s."""
        MAKER.set("limits")
        b = Browser(self.port, source=LIMITS_ADDRESS)
        limited = 0
        for _ in range(TRACK_LIMIT + OVER):
            response = await self.hit(
                "limits",
                "GET /appeals/track/?code=",
                b,
                "GET",
                "/appeals/track/",
                query={"code": "AAAA-AAAA"},
            )
            limited += response.status == 429
        for _ in range(SUBMIT_LIMIT + OVER):
            page = await self.hit("limits", "GET /appeals/new/", b, "GET", "/appeals/new/")
            data = {**self.appeal_fields(), "csrfmiddlewaretoken": csrf_from(page.text)}
            response = await self.hit(
                "limits", "POST /appeals/new/", b, "POST", "/appeals/new/", data=data
            )
            limited += response.status == 429
        return limited

    async def huge(self) -> list[str]:
        """A few huge bodies, one at a time: over the request limit, over the photo limit, a
        field over Django's memory limit, a picture just under the pixel limit, a bomb."""
        MAKER.set("huge")
        b = self.resident()
        page = await self.hit("huge", "GET /appeals/new/", b, "GET", "/appeals/new/")
        fields = {**self.appeal_fields(), "csrfmiddlewaretoken": csrf_from(page.text)}
        noise = os.urandom(6 * 1024 * 1024)
        cases = [
            ("21 MB of photos", [("photos", (f"{i}.jpg", noise, "image/jpeg")) for i in range(4)]),
            ("one 6 MB photo", [("photos", ("big.jpg", noise, "image/jpeg"))]),
            ("6000x6000 PNG", [("photos", ("near.png", near_limit_png(), "image/png"))]),
            ("30000x30000 bomb", [("photos", ("bomb.png", self.images["bomb"], "image/png"))]),
        ]
        lines = []
        for name, files in cases:
            response = await self.hit(
                "huge",
                f"POST /appeals/new/ ({name})",
                b,
                "POST",
                "/appeals/new/",
                data=fields,
                files=files,
            )
            lines.append(f"{name}: {response.status or response.error} in {response.seconds:.1f} s")
        for name, value in [("a 3 MB field", "x" * (3 * 1024 * 1024))]:
            response = await self.hit(
                "huge",
                f"POST /appeals/new/ ({name})",
                b,
                "POST",
                "/appeals/new/",
                data={**fields, "description": value},
            )
            lines.append(f"{name}: {response.status or response.error} in {response.seconds:.1f} s")
        return lines

    async def run(self) -> dict:
        started = time.monotonic()
        self.deadline = started + self.args.max_seconds
        await self.prepare()
        say("fuzz", f"logged in as {', '.join(STAFF)}; sending {self.args.requests} requests")
        progress = asyncio.create_task(self.progress(started))
        await asyncio.gather(*(self.worker() for _ in range(self.args.concurrency)))
        limited = await self.limits()
        huge = await self.huge()
        progress.cancel()
        staff_ok = {}
        for user, b in self.staff.items():
            staff_ok[user] = (await b.get("/admin/")).status == 200
        return {
            "seconds": time.monotonic() - started,
            "limited": limited,
            "huge": huge,
            "staff_ok": staff_ok,
        }


@dataclass(frozen=True)
class Route:
    label: str  # app_label.model_name
    prefix: str
    parts: tuple  # literal path pieces and the <…> placeholders
    pattern: str


def the_world() -> dict:
    """What the fuzz needs to know of the site, read in-process before it starts: every
    admin's routes and lists, the action table, the ids of real records."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    from branches.models import Building, Estate
    from meetings.admin.actions import ACTIONS
    from meetings.models import Appeal, AppealCategory, AppealPhoto
    from meetings.tracking import format_code

    routes, changelists, pages, autocompletes, ids = [], [], [], [], {}
    apps = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        apps.add(model._meta.app_label)
        changelists.append(prefix)
        ids[label] = list(model.objects.order_by("?").values_list("pk", flat=True)[:40])
        pages += [(prefix, prefix), (f"{prefix}add/", f"{prefix}add/")]
        pages += [(f"{prefix}{pk}/change/", f"{prefix}<id>/change/") for pk in ids[label][:12]]
        for field in model_admin.autocomplete_fields:
            autocompletes.append((model._meta.app_label, model._meta.model_name, field))
        for url in model_admin.get_urls():
            route = str(url.pattern)
            if route in ("", "add/"):
                continue
            # "<path:object_id>/act/<str:action>/" -> ("<object_id>", "/act/", "<action>", "/")
            parts = [re.sub(r"<\w+:(\w+)>", r"<\1>", p) for p in re.split(r"(<[^>]+>)", route)]
            routes.append(Route(label, prefix, tuple(p for p in parts if p), prefix + route))
    ids["meetings.appealphoto"] = list(AppealPhoto.objects.values_list("pk", flat=True)[:20])
    pages += [("/admin/", "/admin/"), ("/admin/password_change/", "/admin/password_change/")]
    pages += [(f"/admin/{app}/", "/admin/<app>/") for app in sorted(apps)]
    buildings_of = defaultdict(list)
    for pk, estate in Building.objects.values_list("pk", "estate_id"):
        buildings_of[estate].append(str(pk))
    users = get_user_model().objects
    return {
        "routes": routes,
        "changelists": changelists,
        "pages": pages,
        "autocompletes": autocompletes,
        "ids": ids,
        "actions": list(ACTIONS),
        "action_fields": {name: list(a.form.base_fields) for name, a in ACTIONS.items()},
        "codes": [format_code(c) for c in Appeal.objects.values_list("code", flat=True)[:200]],
        "estates": list(Estate.objects.values_list("pk", flat=True)),
        "buildings_of": buildings_of,
        "categories": list(AppealCategory.objects.filter(active=True).values_list("pk", flat=True)),
        "user_ids": {u: users.get(username=u).pk for u in STAFF},
        "list_parameters": {},
    }


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="at least this many")
    parser.add_argument("--max-seconds", type=float, default=900, help="stop sending after")
    parser.add_argument("--concurrency", type=int, default=6, help="requests in flight")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--seed", type=int, default=None)
    return parser.parse_args()


def report(fuzz: Fuzz, outcome: dict, server: ProbeServer) -> bool:
    print()
    print(f"fuzz: {fuzz.sent} requests in {outcome['seconds']:.0f} s (seed {fuzz.args.seed})")
    for part, counts in sorted(fuzz.by_part.items()):
        print(f"  {part:<10} {sum(counts.values()):>6}  {statuses(counts)}")
    print(f"  {'all':<10} {fuzz.sent:>6}  {statuses(fuzz.statuses)}")
    print(
        "mean time per request, by kind (ms): "
        + ", ".join(
            f"{maker} {fuzz.seconds[maker] * 1000 / n:.0f}" for maker, n in fuzz.made.most_common()
        )
    )
    print(
        f"rate limits: {outcome['limited']} of the {OVER_LIMITS} requests over the limits from "
        "one address answered 429"
    )
    for line in outcome["huge"]:
        print(f"huge: {line}")
    if fuzz.relogins:
        print(f"sessions logged in again after a fuzzed form ended them: {dict(fuzz.relogins)}")
    failed = False
    if fuzz.failures:
        failed = True
        print("5xx or no answer (method, path pattern, status: count, first example):")
        for seen, (count, example) in sorted(fuzz.failures.items(), key=lambda kv: -kv[1][0]):
            print(f"  {seen.method} {seen.pattern} -> {seen.status or 'no answer'}: {count}")
            print(f"      e.g. {example[:400]!r}")
        errors = server.log_errors()
        if errors:
            print("the server's exceptions (distinct):")
            for line in sorted({re.sub(r"/\d+/", "/<id>/", e) for e in errors})[:40]:
                print(f"  {line[:300]}")
    if fuzz.sent < fuzz.args.requests:
        failed = True
        print(f"only {fuzz.sent} of {fuzz.args.requests} requests sent before --max-seconds")
    if not outcome["limited"]:
        failed = True
        print("the rate limits never answered 429")
    print(f"distinct (method, path pattern) sent: {len(fuzz.patterns)}")
    print(f"staff sessions still logged in at the end: {outcome['staff_ok']}")
    return failed


def main() -> int:
    args = arguments()
    args.seed = args.seed if args.seed is not None else random.randrange(10**6)
    server = ProbeServer(
        "fuzz",
        database_url=os.environ.get(
            "FUZZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/governance_fuzz"
        ),
        redis_url=os.environ.get("FUZZ_REDIS_URL", "redis://127.0.0.1:6379/12"),
        workers=args.workers,
        settings={
            "APPEAL_TRACK_LIMIT": str(TRACK_LIMIT),
            "APPEAL_SUBMIT_LIMIT": str(SUBMIT_LIMIT),
            "APPEAL_KEEP_PHOTOS_LIMIT": str(KEEP_LIMIT),
        },
    )
    with server:
        os.environ.update(server.env)
        import django

        django.setup()
        fuzz = Fuzz(args, server, the_world())
        outcome = asyncio.run(fuzz.run())
        failed = report(fuzz, outcome, server)
        server.keep_log = failed
    print("fuzz: FAILED" if failed else "fuzz: OK (no 5xx)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
