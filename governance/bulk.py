"""`manage.py seed_bulk --appeals N`: a large, realistic town for benchmarks (issue 11, item
5), written with set-based SQL on PostgreSQL (INSERT … SELECT over generate_series).

What it makes, in the town 规模测试镇 (BULK_TOWN):

- 20 communities, 200 estates (each a party branch with its secretary, 4 building groups,
  30 members, a group leader each), 2,000 buildings; staff users bulk-town (town
  committee), bulk-c01…bulk-c20 (community staff), bulk-e001…bulk-e200 (each estate's
  secretary), all with the demo password;
- `departments` departments (规模测试部门001…) the appeals are referred to, a department
  review meeting per community and year with resident representatives' scores;
- exactly N appeals over the last five years (more in recent years, in office hours),
  spread unevenly over estates, categories and sources, each with the events a real run of
  moves writes: the paths of `governance.bulk_paths` (handled, referred, sent back,
  through the party–masses, coordination and hearing meetings, declined, duplicate,
  withdrawn, not reached, unreachable, reopened after a dissatisfied visit), return visits,
  hearing votes and meeting agendas; recent appeals are where their path has got to by
  now, and a few stall (overdue). Appeals closed before the contact-retention period have
  their contact details erased, as the nightly job would have;
- party–masses meetings every two weeks per estate, coordination meetings weekly and
  hearings and public sentiment forums every four weeks per community, each held where an
  appeal waited for it;
- Five Zeros: every estate's records start five years ago; incidents in realistic numbers
  (most months zero), most verified, some dismissed with a reason, recent ones pending.

How: each appeal's draws (where, when, what, which path, how fast) are hashes of its
number, so the same N gives the same town. The paths are expanded once in Python through
the services' own rules (`bulk_paths`), written to small temporary tables, and joined with
one planning row per appeal; an event's time, the due dates it set and the appeal's
columns come from the same arithmetic, so every appeal's status is its last event's.
Tracking codes are an affine permutation of a counter over the code alphabet, leaving out
codes already taken: exactly N, unique by construction.

For speed, inside one transaction (all or nothing): the secondary indexes and foreign keys
of the appeal, event, return-visit, agenda and vote tables are dropped and created again
after the load (which validates every foreign key), and the cross-table trigger of appeals
is disabled during the load and its rule checked once over the new rows. Other sessions
wait for those tables meanwhile: seed a benchmark database, not a live one.

Afterwards the roll-ups are rebuilt (`meetings.rollups.rollups_rebuild`: the daily tables,
then the month tables folded from them) and the tables analysed. Refused on anything but
PostgreSQL, and when the bulk town exists (seed a fresh database to start again).
"""

import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from branches.demo import CATEGORIES, DEMO_PASSWORD, GIVEN, SURNAMES
from branches.models import (
    Building,
    BuildingGroup,
    Community,
    Estate,
    GroupBuilding,
    Member,
    MemberCategory,
    StaffRole,
    StaffScope,
    Town,
)
from meetings import db_rules as meetings_rules
from meetings.models import (
    Appeal,
    AppealCategory,
    AppealEvent,
    Channel,
    Department,
    HearingVote,
    Meeting,
    MeetingType,
    ReturnVisit,
    ReviewScore,
    Satisfaction,
    Source,
)
from meetings.rollups import MONTHS as ROLLUP_MONTHS
from meetings.rollups import TABLES as ROLLUP_TABLES
from meetings.rollups import rollups_rebuild
from meetings.tracking import ALPHABET, LENGTH
from zeroindex.models import (
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentSource,
    RecordsStart,
    RecordsStartChange,
)

from .bulk_paths import TIME_COLUMNS, all_paths

BULK_TOWN = "规模测试镇"
COUNTY = "长沙县"
USER_PREFIX = "bulk-"
DEPARTMENT_PREFIX = "规模测试部门"
DEFAULT_DEPARTMENTS = 60
YEARS = 5
COMMUNITIES = [
    "东风", "向阳", "红旗", "星沙", "湘龙", "泉塘", "松雅", "金茂", "天华", "万家",
    "榔梨", "黄花", "安沙", "北山", "果园", "春华", "高桥", "福临", "开慧", "青山",
]  # fmt: skip
ESTATE_KINDS = ["花园", "新村", "雅苑", "家园", "小区", "名城", "嘉园", "公寓", "景苑", "华府"]
BUILDINGS_PER_ESTATE = 10
# Which buildings (by number) each of an estate's four groups covers.
GROUPS = [(1, 2, 3), (4, 5), (6, 7, 8), (9, 10)]
MEMBERS_PER_ESTATE = 30
# Residents of an estate who write in: phone numbers drawn from a pool, some much more often.
RESIDENT_POOL = 3000

# What residents write about, per category (the installation's own names; a category not
# listed here gets the general list), most often first.
PROBLEMS = {
    "物业管理": ["物业维修不及时", "电梯经常故障停运", "物业费收支不透明", "门禁损坏无人修"],
    "环境卫生": ["垃圾清运不及时", "楼道堆放杂物", "宠物粪便无人清理", "下水道堵塞返臭"],
    "停车管理": ["小区停车位不足", "车辆乱停堵塞消防通道", "充电桩不够用"],
    "邻里纠纷": ["楼上漏水到我家", "夜间广场舞噪音扰民", "装修噪音扰民"],
    "安全隐患": ["窨井盖松动", "电动车在楼道充电", "燃气管道有异味"],
    "公共设施": ["楼道灯不亮", "路面破损积水", "健身器材损坏"],
    "违章搭建": ["顶楼违章加盖", "一楼私搭围墙"],
    "其他": ["咨询社区办事流程"],
}
GENERAL_PROBLEMS = ["设施损坏需要维修", "希望社区帮助协调"]
CATEGORY_WEIGHTS = {
    "物业管理": 25,
    "环境卫生": 20,
    "停车管理": 15,
    "邻里纠纷": 10,
    "安全隐患": 8,
    "公共设施": 15,
    "违章搭建": 4,
    "其他": 3,
}
SOURCES = [
    (Source.WEB_FORM, 45),
    (Source.PHONE, 25),
    (Source.BUILDING_GROUP, 12),
    (Source.HOME_VISIT, 12),
    (Source.FORUM, 6),
]
SATISFACTION = [
    (Satisfaction.SATISFIED, 78),
    (Satisfaction.BASICALLY, 15),
    (Satisfaction.DISSATISFIED, 7),
]
VISIT_CHANNELS = [
    (Channel.PHONE, 70),
    (Channel.HOME_VISIT, 15),
    (Channel.ONLINE_GROUP, 5),
    (Channel.RESIDENT_ONLINE, 10),
]
# One department in POOR_DEPARTMENTS is poor: its referrals go POOR_PACE times slower (many
# late), a POOR_DISSATISFIED share of their residents is dissatisfied, reviewers score it low.
POOR_DEPARTMENTS, POOR_PACE, POOR_DISSATISFIED = 10, 2.5, 0.35
# Of the appeals received in the last STALL_DAYS, this share stalls at some step: open and,
# once its due date passes, overdue.
STALL_DAYS, STALL_SHARE = 180, 0.025
# When each kind of meeting is held (local time, Asia/Shanghai), every `days` days from the
# first, shifted per estate or community so they do not all meet on one evening.
SCHEDULE = {
    MeetingType.PARTY_MASSES: ("2020-01-03 19:00+08", 14, "estate_no", 14),
    MeetingType.COORDINATION: ("2020-01-07 09:30+08", 7, "community_no", 5),
    MeetingType.HEARING: ("2020-01-04 09:00+08", 28, "community_no", 7),
    MeetingType.FORUM: ("2020-01-05 09:00+08", 28, "community_no", 7),
}
MEETING_HOURS = 2  # an outcome is recorded at the end of its meeting
PLACES = {
    MeetingType.PARTY_MASSES: "党群议事厅",
    MeetingType.COORDINATION: "社区协调会议室",
    MeetingType.HEARING: "社区听证室",
    MeetingType.FORUM: "社区民情恳谈会场",
    MeetingType.DEPARTMENT_REVIEW: "社区会议室",
}
REVIEWERS = 8  # resident representatives scoring each department
# Five Zeros: the chance an estate has an incident of each category in a month.
INCIDENT_CHANCE = {
    IncidentCategory.ILLEGAL_CONSTRUCTION: 0.012,
    IncidentCategory.POLLUTION: 0.015,
    IncidentCategory.SAFETY_ACCIDENT: 0.008,
    IncidentCategory.PUBLIC_SECURITY: 0.015,
    IncidentCategory.PETITION: 0.010,
}
INCIDENT_TEXT = {
    IncidentCategory.ILLEGAL_CONSTRUCTION: "发现违章搭建",
    IncidentCategory.POLLUTION: "发生环境污染",
    IncidentCategory.SAFETY_ACCIDENT: "发生安全事故",
    IncidentCategory.PUBLIC_SECURITY: "发生治安案件",
    IncidentCategory.PETITION: "居民越级上访",
}
# Tracking codes: x → (CODE_A·x + CODE_B) mod 23^8 is a permutation of the code space
# (CODE_A, near 23^8 × 0.618, is prime to 23), so neighbouring appeals' codes look
# unrelated. x·CODE_A stays within a bigint for x below MAX_CODES.
CODE_SPACE = len(ALPHABET) ** LENGTH
CODE_A, CODE_B = 48_398_850_592, 31_415_926_535
MAX_CODES = (2**63 - 1 - CODE_B) // CODE_A


