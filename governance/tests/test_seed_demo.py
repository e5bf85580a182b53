"""`seed_demo` builds the case study's world, and running it again changes nothing."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from branches.models import Building, BuildingGroup, Estate, Member, MemberCategory, StaffScope

GUANGDA = {"新城景苑": 6, "新都城": 7, "丽景新城": 5}


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
def test_every_group_covers_buildings_and_the_other_community_exists():
    call_command("seed_demo")
    assert not BuildingGroup.objects.filter(buildings=None).exists()
    assert Estate.objects.exclude(community__name="光达社区").count() == 1
    assert Member.objects.exclude(estate__community__name="光达社区").count() > 0


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "town", "guangda", "xinducheng", "other"])
def test_demo_users_log_in_with_the_demo_password(username):
    call_command("seed_demo")
    assert authenticate(username=username, password="demo-2026") is not None


@pytest.mark.django_db
def test_demo_users_have_their_roles(client):
    call_command("seed_demo")
    client.login(username="guangda", password="demo-2026")
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
