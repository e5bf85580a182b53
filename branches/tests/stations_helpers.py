"""What the service-station tests share: a station opened through the service, the kinds of
service (seeded by a migration; a transactional test may have flushed them), and moments in
the past."""

from datetime import timedelta

from django.utils import timezone

from branches.models import ContributionEntry, ContributionRule, ServiceKind
from branches.stations import session_record, station_open


def kind(name="志愿理发", name_en="Volunteer haircuts") -> ServiceKind:
    return ServiceKind.objects.get_or_create(name=name, defaults={"name_en": name_en})[0]


def session_points() -> int:
    """The rule's points for a session (seeded 2; made sure of after a flush)."""
    rule = ContributionRule.objects.get_or_create(source="session", defaults={"points": 2})[0]
    return rule.points


def open_station(estate, location="2栋一楼架空层", hours="周一至周六 8:30–17:30"):
    return station_open(estate=estate, location=location, opening_hours=hours)


def days_ago(n: int, hour: int = 9):
    moment = timezone.localtime() - timedelta(days=n)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def record(station, *, people=10, members=(), volunteers=(), when=None, facility=None, by=None):
    return session_record(
        station=station,
        facility=facility or station.facilities.order_by("position").first(),
        kind=kind(),
        starts_at=when or days_ago(1),
        people_served=people,
        members=members,
        volunteers=volunteers,
        by=by,
    )


def points_of(member) -> int:
    return sum(ContributionEntry.objects.filter(member=member).values_list("points", flat=True))