class BulkRefused(Exception):
    """seed_bulk will not run here; the message says why and what to do."""


@dataclass
class BulkSeeded:
    counts: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(seconds for _name, seconds in self.timings)


def bulk_town_appeals() -> int | None:
    """How many appeals the bulk town has; None when there is no bulk town."""
    town = Town.objects.filter(name=BULK_TOWN).first()
    if town is None:
        return None
    return Appeal.objects.filter(estate__community__town=town).count()


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


AGENDA = Meeting.agenda.through
# The tables the appeals fill: loaded without their secondary indexes and foreign keys.
LOADED = [Appeal, AppealEvent, ReturnVisit, AGENDA, HearingVote]


def _u(j: int, of: str = "d.n") -> str:
    """The appeal's j-th draw in [0, 1): a hash of its number (reproducible, and safe to
    evaluate twice, unlike random())."""
    return f"((hashint8extended({of}, {j}) & 4503599627370495)::float8 / 4503599627370496.0)"


def _thresholds(weights) -> list[float]:
    """The inner bounds of cumulative shares, for width_bucket: bucket 0 … len-1."""
    total = sum(weights)
    return [c / total for c in list(accumulate(weights))[:-1]]


def _pick(j: int, weights) -> str:
    """SQL: a 1-based index drawn with these weights."""
    bounds = ", ".join(f"{b:.12f}" for b in _thresholds(weights))
    if not bounds:
        return "1"
    return f"(width_bucket({_u(j)}, ARRAY[{bounds}]::float8[]) + 1)"


def _poor(department_no: str) -> str:
    """SQL: is the bulk department of this number (1…) a poor one (POOR_DEPARTMENTS)?"""
    return f"(mod(hashint8(({department_no})::bigint) & 2147483647, {POOR_DEPARTMENTS}) = 0)"


def _moment(t: str, x: str = "", days: bool = True) -> str:
    """SQL: the moment a template Ref (columns {x}a, {x}cum, {x}m, {x}days of alias `t`)
    stands for, for plan row `p` (bulk_paths' docstring)."""
    waited = f"CASE {t}.{x}m WHEN 1 THEN p.d1 WHEN 2 THEN p.d2 WHEN 3 THEN p.d3 ELSE 0 END"
    hours = f"{t}.{x}a * p.ack_h + p.s * {t}.{x}cum + {waited}"
    extra = f" + {t}.{x}days * 24" if days else ""
    return f"(p.c + ({hours}{extra}) * interval '1 hour')"


class _Clock:
    def __init__(self, say):
        self.say = say
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def phase(self, name: str):
        started = time.perf_counter()
        yield
        took = time.perf_counter() - started
        self.timings.append((name, took))
        self.say(f"  {name:<44} {took:7.1f} s")


