"""Benchmark: the staff home (work queue), the appeals list, an appeal page and the daily
digest sweep with many appeals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python scripts/bench_appeals_list.py [N]

Needs a database that `seed_demo` has run on (it adds N appeals to the demo estates once,
then reuses them). Prints, for each page, the median time of 5 requests and the number of
queries; then the digest sweep's first run of a day and a run with nothing new to send.
Figures, not a test: run it on the machine you deploy to."""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("EMAIL_URL", "dummymail://")  # the digests are measured, not read
# Filling a million rows and VACUUM ANALYZE outlast a page's statement timeout, as a
# manage.py command would.
os.environ["DATABASE_STATEMENT_TIMEOUT"] = "0"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
    setup_test_environment,
)
from django.utils import timezone  # noqa: E402

from branches.models import Estate  # noqa: E402
from meetings.models import (  # noqa: E402
    Appeal,
    AppealCategory,
    Department,
    Notification,
    ReturnVisit,
    Status,
)
from meetings.reminders import sweep_digests  # noqa: E402
from meetings.tracking import ALPHABET  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000

# What residents write about, most often first; the last few are rare, so a search or a
# filter finds many rows, a few, or none (the demo's own appeals aside).
PROBLEMS = [
    ("楼道灯不亮", 12),
    ("电梯经常故障停运", 10),
    ("楼上漏水到我家", 9),
    ("垃圾清运不及时", 9),
    ("小区停车位不足", 8),
    ("夜间广场舞噪音扰民", 7),
    ("下水道堵塞返臭", 7),
    ("绿化带杂草丛生", 6),
    ("楼道堆放杂物", 6),
    ("路面破损积水", 5),
    ("物业费收支不透明", 5),
    ("快递柜占用消防通道", 4),
    ("宠物粪便无人清理", 4),
    ("充电桩不够用", 4),
    ("窨井盖松动", 3),
    ("燃气管道异味", 0.05),
]
# Sources as they arrive; surveys come only from the demo's survey round (few rows).
SOURCES = [("web_form", 55), ("phone", 25), ("building_group", 10), ("forum", 6), ("home_visit", 4)]


def bench_code(i: int) -> str:
    """A distinct code per row ("W" and i in base 23), so a million never collide."""
    digits = ""
    for _ in range(7):
        i, d = divmod(i, len(ALPHABET))
        digits = ALPHABET[d] + digits
    return "W" + digits


def fill(n: int) -> None:
    """N appeals over two years: 70% closed (solved), the rest open in every status, most
    acknowledged, half of the open ones with a handler, referred ones with a department;
    return visits for a tenth of the closed ones (a tenth of those dissatisfied)."""
    have = Appeal.objects.count()
    if have >= n:
        return
    estates = list(Estate.objects.all())
    categories = list(AppealCategory.objects.all())
    departments = list(Department.objects.all())
    handlers = list(get_user_model().objects.filter(username__in=["guangda", "xinducheng"]))
    # The last category ("other") gets none of the bulk rows: a filter that finds only the
    # demo's few.
    categories = categories[:-1]
    statuses = [s for s in Status.values if s != Status.CLOSED]
    problems, problem_weights = zip(*PROBLEMS, strict=True)
    sources, source_weights = zip(*SOURCES, strict=True)
    now = timezone.now()
    rng = random.Random(1)
    batch = []

    def flush():
        created = Appeal.objects.bulk_create(batch)
        visits = [
            ReturnVisit(
                appeal=appeal,
                channel="phone",
                reached=True,
                solved=True,
                satisfaction="dissatisfied" if rng.random() < 0.1 else "satisfied",
                created_at=appeal.closed_at,
            )
            for appeal in created
            if appeal.status == Status.CLOSED and rng.random() < 0.1
        ]
        ReturnVisit.objects.bulk_create(visits)
        batch.clear()

    for i in range(have, n):
        created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 720))
        closed = rng.random() < 0.7
        status = Status.CLOSED if closed else rng.choice(statuses)
        resolved = status == Status.RESOLVED
        batch.append(
            Appeal(
                code=bench_code(i),
                estate=rng.choice(estates),
                category=rng.choice(categories),
                title=f"{rng.randint(1, 30)}栋{rng.choices(problems, problem_weights)[0]}",
                description="…",
                source=rng.choices(sources, source_weights)[0],
                contact_name="测试",
                contact_phone=f"139{i:08d}"[:11],
                status=status,
                closure_reason="solved" if closed else "",
                created_at=created,
                acknowledged_at=created + timedelta(hours=20) if rng.random() < 0.8 else None,
                handler=rng.choice(handlers) if not closed and rng.random() < 0.5 else None,
                department=rng.choice(departments) if status == Status.REFERRED else None,
                resolved_at=created + timedelta(days=4) if resolved or closed else None,
                return_visit_due_at=created + timedelta(days=7) if resolved else None,
                closed_at=created + timedelta(days=5) if closed else None,
                next_due_at=None if closed else created + timedelta(days=7),
            )
        )
        if len(batch) == 5000:
            flush()
    flush()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")


