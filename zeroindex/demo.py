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
- 金星花园: records from January Y (all of Y-1 unknown), two incidents in Y.

The survey: one round in Guangda's 新都城 (the case study's 122 residents' suggestions that
became a task list), most of them tasks with owners and due dates: some done, some in
progress, two dropped with reasons, a few overdue, one filed as an appeal."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from branches.models import Estate
from meetings.models import Appeal, AppealCategory

from . import services
from .models import Incident, IncidentStatus, RecordsStart, SurveyRound, TaskStatus
from .services import incident_dismiss, incident_record, incident_verify, records_start_set

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


# --- the survey round ----------------------------------------------------------------

SURVEY_ESTATE = "新都城"
SURVEY_TITLE = "新都城小区居民需求大走访"
SURVEY_SIZE = 122
SURVEY_RESIDENTS_ASKED = 486

# (category, text): "{b}" is a building of the estate. Residents' words, as written down.
SUGGESTIONS = [
    ("公共设施", "{b}楼道感应灯坏了好几盏，晚上上下楼看不清，老人容易摔跤，建议尽快更换。"),
    ("停车管理", "小区停车位太少，晚上车都停到消防通道上了，建议重新规划划线车位。"),
    ("环境卫生", "{b}旁边的绿化带杂草很多，夏天蚊子多，希望物业定期修剪、喷药。"),
    ("公共设施", "{b}电梯经常停运，上周困过人，建议请维保单位全面检修并公示维保记录。"),
    ("物业管理", "物业费收支不透明，建议每季度在公告栏公示物业费使用明细。"),
    ("邻里纠纷", "{b}楼上晚上十一点后还有拖椅子、跳绳的声音，希望社区出面协调。"),
    ("安全隐患", "{b}单元门禁坏了一个多月，陌生人随便进出，建议尽快修好。"),
    ("公共设施", "儿童游乐场的滑梯有裂缝，地面也没有软垫，孩子玩着不放心，建议维修更换。"),
    ("安全隐患", "电动车在{b}楼道里充电，很危险，建议增设集中充电桩。"),
    ("环境卫生", "垃圾分类投放点味道大，建议增加清运次数，旁边装个洗手池。"),
    ("公共设施", "小区里没有几张休息的长椅，老人散步走累了没地方坐，建议增设座椅。"),
    ("停车管理", "外来车辆随意进出占用车位，建议道闸登记管理。"),
    ("违章搭建", "{b}一楼住户在院子里搭了棚子，影响消防通道，希望依法处理。"),
    ("物业管理", "保安晚上巡逻次数少，建议增加夜间巡逻并做好记录。"),
    ("环境卫生", "{b}楼顶排水沟堵了，下雨天顶楼渗水，建议清理疏通。"),
    ("公共设施", "小区监控有盲区，车棚那边丢过两辆电动车，建议增加摄像头。"),
    ("其他", "希望社区多组织一些老年人的文体活动，比如广场舞、书法班。"),
    ("公共设施", "{b}外墙瓷砖有脱落，下面经常有人走，存在安全隐患。"),
    ("环境卫生", "有人在小区里遛狗不牵绳、不清理粪便，建议加强宣传和管理。"),
    ("物业管理", "物业维修报修后很久没人来，建议公布报修电话和处理时限。"),
    ("停车管理", "非机动车棚太小，电动车和自行车停不下，建议扩建。"),
    ("公共设施", "{b}信报箱锈坏了，快递和信件经常丢，建议更换。"),
    ("安全隐患", "消防栓里没有水带，灭火器也过期了，建议全面检查更换。"),
    ("其他", "建议在小区门口设一个便民服务点，方便老人缴费、办事。"),
    (None, "小区路灯晚上十点就关了，下夜班回来很黑，建议延长亮灯时间。"),
    ("环境卫生", "{b}门口的化粪池井盖松动，还有异味，建议维修。"),
    ("公共设施", "健身器材有几件坏了，螺丝松动，建议维修或者更换。"),
    ("邻里纠纷", "{b}有住户在公共楼道堆放杂物，多次劝说不听，希望物业处理。"),
    (None, "希望小区增设一个快递柜，快递放在门口容易丢。"),
    ("物业管理", "建议成立业主委员会，物业的事情大家一起商量。"),
    ("公共设施", "{b}楼道墙面脱皮发霉，建议重新粉刷。"),
    ("停车管理", "小区主干道两边都停满车，救护车进不来，建议一侧禁停。"),
]
DROP_REASONS = [
    "经业主大会表决，多数业主不同意占用绿地，暂不实施；已在楼栋群里说明。",
    "属于住户之间的私人纠纷，已引导双方到人民调解委员会调解，不再作为小区任务跟进。",
]


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def seed_survey_demo() -> dict:
    """One survey round and its task list; returns its counts (a second run adds nothing)."""
    estate = Estate.objects.get(name=SURVEY_ESTATE, community__name="光达社区")
    existing = SurveyRound.objects.filter(estate=estate, title=SURVEY_TITLE).first()
    if existing is not None:
        return _counts(existing)

    User = get_user_model()
    secretary = User.objects.get(username="xinducheng")
    staff = User.objects.get(username="guangda")
    today = timezone.localdate()
    started = today - timedelta(days=95)
    survey = services.survey_round_create(
        estate=estate,
        title=SURVEY_TITLE,
        started_on=started,
        ended_on=started + timedelta(days=30),
        residents_asked=SURVEY_RESIDENTS_ASKED,
        at=_aware(started, 9),
    )
    categories = {c.name: c for c in AppealCategory.objects.all()}
    buildings = list(estate.buildings.order_by("name"))
    items = []
    for i in range(SURVEY_SIZE):
        category, text = SUGGESTIONS[i % len(SUGGESTIONS)]
        building = buildings[(i * 3) % len(buildings)]
        if "{b}" in text:
            text = text.format(b=building.name)
        elif i % 4:
            building = None  # most suggestions about the whole estate name no building
        items.append(
            services.SuggestionInput(
                text=text, category=categories.get(category), building=building
            )
        )
    suggestions = services.suggestions_add(round=survey, items=items)

    # Ten days after the survey the branch meeting turned 112 of them into tasks; ten were
    # repeats of others and stay suggestions.
    made_on = survey.ended_on + timedelta(days=10)
    tasks = []
    for n, suggestion in enumerate(suggestions[:112]):
        owner = secretary if n % 3 else staff
        # due dates spread from a month after the meeting to a month ahead of today
        due = made_on + timedelta(days=30 + (n * 7) % 80)
        tasks.extend(
            services.task_create_from_suggestions(
                suggestions=[suggestion],
                owner=owner,
                due_on=due,
                by=None,
                at=_aware(made_on, 15),
            )
        )
    # Their fates: most of those due by now are done, some in progress, two dropped, a few
    # overdue (left open or in progress past their date), one filed as an appeal.
    dropped = 0
    appealed = False
    for n, task in enumerate(tasks):
        started_at = _aware(made_on + timedelta(days=3 + n % 10))
        finished_on = min(task.due_on - timedelta(days=n % 9), today - timedelta(days=1))
        if task.due_on < today - timedelta(days=2) and n % 11 == 5 and dropped < 2:
            services.task_drop(task=task, reason=DROP_REASONS[dropped], at=_aware(finished_on, 16))
            dropped += 1
        elif task.due_on < today and n % 13 in (3, 7):
            services.task_start(task=task, at=started_at)  # overdue, in progress
        elif task.due_on < today and n % 17 == 4:
            pass  # overdue, never started
        elif task.due_on < today:
            services.task_start(task=task, at=started_at)
            services.task_done(task=task, at=_aware(max(finished_on, started_at.date()), 17))
        elif not appealed and task.suggestion.category is not None and "电梯" in task.title:
            # the lift is beyond the branch: the Five Meetings take it on as an appeal
            services.task_to_appeal(task=task, at=started_at)
            appealed = True
        elif n % 2:
            services.task_start(task=task, at=started_at)
    return _counts(survey)


def _counts(survey: SurveyRound) -> dict:
    from .queries import round_completion

    completion = round_completion(round=survey)
    statuses = {
        status: survey.suggestions.filter(task__status=status).count()
        for status in TaskStatus.values
    }
    return {
        "round": survey.title,
        "suggestions": completion.suggestions,
        "tasks": completion.tasks,
        "done": completion.done,
        "in_progress": statuses[TaskStatus.IN_PROGRESS],
        "dropped": completion.dropped,
        "overdue": completion.overdue,
        "percent": completion.percent,
    }