def seed_bulk(
    *,
    appeals: int,
    departments: int = DEFAULT_DEPARTMENTS,
    now: datetime | None = None,
    say: Callable[[str], None] = print,
) -> BulkSeeded:
    """Create the bulk town with exactly `appeals` appeals (module docstring); prints each
    phase's time through `say`."""
    if connection.vendor != "postgresql":
        raise BulkRefused(
            "seed_bulk writes with PostgreSQL's set-based SQL (generate_series, date_bin, "
            f"hash functions) and needs PostgreSQL; this database is {connection.vendor}. "
            "Set DATABASE_URL to a PostgreSQL database made for benchmarks."
        )
    if appeals < 1:
        raise BulkRefused("--appeals must be at least 1.")
    if departments < 2:
        raise BulkRefused("--departments must be at least 2 (a referral sent back goes on).")
    if not AppealCategory.objects.exists():
        raise BulkRefused("There are no appeal categories: run migrate first.")
    existing = bulk_town_appeals()
    if existing is not None:
        raise BulkRefused(
            f"The bulk town {BULK_TOWN} exists already ({existing} appeals); seed_bulk neither "
            "adds to it nor replaces it. Seed a fresh database (drop this one or point "
            "DATABASE_URL at another) to start again."
        )
    now = now or timezone.now()
    clock = _Clock(say)
    seeded = BulkSeeded(timings=clock.timings)
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiling these long expressions cost more than it saved (5.7 s of the plan's 14).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        try:  # allowed only before the session's first temporary table
            with transaction.atomic():
                cursor.execute("SET LOCAL temp_buffers = '1GB'")
        except DatabaseError:
            pass
        with clock.phase("town, estates, buildings, members, staff"):
            tree = _tree()
        with clock.phase("departments"):
            department_ids = bulk_departments(departments)
        with clock.phase("drop indexes and foreign keys"):
            restore = _unload(cursor, LOADED)
        with clock.phase("plan the appeals"):
            _templates(cursor)
            _estates_table(cursor, tree)
            restore.first_appeal = _plan(cursor, appeals, department_ids, now)
        with clock.phase("meetings"):
            _meetings(cursor, now)
        with clock.phase("appeals"):
            _appeals(cursor, now)
        with clock.phase("events"):
            _events(cursor)
        with clock.phase("return visits, agendas, votes"):
            _visits_agendas_votes(cursor)
        with clock.phase("department reviews"):
            _reviews(cursor, tree, department_ids, now)
        with clock.phase("five-zero incidents"):
            _incidents(cursor, now)
        with clock.phase("indexes, foreign keys, rules"):
            _reload(cursor, restore)
        with clock.phase("analyze"):  # before the roll-ups: their plans need the statistics
            for model in (*LOADED, Meeting, ReviewScore, Incident, IncidentEvent):
                cursor.execute(f"ANALYZE {_t(model)}")
        with clock.phase("roll-ups rebuilt"):
            # Their foreign keys too would be checked row by row at commit (minutes).
            rollups = [*ROLLUP_TABLES, *ROLLUP_MONTHS]  # daily, and the months folded from them
            unloaded = _unload(cursor, rollups)
            rollups_rebuild()
            _reload(cursor, unloaded)
            for model in rollups:
                cursor.execute(f"ANALYZE {_t(model)}")
        seeded.counts = _counts(cursor)
    return seeded


# --- The organisation tree and staff (a few thousand rows: bulk INSERTs) -----------------


@dataclass
class _Tree:
    town: Town
    communities: list[Community]
    estates: list[Estate]  # in order: community by community
    buildings: dict[int, list[int]]  # estate id -> building ids, by number
    staff: dict[str, int]  # username -> id


def _tree() -> _Tree:
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # one hash for all: the password is published
    member_categories = [
        MemberCategory.objects.get_or_create(name=name, defaults={"position": i, "name_en": en})[0]
        for i, (name, en) in enumerate(CATEGORIES)
    ]
    town = Town.objects.create(name=BULK_TOWN, county=COUNTY)
    communities = Community.objects.bulk_create(
        Community(town=town, name=f"{name}社区", phone=f"0731-8{4100000 + n * 1000:07d}")
        for n, name in enumerate(COMMUNITIES, start=1)
    )
    names = [
        (f"{USER_PREFIX}town", f"{BULK_TOWN}党委"),
        *((f"{USER_PREFIX}c{n:02d}", f"{c.name}工作人员") for n, c in enumerate(communities, 1)),
        *(
            (f"{USER_PREFIX}e{n:03d}", _person(n))
            for n in range(1, len(communities) * len(ESTATE_KINDS) + 1)
        ),
    ]
    users = User.objects.bulk_create(
        User(username=u, first_name=f, password=password, is_staff=True) for u, f in names
    )
    staff = {user.username: user.pk for user in users}
    secretaries = iter(users[1 + len(communities) :])
    estates = Estate.objects.bulk_create(
        Estate(
            community=community,
            name=f"{community.name[:-2]}{kind}",
            address=f"{COUNTY}{BULK_TOWN}{community.name[:-2]}路{k * 8 + 1}号",
            branch_name=f"{community.name[:-2]}{kind}党支部",
            secretary=next(secretaries),
            branch_founded=date(2015 + k % 6, 1 + k, 1),
        )
        for community in communities
        for k, kind in enumerate(ESTATE_KINDS)
    )
    StaffScope.objects.bulk_create(
        [
            StaffScope(user=users[0], role=StaffRole.TOWN_COMMITTEE, town=town),
            *(
                StaffScope(user=user, role=StaffRole.COMMUNITY_STAFF, community=community)
                for user, community in zip(
                    users[1 : 1 + len(communities)], communities, strict=True
                )
            ),
            *(
                StaffScope(user_id=e.secretary_id, role=StaffRole.BRANCH_SECRETARY, estate=e)
                for e in estates
            ),
        ]
    )
    buildings = Building.objects.bulk_create(
        Building(estate=estate, name=f"{n}栋")
        for estate in estates
        for n in range(1, BUILDINGS_PER_ESTATE + 1)
    )
    by_estate: dict[int, list[int]] = {}
    for building in buildings:
        by_estate.setdefault(building.estate_id, []).append(building.pk)
    groups = BuildingGroup.objects.bulk_create(
        BuildingGroup(estate=estate, name=f"{'、'.join(map(str, numbers))}栋党小组")
        for estate in estates
        for numbers in GROUPS
    )
    GroupBuilding.objects.bulk_create(
        GroupBuilding(group=group, building_id=by_estate[group.estate_id][n - 1])
        for group, numbers in zip(groups, GROUPS * len(estates), strict=True)
        for n in numbers
    )
    members = []
    for e, estate in enumerate(estates):
        its_groups = groups[e * len(GROUPS) : (e + 1) * len(GROUPS)]
        for i in range(MEMBERS_PER_ESTATE):
            n = e * MEMBERS_PER_ESTATE + i
            members.append(
                Member(
                    estate=estate,
                    group=its_groups[i % len(GROUPS)],
                    name=_person(n + 7),
                    phone=f"1367{n:07d}",
                    category=member_categories[n % len(member_categories)],
                    is_leader=i < len(GROUPS),  # the first member of each group leads it
                    joined=date(1980 + n % 40, 1 + n % 12, 1 + n % 28),
                )
            )
    Member.objects.bulk_create(members, batch_size=2000)
    return _Tree(
        town=town,
        communities=communities,
        estates=estates,
        buildings=by_estate,
        staff=staff,
    )


def _person(n: int) -> str:
    return SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]


def bulk_departments(count: int) -> list[int]:
    """The bulk departments 1…count (created where missing), their ids in order."""
    names = [f"{DEPARTMENT_PREFIX}{n:03d}" for n in range(1, count + 1)]
    have = set(Department.objects.filter(name__in=names).values_list("name", flat=True))
    Department.objects.bulk_create(
        Department(
            name=name,
            name_en=f"Bulk test department {n:03d}",
            level=Department.Level.TOWN if n % 4 == 0 else Department.Level.COUNTY,
            emails=f"bulk-dept{n:03d}@county.example.cn",
        )
        for n, name in enumerate(names, start=1)
        if name not in have
    )
    ids = dict(Department.objects.filter(name__in=names).values_list("name", "pk"))
    return [ids[name] for name in names]


# --- Loading without indexes -------------------------------------------------------------


@dataclass
class _Restore:
    indexes: list[str] = field(default_factory=list)
    statistics: list[str] = field(default_factory=list)
    constraints: list[str] = field(default_factory=list)  # unique, then foreign keys
    triggers: list[tuple[str, str]] = field(default_factory=list)  # (table, trigger)
    first_appeal: int | None = None  # the loaded appeals' rules are checked from here


