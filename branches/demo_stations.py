"""The service stations' part of `seed_demo`: Guangda's three estates each open a station
with the case's facilities (丽景新城's playground closed for repairs), its volunteers and
professionals (a barber, a doctor, a lawyer), and a year of sessions up to today on a weekly
rota: haircuts on Tuesdays, health checks on Thursdays, and on Saturdays legal advice,
a policy talk, children's care or a clean-up in turn. The residents served pass 5,000 over
the year ("services for more than 5,000 people"). Every session is recorded through
`session_record`, so the members who served are credited in the ledger.

Idempotent: a station that has sessions gets none added; the people are found by name."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .models import Estate, Facility, Member, ServiceKind, ServiceSession, Volunteer
from .stations import session_record, station_open

STATIONS = {
    "新城景苑": ("2栋一楼架空层", "周一至周六 8:30–17:30"),
    "新都城": ("社区服务中心一楼", "周一至周日 8:30–18:00"),
    "丽景新城": ("3栋裙楼二楼", "周二至周六 9:00–17:00"),
}
CLOSED = {"丽景新城": "儿童游乐场"}  # under repair

# name, kind, organisation
VOLUNTEERS = [
    ("刘师傅", Volunteer.Kind.PROFESSIONAL, "黄兴镇爱心理发队"),
    ("陈医生", Volunteer.Kind.PROFESSIONAL, "黄兴镇卫生院"),
    ("周律师", Volunteer.Kind.PROFESSIONAL, "湖南星城律师事务所"),
    ("王阿姨", Volunteer.Kind.VOLUNTEER, ""),
    ("李大姐", Volunteer.Kind.VOLUNTEER, ""),
    ("大学生志愿者小赵", Volunteer.Kind.VOLUNTEER, "长沙学院"),
]


@dataclass(frozen=True)
class Rota:
    weekday: int  # Monday 0
    hour: int
    kind: str  # the kind of service (its Chinese name, seeded by migration 0007)
    facility: str
    people: tuple[int, int]  # residents served, from … to
    volunteers: tuple[int, ...]  # indexes into VOLUNTEERS
    members: int  # how many members serve


WEEKLY = [
    Rota(1, 9, "志愿理发", "志愿理发室", (10, 16), (0,), 1),
    Rota(3, 9, "义诊", "志愿诊疗室", (10, 18), (1, 3), 1),
]
SATURDAYS = [
    Rota(5, 9, "法律咨询", "法律咨询室", (4, 8), (2,), 1),
    Rota(5, 15, "政策宣讲", "党员之家", (20, 30), (), 3),
    Rota(5, 9, "儿童托管", "居民活动之家", (8, 14), (4, 5), 1),
    Rota(5, 8, "环境整治", "业主议事区", (15, 25), (3, 4), 4),
]


def _draw(*parts) -> int:
    """A number from its parts, the same on every run."""
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _sessions(estate: Estate, today):
    """(day, rota) for a year of weeks up to today, on the rota."""
    first = today - timedelta(days=364)
    monday = first - timedelta(days=first.weekday())
    week = 0
    while monday <= today:
        for rota in [*WEEKLY, SATURDAYS[week % len(SATURDAYS)]]:
            day = monday + timedelta(days=rota.weekday)
            if first <= day <= today:
                yield day, rota
        monday += timedelta(days=7)
        week += 1


@transaction.atomic
def seed_stations_demo() -> dict:
    now = timezone.now()
    today = timezone.localdate()
    clerk = get_user_model().objects.filter(username="guangda").first()
    kinds = {k.name: k for k in ServiceKind.objects.all()}
    for name, (location, hours) in STATIONS.items():
        estate = Estate.objects.filter(name=name, community__name="光达社区").first()
        if estate is None:
            continue
        station = station_open(estate=estate, location=location, opening_hours=hours)
        if name in CLOSED:
            Facility.objects.filter(station=station, name=CLOSED[name]).update(is_open=False)
        volunteers = [
            Volunteer.objects.get_or_create(
                estate=estate, name=v_name, organisation=org, defaults={"kind": kind}
            )[0]
            for v_name, kind, org in VOLUNTEERS
        ]
        if station.sessions.exists() or not kinds:
            continue
        facilities = {f.name: f for f in station.facilities.all()}
        members = list(Member.objects.filter(estate=estate, active=True).order_by("pk"))
        for n, (day, rota) in enumerate(_sessions(estate, today)):
            starts_at = timezone.make_aware(datetime.combine(day, time(rota.hour, 0)))
            if starts_at > now or rota.kind not in kinds:
                continue
            low, high = rota.people
            first = _draw(name, n) % max(len(members), 1)
            session_record(
                station=station,
                facility=facilities[rota.facility],
                kind=kinds[rota.kind],
                starts_at=starts_at,
                minutes=120 if rota.hour < 12 else 90,
                people_served=low + _draw(name, day) % (high - low + 1),
                members=[members[(first + k * 5) % len(members)] for k in range(rota.members)]
                if members
                else [],
                volunteers=[volunteers[i] for i in rota.volunteers],
                by=clerk,
            )
    year_ago = now - timedelta(days=365)
    this_year = timezone.make_aware(datetime(today.year, 1, 1))
    sessions = ServiceSession.objects.filter(station__estate__community__name="光达社区")
    return {
        "stations": len(STATIONS),
        "volunteers": Volunteer.objects.filter(estate__community__name="光达社区").count(),
        "sessions": sessions.filter(starts_at__gte=year_ago).count(),
        "people": sessions.filter(starts_at__gte=year_ago).aggregate(n=Sum("people_served"))["n"]
        or 0,
        "people_this_year": sessions.filter(starts_at__gte=this_year).aggregate(
            n=Sum("people_served")
        )["n"]
        or 0,
    }
