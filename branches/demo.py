"""The demo world of the case study (Huangxing Town, Guangda Community), built idempotently:
every row is found by its natural key before it is created, so a second run changes nothing."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import (
    Building,
    BuildingGroup,
    Community,
    Estate,
    Member,
    MemberCategory,
    StaffRole,
    StaffScope,
    Town,
)
from .places import METRES_PER_DEGREE
from .services import group_set_buildings, group_set_leader

DEMO_PASSWORD = "demo-2026"

# The five categories community party management usually sorts members into (DOMAIN.md),
# with their English names.
CATEGORIES = [
    ("社区直管党员", "Community-managed"),
    ("在职报到党员", "Working, registered"),
    ("离退休党员", "Retired"),
    ("流动党员", "Migrant"),
    ("其他党员", "Other"),
]
# How a typical resettlement estate's 61 members fall into them, in the order above.
CATEGORY_PATTERN = [2, 2, 1, 0, 2, 3, 1, 2, 0, 4, 2, 3, 1]

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = [
    "建国",
    "秀英",
    "志强",
    "桂兰",
    "海燕",
    "国华",
    "丽娟",
    "德明",
    "春梅",
    "卫东",
    "玉兰",
    "红军",
    "淑珍",
    "小平",
    "晓燕",
    "振华",
    "美玲",
    "永生",
    "金凤",
    "建军",
]


@dataclass(frozen=True)
class EstatePlan:
    name: str
    branch: str
    founded: datetime.date
    buildings: int
    # how the buildings (by number) are shared among the three groups
    groups: tuple[tuple[int, ...], ...]
    members: int
    # where its centre is, in metres east and north of TOWN_CENTRE
    east_m: int = 0
    north_m: int = 0


# Huangxing Town, Changsha County (WGS 84, roughly): the demo estates are a few hundred
# metres from here and from each other, their buildings in rows around each centre.
TOWN_CENTRE = (28.18, 113.13)
BUILDINGS_PER_ROW = 4
BUILDING_SPACING_M = (50, 60)  # east, north


def _degrees(east_m: float, north_m: float) -> tuple[Decimal, Decimal]:
    """The point `east_m` and `north_m` metres from the town centre, to six decimals."""
    lat, lon = TOWN_CENTRE
    north = lat + north_m / METRES_PER_DEGREE
    east = lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return Decimal(f"{north:.6f}"), Decimal(f"{east:.6f}")


def _building_offset(plan: EstatePlan, n: int) -> tuple[float, float]:
    """Building n (from 1) of the plan: rows of four around the estate's centre, within
    about 100 m of it."""
    rows = math.ceil(plan.buildings / BUILDINGS_PER_ROW)
    column, row = (n - 1) % BUILDINGS_PER_ROW, (n - 1) // BUILDINGS_PER_ROW
    east = (column - (BUILDINGS_PER_ROW - 1) / 2) * BUILDING_SPACING_M[0]
    north = ((rows - 1) / 2 - row) * BUILDING_SPACING_M[1]
    return plan.east_m + east, plan.north_m + north


def _locate(place, east_m: float, north_m: float) -> None:
    """Coordinates for a demo row that has none (a row of an earlier seed too); coordinates
    staff have set are kept."""
    if place.latitude is None and place.longitude is None:
        place.latitude, place.longitude = _degrees(east_m, north_m)
        place.save(update_fields=["latitude", "longitude"])


GUANGDA = [
    EstatePlan(
        "新城景苑",
        "新城景苑小区党支部",
        datetime.date(2017, 6, 28),
        6,
        ((1, 2), (3, 4), (5, 6)),
        61,
        east_m=0,
        north_m=0,
    ),
    EstatePlan(
        "新都城",
        "新都城小区党支部",
        datetime.date(2017, 7, 1),
        7,
        ((1, 2, 3), (4, 5), (6, 7)),
        61,
        east_m=450,
        north_m=150,
    ),
    EstatePlan(
        "丽景新城",
        "丽景新城小区党支部",
        datetime.date(2018, 3, 15),
        5,
        ((1, 2), (3, 4), (5,)),
        61,
        east_m=-400,
        north_m=300,
    ),
]
JINXING = [
    EstatePlan(
        "金星花园",
        "金星花园小区党支部",
        datetime.date(2019, 5, 20),
        3,
        ((1, 2, 3),),
        12,
        east_m=250,
        north_m=-650,
    ),
]

USERS = [
    # username, role, place (filled in below), first name
    ("admin", None, "管理员"),
    ("town", StaffRole.TOWN_COMMITTEE, "镇党委"),
    ("guangda", StaffRole.COMMUNITY_STAFF, "光达社区"),
    ("xinducheng", StaffRole.BRANCH_SECRETARY, "新都城支部书记"),
    ("other", StaffRole.COMMUNITY_STAFF, "金星社区"),
]


def _name(n: int) -> str:
    """The n-th demo name: every n gives a different name."""
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def _seed_estate(community: Community, plan: EstatePlan, categories, first_member: int) -> Estate:
    estate, _ = Estate.objects.get_or_create(
        community=community,
        name=plan.name,
        defaults={
            "branch_name": plan.branch,
            "branch_founded": plan.founded,
            "address": f"长沙县黄兴镇{plan.name}",
        },
    )
    _locate(estate, plan.east_m, plan.north_m)
    buildings = {
        n: Building.objects.get_or_create(estate=estate, name=f"{n}栋")[0]
        for n in range(1, plan.buildings + 1)
    }
    for n, building in buildings.items():
        _locate(building, *_building_offset(plan, n))
    groups = []
    for numbers in plan.groups:
        label = "、".join(str(n) for n in numbers)
        group, created = BuildingGroup.objects.get_or_create(estate=estate, name=f"{label}栋党小组")
        if created:
            group_set_buildings(group=group, buildings=[buildings[n] for n in numbers])
        groups.append(group)
    for i in range(plan.members):
        n = first_member + i
        group = groups[i % len(groups)]
        Member.objects.get_or_create(
            estate=estate,
            name=_name(n),
            defaults={
                "group": group,
                "phone": f"1397310{n:04d}",
                "category": categories[CATEGORY_PATTERN[i % len(CATEGORY_PATTERN)]],
                "joined": datetime.date(1975 + n % 45, 1 + n % 12, 1 + n % 28),
            },
        )
    for group in groups:
        if not Member.objects.filter(group=group, is_leader=True).exists():
            group_set_leader(group=group, member=group.members.order_by("pk").first())
    return estate


def _community(town: Town, name: str, *, phone: str) -> Community:
    """The community, with its (made-up) office telephone unless staff have set one."""
    community, _ = Community.objects.get_or_create(town=town, name=name)
    if not community.phone:
        community.phone = phone
        community.save(update_fields=["phone"])
    return community


@transaction.atomic
def seed_branches_demo() -> dict:
    """Build the demo organisation tree and the demo staff users; returns what exists."""
    categories = [
        MemberCategory.objects.get_or_create(name=name, defaults={"position": i, "name_en": en})[0]
        for i, (name, en) in enumerate(CATEGORIES)
    ]
    town, _ = Town.objects.get_or_create(name="黄兴镇", defaults={"county": "长沙县"})
    guangda = _community(town, "光达社区", phone="0731-84012345")
    jinxing = _community(town, "金星社区", phone="0731-84067890")

    estates = {}
    first = 0
    for community, plans in ((guangda, GUANGDA), (jinxing, JINXING)):
        for plan in plans:
            estates[plan.name] = _seed_estate(community, plan, categories, first)
            first += plan.members

    places = {"town": town, "guangda": guangda, "xinducheng": estates["新都城"], "other": jinxing}
    User = get_user_model()
    for username, role, first_name in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "is_staff": True, "is_superuser": role is None},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if role is not None:
            place = places[username]
            StaffScope.objects.get_or_create(
                user=user,
                defaults={"role": role, type(place).__name__.lower(): place},
            )
    xinducheng = estates["新都城"]
    if xinducheng.secretary_id is None:
        xinducheng.secretary = User.objects.get(username="xinducheng")
        xinducheng.save(update_fields=["secretary"])

    return {
        "towns": Town.objects.count(),
        "communities": Community.objects.count(),
        "estates": Estate.objects.count(),
        "buildings": Building.objects.count(),
        "groups": BuildingGroup.objects.count(),
        "members": Member.objects.count(),
        "guangda_members": Member.objects.filter(estate__community=guangda).count(),
        "guangda_groups": BuildingGroup.objects.filter(estate__community=guangda).count(),
        "guangda_leaders": Member.objects.filter(estate__community=guangda, is_leader=True).count(),
    }