def _checks_now(cursor) -> None:
    """Run the foreign-key checks the transaction has deferred so far: a table with pending
    checks cannot be altered (a foreign key dropped or added alters both its tables)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _unload(cursor, models) -> _Restore:
    """Drop the tables' secondary indexes, unique constraints and foreign keys (the primary
    keys stay), and disable their triggers; returns what puts them back."""
    _checks_now(cursor)
    restore = _Restore()
    foreign_keys = []
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                   ARRAY(SELECT format('ALTER INDEX %%s ALTER COLUMN %%s SET STATISTICS %%s',
                                       i.indexrelid::regclass, a.attnum, a.attstattarget)
                         FROM pg_attribute a
                         WHERE a.attrelid = i.indexrelid AND a.attstattarget > 0)
            FROM pg_index i
            WHERE i.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [table],
        )
        for name, definition, statistics in cursor.fetchall():
            restore.indexes.append(definition)
            restore.statistics.extend(statistics)
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(
            """
            SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype IN ('u', 'f')
            """,
            [table],
        )
        for name, kind, definition in cursor.fetchall():
            quoted = connection.ops.quote_name(name)
            statement = f"ALTER TABLE {_t(model)} ADD CONSTRAINT {quoted} {definition}"
            (restore.constraints if kind == "u" else foreign_keys).append(statement)
            cursor.execute(f"ALTER TABLE {_t(model)} DROP CONSTRAINT {quoted}")
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        for (name,) in cursor.fetchall():
            restore.triggers.append((table, name))
            cursor.execute(f"ALTER TABLE {_t(model)} DISABLE TRIGGER {name}")
    restore.constraints += foreign_keys  # a foreign key may rest on a unique constraint
    return restore


def _reload(cursor, restore: _Restore) -> None:
    """Indexes back (built once each), foreign keys back (each validated over every row),
    triggers back on, and the rules they enforce checked once over the loaded appeals."""
    _checks_now(cursor)
    for statement in restore.indexes + restore.statistics + restore.constraints:
        cursor.execute(statement)
    for table, name in restore.triggers:
        cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER {name}")
    if restore.first_appeal is None:
        return
    for _name, table, _columns, condition, message in meetings_rules.RULES:
        if table != Appeal._meta.db_table:
            continue
        cursor.execute(
            f"SELECT count(*) FROM {table} AS NEW WHERE NEW.id >= %s AND ({condition})",
            [restore.first_appeal],
        )
        broken = cursor.fetchone()[0]
        if broken:
            raise RuntimeError(f"seed_bulk broke a rule in {broken} appeals: {message}")


# --- The plan: one row per appeal --------------------------------------------------------


def _templates(cursor) -> None:
    """The expanded paths as three small temporary tables (bulk_paths, bulk_steps,
    bulk_states) the big statements join."""
    paths = all_paths()
    cursor.execute(
        """
        CREATE TEMPORARY TABLE bulk_path (
            path int PRIMARY KEY, len int, weight float8,
            m1_type text, m1_cum float8, m1_agenda int,
            m2_type text, m2_cum float8, m2_agenda int,
            m3_type text, m3_cum float8, m3_agenda int,
            last_a int, last_cum float8, last_m int, referred boolean
        ) ON COMMIT DROP
        """
    )
    for path in paths:
        meetings = [*path.meetings, *[(None, None, None)] * (3 - len(path.meetings))]
        last = path.events[-1].at
        cursor.execute(
            "INSERT INTO bulk_path VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s)",
            [
                path.number,
                path.length,
                path.weight,
                *[value for meeting in meetings for value in meeting],
                last.a,
                last.cum,
                last.m,
                any(e.department for e in path.events),
            ],
        )
    cursor.execute(
        """
        CREATE TEMPORARY TABLE bulk_step (
            path int, i int, kind text, move text, from_status text, to_status text,
            a int, cum float8, m int, meeting int, actor text, direct boolean,
            public_note text, internal_note text, department int, handler boolean,
            original boolean, due_field text,
            due_a int, due_cum float8, due_m int, due_days float8,
            data jsonb, data_kind text,
            from_a int, from_cum float8, from_m int, from_days float8,
            visit boolean, v_reached boolean, v_solved boolean, v_sat text,
            vote boolean, eligible int, present int, votes_for int, votes_against int,
            abstain int, quorum boolean, passed boolean,
            PRIMARY KEY (path, i)
        ) ON COMMIT DROP
        """
    )
    rows = []
    for path in paths:
        for e in path.events:
            due = _ref(e.due_at)
            extended_from = _ref(e.extended_from)
            vote = e.vote or (None,) * 5
            rows.append(
                [
                    path.number,
                    e.i,
                    e.kind,
                    e.move,
                    e.from_status,
                    e.to_status,
                    e.at.a,
                    e.at.cum,
                    e.at.m,
                    e.meeting,
                    e.actor,
                    e.direct_by_secretary,
                    e.public_note,
                    e.internal_note,
                    e.department,
                    e.handler,
                    e.original,
                    e.due_field,
                    *due,
                    _json(e.data),
                    e.data_kind,
                    *extended_from,
                    e.visit is not None,
                    e.visit["reached"] if e.visit else None,
                    e.visit["solved"] if e.visit else None,
                    e.visit["satisfaction"] if e.visit else None,
                    e.vote is not None,
                    *vote,
                    e.data.get("quorum") if e.vote else None,
                    e.data.get("passed") if e.vote else None,
                ]
            )
    placeholders = ", ".join(["%s"] * len(rows[0]))
    cursor.executemany(f"INSERT INTO bulk_step VALUES ({placeholders})", rows)
    time_columns = ", ".join(
        f"{c}_a int, {c}_cum float8, {c}_m int, {c}_days float8"
        for c in (*TIME_COLUMNS, "next1", "next2")
    )
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE bulk_state (
            path int, k int, status text, closure_reason text,
            department int, handler boolean, original boolean, {time_columns},
            PRIMARY KEY (path, k)
        ) ON COMMIT DROP
        """
    )
    rows = []
    for path in paths:
        for state in path.states:
            candidates = [*state.next_due, None, None][:2]
            rows.append(
                [
                    path.number,
                    state.k,
                    state.status,
                    state.closure_reason,
                    state.department,
                    state.handler,
                    state.original,
                    *(v for c in TIME_COLUMNS for v in _ref(state.times[c])),
                    *(v for ref in candidates for v in _ref(ref)),
                ]
            )
    placeholders = ", ".join(["%s"] * len(rows[0]))
    cursor.executemany(f"INSERT INTO bulk_state VALUES ({placeholders})", rows)
    cursor.execute("ANALYZE bulk_path")
    cursor.execute("ANALYZE bulk_step")
    cursor.execute("ANALYZE bulk_state")


def _ref(ref) -> tuple:
    return (None,) * 4 if ref is None else (ref.a, ref.cum, ref.m, ref.days)


def _json(value: dict) -> str:
    import json

    return json.dumps({k: str(v) if hasattr(v, "label") else v for k, v in value.items()})