def measure(client, label, url):
    times = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    print(f"{label:<34} {statistics.median(times[1:]) * 1000:8.1f} ms  {len(queries):3d} queries")


def time_digests():
    """The digest sweep at ten in the morning: its first run of the day renders each
    recipient's digest; a run five minutes later finds every digest of the day made."""
    ten = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    day = ten.date().isoformat()
    Notification.objects.filter(kind="digest", dedupe_key__startswith=f"digest:{day}:").delete()
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        for label in ("digest sweep, first run of the day", "digest sweep, nothing new to send"):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                made = sweep_digests(now=ten)
                took = time.perf_counter() - start
            print(f"{label:<34} {took * 1000:8.1f} ms  {len(queries):3d} queries  {made} digests")


def logged_in(username):
    """A client logged in through the log-in page (the lockout backend needs the request
    that Client.login does not pass)."""
    client = Client()
    page = client.post("/accounts/login/", {"username": username, "password": "demo-2026"})
    assert page.status_code == 302, f"{username} could not log in"
    return client


def main():
    setup_test_environment()
    fill(N)
    total = Appeal.objects.count()
    guangda = Appeal.objects.filter(estate__community__name="光达社区").count()
    print(f"{connection.vendor}: {total} appeals, {guangda} in Guangda Community\n")
    staff = logged_in("guangda")
    sample = Appeal.objects.filter(estate__community__name="光达社区").order_by("-pk").first()
    base = "/admin/meetings/appeal/"
    superuser = logged_in("admin")
    measure(staff, "staff home (work queue)", "/admin/")
    measure(staff, "list, queue: waiting to be routed", base + "?queue=to_route")
    measure(staff, "list, queue: solved, dissatisfied", base + "?queue=dissatisfied")
    measure(staff, "list, first page", base)
    measure(staff, "list, page 30", base + "?p=30")
    measure(staff, "list, overdue", base + "?overdue=yes")
    measure(staff, "list, status in progress", base + "?status__exact=in_progress")
    measure(staff, "list, sorted by next due", base + "?o=5")
    measure(staff, "list, oldest first", base + "?o=4")
    measure(staff, "search by code", base + f"?q={sample.display_code}")
    measure(staff, "search by phone", base + f"?q={sample.contact_phone or '13900000000'}")
    measure(staff, "search by title words", base + "?q=楼道灯")
    # The staff list's filters and title search (issue 11, item 7): many, few, no matches.
    other = AppealCategory.objects.order_by("position", "name").last().pk
    for label, query in [
        ("filter source: phone (many)", "source__exact=phone"),
        ("filter source: survey (few)", "source__exact=survey"),
        ("filter source: no match", "source__exact=survey&status__exact=hearing"),
        ("filter category: many", f"category__id__exact={other - 1}"),
        ("filter category: few", f"category__id__exact={other}"),
        ("filter status: hearing (some)", "status__exact=hearing"),
        ("filter estate: one", f"estate__id__exact={sample.estate_id}"),
        ("filter department: one", "department__id__exact=1"),
        ("search 2 chars, many: 漏水", "q=漏水"),
        ("search 2 chars, few: 燃气", "q=燃气"),
        ("search 2 chars, none: 火灾", "q=火灾"),
        ("search 3+ chars, many: 楼道灯", "q=楼道灯"),
        ("search 3+ chars, few: 管道异味", "q=管道异味"),
        ("search 3+ chars, none: 高空抛物", "q=高空抛物"),
    ]:
        measure(staff, label, f"{base}?{query}")
        measure(superuser, label + " (superuser)", f"{base}?{query}")
    measure(staff, "appeal page", f"{base}{sample.pk}/change/")
    measure(superuser, "list, first page (superuser)", base)
    measure(superuser, "staff home (superuser)", "/admin/")
    print()
    time_digests()


if __name__ == "__main__":
    main()
