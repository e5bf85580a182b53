import pytest

from meetings.models import Department, Meeting, MeetingType, Status
from meetings.services import (
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
    appeal_submit,
)


@pytest.fixture
def department(db):
    return Department.objects.create(name="县住建局", level="county", emails="zjj@example.cn")


@pytest.fixture
def new_appeal(world, category):
    """Make an appeal as a resident would file it, in A's first estate."""

    def make(**overrides):
        fields = {
            "estate": world.a_estate,
            "building": world.a_building,
            "category": category,
            "title": "楼道灯坏了",
            "description": "3单元楼道灯一周没亮，晚上看不清台阶。",
            "contact_name": "张阿姨",
            "contact_phone": "13912345678",
            "consent": True,
        }
        fields.update(overrides)
        return appeal_submit(**fields)

    return make


@pytest.fixture
def appeal_in(world, new_appeal, department):
    """An appeal brought into a status by the real moves, as staff of its community would:
    routed at a party–masses meeting of its estate, fixed, visited."""

    def make(status, **overrides):
        appeal = new_appeal(**overrides)
        if status == Status.RECEIVED:
            return appeal
        staff = world.staff_a if appeal.estate.community == world.a else world.staff_b
        pm = Meeting.objects.create(
            type=MeetingType.PARTY_MASSES,
            community=appeal.estate.community,
            estate=appeal.estate,
            place="党群服务站",
        )
        pm.agenda.add(appeal)
        route = {
            Status.COORDINATING: "coordinate",
            Status.HEARING: "major",
            Status.REFERRED: "refer",
        }.get(status, "handle")
        appeal_route(appeal=appeal, to=route, by=staff, meeting=pm, department=department)
        if status in (Status.RESOLVED, Status.REOPENED, Status.CLOSED):
            appeal_report_fix(appeal=appeal, by=staff, public_note="已处理")
        if status in (Status.REOPENED, Status.CLOSED):
            appeal_record_return_visit(
                appeal=appeal,
                by=staff,
                channel="phone",
                reached=True,
                solved=status == Status.CLOSED,
                satisfaction="satisfied",
            )
        appeal.refresh_from_db()
        assert appeal.status == status
        return appeal

    return make


@pytest.fixture
def meeting(world):
    """A meeting of A's first estate of the given type, with the appeals on its agenda."""

    def make(type_, *appeals, **fields):
        m = Meeting.objects.create(
            type=type_, community=world.a, estate=world.a_estate, place="党群服务站", **fields
        )
        m.agenda.add(*appeals)
        return m

    return make


PARTY_MASSES = MeetingType.PARTY_MASSES