def _estates_table(cursor, tree: _Tree) -> None:
    """bulk_estate: per estate its number, community, secretary, community staff, buildings
    and how many appeals it draws (weights: some estates are much larger)."""
    community_no = {c.pk: n for n, c in enumerate(tree.communities, start=1)}
    cursor.execute(
        """
        CREATE TEMPORARY TABLE bulk_estate (
            estate_no int PRIMARY KEY, estate_id bigint, name text, community_no int,
            community_id bigint, community_name text, sec_id int, com_id int,
            buildings bigint[]
        ) ON COMMIT DROP
        """
    )
    rows = []
    for n, estate in enumerate(tree.estates, start=1):
        c = community_no[estate.community_id]
        rows.append(
            [
                n,
                estate.pk,
                estate.name,
                c,
                estate.community_id,
                tree.communities[c - 1].name,
                estate.secretary_id,
                tree.staff[f"{USER_PREFIX}c{c:02d}"],
                tree.buildings[estate.pk],
            ]
        )
    cursor.executemany("INSERT INTO bulk_estate VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    cursor.execute("ANALYZE bulk_estate")


def _plan(cursor, n: int, department_ids: list[int], now: datetime) -> int:
    """bulk_plan: one row per appeal with everything its rows are made of (draws, ids,
    code, times, the meetings it waits for and how far its path has got). Returns the
    first appeal's id."""
    categories = list(AppealCategory.objects.order_by("position", "pk"))
    category_weights = [CATEGORY_WEIGHTS.get(c.name, 5) for c in categories]
    problems = [PROBLEMS.get(c.name, GENERAL_PROBLEMS) for c in categories]
    width = max(len(p) for p in problems)
    problem_rows = [p + [p[0]] * (width - len(p)) for p in problems]
    problem_counts = [len(p) for p in problems]
    cursor.execute(f"SELECT count(*) FROM {_t(Appeal)}")
    taken = cursor.fetchone()[0]
    if n + taken > MAX_CODES:
        raise BulkRefused(f"seed_bulk makes at most {MAX_CODES - taken:,} appeals here.")
    appeal_base = _reserve(cursor, Appeal, n)
    start = now - timedelta(days=365 * YEARS + YEARS // 4)
    paths = all_paths()
    path_weights = [p.weight for p in paths]
    estate_weights = _estate_weights(cursor)
    departments = len(department_ids)
    department_weights = [1 / (1 + i / 25) for i in range(departments)]
    sources = [s for s, _w in SOURCES]
    satisfactions = [s for s, _w in SATISFACTION]
    channels = [c for c, _w in VISIT_CHANNELS]
    duplicate = next(p.number for p in paths if p.name == "duplicate")
    withdrawn = next(p.number for p in paths if p.name == "withdrawn")
    tz = settings.TIME_ZONE

    def bin_of(meeting_type, moment):
        origin, days, place, spread = SCHEDULE[meeting_type]
        return (
            f"date_bin('{days} days', {moment}, timestamptz '{origin}' "
            f"+ mod({place}, {spread}) * interval '1 day')"
        )

    def next_slot(type_column, moment):
        return (
            f"CASE {type_column} "
            + " ".join(
                f"WHEN '{t}' THEN {bin_of(t, moment)} + interval '{SCHEDULE[t][1]} days'"
                for t in (MeetingType.PARTY_MASSES, MeetingType.COORDINATION, MeetingType.HEARING)
            )
            + " END"
        )

    def ready(j, waited):
        return f"(c + (ack_h + s * m{j}_cum + {waited}) * interval '1 hour')"

    def waited(j, slot):
        return (
            f"(extract(epoch FROM {slot} - (c + (ack_h + s * m{j}_cum) * interval '1 hour'))"
            f" / 3600 + {MEETING_HOURS})"
        )

    params = {
        "n": n,
        "start": start,
        "span": now - start,
        "now": now,
        "tz": tz,
        "appeal_base": appeal_base,
        "departments": department_ids,
        "department_count": departments,
        "categories": [c.pk for c in categories],
        "problems": problem_rows,
        "problem_counts": problem_counts,
        "sources": sources,
        "satisfactions": satisfactions,
        "channels": channels,
        "surnames": list(SURNAMES),
        "given": GIVEN,
        "stall_since": now - timedelta(days=STALL_DAYS),
    }
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE bulk_plan ON COMMIT DROP AS
        WITH d AS (
            SELECT g AS n FROM generate_series(1, %(n)s) g
        ), drawn AS (
            SELECT d.n,
                   {_pick(1, estate_weights)} AS estate_no,
                   {_pick(2, category_weights)} AS category_no,
                   {_pick(3, [w for _s, w in SOURCES])} AS source_no,
                   {_pick(4, path_weights)} AS path0,
                   1 + floor({_u(5)} * {BUILDINGS_PER_ESTATE})::int AS building_no,
                   {_u(6)} AS u_problem,
                   floor({RESIDENT_POOL} * {_u(7)} ^ 2)::int AS resident,
                   {_pick(8, department_weights)} AS dept1_no,
                   floor({_u(9)} * (%(department_count)s - 1))::int AS dept2_step,
                   {_pick(10, [w for _s, w in SATISFACTION])} AS satisfaction_no,
                   {_pick(11, [w for _c, w in VISIT_CHANNELS])} AS channel_no,
                   %(start)s::timestamptz + %(span)s::interval
                       * CASE WHEN {_u(12)} < 0.5 THEN {_u(13)} ELSE sqrt({_u(13)}) END
                       AS day_raw,
                   7 + 15 * {_u(14)} ^ 1.4 AS at_hour,
                   {_u(15)} AS u_forum,
                   CASE WHEN {_u(16)} < 0.85 THEN 0.2 + 7.8 * {_u(17)}
                        WHEN {_u(16)} < 0.95 THEN 8 + 15 * {_u(17)}
                        ELSE 25 + 45 * {_u(17)} END AS ack_h,
                   0.4 + 2.1 * {_u(18)} ^ 2 AS s0, {_u(23)} AS u_poor,
                   {_u(19)} AS u_stall, {_u(20)} AS u_stall_at,
                   1 + floor({_u(21)} * array_length(%(surnames)s::text[], 1))::int AS surname,
                   1 + floor({_u(22)} * array_length(%(given)s::text[], 1))::int AS given
            FROM d
        ), placed AS (
            SELECT drawn.*, e.estate_id, e.community_id, e.community_no, e.sec_id, e.com_id,
                   e.buildings[building_no] AS building_id,
                   (%(categories)s::bigint[])[category_no] AS category_id,
                   (%(sources)s::text[])[source_no] AS source,
                   ((date_trunc('day', day_raw AT TIME ZONE %(tz)s) + at_hour * interval '1 hour')
                       AT TIME ZONE %(tz)s) AS c0
            FROM drawn JOIN bulk_estate e USING (estate_no)
        ), timed AS (
            SELECT placed.*,
                   CASE WHEN source = '{Source.FORUM}'
                        THEN {bin_of(MeetingType.FORUM, "c0")} END AS forum_at
            FROM placed
        ), dated AS (
            SELECT timed.*,
                   LEAST(COALESCE(forum_at + (30 + 90 * u_forum) * interval '1 minute', c0),
                         %(now)s::timestamptz - interval '1 minute') AS c,
                   '13' || lpad((estate_no * 100000 + resident)::text, 9, '0') AS phone
            FROM timed
        ), numbered AS (
            SELECT dated.*,
                   row_number() OVER (ORDER BY c, n) - 1 AS seq
            FROM dated
        ), linked AS (
            SELECT numbered.*,
                   %(appeal_base)s + seq AS id,
                   %(appeal_base)s + LAG(seq) OVER (
                       PARTITION BY estate_id, category_id ORDER BY c, n) AS earlier_id,
                   CASE WHEN c - LAG(c) OVER same_resident
                             <= interval '{settings.APPEAL_REPEAT_WINDOW_DAYS} days'
                        THEN %(appeal_base)s + LAG(seq) OVER same_resident END AS repeat_of_id
            FROM numbered
            WINDOW same_resident AS (PARTITION BY estate_id, category_id, phone ORDER BY c, n)
        ), pathed AS (
            SELECT linked.*,
                   CASE WHEN path0 = {duplicate} AND earlier_id IS NULL THEN {withdrawn}
                        ELSE path0 END AS path
            FROM linked
        ), paced AS (
            SELECT pathed.*, pa.len, pa.m1_cum, pa.m2_cum, pa.m3_cum,
                   pa.m1_type, pa.m2_type, pa.m3_type, pa.last_a, pa.last_cum, pa.last_m,
                   s0 * CASE WHEN pa.referred AND {_poor("dept1_no")} THEN {POOR_PACE} ELSE 1
                        END AS s,
                   CASE WHEN pa.referred AND {_poor("dept1_no")} AND u_poor < {POOR_DISSATISFIED}
                        THEN {satisfactions.index(Satisfaction.DISSATISFIED) + 1}
                        ELSE satisfaction_no END AS sat_no
            FROM pathed JOIN bulk_path pa USING (path)
        ), met1 AS (
            SELECT paced.*, {next_slot("m1_type", ready(1, "0"))} AS slot1 FROM paced
        ), met1d AS (
            SELECT met1.*, COALESCE({waited(1, "slot1")}, 0) AS d1 FROM met1
        ), met2 AS (
            SELECT met1d.*, {next_slot("m2_type", ready(2, "d1"))} AS slot2 FROM met1d
        ), met2d AS (
            SELECT met2.*, COALESCE({waited(2, "slot2")}, d1) AS d2 FROM met2
        ), met3 AS (
            SELECT met2d.*, {next_slot("m3_type", ready(3, "d2"))} AS slot3 FROM met2d
        ), met3d AS (
            SELECT met3.*, COALESCE({waited(3, "slot3")}, d2) AS d3 FROM met3
        )
        SELECT p.id, p.seq, {_code("p.seq")} AS code, p.estate_id, p.estate_no, p.community_id,
               p.community_no, p.building_id, p.building_no, p.category_id, p.category_no,
               p.source, p.c, p.ack_h, p.s, p.path, p.d1, p.d2, p.d3,
               p.slot1, p.slot2, p.slot3, p.forum_at,
               p.m1_type, p.m2_type, p.m3_type,
               NULL::bigint AS mid0, NULL::bigint AS mid1, NULL::bigint AS mid2,
               NULL::bigint AS mid3,
               (%(departments)s::bigint[])[p.dept1_no] AS dept1,
               (%(departments)s::bigint[])[
                   1 + mod(p.dept1_no + p.dept2_step, %(department_count)s)] AS dept2,
               p.sec_id, p.com_id,
               (%(satisfactions)s::text[])[p.sat_no] AS sat,
               (%(channels)s::text[])[p.channel_no] AS channel,
               p.earlier_id AS original_id, p.repeat_of_id,
               p.phone, (%(surnames)s::text[])[p.surname] || (%(given)s::text[])[p.given]
                   AS contact_name,
               (%(problems)s::text[])[p.category_no][
                   1 + floor(p.u_problem ^ 2 * (%(problem_counts)s::int[])[p.category_no])::int
               ] AS problem,
               CASE WHEN p.c >= %(stall_since)s AND p.u_stall < {STALL_SHARE}
                    THEN 1 + floor(p.u_stall_at * (p.len - 1))::int END AS stall,
               CASE WHEN p.c + (p.last_a * p.ack_h + p.s * p.last_cum
                         + CASE p.last_m WHEN 1 THEN p.d1 WHEN 2 THEN p.d2
                                         WHEN 3 THEN p.d3 ELSE 0 END) * interval '1 hour'
                         <= %(now)s
                    THEN p.len END AS k
        FROM met3d p
        """,
        params,
    )
    cursor.execute("SELECT count(*) FROM bulk_plan")
    planned = cursor.fetchone()[0]
    if planned != n:
        raise RuntimeError(f"seed_bulk planned {planned} appeals, not {n}")
    _codes_not_taken(cursor, n)
    # Where a path has not got to its end by now: as far as its steps' times allow.
    cursor.execute(
        f"""
        UPDATE bulk_plan p SET k = reached.k
        FROM (
            SELECT p.id, count(*) AS k FROM bulk_plan p
            JOIN bulk_step st ON st.path = p.path
            WHERE p.k IS NULL AND {_moment("st", days=False)} <= %(now)s
            GROUP BY p.id
        ) reached
        WHERE p.id = reached.id
        """,
        {"now": now},
    )
    cursor.execute("UPDATE bulk_plan SET k = stall WHERE stall < k")
    cursor.execute("CREATE UNIQUE INDEX ON bulk_plan (id)")
    cursor.execute("ANALYZE bulk_plan")
    return appeal_base


def _code(x: str) -> str:
    """SQL: the tracking code of counter x (a permutation of the code space, CODE_A)."""
    v = f"mod(({x})::bigint * {CODE_A} + {CODE_B}, {CODE_SPACE})"
    return " || ".join(
        f"substr('{ALPHABET}', 1 + mod({v} / {len(ALPHABET) ** d}, {len(ALPHABET)})::int, 1)"
        for d in range(LENGTH - 1, -1, -1)
    )


def code_of(counter: int) -> str:
    """The tracking code of a counter, as `_code` computes it in SQL."""
    v = (counter * CODE_A + CODE_B) % CODE_SPACE
    digits = []
    for _ in range(LENGTH):
        v, d = divmod(v, len(ALPHABET))
        digits.append(ALPHABET[d])
    return "".join(reversed(digits))


def _codes_not_taken(cursor, n: int) -> None:
    """The plan's codes are those of counters 0…n-1, all different; an appeal whose code
    an existing appeal has (rare: 23^8 codes) takes the code of the next counter that is
    free. So exactly n appeals with n unique codes, without retries or dropped rows."""
    cursor.execute(
        f"SELECT p.id FROM bulk_plan p JOIN {_t(Appeal)} a ON a.code = p.code ORDER BY p.id"
    )
    clashing = [row[0] for row in cursor.fetchall()]
    counter = n
    for appeal_id in clashing:
        while Appeal.objects.filter(code=code_of(counter)).exists():
            counter += 1
        cursor.execute(
            "UPDATE bulk_plan SET code = %s WHERE id = %s", [code_of(counter), appeal_id]
        )
        counter += 1


def _estate_weights(cursor) -> list[float]:
    rng = random.Random(11)
    cursor.execute("SELECT count(*) FROM bulk_estate")
    return [0.4 + rng.random() * 1.6 for _ in range(cursor.fetchone()[0])]


def _reserve(cursor, model, count: int) -> int:
    """The first of `count` consecutive ids taken from the model's sequence now (its table
    is locked by the dropped indexes: nobody else inserts meanwhile)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


# --- Meetings ----------------------------------------------------------------------------


def _meetings(cursor, now: datetime) -> None:
    """A meeting for each time and place an appeal waited for (its agenda reached), and
    each plan row told its meetings' ids."""
    parts = []
    for j in (1, 2, 3):
        parts.append(
            f"""
            SELECT p.m{j}_type AS type, p.community_id,
                   CASE WHEN p.m{j}_type = '{MeetingType.PARTY_MASSES}' THEN p.estate_id END
                       AS estate_id,
                   p.slot{j} AS held_at
            FROM bulk_plan p JOIN bulk_path pa USING (path)
            WHERE pa.m{j}_type IS NOT NULL AND p.k >= pa.m{j}_agenda
            """
        )
    parts.append(
        f"""
        SELECT '{MeetingType.FORUM}', community_id, NULL::bigint, forum_at
        FROM bulk_plan WHERE forum_at IS NOT NULL
        """
    )
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE bulk_meeting ON COMMIT DROP AS
        SELECT nextval(pg_get_serial_sequence('{Meeting._meta.db_table}', 'id')) AS id, s.*
        FROM (SELECT DISTINCT * FROM ({" UNION ALL ".join(parts)}) slots) s
        """
    )
    closed = f"held_at + interval '{MEETING_HOURS + 1} hours'"
    cursor.execute(
        f"""
        INSERT INTO {_t(Meeting)} (id, type, community_id, estate_id, held_at, place, chair,
            resident_representatives, head_count, minutes, closed_at, created_by_id)
        SELECT m.id, m.type, m.community_id, m.estate_id, m.held_at,
               COALESCE(e.name, c.community_name) || (%(places)s::jsonb ->> m.type),
               u.first_name, '', 12 + mod(m.id, 25),
               '会议纪要：议题逐项讨论，形成意见如议程所列。',
               CASE WHEN {closed} <= %(now)s THEN {closed} END,
               u.id
        FROM bulk_meeting m
        JOIN (SELECT DISTINCT community_id, community_name, com_id FROM bulk_estate) c
            USING (community_id)
        LEFT JOIN bulk_estate e ON e.estate_id = m.estate_id
        JOIN {_t(get_user_model())} u ON u.id = COALESCE(e.sec_id, c.com_id)
        """,
        {"places": _json(PLACES), "now": now},
    )
    for j in (1, 2, 3):
        cursor.execute(
            f"""
            UPDATE bulk_plan p SET mid{j} = m.id FROM bulk_meeting m
            WHERE p.m{j}_type IS NOT NULL AND m.type = p.m{j}_type
              AND m.held_at = p.slot{j} AND m.community_id = p.community_id
              AND m.estate_id IS NOT DISTINCT FROM
                  CASE WHEN p.m{j}_type = '{MeetingType.PARTY_MASSES}' THEN p.estate_id END
            """
        )
    cursor.execute(
        f"""
        UPDATE bulk_plan p SET mid0 = m.id FROM bulk_meeting m
        WHERE p.forum_at IS NOT NULL AND m.type = '{MeetingType.FORUM}'
          AND m.held_at = p.forum_at AND m.community_id = p.community_id
        """
    )


# --- Appeals, events, visits, agendas, votes ---------------------------------------------


def _appeals(cursor, now: datetime) -> None:
    times = {c: f"({_moment('st', c + '_')})" for c in (*TIME_COLUMNS, "next1", "next2")}
    retention = settings.APPEAL_CONTACT_RETENTION_MONTHS
    erased = f"(st.status = 'closed' AND x.closed_at < %(now)s - interval '{retention} months')"
    start = settings.WORKING_HOURS_START % 24
    cursor.execute(
        f"""
        INSERT INTO {_t(Appeal)} (id, code, estate_id, building_id, category_id, title,
            description, source, contact_name, contact_phone, consent_at, status,
            closure_reason, handler_id, department_id, duplicate_of_id, repeat_of_id,
            created_at, acknowledged_at, resolved_at, closed_at, response_due_at,
            routing_due_at, handling_due_at, return_visit_due_at, next_due_at,
            visit_reminder_step, next_reminder_at, language, anonymised_at)
        SELECT p.id, p.code, p.estate_id, p.building_id, p.category_id,
               p.building_no || '栋' || p.problem,
               p.building_no || '栋' || p.problem || '，已经有一段时间了，希望社区尽快协调处理。',
               p.source,
               CASE WHEN {erased} THEN '' ELSE p.contact_name END,
               CASE WHEN {erased} THEN '' ELSE p.phone END,
               CASE WHEN p.source = '{Source.WEB_FORM}' THEN p.c END,
               st.status, st.closure_reason,
               CASE WHEN st.handler THEN p.sec_id END,
               CASE st.department WHEN 1 THEN p.dept1 WHEN 2 THEN p.dept2 END,
               CASE WHEN st.original THEN p.original_id END,
               p.repeat_of_id, p.c,
               {times["acknowledged_at"]}, {times["resolved_at"]}, x.closed_at,
               {times["response_due_at"]}, {times["routing_due_at"]},
               {times["handling_due_at"]}, x.visit_due,
               LEAST({times["next1"]}, {times["next2"]}),
               0,
               CASE WHEN st.status = 'resolved'
                    THEN ((date(x.visit_due AT TIME ZONE %(tz)s) - 1)
                          + interval '{start} hours') AT TIME ZONE %(tz)s END,
               %(language)s,
               CASE WHEN {erased}
                    THEN LEAST(x.closed_at + interval '{retention} months 1 day', %(now)s) END
        FROM bulk_plan p
        JOIN bulk_state st ON st.path = p.path AND st.k = p.k
        CROSS JOIN LATERAL (
            SELECT {times["closed_at"]} AS closed_at,
                   {times["return_visit_due_at"]} AS visit_due
        ) x
        """,
        {"now": now, "tz": settings.TIME_ZONE, "language": settings.LANGUAGE_CODE},
    )


def _width(cursor) -> int:
    cursor.execute("SELECT max(len) FROM bulk_path")
    return cursor.fetchone()[0]


ACTOR = """CASE st.actor WHEN 'sec' THEN p.sec_id WHEN 'com' THEN p.com_id
    WHEN 'submit' THEN CASE p.source WHEN 'web_form' THEN NULL WHEN 'forum' THEN p.com_id
                       ELSE p.sec_id END
    WHEN 'visit' THEN CASE WHEN p.channel = 'resident_online' THEN NULL ELSE p.com_id END
    END"""
BY_RESIDENT = """(st.actor = 'resident' OR (st.actor = 'submit' AND p.source = 'web_form')
    OR (st.actor = 'visit' AND p.channel = 'resident_online'))"""
MEETING_ID = """CASE st.meeting WHEN 1 THEN p.mid1 WHEN 2 THEN p.mid2 WHEN 3 THEN p.mid3
    ELSE CASE WHEN st.i = 1 THEN p.mid0 END END"""


def _events(cursor) -> None:
    width = _width(cursor)
    cursor.execute("SELECT count(*) FROM bulk_plan")
    appeals = cursor.fetchone()[0]
    event_base = _reserve(cursor, AppealEvent, appeals * width)
    satisfaction = "COALESCE(NULLIF(st.v_sat, ''), p.sat)"
    visit_channel = "CASE WHEN st.v_reached THEN p.channel ELSE 'phone' END"
    cursor.execute(
        f"""
        INSERT INTO {_t(AppealEvent)} (id, appeal_id, created_at, actor_id, by_resident, kind,
            move, from_status, to_status, meeting_id, direct_by_secretary, public_note,
            internal_note, department_id, handler_id, original_id, due_field, due_at, data)
        SELECT %(base)s + p.seq * {width} + st.i - 1, p.id, {_moment("st", days=False)},
               {ACTOR}, {BY_RESIDENT}, st.kind, st.move, st.from_status, st.to_status,
               {MEETING_ID}, st.direct, st.public_note, st.internal_note,
               CASE st.department WHEN 1 THEN p.dept1 WHEN 2 THEN p.dept2 END,
               CASE WHEN st.handler THEN p.sec_id END,
               CASE WHEN st.original THEN p.original_id END,
               st.due_field, {_moment("st", "due_")},
               CASE st.data_kind
                   WHEN 'source' THEN jsonb_build_object('source', p.source)
                   WHEN 'visit' THEN jsonb_build_object(
                       'satisfaction', {satisfaction}, 'channel', {visit_channel})
                   WHEN 'from' THEN jsonb_build_object('from', to_char(
                       {_moment("st", "from_")} AT TIME ZONE 'UTC',
                       'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))
                   ELSE st.data END
        FROM bulk_plan p JOIN bulk_step st ON st.path = p.path AND st.i <= p.k
        """,
        {"base": event_base},
    )


def _visits_agendas_votes(cursor) -> None:
    cursor.execute(
        f"""
        INSERT INTO {_t(ReturnVisit)} (appeal_id, by_id, channel, reached, solved,
            satisfaction, note, created_at)
        SELECT p.id, {ACTOR},
               CASE WHEN st.v_reached THEN p.channel ELSE 'phone' END,
               st.v_reached, st.v_solved,
               CASE WHEN st.v_reached THEN COALESCE(NULLIF(st.v_sat, ''), p.sat) ELSE '' END,
               '', {_moment("st", days=False)}
        FROM bulk_plan p JOIN bulk_step st ON st.path = p.path AND st.i <= p.k AND st.visit
        ORDER BY p.id, st.i
        """
    )
    cursor.execute(
        f"""
        INSERT INTO {_t(AGENDA)} (meeting_id, appeal_id)
        SELECT {MEETING_ID}, p.id
        FROM bulk_plan p JOIN bulk_step st ON st.path = p.path AND st.i <= p.k
        WHERE st.kind = 'agenda'
        UNION ALL
        SELECT mid0, id FROM bulk_plan WHERE mid0 IS NOT NULL
        """
    )
    cursor.execute(
        f"""
        INSERT INTO {_t(HearingVote)} (meeting_id, appeal_id, eligible, present, votes_for,
            votes_against, abstain, quorum, passed, created_at)
        SELECT {MEETING_ID}, p.id, st.eligible, st.present, st.votes_for, st.votes_against,
               st.abstain, st.quorum, st.passed, {_moment("st", days=False)}
        FROM bulk_plan p JOIN bulk_step st ON st.path = p.path AND st.i <= p.k AND st.vote
        """
    )


# --- Department reviews and the Five Zeros -----------------------------------------------


def _reviews(cursor, tree: _Tree, department_ids: list[int], now: datetime) -> None:
    """Each December every community holds a department review meeting; its resident
    representatives score the departments it works with most (each department at about
    three communities), each department with a quality of its own."""
    per_meeting = max(5, min(len(department_ids), -(-3 * len(department_ids) // 20)))
    representatives = [f"居民代表{_person(n + 101)}" for n in range(REVIEWERS)]
    cursor.execute(
        f"""
        WITH held AS (
            SELECT c.community_id, c.community_no, c.com_id, c.community_name,
                   make_timestamptz(y, 12, 10 + mod(c.community_no, 10), 9, 0, 0, %(tz)s)
                       AS held_at
            FROM (SELECT DISTINCT community_id, community_no, com_id, community_name
                  FROM bulk_estate) c,
                 generate_series(%(first)s, %(last)s) y
        ), made AS (
            INSERT INTO {_t(Meeting)} (type, community_id, held_at, place, chair,
                resident_representatives, head_count, minutes, closed_at, created_by_id)
            SELECT '{MeetingType.DEPARTMENT_REVIEW}', h.community_id, h.held_at,
                   h.community_name || %(place)s, u.first_name, %(names)s, {REVIEWERS + 6},
                   '会议纪要：居民代表对各部门年度工作进行评议打分。',
                   h.held_at + interval '3 hours', h.com_id
            FROM held h JOIN {_t(get_user_model())} u ON u.id = h.com_id
            WHERE h.held_at + interval '3 hours' <= %(now)s
            RETURNING id, community_id, held_at
        )
        INSERT INTO {_t(ReviewScore)} (meeting_id, department_id, representative, attitude,
            efficiency, results, comment, entered_by_id, entered_at)
        SELECT m.id, (%(departments)s::bigint[])[dept_no], r.name,
               {_score("attitude")}, {_score("efficiency")}, {_score("results")},
               '', c.com_id, m.held_at + interval '1 day'
        FROM made m
        JOIN (SELECT DISTINCT community_id, community_no, com_id FROM bulk_estate) c
            USING (community_id),
        LATERAL (SELECT 1 + mod((c.community_no - 1) * %(stride)s + j,
                                %(department_count)s) AS dept_no
                 FROM generate_series(0, %(per_meeting)s - 1) j) d,
        LATERAL unnest(%(representatives)s::text[]) WITH ORDINALITY AS r(name, no)
        """,
        {
            "tz": settings.TIME_ZONE,
            "first": timezone.localtime(now).year - YEARS,
            "last": timezone.localtime(now).year,
            "place": PLACES[MeetingType.DEPARTMENT_REVIEW],
            "names": "\n".join(representatives),
            "now": now,
            "departments": department_ids,
            "department_count": len(department_ids),
            "stride": max(1, len(department_ids) // len(tree.communities)),
            "per_meeting": per_meeting,
            "representatives": representatives,
        },
    )


def _score(column: str) -> str:
    """A reviewer's score: the department's quality (60–97; a poor one's 40–64) give or
    take 12."""
    seed = {"attitude": 1, "efficiency": 2, "results": 3}[column]
    spread = "mod(hashint8extended(dept_no::bigint, 7) & 2147483647, 38)"
    quality = f"CASE WHEN {_poor('dept_no')} THEN 40 + {spread} * 24 / 37 ELSE 60 + {spread} END"
    noise = (
        f"mod(hashint8extended(m.id * 100000 + dept_no * 100 + r.no, {seed}) & 2147483647, 25) - 12"
    )
    return f"GREATEST(0, LEAST(100, {quality} + {noise}))"


def _incidents(cursor, now: datetime) -> None:
    """Every estate's records start five years ago; per estate, month and category an
    incident with a small chance (INCIDENT_CHANCE): recorded by the secretary, verified
    by community staff (or dismissed with a reason); those of the last 20 days pending."""
    local = timezone.localtime(now)
    first_month = (local - timedelta(days=365 * YEARS)).date().replace(day=1)
    cursor.execute(
        f"""
        INSERT INTO {_t(RecordsStart)} (estate_id, month)
        SELECT estate_id, %(month)s FROM bulk_estate
        """,
        {"month": first_month},
    )
    cursor.execute(
        f"""
        INSERT INTO {_t(RecordsStartChange)} (estate_id, from_month, to_month, actor_id,
            created_at)
        SELECT estate_id, NULL, %(month)s, sec_id, %(at)s FROM bulk_estate
        """,
        {
            "month": first_month,
            "at": timezone.make_aware(datetime.combine(first_month, datetime.min.time())),
        },
    )
    chances = {str(k): v for k, v in INCIDENT_CHANCE.items()}
    texts = {str(k): v for k, v in INCIDENT_TEXT.items()}
    u = lambda j: _u(j, "(e.estate_no * 100000 + m.no * 10 + cat.no)")  # noqa: E731
    cursor.execute(
        f"""
        WITH drawn AS (
            SELECT e.estate_id, e.estate_no, e.sec_id, e.com_id, e.buildings, cat.name AS category,
                   LEAST(m.month_start + {u(2)} * (m.month_end - m.month_start),
                         %(now)s - interval '1 hour') AS occurred_at,
                   {u(3)} AS u_status, {u(4)} AS u_building
            FROM bulk_estate e,
                 LATERAL (SELECT no, (date_trunc('month', %(first)s::timestamp) + (no - 1)
                                      * interval '1 month') AT TIME ZONE %(tz)s AS month_start,
                                 (date_trunc('month', %(first)s::timestamp) + no
                                      * interval '1 month') AT TIME ZONE %(tz)s AS month_end
                          FROM generate_series(1, %(months)s) no) m,
                 jsonb_each_text(%(chances)s::jsonb) WITH ORDINALITY AS cat(name, chance, no)
            WHERE {u(1)} < cat.chance::float8 AND m.month_start < %(now)s
        ), judged AS (
            SELECT drawn.*,
                   CASE WHEN occurred_at > %(now)s - interval '20 days' THEN 'pending'
                        WHEN u_status < 0.85 THEN 'verified' ELSE 'dismissed' END AS status,
                   occurred_at + interval '6 hours' AS recorded_at,
                   LEAST(occurred_at + interval '3 days', %(now)s) AS judged_at
            FROM drawn
        ), made AS (
            INSERT INTO {_t(Incident)} (estate_id, building_id, category, occurred_at,
                description, source, status, recorded_by_id, recorded_at, verified_by_id,
                verified_at, dismissed_by_id, dismissed_at, dismissal_reason)
            SELECT estate_id,
                   CASE WHEN u_building < 0.7 THEN
                       buildings[1 + floor(u_building / 0.7 * array_length(buildings, 1))::int]
                   END,
                   category, occurred_at, %(texts)s::jsonb ->> category,
                   '{IncidentSource.STAFF}', status, sec_id, recorded_at,
                   CASE WHEN status = 'verified' THEN com_id END,
                   CASE WHEN status = 'verified' THEN judged_at END,
                   CASE WHEN status = 'dismissed' THEN com_id END,
                   CASE WHEN status = 'dismissed' THEN judged_at END,
                   CASE WHEN status = 'dismissed' THEN '经核查，情况不属实。' ELSE '' END
            FROM judged
            RETURNING id, estate_id, building_id, category, occurred_at, source, status,
                      recorded_by_id, recorded_at, verified_by_id, verified_at,
                      dismissed_by_id, dismissed_at, dismissal_reason
        )
        INSERT INTO {_t(IncidentEvent)} (incident_id, kind, actor_id, created_at, data)
        SELECT id, 'recorded', recorded_by_id, recorded_at,
               jsonb_build_object('category', category, 'estate', estate_id,
                   'building', building_id,
                   'occurred_at', to_char(occurred_at AT TIME ZONE 'UTC',
                                          'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
                   'source', source, 'appeal', NULL)
        FROM made
        UNION ALL
        SELECT id, status, COALESCE(verified_by_id, dismissed_by_id),
               COALESCE(verified_at, dismissed_at),
               CASE WHEN status = 'dismissed'
                    THEN jsonb_build_object('reason', dismissal_reason) ELSE '{{}}'::jsonb END
        FROM made WHERE status <> 'pending'
        """,
        {
            "first": first_month,
            "months": (local.year - first_month.year) * 12 + local.month - first_month.month + 1,
            "tz": settings.TIME_ZONE,
            "now": now,
            "chances": _json(chances),
            "texts": _json(texts),
        },
    )


def _counts(cursor) -> dict[str, int]:
    cursor.execute(
        f"""
        SELECT (SELECT count(*) FROM bulk_plan),
               (SELECT sum(k) FROM bulk_plan),
               (SELECT count(*) FROM bulk_plan p
                JOIN bulk_step st ON st.path = p.path AND st.i <= p.k AND st.visit),
               (SELECT count(*) FROM bulk_meeting),
               (SELECT count(*) FROM {_t(Incident)} i JOIN bulk_estate e USING (estate_id))
        """
    )
    names = ("appeals", "events", "return visits", "meetings", "incidents")
    return dict(zip(names, cursor.fetchone(), strict=True))
