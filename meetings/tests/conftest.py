import pytest
from django.utils import timezone

from meetings.models import AppealCategory, Department, Meeting, MeetingType, Status
from meetings.services import appeal_submit


@pytest.fixture
def category(db):
    # seeded by a migration; a transactional test flushes it, so make sure it is there
    return AppealCategory.objects.get_or_create(name="物业管理")[0]


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
def appeal_in(new_appeal):
    """An appeal put straight into a status (test set-up; the moves are tested elsewhere)."""

    def make(status, **overrides):
        appeal = new_appeal(**overrides)
        now = timezone.now()
        fields = {"status": status}
        if status == Status.CLOSED:
            fields.update(closure_reason="solved", closed_at=now)
        if status == Status.RESOLVED:
            fields.update(resolved_at=now)
        type(appeal).objects.filter(pk=appeal.pk).update(**fields)
        appeal.refresh_from_db()
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
