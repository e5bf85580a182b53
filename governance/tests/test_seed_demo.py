"""`seed_demo` builds the case study's world, and running it again changes nothing. Its users
share a published password, so with DEBUG off it refuses to run unless told the site is not
production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from branches.models import Building, BuildingGroup, Estate, Member, MemberCategory, StaffScope
from meetings.models import AppealCategory, Department

GUANGDA = {"新城景苑": 6, "新都城": 7, "丽景新城": 5}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def development(settings):
    """Run seed_demo as `make run` does, with DEBUG on; the refusal tests turn it off."""
    settings.DEBUG = True


def snapshot():
    return {
        "estates": Estate.objects.count(),
        "buildings": Building.objects.count(),
        "groups": BuildingGroup.objects.count(),
        "members": Member.objects.count(),
        "leaders": Member.objects.filter(is_leader=True).count(),
        "guangda_members": Member.objects.filter(estate__community__name="光达社区").count(),
        "guangda_groups": BuildingGroup.objects.filter(estate__community__name="光达社区").count(),
        "guangda_leaders": Member.objects.filter(
            estate__community__name="光达社区", is_leader=True
        ).count(),
        "member_rows": list(
            Member.objects.order_by("pk").values_list("pk", "name", "phone", "group_id")
        ),
        "scopes": StaffScope.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_builds_the_case_and_a_second_run_changes_nothing(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert first["guangda_members"] == 183
    assert first["guangda_groups"] == 9
    assert first["guangda_leaders"] == 9
    for name, count in GUANGDA.items():
        assert Building.objects.filter(estate__name=name).count() == count
    assert "demo-2026" in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_spreads_members_over_the_five_categories():
    call_command("seed_demo")
    assert MemberCategory.objects.count() == 5
    for category in MemberCategory.objects.all():
        assert category.members.filter(estate__community__name="光达社区").count() >= 10


@pytest.mark.django_db
def test_the_demos_reference_data_is_named_in_both_languages():
    call_command("seed_demo")
    for model in (MemberCategory, AppealCategory, Department):
        assert model.objects.exists()
        assert not model.objects.filter(name_en="").exists(), model


@pytest.mark.django_db
def test_every_group_covers_buildings_and_the_other_community_exists():
    call_command("seed_demo")
    assert not BuildingGroup.objects.filter(buildings=None).exists()
    assert Estate.objects.exclude(community__name="光达社区").count() == 1
    assert Member.objects.exclude(estate__community__name="光达社区").count() > 0


@pytest.mark.django_db
def test_the_demo_communities_have_an_office_telephone_for_residents(client):
    from branches.models import Community

    call_command("seed_demo")
    phones = dict(Community.objects.values_list("name", "phone"))
    assert phones["光达社区"] and phones["金星社区"]
    html = client.get("/appeals/track/").content.decode()
    assert phones["光达社区"] in html and phones["金星社区"] in html


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "town", "guangda", "xinducheng", "other"])
def test_demo_users_log_in_with_the_demo_password(username):
    call_command("seed_demo")
    # with a request, as the log-in pages call it (the lockout backend needs one)
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=username, password="demo-2026") is not None


@pytest.mark.django_db
def test_demo_users_have_their_roles(client):
    call_command("seed_demo")
    client.post("/accounts/login/", {"username": "guangda", "password": "demo-2026"})
    html = client.get("/admin/branches/estate/").content.decode()
    assert all(name in html for name in GUANGDA)
    assert "金星花园" not in html
    assert Estate.objects.get(name="新都城").secretary.username == "xinducheng"


@pytest.mark.django_db
def test_seed_demo_gives_a_lived_in_system_of_appeals_and_meetings():
    from meetings.models import (
        Appeal,
        AppealEvent,
        ClosureReason,
        HearingVote,
        Meeting,
        MeetingType,
        ReturnVisit,
        Status,
    )

    call_command("seed_demo")
    counts = (Appeal.objects.count(), AppealEvent.objects.count(), Meeting.objects.count())
    call_command("seed_demo")
    assert (Appeal.objects.count(), AppealEvent.objects.count(), Meeting.objects.count()) == counts
    for community in ("光达社区", "金星社区"):
        assert Appeal.objects.filter(estate__community__name=community).exists()
    guangda = Appeal.objects.filter(estate__community__name="光达社区")
    assert set(guangda.values_list("status", flat=True)) == set(Status.values)
    assert set(guangda.exclude(closure_reason="").values_list("closure_reason", flat=True)) == set(
        ClosureReason.values
    )
    assert set(Meeting.objects.values_list("type", flat=True)) == set(MeetingType.values)
    assert HearingVote.objects.filter(passed=True).exists()
    assert HearingVote.objects.filter(quorum=False).exists()
    answers = set(ReturnVisit.objects.values_list("reached", "solved"))
    assert {(True, True), (True, False), (False, None)} <= answers
    assert ReturnVisit.objects.filter(by=None).exists()  # a resident answered online
    assert guangda.filter(repeat_of__isnull=False).exists()


@pytest.mark.django_db
def test_with_debug_off_seed_demo_refuses_and_creates_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()
    assert not Estate.objects.exists()


@pytest.mark.django_db
def test_with_debug_off_the_flag_lets_seed_demo_run(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--i-know-this-is-not-production")
    assert get_user_model().objects.get(username="admin").is_superuser
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="admin", password="demo-2026") is not None


@pytest.mark.django_db
def test_with_debug_on_seed_demo_runs_without_the_flag(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert get_user_model().objects.get(username="admin").is_superuser


def test_a_refused_run_says_why_on_stderr_and_exits_non_zero(tmp_path):
    """As a deployer would meet it: `manage.py seed_demo` in a production environment."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        DEBUG="false",
        SECRET_KEY="x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DEBUG is off" in result.stderr and "--i-know-this-is-not-production" in result.stderr
    assert "Demo users" not in result.stdout
    assert not (tmp_path / "db.sqlite3").exists()  # refused before touching the database


@pytest.mark.django_db
def test_seed_demo_gives_the_five_zeros_boards_something_to_show():
    from django.utils import timezone

    from zeroindex.models import Incident, IncidentEvent, RecordsStart

    call_command("seed_demo")
    counts = (Incident.objects.count(), IncidentEvent.objects.count(), RecordsStart.objects.count())
    call_command("seed_demo")
    assert (
        Incident.objects.count(),
        IncidentEvent.objects.count(),
        RecordsStart.objects.count(),
    ) == counts  # a second run adds nothing
    this_year = timezone.localdate().year
    starts = dict(RecordsStart.objects.values_list("estate__name", "month"))
    assert len(set(starts.values())) == 3  # unknown months differ by estate
    assert min(starts.values()).year == this_year - 1
    assert max(starts.values()).year == this_year
    verified = Incident.objects.filter(status="verified")
    # one estate five-zero for the whole of last year, one not
    assert not verified.filter(estate__name="新城景苑").exists()
    assert verified.filter(estate__name="新都城", occurred_at__year=this_year - 1).exists()
    assert Incident.objects.filter(status="pending").exists()
    assert Incident.objects.filter(status="dismissed").exclude(dismissal_reason="").exists()
    assert Incident.objects.filter(appeal__isnull=False, source="appeal").exists()
    assert Incident.objects.filter(building__isnull=False).exists()
    assert len(set(verified.values_list("category", flat=True))) == 5
