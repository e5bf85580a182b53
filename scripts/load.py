"""Load probe: a crowd of residents filing appeals at once, against gunicorn on PostgreSQL.

    make load                                   # 100 residents for 60 s
    .venv/bin/python scripts/load.py --users 20 --duration 10

Starts its own server as the README's production steps do (DEBUG off, 3 sync workers, its own
database LOAD_DATABASE_URL, default governance_load, migrated and seeded; its own Redis
database LOAD_REDIS_URL; the public rate limits raised, since every resident comes from
127.0.0.1). Each resident, until the time is up: opens the form (its CSRF cookie and token),
files a valid appeal (some with a photo), follows to the page with its tracking code, and
sometimes opens the tracking page; a short pause between steps.

Prints the requests, the throughput, p50/p95/p99 and errors per kind; then checks in the
database that every tracking code the residents were given is stored exactly once and that no
appeal of this run was stored without one; then measures the server time of the form page
alone (in-process, after warm-up). Exits non-zero on any error or failed check. Figures, not
a test: the targets (0 errors, p95 under 1.5 s, the form under 10 ms) are printed beside them.
"""

import argparse
import asyncio
import io
import os
import random
import re
import secrets
import statistics
import sys
import time
from collections import Counter, defaultdict

import probes
from probes import Browser, ProbeServer, csrf_from, percentile, say

KINDS = ["form", "submit", "submitted", "track"]
LABELS = {
    "form": "form GET",
    "submit": "submit POST",
    "submitted": "code page",
    "track": "tracking page",
}
RAISED = "1000000"  # every resident shares 127.0.0.1: the per-address limits must not bite


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="concurrent residents")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between steps (s)")
    parser.add_argument("--photos", type=float, default=0.2, help="share of appeals with a photo")
    parser.add_argument("--track", type=float, default=0.3, help="share that open tracking")
    parser.add_argument(
        "--server-time-requests", type=int, default=300, help="form GETs timed in-process"
    )
    parser.add_argument("--seed", type=int, default=None)
    return parser.parse_args()


def photo_jpeg() -> bytes:
    """A phone-sized photo (1600x1200, about 100 kB): noise so it does not compress away."""
    from PIL import Image

    image = Image.frombytes("RGB", (400, 300), os.urandom(400 * 300 * 3)).resize((1600, 1200))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


class Choices:
    """The estates, buildings and categories the form offers (read from the page once)."""

    def __init__(self, html: str):
        def options(name):
            block = re.search(rf'<select name="{name}".*?</select>', html, re.S)
            return re.findall(r'<option value="(\d+)"([^>]*)>', block[0]) if block else []

        self.estates = [value for value, _ in options("estate")]
        self.categories = [value for value, _ in options("category")]
        self.buildings = defaultdict(list)
        for value, attrs in options("building"):
            estate = re.search(r'data-estate="(\d+)"', attrs)
            if estate:
                self.buildings[estate[1]].append(value)
        if not (self.estates and self.categories):
            raise SystemExit("load: the form offers no estates or categories (seeded?)")

    def pick(self, rng: random.Random) -> dict:
        estate = rng.choice(self.estates)
        building = rng.choice(self.buildings[estate] + [""])
        return {"estate": estate, "building": building, "category": rng.choice(self.categories)}


