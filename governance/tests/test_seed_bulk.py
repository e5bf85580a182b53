"""`manage.py seed_bulk --appeals N` makes a benchmark town on PostgreSQL: exactly N appeals
(a code already taken is skipped, not a row dropped), each appeal's status the one its last
event moved it to, roll-ups that equal a recount, a mix a committee would recognise, and a
town committee user who logs in and lists them. Anywhere else it refuses, saying why."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from branches.models import Town
from governance.bulk import BULK_TOWN, code_of
from meetings.models import Appeal, AppealCategory, Meeting, MeetingType, ReturnVisit
from meetings.services import appeal_submit
from zeroindex.models import Incident

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="seed_bulk writes with PostgreSQL's SQL (run with DATABASE_URL=postgres://…)",
)
N = 2000


def bulk_appeals():
    return Appeal.objects.filter(estate__community__town__name=BULK_TOWN)


def appeals_whose_status_is_not_their_last_events():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.code, a.status, last.to_status FROM meetings_appeal a
            LEFT JOIN LATERAL (
                SELECT e.to_status FROM meetings_appealevent e
                WHERE e.appeal_id = a.id AND e.kind IN ('submitted', 'moved')
                ORDER BY e.created_at DESC, e.id DESC LIMIT 1
            ) last ON true
            WHERE last.to_status IS DISTINCT FROM a.status
            """
        )
        return cursor.fetchall()


@postgresql_only
@pytest.mark.django_db
def test_exactly_n_appeals_each_in_the_status_of_its_last_event(capsys):
    call_command("seed_bulk", "--appeals", str(N))

    assert bulk_appeals().count() == N
    assert bulk_appeals().values("code").distinct().count() == N
    assert appeals_whose_status_is_not_their_last_events() == []
    out = capsys.readouterr().out
    assert "roll-ups rebuilt" in out and f"{N:,} appeals" in out  # timed, phase by phase
    call_command("rollups", "--verify")
    assert "equal a recount" in capsys.readouterr().out


@postgresql_only
@pytest.mark.django_db
def test_a_code_already_taken_is_skipped_not_a_row_dropped(world):
    taken = appeal_submit(
        estate=world.a_estate,
        category=AppealCategory.objects.first(),
        title="楼道灯不亮",
        description="已有的诉求",
    )
    Appeal.objects.filter(pk=taken.pk).update(code=code_of(0))  # the first code seed_bulk draws

    call_command("seed_bulk", "--appeals", "50")

    assert bulk_appeals().count() == 50
    assert Appeal.objects.filter(code=code_of(0)).get().pk == taken.pk
    assert bulk_appeals().filter(code=code_of(50)).exists()  # the next free code instead
    assert Appeal.objects.values("code").distinct().count() == 51


@postgresql_only
@pytest.mark.django_db
def test_the_mix_looks_like_a_real_town():
    call_command("seed_bulk", "--appeals", str(N))
    appeals = bulk_appeals()
    now = timezone.now()

    closed_solved = appeals.filter(status="closed", closure_reason="solved").count()
    assert closed_solved > N * 0.6  # most are solved and visited
    for reason in ("declined", "duplicate", "withdrawn", "unreachable"):
        assert appeals.filter(closure_reason=reason).exists(), reason
    assert appeals.filter(next_due_at__lt=now).exclude(status="closed").exists()  # overdue
    assert appeals.filter(department__isnull=False).count() > N * 0.1  # referred
    visits = ReturnVisit.objects.filter(appeal__in=appeals)
    assert visits.filter(satisfaction="dissatisfied").exists()
    assert visits.filter(reached=False).exists()
    years = {a.year for a in appeals.dates("created_at", "year")}
    assert len(years) >= 5  # spread over five years
    meetings = Meeting.objects.filter(community__town__name=BULK_TOWN)
    for kind in MeetingType.values:
        assert meetings.filter(type=kind).exists(), kind
    assert meetings.filter(agenda__isnull=False).exists()
    incidents = Incident.objects.filter(estate__community__town__name=BULK_TOWN)
    assert incidents.filter(status="verified").exists()
    assert incidents.filter(status="dismissed").exclude(dismissal_reason="").exists()


@postgresql_only
@pytest.mark.django_db
def test_the_town_committee_logs_in_and_lists_the_appeals(client):
    call_command("seed_bulk", "--appeals", "200")
    newest = bulk_appeals().order_by("-pk").first()

    page = client.post("/accounts/login/", {"username": "bulk-town", "password": "demo-2026"})
    assert page.status_code == 302
    listing = client.get("/admin/meetings/appeal/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert newest.display_code in html
    community_staff = client.post(
        "/accounts/login/", {"username": "bulk-c01", "password": "demo-2026"}
    )
    assert community_staff.status_code == 302


@postgresql_only
@pytest.mark.django_db
def test_a_second_run_refuses_and_names_the_town_unless_told_to_reuse_it(capsys):
    call_command("seed_bulk", "--appeals", "20")
    with pytest.raises(CommandError, match=f"{BULK_TOWN} exists already \\(20 appeals\\)"):
        call_command("seed_bulk", "--appeals", "20")
    call_command("seed_bulk", "--appeals", "20", "--if-missing")  # make bench reuses it
    assert "(20 appeals): reused" in capsys.readouterr().out
    assert bulk_appeals().count() == 20


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the refusal is SQLite's")
@pytest.mark.django_db
def test_sqlite_is_refused_with_a_reason_and_nothing_is_made():
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("seed_bulk", "--appeals", "10")
    assert not Town.objects.filter(name=BULK_TOWN).exists()
