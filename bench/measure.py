"""Measure one seeded database (the bulk town of seed_bulk) and write the figures as JSON.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench_1m \\
        .venv/bin/python -m bench.measure --out bench/out/1000000.json

`make bench` (bench/__main__.py) runs this once per size, each in a process of its own (a
process holds one database). In-process with Django's test client, DEBUG off, as the
users of the bulk town: bulk-town (the town committee) for the dashboard, the staff user of
the community with the most appeals for the appeals list, an appeal's page and the export.
bench/harness.py says how each figure is taken; bench/table.py turns two sizes into the
table of issue 11."""

import argparse
import json
import os
import platform
import sys
from dataclasses import asdict
from datetime import timedelta
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
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.harness import Floor, Measured, measure, median  # noqa: E402
from branches.models import Community, StaffRole, StaffScope, Town  # noqa: E402
from governance.bulk import BULK_TOWN  # noqa: E402
from governance.dashboard_choice import CUSTOM_MAX_DAYS  # noqa: E402
from meetings.models import Appeal  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
EXPORT_RUNS = int(os.environ.get("BENCH_EXPORT_RUNS", "3"))
SWEEP_RUNS = int(os.environ.get("BENCH_SWEEP_RUNS", "3"))
DEFAULT_STEPS = ("dashboard", "list", "export", "sweeps")  # town-export when asked
# The staff list's searches: titles of the bulk town are "N栋" and a problem of
# governance.bulk.PROBLEMS; 燃气管道 and 漏水 are each in one of them (漏水: 5.8 % of titles),
# 火灾 in none.
SEARCHES = {"3+ characters, few": "燃气管道", "2 characters": "漏水", "2 characters, none": "火灾"}


