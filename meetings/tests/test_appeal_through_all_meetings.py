"""As community staff, carry one appeal through a party–masses meeting, a coordination
meeting, a hearing with its vote, the fix and the return visit, all from the staff pages,
and find every step on the staff and the public timeline."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Meeting, MeetingType, Status


def new_meeting(client, world, type_):
    client.post(
        reverse("admin:meetings_meeting_add"),
        {
            "type": type_,
            "community": world.a.pk,
            "estate": world.a_estate.pk,
            "held_at_0": "2026-11-20",
            "held_at_1": "19:00",
            "place": "党群服务站",
            "chair": "李书记",
            "resident_representatives": "",
            "minutes": "",
        },
    )
    return Meeting.objects.filter(type=type_).latest("pk")


def test_one_appeal_through_every_meeting(client, world, new_appeal, department):
    appeal = new_appeal(title="小区旁拟建垃圾分拣中心")
    client.force_login(world.staff_a)

    def outcome(meeting, name, **fields):
        client.post(
            reverse("admin:meetings_meeting_agenda", args=[meeting.pk]), {"appeals": [appeal.pk]}
        )
        prefix = f"o{appeal.pk}-{name}"
        client.post(
            reverse("admin:meetings_meeting_outcome", args=[meeting.pk]),
            {
                "appeal": appeal.pk,
                "outcome": name,
                **{f"{prefix}-{field}": value for field, value in fields.items()},
            },
        )
        appeal.refresh_from_db()
        return appeal.status

    party_masses = new_meeting(client, world, MeetingType.PARTY_MASSES)
    assert outcome(party_masses, "route_coordinate", public_note="先协调") == Status.COORDINATING
    coordination = new_meeting(client, world, MeetingType.COORDINATION)
    assert (
        outcome(coordination, "coordination_major", public_note="协调未果，听证") == Status.HEARING
    )
    hearing = new_meeting(client, world, MeetingType.HEARING)
    status = outcome(
        hearing,
        "hearing_vote",
        eligible=60,
        present=48,
        votes_for=39,
        votes_against=6,
        abstain=3,
        public_note="选址北移方案通过",
    )
    assert status == Status.IN_PROGRESS

    act = "admin:meetings_appeal_act"
    client.post(
        reverse(act, args=[appeal.pk, "report_fix"]), {"report_fix-public_note": "已按方案建设"}
    )
    client.post(
        reverse(act, args=[appeal.pk, "return_visit"]),
        {
            "return_visit-channel": "home_visit",
            "return_visit-reached": "yes",
            "return_visit-solved": "yes",
            "return_visit-satisfaction": "satisfied",
        },
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closure_reason) == (Status.CLOSED, "solved")

    staff_page = client.get(reverse("admin:meetings_appeal_change", args=[appeal.pk]))
    html = staff_page.content.decode()
    for text in ("党群议事会", "社区事务协调会", "重大事项听证会", "已按方案建设", "39"):
        assert text in html, text
    public = client.get(f"/appeals/track/{appeal.display_code}/").content.decode()
    for text in ("先协调", "协调未果，听证", "选址北移方案通过", "已按方案建设", "已关闭：已解决"):
        assert text in public, text


def test_meeting_page_queries_do_not_grow_with_its_agenda(client, world, new_appeal, meeting):
    m = meeting(MeetingType.PARTY_MASSES, new_appeal())
    client.force_login(world.staff_a)
    url = reverse("admin:meetings_meeting_change", args=[m.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()
    few = count()
    m.agenda.add(*[new_appeal(title=f"议题{i}") for i in range(20)])
    assert count() == few
