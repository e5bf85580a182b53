"""The organisational-life admin: a clerk records a meeting with its attendance (credited in
the ledger), bad attendance comes back with a message, a change or a deletion moves the
credits; outsiders see none of another community's meetings, overdue branches or rates."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.urls import reverse

from branches.models import ContributionEntry, OrgMeeting, OrgMeetingKind
from branches.orglife import Attendance, org_meeting_record
from branches.tests.factories import MemberFactory, UserFactory
from branches.tests.html_forms import read_form
from branches.tests.orglife_seeded import seeded_lists  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADD = reverse("admin:branches_orgmeeting_add")
OVERDUE = reverse("admin:branches_orgmeeting_overdue")
RATES = reverse("admin:branches_orgmeeting_attendance")


def points(member):
    return ContributionEntry.objects.filter(member=member).aggregate(t=Sum("points"))["t"] or 0


@pytest.fixture
def committee(db):
    return OrgMeetingKind.objects.get(name="支部委员会会议")


@pytest.fixture
def second(world):
    return MemberFactory(
        estate=world.a_estate, group=world.a_group, name="李四", category=world.category
    )


def add_form(client, world, committee, rows):
    form = read_form(client.get(ADD).content.decode(), "orgmeeting_form")
    form.set("estate", world.a_estate.pk)
    form.set("kind", committee.pk)
    form.set("held_at_0", "2026-03-10")
    form.set("held_at_1", "19:00")
    form.set("topic", "支委会例会")
    for i, (member, present, reason) in enumerate(rows):
        form.set(f"attendance-{i}-member", member.pk)
        form.set(f"attendance-{i}-present", present)
        form.set(f"attendance-{i}-absence_reason", reason)
    return form


def test_a_clerk_records_a_meeting_and_those_present_are_credited(client, world, committee, second):
    client.force_login(world.staff_a)
    form = add_form(client, world, committee, [(world.a_member, True, ""), (second, False, "出差")])
    response = client.post(ADD, form.data(submit="_save"))
    assert response.status_code == 302
    meeting = OrgMeeting.objects.get()
    assert meeting.recorded_by == world.staff_a
    assert meeting.attendance.count() == 2
    assert points(world.a_member) == 1 and points(second) == 0


def test_an_absence_without_reason_comes_back_with_a_message(client, world, committee, second):
    client.force_login(world.staff_a)
    form = add_form(client, world, committee, [(world.a_member, True, ""), (second, False, "")])
    response = client.post(ADD, form.data(submit="_save"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "缺席须说明原因" in page or "An absent member needs a reason" in page
    assert "支委会例会" in page  # what was typed is still there
    assert not OrgMeeting.objects.exists() and not ContributionEntry.objects.exists()


def test_a_member_of_another_branch_comes_back_with_a_message(client, world, committee):
    client.force_login(world.staff_a)  # sees both of A's estates: the choice is offered
    form = add_form(client, world, committee, [(world.a2_member, True, "")])
    response = client.post(ADD, form.data(submit="_save"))
    assert response.status_code == 200
    assert world.a2_member.name in response.content.decode()
    assert not OrgMeeting.objects.exists()


def test_marking_absent_on_the_page_withdraws_the_credit(client, world, committee, second):
    meeting = org_meeting_record(
        estate=world.a_estate,
        kind=committee,
        held_at=datetime(2026, 3, 10, 19, tzinfo=SHANGHAI),
        topic="支委会例会",
        attendance=[Attendance(world.a_member), Attendance(second)],
    )
    client.force_login(world.secretary_a1)
    url = reverse("admin:branches_orgmeeting_change", args=[meeting.pk])
    form = read_form(client.get(url).content.decode(), "orgmeeting_form")
    rows = {form.data()[f"attendance-{i}-member"][0]: i for i in range(2)}
    i = rows[str(second.pk)]
    form.set(f"attendance-{i}-present", False)
    form.set(f"attendance-{i}-absence_reason", "生病")
    assert client.post(url, form.data(submit="_save")).status_code == 302
    assert points(second) == 0 and points(world.a_member) == 1
    delete = reverse("admin:branches_orgmeeting_delete", args=[meeting.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert points(world.a_member) == 0 and not OrgMeeting.objects.exists()


@pytest.fixture
def meetings(world, committee):
    """A meeting in each community; every branch is overdue on something."""
    made = {}
    for name in ("a", "b"):
        member = getattr(world, f"{name}_member")
        made[name] = org_meeting_record(
            estate=member.estate,
            kind=committee,
            held_at=datetime(2026, 3, 10, 19, tzinfo=SHANGHAI),
            topic=f"{name}-例会",
            attendance=[Attendance(member)],
        )
    return made


def test_an_outsider_cannot_open_another_communitys_meeting(client, world, meetings):
    client.force_login(world.staff_b)
    listing = client.get(reverse("admin:branches_orgmeeting_changelist")).content.decode()
    assert "b-例会" in listing and "a-例会" not in listing
    url = reverse("admin:branches_orgmeeting_change", args=[meetings["a"].pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("admin:index")  # not found
    assert client.post(url, {"topic": "改"}).status_code == 302
    meetings["a"].refresh_from_db()
    assert meetings["a"].topic == "a-例会"
    delete = reverse("admin:branches_orgmeeting_delete", args=[meetings["a"].pk])
    client.post(delete, {"post": "yes"})
    assert OrgMeeting.objects.filter(pk=meetings["a"].pk).exists()


def test_the_committee_reads_but_records_nothing(client, world, meetings):
    client.force_login(world.town_user)
    assert client.get(ADD).status_code == 403
    listing = client.get(reverse("admin:branches_orgmeeting_changelist")).content.decode()
    assert "a-例会" in listing and "b-例会" in listing


def test_the_overdue_page_lists_only_the_users_branches(client, world, meetings):
    client.force_login(world.staff_b)
    page = client.get(OVERDUE).content.decode()
    assert world.b_estate.name in page
    assert world.a_estate.name not in page and world.a_estate2.name not in page
    assert client.get(OVERDUE, {"estate": world.a_estate.pk}).status_code == 404
    assert client.get(OVERDUE, {"estate": "junk"}).status_code == 404
    client.force_login(world.secretary_a1)
    page = client.get(OVERDUE).content.decode()
    assert world.a_estate.name in page and world.a_estate2.name not in page


def test_the_attendance_page_lists_only_the_users_members(client, world, meetings):
    client.force_login(world.staff_b)
    page = client.get(RATES, {"year": 2026}).content.decode()
    assert world.b_member.name in page and world.a_member.name not in page
    assert "100%" in page
    assert client.get(RATES, {"estate": world.a_estate.pk}).status_code == 404
    assert client.get(RATES, {"year": "junk"}).status_code == 200  # this year instead


def test_staff_without_a_scope_get_neither_page(client, world, meetings):
    client.force_login(UserFactory(username="nobody", is_staff=True))
    assert client.get(OVERDUE).status_code == 403
    assert client.get(RATES).status_code == 403
