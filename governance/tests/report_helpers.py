"""A small year of one estate for the branch report tests (2025, Asia/Shanghai)."""

from datetime import date, timedelta

from meetings.models import Appeal, ClosureReason, Meeting, MeetingType, ReturnVisit, Status
from meetings.services import appeal_submit
from zeroindex.models import Incident, IncidentStatus, RecordsStart

from .yearend_helpers import local

YEAR = 2025


def appeal(world, category, *, at, estate=None, **columns):
    a = appeal_submit(
        estate=estate or world.a_estate,
        category=category,
        title="路灯坏了",
        description="小区门口路灯不亮。",
        contact_name="王秀英",
        contact_phone="13987654321",
        consent=True,
        at=at,
    )
    if columns:
        Appeal.objects.filter(pk=a.pk).update(**columns)
        a.refresh_from_db()
    return a


def visit(a, satisfaction):
    return ReturnVisit.objects.create(
        appeal=a, channel="phone", reached=True, solved=True, satisfaction=satisfaction
    )


def story(world, category, estate=None):
    """Received 4 (one a duplicate, left out: 3); solved 1 and acknowledged in time 1;
    one acknowledged late and overdue; one dissatisfied; a meeting of each type."""
    e = estate or world.a_estate
    start = local(YEAR, 3, 2)
    solved = appeal(
        world, category, at=start, estate=e,
        acknowledged_at=start + timedelta(hours=2),
        status=Status.CLOSED, closure_reason=ClosureReason.SOLVED,
    )  # fmt: skip
    visit(solved, "satisfied")
    late = appeal(
        world, category, at=start, estate=e,
        acknowledged_at=start + timedelta(days=5),
        status=Status.IN_PROGRESS, next_due_at=local(YEAR, 4, 1),
    )  # fmt: skip
    unhappy = appeal(world, category, at=start, estate=e, status=Status.RESOLVED)
    visit(unhappy, "dissatisfied")
    ReturnVisit.objects.create(appeal=unhappy, channel="phone", reached=False)
    appeal(
        world, category, at=start, estate=e,
        status=Status.CLOSED, closure_reason=ClosureReason.DUPLICATE, duplicate_of=solved,
    )  # fmt: skip
    appeal(world, category, at=local(YEAR - 1, 12, 30), estate=e)  # another year
    for kind in MeetingType.values:
        Meeting.objects.create(type=kind, community=e.community, estate=e, held_at=start)
    RecordsStart.objects.get_or_create(estate=e, defaults={"month": date(YEAR - 1, 1, 1)})
    Incident.objects.create(
        estate=e, category="pollution", occurred_at=local(YEAR, 5, 3),
        description="x", source="staff", status=IncidentStatus.VERIFIED,
        verified_at=local(YEAR, 5, 4),
    )  # fmt: skip
    return late