class Bench:
    def __init__(self):
        self.town = Town.objects.get(name=BULK_TOWN)
        self.year = timezone.localdate().year - 1  # the last whole year
        users = get_user_model().objects
        self.town_user = users.get(
            staff_scope__role=StaffRole.TOWN_COMMITTEE, staff_scope__town=self.town
        )
        by_community = (
            Appeal.objects.filter(estate__community__town=self.town)
            .values("estate__community")
            .annotate(n=Count("pk"))
            .order_by("-n")
        )
        top = by_community.first()
        self.community = Community.objects.get(pk=top["estate__community"])
        self.community_appeals = top["n"]
        scope = StaffScope.objects.filter(
            role=StaffRole.COMMUNITY_STAFF, community=self.community
        ).first()
        self.staff_user = scope.user
        year_appeals = Appeal.objects.filter(
            estate__community__town=self.town, created_at__year=self.year
        )
        self.estate_id = (
            year_appeals.values("estate").annotate(n=Count("pk")).order_by("-n").first()["estate"]
        )
        # An appeal's page with a whole timeline: the community's most recently closed.
        self.appeal_id = (
            Appeal.objects.filter(estate__community=self.community, closed_at__isnull=False)
            .order_by("-closed_at")
            .values_list("pk", flat=True)
            .first()
        )
        today = timezone.localdate()
        self.export_from = today - timedelta(days=CUSTOM_MAX_DAYS - 1)
        self.export_to = today
        self.results: list[Measured] = []

    # --- requests -----------------------------------------------------------------------

    def client(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    @staticmethod
    def get(client: Client, path: str):
        """One request, a streamed body read to its end (counted, not kept)."""

        def action():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            if response.streaming:
                size = sum(len(chunk) for chunk in response.streaming_content)
                response.close()
                return size
            return len(response.content)

        return action

    def page(self, name: str, client: Client, path: str, **options):
        self.results.append(measure(name, self.get(client, path), runs=RUNS, **options))
        print(f"  {self.results[-1].name}: {self.results[-1].server_ms:.1f} ms", flush=True)

    def dashboard(self):
        client = self.client(self.town_user)
        self.page("dashboard: the town, a year", client, f"/dashboard/?period={self.year}")
        self.page(
            "dashboard: one estate, a year",
            client,
            f"/dashboard/?period={self.year}&unit=estate-{self.estate_id}",
            note="the estate with the most appeals that year",
        )

    def staff_list(self):
        client = self.client(self.staff_user)
        base = "/admin/meetings/appeal/"
        self.page("staff list: first page, no filter", client, base)
        self.page("staff list: source phone (25 %)", client, f"{base}?source__exact=phone")
        self.page("staff list: source survey (none)", client, f"{base}?source__exact=survey")
        for label, word in SEARCHES.items():
            self.page(f"staff list: search {label}: {word}", client, f"{base}?q={word}")
        self.page(
            "appeal page (admin change page)",
            client,
            f"{base}{self.appeal_id}/change/",
            note="the community's most recently closed appeal",
        )

    # --- the export and its COPY --------------------------------------------------------

    def export_query(self, unit: str) -> str:
        return f"from={self.export_from.isoformat()}&to={self.export_to.isoformat()}&unit={unit}"

    def copy_floor(self, user, query: str, runs: int):
        """COPY (the export's own SELECT, as the view builds it) TO STDOUT as CSV, read to
        the end: the floor. Returns the floor function for `measure` and the rows."""
        import time

        from governance import export_views

        request = RequestFactory().get("/dashboard/exports/appeals.csv?" + query)
        request.user = user
        export = export_views._export(request, export_views._choice(request))
        sql, params = export.rows.query.sql_with_params()

        def copy_once() -> float:
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                export_views._export_statements("default")  # the view's timeout for exports
                raw = cursor.cursor  # psycopg's own
                statement = raw.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)
                with raw.copy(statement) as copy:
                    for _data in copy:
                        pass
            return time.perf_counter() - started

        copy_once()  # warm: both sides then read the same pages from memory
        floor_of = lambda _statements: Floor(  # noqa: E731
            seconds=median(copy_once() for _ in range(runs)), replayed=1
        )
        return floor_of, export.rows.count()

    def _export(self, name: str, user, unit: str, place: str):
        query = self.export_query(unit)
        try:
            floor_of, rows = self.copy_floor(user, query, EXPORT_RUNS)
        except Exception as error:  # noqa: BLE001 - reported in the table
            failed = f"{type(error).__name__}: {error}"
            self.results.append(Measured(name=name, server_ms=float("nan"), error=failed))
            return
        note = (
            f"{rows:,} appeals of {place} ({self.export_from} to {self.export_to}, the "
            "longest custom period)"
        )
        client = self.client(user)
        path = "/dashboard/exports/appeals.csv?" + query
        action = self.get(client, path)
        self.results.append(measure(name, action, runs=EXPORT_RUNS, floor_of=floor_of, note=note))
        print(f"  {name}: {self.results[-1].server_ms:.0f} ms", flush=True)

    def export(self):
        """The community with the most appeals, as its staff."""
        self._export(
            "CSV export: one community (floor: COPY)",
            self.staff_user,
            f"community-{self.community.pk}",
            self.community.name,
        )

    def town_export(self):
        """Not in the default run (minutes at 1M): the whole town's export as the committee,
        the size of issue 11's 750,000-appeal target when no community is that large."""
        self._export(
            "CSV export: the whole town (floor: COPY)",
            self.town_user,
            f"town-{self.town.pk}",
            self.town.name,
        )

    # --- the sweeps ---------------------------------------------------------------------

    def sweeps(self):
        """Each periodic task of governance/celery.py's beat schedule but the year end
        (scripts/bench_year_end.py), called as a function, in a transaction rolled back:
        every run does the same work and the database stays as seeded."""
        from governance import tasks as governance_tasks
        from meetings import tasks as meetings_tasks
        from zeroindex import tasks as zeroindex_tasks

        sweeps = {
            "sweep: meetings-sweeps (visit reminders, digests, undelivered)": (
                meetings_tasks.run_sweeps
            ),
            "sweep: survey-task-reminders": zeroindex_tasks.sweep_task_reminders,
            "sweep: measure-reminders": governance_tasks.sweep_measure_reminders,
            "sweep: evaluation-deliveries": governance_tasks.evaluations_deliver_pending,
            "sweep: appeals-retention": meetings_tasks.anonymise_closed_appeals,
            "sweep: kept-photos-expire": meetings_tasks.delete_stale_kept_photos,
            "sweep: sessions-clear-expired": governance_tasks.sessions_clear_expired,
        }
        for name, task in sweeps.items():

            def action(task=task):
                with transaction.atomic():
                    done = task()
                    transaction.set_rollback(True)
                return done

            # Working hours all day, so the digest has its work whenever this runs.
            with override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24):
                self.results.append(measure(name, action, runs=SWEEP_RUNS))
            print(f"  {name}: {self.results[-1].server_ms:.0f} ms", flush=True)

    def about(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
        return {
            "appeals": Appeal.objects.count(),
            "community": self.community.name,
            "community_appeals": self.community_appeals,
            "year": self.year,
            "database": f"{connection.vendor} {server} ({settings.DATABASES['default']['NAME']})",
            "python": platform.python_version(),
            "django": django.get_version(),
        }


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="the JSON file to write")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated: dashboard,list,export,sweeps,town-export (default: all but "
        "town-export); merged into the --out file of an earlier run",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Needs the bulk town on PostgreSQL: set DATABASE_URL.")
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    bench = Bench()
    about = bench.about()
    print(f"{about['appeals']:,} appeals in {about['database']}", flush=True)
    started_load = load()
    steps = {
        "dashboard": bench.dashboard,
        "list": bench.staff_list,
        "export": bench.export,
        "sweeps": bench.sweeps,
        "town-export": bench.town_export,
    }
    for step, run in steps.items():
        if (not only and step in DEFAULT_STEPS) or step in only:
            run()
    measured = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
    about.update(load_before=started_load, load_after=load(), date=measured)
    out = Path(args.out)
    lines = [asdict(r) for r in bench.results]
    if only and out.exists():
        # A partial run replaces its own lines in the last full run's file, keeping the
        # others (and saying when each part was measured).
        earlier = json.loads(out.read_text())
        fresh = {line["name"]: line for line in lines}
        merged = [fresh.pop(line["name"], line) for line in earlier["results"]]
        about["partial"] = earlier["about"].get("partial", []) + [
            f"{', '.join(sorted(only))} measured {measured}, load {started_load}"
        ]
        about.update({k: earlier["about"][k] for k in ("load_before", "load_after", "date")})
        lines = merged + list(fresh.values())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"about": about, "results": lines}, indent=1))


if __name__ == "__main__":
    main()
