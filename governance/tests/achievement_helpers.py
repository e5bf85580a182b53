"""A small hand-made year of one branch, through the services where there are any: appeals
moved by the real moves, incidents verified, ledger entries awarded; the station's sessions,
the meetings and the commitments are plain rows (their services belong to other parts)."""

from datetime import datetime

from django.utils import timezone

from branches.models import (
    Commitment,
    Facility,
    OrgMeeting,
    OrgMeetingKind,
    ServiceKind,
    ServiceSession,
    ServiceStation,
)


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def station_of(estate) -> ServiceStation:
    station, _ = ServiceStation.objects.get_or_create(
        estate=estate, defaults={"location": "1栋架空层", "opening_hours": "周一至周六"}
    )
    return station


def session(estate, when: datetime, people: int) -> ServiceSession:
    station = station_of(estate)
    facility, _ = Facility.objects.get_or_create(station=station, name="志愿理发室")
    kind, _ = ServiceKind.objects.get_or_create(name="义务理发")
    return ServiceSession.objects.create(
        station=station, facility=facility, kind=kind, starts_at=when, people_served=people
    )


def org_meeting(estate, when: datetime, group=None) -> OrgMeeting:
    level = OrgMeetingKind.Level.GROUP if group else OrgMeetingKind.Level.BRANCH
    kind = OrgMeetingKind.objects.filter(level=level).first() or OrgMeetingKind.objects.create(
        name=f"测试{level}", level=level
    )
    return OrgMeeting.objects.create(
        estate=estate, group=group, kind=kind, held_at=when, topic="学习"
    )


def commitment(group, year: int, *, verified_by=None, text="清理楼道杂物") -> Commitment:
    done = verified_by is not None
    return Commitment.objects.create(
        group=group,
        year=year,
        text=text,
        due_on=datetime(year, 9, 30).date(),
        progress=100 if done else 40,
        verified_by=verified_by,
        verified_at=timezone.now() if done else None,
    )