class Run:
    def __init__(self, args, port: int):
        self.args = args
        self.port = port
        self.id = secrets.token_hex(4)
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, Counter] = defaultdict(Counter)
        self.acknowledged: dict[str, str] = {}  # marker -> tracking code
        self.choices: Choices | None = None
        self.photo = photo_jpeg()
        self.deadline = 0.0

    async def step(self, kind: str, call, expect: int):
        response = await call
        self.times[kind].append(response.seconds)
        if response.status != expect:
            self.errors[kind][response.status or response.error] += 1
            return None
        return response

    async def pause(self, rng):
        await asyncio.sleep(rng.uniform(0.5, 1.5) * self.args.think)

    async def resident(self, number: int):
        rng = random.Random(f"{self.args.seed}-{number}")
        await asyncio.sleep(rng.uniform(0, 2 * self.args.think))  # not all at the same instant
        n = 0
        while time.monotonic() < self.deadline:
            browser = Browser(self.port)  # a new visitor each time: no cookies yet
            form = await self.step("form", browser.get("/appeals/new/"), 200)
            if form is None:
                await self.pause(rng)
                continue
            self.choices = self.choices or Choices(form.text)
            await self.pause(rng)
            n += 1
            marker = f"[load {self.id} r{number} #{n}]"
            data = {
                "csrfmiddlewaretoken": csrf_from(form.text),
                **self.choices.pick(rng),
                "title": f"负载测试 {marker}",
                "description": f"压力测试的诉求 {marker}：楼道灯不亮。",
                "contact_name": "测试居民",
                "contact_phone": f"139{rng.randrange(10**8):08d}",
                "consent": "on",
                "website": "",
            }
            files = None
            if rng.random() < self.args.photos:
                files = [("photos", ("photo.jpg", self.photo, "image/jpeg"))]
            sent = await self.step("submit", browser.post("/appeals/new/", data, files=files), 302)
            if sent is None:
                continue
            found = re.fullmatch(r"/appeals/submitted/([^/]+)/", sent.location)
            if not found:
                self.errors["submit"][f"sent to {sent.location or '(nowhere)'}"] += 1
                continue
            code = found[1]
            self.acknowledged[marker] = code
            page = await self.step("submitted", browser.get(sent.location), 200)
            if page is not None and code not in page.text:
                self.errors["submitted"]["code not shown"] += 1
            if rng.random() < self.args.track:
                await self.pause(rng)
                await self.step("track", browser.get(f"/appeals/track/{code}/"), 200)
            await self.pause(rng)

    async def warm_up(self) -> None:
        """A few form pages per worker first, not counted: the figures are the steady state,
        not each worker's first imports and connections."""
        browser = Browser(self.port)
        await asyncio.gather(*(browser.get("/appeals/new/") for _ in range(4 * self.args.workers)))

    async def run(self) -> float:
        await self.warm_up()
        started = time.monotonic()
        self.deadline = started + self.args.duration
        residents = [self.resident(i) for i in range(self.args.users)]
        progress = asyncio.create_task(self.progress(started))
        await asyncio.gather(*residents)
        progress.cancel()
        return time.monotonic() - started

    async def progress(self, started):
        while True:
            await asyncio.sleep(10)
            done = sum(len(t) for t in self.times.values())
            errors = sum(sum(c.values()) for c in self.errors.values())
            say(
                "load",
                f"{time.monotonic() - started:4.0f} s: {done} requests, "
                f"{len(self.acknowledged)} appeals filed, {errors} errors",
            )

    def report(self, seconds: float) -> int:
        total = sum(len(t) for t in self.times.values())
        print()
        print(f"{'kind':<14}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
        for kind in KINDS:
            times = [t * 1000 for t in self.times[kind]]
            errors = sum(self.errors[kind].values())
            print(
                f"{LABELS[kind]:<14}{len(times):>9}{errors:>8}{percentile(times, 50):>9.0f}"
                f"{percentile(times, 95):>9.0f}{percentile(times, 99):>9.0f}"
            )
        every = [t * 1000 for kind in KINDS for t in self.times[kind]]
        errors = sum(sum(c.values()) for c in self.errors.values())
        print(
            f"{'all':<14}{total:>9}{errors:>8}{percentile(every, 50):>9.0f}"
            f"{percentile(every, 95):>9.0f}{percentile(every, 99):>9.0f}"
        )
        print(
            f"throughput: {total / seconds:.1f} requests/s over {seconds:.0f} s; "
            f"{len(self.acknowledged)} appeals filed ({len(self.acknowledged) / seconds:.1f}/s)"
        )
        for kind in KINDS:
            if self.errors[kind]:
                print(f"errors, {LABELS[kind]}: {dict(self.errors[kind])}")
        worst = percentile(every, 95)
        print(
            f"targets: 0 errors ({'met' if not errors else 'MISSED'}), p95 under 1500 ms "
            f"({'met' if worst < 1500 else 'MISSED'}: {worst:.0f} ms)"
        )
        return errors

    def check_stored(self) -> bool:
        """Every acknowledged code stored exactly once, and nothing of this run without one."""
        from meetings.models import Appeal
        from meetings.tracking import normalize_code

        stored = defaultdict(list)
        rows = Appeal.objects.filter(description__contains=f"[load {self.id} ")
        for code, description in rows.values_list("code", "description"):
            marker = re.search(r"\[load [^\]]+\]", description)[0]
            stored[marker].append(code)
        missing = [m for m in self.acknowledged if not stored.get(m)]
        twice = [m for m, codes in stored.items() if len(codes) > 1]
        wrong = [
            m
            for m, code in self.acknowledged.items()
            if stored.get(m) and normalize_code(code) not in stored[m]
        ]
        unacknowledged = [m for m in stored if m not in self.acknowledged]
        print(
            f"check: {len(self.acknowledged)} codes given, {sum(map(len, stored.values()))} "
            f"appeals stored; missing {len(missing)}, stored twice {len(twice)}, "
            f"under another code {len(wrong)}, stored without a code given "
            f"{len(unacknowledged)}"
        )
        return not (missing or twice or wrong or unacknowledged)


def form_server_time(requests: int) -> None:
    """The form page's time in the server alone: the Django handler in this process, on the
    same database and cache, with no network and no queueing (a fresh visitor each time)."""
    from django.test import Client

    client = Client(HTTP_HOST=probes.HOST)
    for _ in range(30):  # warm-up: templates, connections, translations
        client.cookies.clear()
        client.get("/appeals/new/")
    walls, cpu_started = [], time.process_time()
    for _ in range(requests):
        client.cookies.clear()
        started = time.perf_counter()
        status = client.get("/appeals/new/").status_code
        walls.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"load: the form page answered {status} in-process")
    cpu = (time.process_time() - cpu_started) * 1000 / requests
    median = statistics.median(walls)
    print(
        f"form GET, server time alone ({requests} requests in-process): median {median:.1f} ms, "
        f"p95 {percentile(walls, 95):.1f} ms, CPU {cpu:.1f} ms per request "
        f"(target under 10 ms: {'met' if median < 10 else 'MISSED'})"
    )


def main() -> int:
    args = arguments()
    args.seed = args.seed if args.seed is not None else random.randrange(10**6)
    server = ProbeServer(
        "load",
        database_url=os.environ.get(
            "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/governance_load"
        ),
        redis_url=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13"),
        workers=args.workers,
        settings={
            "APPEAL_SUBMIT_LIMIT": RAISED,
            "APPEAL_TRACK_LIMIT": RAISED,
            "APPEAL_KEEP_PHOTOS_LIMIT": RAISED,
        },
    )
    with server:
        os.environ.update(server.env)
        sys.path.insert(0, str(probes.ROOT))
        import django

        django.setup()
        run = Run(args, server.port)
        say(
            "load",
            f"{args.users} residents for {args.duration:.0f} s (seed {args.seed}, "
            f"pause {args.think:.1f} s on average, {args.photos:.0%} with a photo)",
        )
        seconds = asyncio.run(run.run())
        errors = run.report(seconds)
        stored_once = run.check_stored()
        form_server_time(args.server_time_requests)
        server_errors = server.log_errors()
        for line in server_errors[:20]:
            print(f"server: {line}")
        server.keep_log = bool(server_errors)
    failed = errors or not stored_once or server_errors
    print("load: FAILED" if failed else "load: OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
