"""The Five Zeros' part of `seed_demo`, idempotent by natural keys (an estate's records start;
an incident by its estate and description), made through the services and backdated with
`at=`, never by patching columns.

What the boards then show (dates relative to the current year Y):
- 新城景苑: records from January Y-1, no verified incident: five-zero for the whole of Y-1
  and a long current streak (one report dismissed, one recent one awaiting verification);
- 新都城: records from January Y-1, incidents in Y-1 (one at 23:30 on 31 October) and in Y:
  not five-zero for Y-1, a short current streak; one incident from an appeal, one dismissed;
- 丽景新城: records from July Y-1 (January to June Y-1 unknown), one accident in September
  Y-1, then a streak; a noise report from an appeal dismissed;
- 金星花园: records from January Y (all of Y-1 unknown), two incidents in Y."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from branches.models import Estate
from meetings.models import Appeal

from .models import Incident, IncidentStatus, RecordsStart
from .services import incident_dismiss, incident_record, incident_verify, records_start_set

# estate → (years before the current one, month) of its records start
STARTS = {"新城景苑": (1, 1), "新都城": (1, 1), "丽景新城": (1, 7), "金星花园": (0, 1)}

# who records in each estate, who judges (demo usernames, branches/demo.py)
RECORDER = {"新都城": "xinducheng", "金星花园": "other"}
JUDGE = {"金星花园": "other"}


@dataclass(frozen=True)
class DemoIncident:
    estate: str
    when: tuple  # (years back, month, day, hour, minute) or ("days ago", n, hour) or ("appeal",)
    category: str
    source: str
    building: str | None  # "7栋"
    description: str  # with the estate, the natural key
    outcome: str = "verified"  # or "pending", or the reason it was dismissed
    appeal: str | None = None  # the title of a demo appeal of the estate


INCIDENTS = [
    DemoIncident(
        "新城景苑",
        (1, 8, 12, 9, 30),
        "construction",
        "patrol",
        "5栋",
        "巡查发现5栋楼顶新建房间，疑似违建。",
        "经核实为物业依规建设的水泵设备间，不属于违法建设。",
    ),
    DemoIncident(
        "新城景苑",
        ("days ago", 3, 19),
        "pollution",
        "staff",
        "2栋",
        "2栋旁餐馆夜间排放油烟，居民反映气味大。",
        "pending",
    ),
    DemoIncident(
        "新都城",
        (1, 3, 14, 21, 40),
        "pollution",
        "department",
        None,
        "小区北侧餐馆油烟直排，县城管局通报。",
    ),
    DemoIncident(
        "新都城", (1, 7, 8, 10, 15), "construction", "patrol", "7栋", "7栋顶楼住户违规加建阳光房。"
    ),
    # 23:30 on the last day of October: October's, not November's.
    DemoIncident(
        "新都城",
        (1, 10, 31, 23, 30),
        "petition",
        "department",
        None,
        "3名业主因物业费纠纷到县信访局集体上访。",
    ),
    DemoIncident(
        "新都城", (0, 9, 2, 6, 50), "security", "staff", "2栋", "2栋地下车库两辆电动车电瓶被盗。"
    ),
    DemoIncident(
        "新都城",
        ("appeal",),
        "construction",
        "appeal",
        "1栋",
        "1栋一楼住户在公共绿地私搭雨棚（居民诉求转来）。",
        appeal="1栋一楼私搭雨棚",
    ),
    DemoIncident(
        "新都城",
        ("appeal",),
        "accident",
        "appeal",
        "2栋",
        "2栋电梯停运，有居民被困约20分钟。",
        "电梯故障停运，无人员受伤，不属于安全事故；已转物业维修。",
        appeal="2栋电梯经常停运",
    ),
    DemoIncident(
        "新都城",
        ("days ago", 2, 10),
        "pollution",
        "staff",
        "1栋",
        "装修垃圾在1栋门口堆放多日，未及时清运。",
        "pending",
    ),
    DemoIncident(
        "丽景新城",
        (1, 9, 17, 16, 20),
        "accident",
        "staff",
        None,
        "广场健身区一名儿童摔伤，送医缝针。",
    ),
    DemoIncident(
        "丽景新城",
        ("appeal",),
        "pollution",
        "appeal",
        None,
        "晚间广场舞音响噪声扰民（居民诉求转来）。",
        "经现场测量音量未超标，已协调调小音量并提前结束。",
        appeal="广场舞音响扰民",
    ),
    DemoIncident(
        "金星花园", (0, 4, 5, 2, 10), "security", "patrol", "3栋", "3栋一楼一户夜间被盗。"
    ),
    DemoIncident(
        "金星花园",
        (0, 8, 20, 9, 0),
        "petition",
        "department",
        None,
        "两名业主因车位归属问题到镇信访办上访。",
    ),
]


def _occurred(spec: DemoIncident, estate: Estate, now: datetime) -> tuple[datetime, Appeal | None]:
    if spec.when[0] == "appeal":
        appeal = Appeal.objects.filter(estate=estate, title=spec.appeal).first()
        return (appeal.created_at if appeal else None), appeal
    if spec.when[0] == "days ago":
        _label, days, hour = spec.when
        day = timezone.localdate(now) - timedelta(days=days)
        return timezone.make_aware(datetime(day.year, day.month, day.day, hour)), None
    back, month, day, hour, minute = spec.when
    year = timezone.localdate(now).year - back
    day = min(day, calendar.monthrange(year, month)[1])
    return timezone.make_aware(datetime(year, month, day, hour, minute)), None


@transaction.atomic
def seed_incidents_demo() -> dict:
    now = timezone.now()
    users = {u.username: u for u in get_user_model().objects.filter(is_staff=True)}
    estates = {e.name: e for e in Estate.objects.filter(name__in=STARTS)}
    this_year = timezone.localdate(now).year
    for name, (back, month) in STARTS.items():
        estate = estates.get(name)
        if estate is not None and not RecordsStart.objects.filter(estate=estate).exists():
            records_start_set(estate=estate, month=date(this_year - back, month, 1))
    for spec in INCIDENTS:
        estate = estates.get(spec.estate)
        if (
            estate is None
            or Incident.objects.filter(estate=estate, description=spec.description).exists()
        ):
            continue
        occurred_at, appeal = _occurred(spec, estate, now)
        if occurred_at is None or occurred_at > now:  # early in the year: not yet
            continue
        recorded_at = min(occurred_at + timedelta(hours=2), now)
        judged_at = min(recorded_at + timedelta(days=1), now)
        building = estate.buildings.filter(name=spec.building).first() if spec.building else None
        incident = incident_record(
            estate=estate,
            building=building,
            category=spec.category,
            occurred_at=occurred_at,
            source=spec.source,
            appeal=appeal,
            description=spec.description,
            by=users.get(RECORDER.get(spec.estate, "guangda")),
            at=recorded_at,
        )
        judge = users.get(JUDGE.get(spec.estate, "guangda"))
        if spec.outcome == "verified":
            incident_verify(incident=incident, by=judge, at=judged_at)
        elif spec.outcome != "pending":
            incident_dismiss(incident=incident, reason=spec.outcome, by=judge, at=judged_at)
    incidents = Incident.objects.all()
    return {
        "starts": RecordsStart.objects.count(),
        "incidents": incidents.count(),
        "verified": incidents.filter(status=IncidentStatus.VERIFIED).count(),
        "pending": incidents.filter(status=IncidentStatus.PENDING).count(),
        "dismissed": incidents.filter(status=IncidentStatus.DISMISSED).count(),
    }
