"""Benchmark: the residents' pages, in-process, with DEBUG off.

    .venv/bin/python scripts/bench_public_pages.py [REQUESTS]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance \\
        .venv/bin/python scripts/bench_public_pages.py [REQUESTS]

Builds a throw-away database beside the configured one (SQLite in memory, or
`bench_public_<name>` on PostgreSQL, dropped at the end), seeds the demo world into it,
then for each page makes a few warm-up requests and REQUESTS (default 300) timed ones
through Django's test client, one after another. Prints the mean, median and p95 server
time (the whole request through the middleware, the view and the template; no network),
the median CPU time of the request's thread, and the queries per request. `PROFILE=1`
also prints where the time of the form GET goes (cProfile, the 25 costliest functions by
their own time). Figures, not a test: run it on a quiet machine."""

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.test_settings")
os.environ["DEBUG"] = "false"  # as in production: no query log, cached templates
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_COOKIES", "false")  # the test client speaks plain HTTP

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)

REQUESTS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
WARM_UP = 20


def timed(client: Client, method: str, path: str, data=None, expect=200):
    """Wall-clock and CPU seconds of one request. The CPU time is this process's own, so
    it says what a request costs even on a busy machine; the wall time includes waiting
    for the database (and for the CPU, when other processes want it)."""
    call = getattr(client, method)
    start, start_cpu = time.perf_counter(), time.thread_time()
    response = call(path, data) if data is not None else call(path)
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
    assert response.status_code == expect, (path, response.status_code)
    return elapsed, cpu


def queries_of(client: Client, method: str, path: str, data=None) -> int:
    """Counted on a request of its own, so capturing them does not weigh on the timing."""
    with CaptureQueriesContext(connection) as captured:
        call = getattr(client, method)
        call(path, data) if data is not None else call(path)
    return len(captured)


def bench(name: str, client: Client, method: str, path: str, data=None, expect=200):
    for _ in range(WARM_UP):
        timed(client, method, path, data, expect)
    runs = [timed(client, method, path, data, expect) for _ in range(REQUESTS)]
    times, cpu = sorted(r[0] for r in runs), sorted(r[1] for r in runs)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"{name:<34} mean {statistics.fmean(times) * 1000:5.1f}  "
        f"median {statistics.median(times) * 1000:5.1f}  p95 {p95 * 1000:5.1f} ms;  "
        f"CPU median {statistics.median(cpu) * 1000:5.1f} ms;  "
        f"{queries_of(client, method, path, data):2d} queries"
    )


def profile(client: Client, path: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(100):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def main() -> None:
    from branches.models import Building, Estate
    from meetings.models import AppealCategory

    # No setup_test_environment(): it makes every template send a signal, as tests need,
    # which a real server does not pay for.
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        db.setdefault("TEST", {})["NAME"] = f"bench_public_{db['NAME']}"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        call_command("seed_demo", "--i-know-this-is-not-production", stdout=io.StringIO())
        estate = Estate.objects.order_by("pk").first()
        building = Building.objects.filter(estate=estate).order_by("pk").first()
        category = AppealCategory.objects.filter(active=True).first()
        print(
            f"{connection.vendor}, DEBUG={settings.DEBUG}, {REQUESTS} requests each; "
            f"{Estate.objects.count()} estates, {Building.objects.count()} buildings, "
            f"{AppealCategory.objects.filter(active=True).count()} categories"
        )
        good = {
            "estate": estate.pk,
            "building": building.pk,
            "category": category.pk,
            "title": "楼道灯坏了",
            "description": "3单元楼道灯一周没亮，晚上看不清台阶。",
            "contact_name": "张阿姨",
            "contact_phone": "13912345678",
            "consent": "on",
        }
        resident = Client()
        bench("GET /", resident, "get", "/")
        bench("GET /appeals/new/", resident, "get", "/appeals/new/")
        poster = f"/appeals/new/?estate={estate.pk}&building={building.pk}"
        bench("GET /appeals/new/ from a poster", resident, "get", poster)
        bad = {**good, "contact_phone": "12345"}
        bench("POST /appeals/new/ with an error", resident, "post", "/appeals/new/", bad)
        filed = resident.post("/appeals/new/", good)
        assert filed.status_code == 302, filed.status_code
        bench("GET the submitted page", resident, "get", filed.url)
        code = filed.url.rstrip("/").rsplit("/", 1)[1]
        bench("GET /appeals/track/", resident, "get", "/appeals/track/")
        bench("GET /appeals/track/<code>/", resident, "get", f"/appeals/track/{code}/")
        english = Client()
        english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        bench("GET /appeals/new/ in English", english, "get", "/appeals/new/")
        if os.environ.get("PROFILE"):
            profile(resident, "/appeals/new/")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
