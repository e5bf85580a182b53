"""Small hand-made worlds for the five-standards checklist's tests."""

from datetime import datetime

from django.utils import timezone

from branches.models import Facility, OrgMeeting, OrgMeetingKind, ServiceStation


def local(*args) -> datetime:
    """An aware datetime in the site's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime(*args))


def only_kind(name: str, *, level: str, every: int) -> OrgMeetingKind:
    """Leave one kind of meeting with an expectation (the seeded others expect nothing)."""
    OrgMeetingKind.objects.update(every_months=None)
    kind = OrgMeetingKind.objects.get(name=name)
    kind.level, kind.every_months = level, every
    kind.save()
    return kind


def meeting(estate, kind, at, group=None) -> OrgMeeting:
    return OrgMeeting.objects.create(
        estate=estate, kind=kind, group=group, held_at=at, topic="学习"
    )


def station(estate, *, open_facilities=("党员之家",), closed=()) -> ServiceStation:
    s = ServiceStation.objects.create(estate=estate, location="3栋一楼", opening_hours="8:30–17:30")
    for name in open_facilities:
        Facility.objects.create(station=s, name=name, is_open=True)
    for name in closed:
        Facility.objects.create(station=s, name=name, is_open=False)
    return s
