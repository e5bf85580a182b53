"""Demo appeals and meetings for both demo communities, made through the real services so
every appeal has its timeline. Idempotent: a community that already has its demo appeals is
left alone."""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from branches.models import Community, Estate, Member

from . import services
from .models import Appeal, AppealCategory, Department, Meeting, MeetingType

# (name, English name, level, e-mail)
DEPARTMENTS = [
    (
        "县住房和城乡建设局",
        "County Housing and Urban-Rural Development Bureau",
        "county",
        "zjj@changsha-county.example.cn",
    ),
    (
        "县城市管理和综合执法局",
        "County Urban Management and Law Enforcement Bureau",
        "county",
        "cgj@changsha-county.example.cn",
    ),
    ("黄兴镇派出所", "Huangxing Town Police Station", "town", "pcs@huangxing.example.cn"),
    (
        "黄兴镇社会事务办",
        "Huangxing Town Social Affairs Office",
        "town",
        "swb@huangxing.example.cn",
    ),
]

# (key, estate, category, title, description, resident, phone, days ago)
GUANGDA_APPEALS = [
    (
        "light",
        "新都城",
        "公共设施",
        "3栋楼道灯不亮",
        "3栋2单元楼道灯坏了一个多星期，老人晚上下楼看不清台阶。",
        "张秀英",
        "13975100001",
        40,
    ),
    (
        "parking",
        "新都城",
        "停车管理",
        "东门车辆乱停堵塞消防通道",
        "晚上东门口车辆乱停，消防通道被堵，救护车进不来。",
        "王建国",
        "13975100002",
        38,
    ),
    (
        "garbage",
        "新都城",
        "环境卫生",
        "反对在小区旁建垃圾分拣中心",
        "听说要在小区北侧建垃圾分拣中心，担心异味和噪音，希望公开讨论。",
        "李德明",
        "13975100003",
        36,
    ),
    (
        "leak",
        "新城景苑",
        "物业管理",
        "顶楼漏水物业推诿",
        "5栋顶楼每逢下雨漏水，物业说是开发商的问题，不予处理。",
        "刘桂兰",
        "13975100004",
        35,
    ),
    (
        "square",
        "丽景新城",
        "其他",
        "广场舞音响扰民",
        "晚上九点后广场舞音响声音很大，影响休息。",
        "陈海燕",
        "13975100005",
        34,
    ),
    (
        "shed",
        "新都城",
        "违章搭建",
        "1栋一楼私搭雨棚",
        "1栋一楼住户在公共绿地私自搭建雨棚。",
        "周卫东",
        "13975100006",
        12,
    ),
    (
        "dog",
        "新都城",
        "邻里纠纷",
        "邻居狗吠扰民",
        "楼上住户养的狗每天凌晨叫，沟通无果。",
        "吴玉兰",
        "13975100007",
        2,
    ),
    (
        "lift",
        "新都城",
        "安全隐患",
        "2栋电梯经常停运",
        "2栋电梯一周停了三次，有人被困过。",
        "徐红军",
        "13975100008",
        9,
    ),
    (
        "light-again",
        "新都城",
        "公共设施",
        "3栋楼道灯又坏了",
        "3栋楼道灯，与之前反映的是同一处。",
        "张秀英",
        "13975100001",
        8,
    ),
    (
        "bench",
        "丽景新城",
        "公共设施",
        "健身器材损坏",
        "中心花园的健身器材扶手断了。",
        "孙淑珍",
        "13975100009",
        36,
    ),
    (
        "sewer",
        "新城景苑",
        "环境卫生",
        "下水道堵塞返臭",
        "4栋门前下水道堵塞，夏天臭气熏天。",
        "马小平",
        "13975100010",
        35,
    ),
    (
        "noise-site",
        "丽景新城",
        "其他",
        "工地夜间施工噪音",
        "小区南侧工地夜间施工，影响休息。",
        "朱晓燕",
        "13975100011",
        34,
    ),
    (
        "charge",
        "新都城",
        "安全隐患",
        "电动车楼道充电",
        "有人把电动车推进楼道充电，存在火灾隐患。",
        "胡振华",
        "13975100012",
        20,
    ),
    (
        "tree",
        "新城景苑",
        "环境卫生",
        "绿化带杂草丛生",
        "6栋旁绿化带长期无人修剪。",
        "郭美玲",
        "13975100013",
        15,
    ),
    (
        "kids",
        "丽景新城",
        "公共设施",
        "儿童游乐场地面破损",
        "游乐场塑胶地面破损，孩子容易摔倒。",
        "何永生",
        "13975100014",
        6,
    ),
]
JINXING_APPEALS = [
    (
        "gate",
        "金星花园",
        "物业管理",
        "门禁卡经常失灵",
        "小区门禁卡经常刷不开。",
        "林金凤",
        "13975200001",
        5,
    ),
    (
        "road",
        "金星花园",
        "公共设施",
        "主干道路面坑洼",
        "小区主干道坑洼多，雨天积水。",
        "罗建军",
        "13975200002",
        20,
    ),
    (
        "pets",
        "金星花园",
        "邻里纠纷",
        "宠物粪便无人清理",
        "草坪上宠物粪便很多。",
        "郑秀英",
        "13975200003",
        25,
    ),
]


def _submit(rows, categories, estates, now, meeting=None, by=None):
    made = {}
    for key, estate, category, title, description, name, phone, days_ago in rows:
        made[key] = services.appeal_submit(
            estate=estates[estate],
            category=categories[category],
            title=title,
            description=description,
            contact_name=name,
            contact_phone=phone,
            consent=True,
            source="forum" if meeting else "web_form",
            building=estates[estate].buildings.order_by("name").first(),
            at=meeting.held_at if meeting else _ago(now, days_ago),
            meeting=meeting,
            by=by if meeting else None,
        )
    return made


def _ago(now, days, hours=0):
    """A moment `days` (and `hours`) before now, in the office's working day."""
    return now - timedelta(days=days, hours=hours)


def _meeting(community, estate, type_, days_ago, now, by, **fields):
    return Meeting.objects.create(
        type=type_,
        community=community,
        estate=estate,
        held_at=_ago(now, days_ago),
        place=f"{estate.name if estate else community.name}党群服务站",
        chair="李书记",
        created_by=by,
        **fields,
    )


def _close(meeting, by, minutes, head_count):
    services.meeting_close(
        meeting=meeting,
        by=by,
        minutes=minutes,
        head_count=head_count,
        at=meeting.held_at + timedelta(hours=2),
    )


def _seed_guangda(community, categories, departments, now):
    User = get_user_model()
    staff, secretary = User.objects.get(username="guangda"), User.objects.get(username="xinducheng")
    estates = {e.name: e for e in Estate.objects.filter(community=community)}
    xinducheng = estates["新都城"]

    forum = _meeting(community, None, MeetingType.FORUM, 37, now, staff)
    forum_rows = [
        r for r in GUANGDA_APPEALS if r[0] in ("light", "parking", "garbage", "leak", "square")
    ]
    a = _submit(forum_rows, categories, estates, now, meeting=forum, by=staff)
    _close(forum, staff, "民情恳谈会收集居民意见5条，均已登记。", 46)
    a.update(_submit([r for r in GUANGDA_APPEALS if r[0] not in a], categories, estates, now))

    # Acknowledged the working day after they came in.
    for key in (
        "light",
        "parking",
        "garbage",
        "leak",
        "square",
        "shed",
        "lift",
        "bench",
        "sewer",
        "noise-site",
        "charge",
        "tree",
        "light-again",
    ):
        services.appeal_acknowledge(
            appeal=a[key],
            by=staff,
            public_note="社区已收到，将尽快研究处理。",
            at=a[key].created_at + timedelta(hours=20),
        )

    pm = _meeting(community, None, MeetingType.PARTY_MASSES, 33, now, staff)
    for key in ("light", "parking", "garbage", "leak", "square", "sewer", "noise-site", "bench"):
        services.meeting_add_to_agenda(meeting=pm, appeal=a[key], by=staff, at=_ago(now, 33, 4))
    at_pm = {"by": staff, "meeting": pm, "at": pm.held_at + timedelta(minutes=30)}
    services.appeal_route(appeal=a["light"], to="handle", public_note="由物业更换灯具。", **at_pm)
    services.appeal_route(
        appeal=a["parking"],
        to="coordinate",
        public_note="召开协调会，请物业、业委会和车主代表协商。",
        **at_pm,
    )
    services.appeal_route(
        appeal=a["garbage"],
        to="major",
        public_note="事关全体居民，召开重大事项听证会。",
        **at_pm,
    )
    services.appeal_route(
        appeal=a["leak"],
        to="refer",
        department=departments["县住房和城乡建设局"],
        public_note="涉及房屋质量，转县住建局处理。",
        **at_pm,
    )
    services.appeal_decline(
        appeal=a["square"],
        reason="属于文明公约事项，已在楼栋群倡议，社区不作为诉求受理。",
        **at_pm,
    )
    services.appeal_route(appeal=a["sewer"], to="coordinate", **at_pm)
    services.appeal_route(
        appeal=a["noise-site"],
        to="refer",
        department=departments["县城市管理和综合执法局"],
        **at_pm,
    )
    services.appeal_route(appeal=a["bench"], to="handle", **at_pm)
    _close(pm, staff, "议定8件：直接办理2件，协调2件，听证1件，转部门2件，不予受理1件。", 23)

    coord = _meeting(community, xinducheng, MeetingType.COORDINATION, 30, now, staff)
    services.meeting_add_to_agenda(meeting=coord, appeal=a["parking"], by=staff, at=_ago(now, 31))
    services.appeal_coordination_outcome(
        appeal=a["parking"],
        meeting=coord,
        outcome="agreed",
        by=staff,
        public_note="物业同意施划禁停线并安排夜间巡查。",
        at=coord.held_at + timedelta(minutes=40),
    )
    _close(coord, staff, "物业、业委会、车主代表达成一致。", 15)

    hearing = _meeting(community, xinducheng, MeetingType.HEARING, 25, now, staff)
    services.meeting_add_to_agenda(meeting=hearing, appeal=a["garbage"], by=staff, at=_ago(now, 27))
    services.appeal_record_hearing_vote(
        appeal=a["garbage"],
        meeting=hearing,
        by=staff,
        eligible=60,
        present=48,
        votes_for=39,
        votes_against=6,
        abstain=3,
        public_note="分拣中心改为封闭式并北移200米，方案表决通过。",
        at=hearing.held_at + timedelta(hours=1),
    )
    _close(hearing, staff, "听证会：选址调整方案表决通过（39票赞成）。", 48)

    second_hearing = _meeting(community, None, MeetingType.HEARING, 3, now, staff)
    services.appeal_acknowledge(appeal=a["kids"], by=staff, at=_ago(now, 5))
    pm2 = _meeting(community, None, MeetingType.PARTY_MASSES, 4, now, staff)
    for key in ("kids", "charge"):
        services.meeting_add_to_agenda(meeting=pm2, appeal=a[key], by=staff, at=_ago(now, 4, 3))
    at_pm2 = {"by": staff, "meeting": pm2, "at": pm2.held_at + timedelta(minutes=30)}
    services.appeal_route(appeal=a["kids"], to="major", **at_pm2)
    services.appeal_route(appeal=a["charge"], to="handle", **at_pm2)
    services.meeting_add_to_agenda(
        meeting=second_hearing, appeal=a["kids"], by=staff, at=_ago(now, 3, 5)
    )
    services.appeal_record_hearing_vote(
        appeal=a["kids"],
        meeting=second_hearing,
        by=staff,
        eligible=40,
        present=20,
        votes_for=18,
        votes_against=2,
        abstain=0,
        public_note="到会人数不足三分之二，择期再议。",
        at=second_hearing.held_at + timedelta(hours=1),
    )

    # Handled, resolved and visited.
    services.appeal_close_duplicate(
        appeal=a["light-again"], original=a["light"], by=staff, at=_ago(now, 7)
    )
    services.appeal_report_fix(
        appeal=a["light"], by=staff, public_note="已更换为声控LED灯。", at=_ago(now, 30)
    )
    services.appeal_record_return_visit(
        appeal=a["light"],
        by=staff,
        channel="phone",
        reached=True,
        solved=True,
        satisfaction="satisfied",
        note="居民表示满意",
        at=_ago(now, 28),
    )
    # Fixed four days ago: its return visit is a day late, so `run_sweeps` has reminders.
    services.appeal_report_fix(
        appeal=a["parking"], by=staff, public_note="已施划禁停线。", at=_ago(now, 4)
    )
    services.appeal_department_accept(
        appeal=a["leak"], by=staff, public_note="住建局已受理。", at=_ago(now, 31)
    )
    services.appeal_department_send_back(
        appeal=a["noise-site"],
        by=staff,
        reason="工地夜间施工已办理许可，请社区协调施工时间。",
        at=_ago(now, 29),
    )
    services.appeal_report_fix(
        appeal=a["bench"], by=staff, public_note="已更换扶手。", at=_ago(now, 25)
    )
    services.appeal_record_return_visit(
        appeal=a["bench"],
        by=staff,
        channel="home_visit",
        reached=True,
        solved=False,
        satisfaction="dissatisfied",
        note="另一台器材也坏了",
        at=_ago(now, 22),
    )
    services.appeal_route(
        appeal=a["shed"],
        to="handle",
        by=secretary,
        public_note="支部书记上门劝导拆除。",
        at=_ago(now, 11),
    )
    services.appeal_report_fix(
        appeal=a["shed"], by=secretary, public_note="雨棚已拆除。", at=_ago(now, 9)
    )
    for days in (7, 6, 5):
        services.appeal_record_return_visit(
            appeal=a["shed"],
            by=secretary,
            channel="phone",
            reached=False,
            note="电话无人接听",
            at=_ago(now, days),
        )
    services.appeal_route(
        appeal=a["lift"],
        to="refer",
        by=secretary,
        department=departments["县住房和城乡建设局"],
        at=_ago(now, 8),
    )
    services.appeal_report_fix(
        appeal=a["charge"], by=staff, public_note="已安装集中充电桩。", at=_ago(now, 2)
    )
    services.appeal_record_return_visit(
        appeal=a["charge"],
        by=None,
        channel="resident_online",
        reached=True,
        solved=True,
        satisfaction="dissatisfied",
        note="充电桩太少",
        at=_ago(now, 1),
    )
    services.appeal_withdraw(appeal=a["tree"], note="物业已经修剪了", at=_ago(now, 10))
    services.appeal_reassign(
        appeal=a["sewer"], by=staff, handler=secretary, note="由支部书记跟进", at=_ago(now, 20)
    )

    review = _meeting(community, None, MeetingType.DEPARTMENT_REVIEW, 10, now, staff)
    _close(review, staff, "党员和居民代表评议县住建局、县城管局驻点服务情况。", 32)


def _seed_jinxing(community, categories, now):
    staff = get_user_model().objects.get(username="other")
    estates = {e.name: e for e in Estate.objects.filter(community=community)}
    a = _submit(JINXING_APPEALS, categories, estates, now)
    services.appeal_acknowledge(appeal=a["road"], by=staff, at=_ago(now, 19))
    pm = _meeting(community, estates["金星花园"], MeetingType.PARTY_MASSES, 18, now, staff)
    for key in ("road", "pets"):
        services.meeting_add_to_agenda(meeting=pm, appeal=a[key], by=staff, at=_ago(now, 19))
    at_pm = {"by": staff, "meeting": pm, "at": pm.held_at + timedelta(minutes=30)}
    services.appeal_route(appeal=a["road"], to="handle", **at_pm)
    services.appeal_route(appeal=a["pets"], to="handle", **at_pm)
    services.appeal_report_fix(
        appeal=a["pets"], by=staff, public_note="增设宠物便袋箱。", at=_ago(now, 15)
    )
    services.appeal_record_return_visit(
        appeal=a["pets"],
        by=staff,
        channel="online_group",
        reached=True,
        solved=True,
        satisfaction="basically_satisfied",
        at=_ago(now, 12),
    )


# The months before the story above: problems of the usual kinds, each carried through to
# its end by the real moves, so lists, timelines and later reports have a past to show.
HISTORY_PROBLEMS = {
    "物业管理": ["电梯按键失灵", "单元门禁损坏", "物业费公示不清", "楼顶水箱未清洗"],
    "环境卫生": ["垃圾桶满溢未清运", "化粪池返味", "楼道堆放杂物", "绿化带垃圾多"],
    "停车管理": ["地下车库积水", "消防通道停车", "非机动车乱停"],
    "邻里纠纷": ["楼上漏水到楼下", "夜间装修噪音", "公共走廊占用"],
    "安全隐患": ["消防栓无水", "窗户玻璃松动", "路灯电线裸露"],
    "公共设施": ["路面破损积水", "休闲座椅损坏", "健身区照明不足"],
    "违章搭建": ["楼顶私建阳光房", "占用绿地搭棚"],
}
HISTORY_MONTHS = 6  # months back, before the story's forty days


def _seed_history(community, categories, departments, now, *, staff, secretary=None):
    """About three appeals per estate per month, each filed, acknowledged, routed (by the
    estate's secretary for a simple matter, or at the month's party–masses meeting), fixed
    and visited; some referred to a department, some solved to the resident's displeasure,
    some reopened once. Deterministic: the same history on every machine."""
    rng = random.Random(f"history:{community.name}")
    estates = list(Estate.objects.filter(community=community).order_by("name"))
    buildings = {e.pk: list(e.buildings.order_by("name")) for e in estates}
    names = list(HISTORY_PROBLEMS)
    for month in range(HISTORY_MONTHS, 0, -1):
        start = _ago(now, 40 + 30 * month)
        pm = Meeting.objects.create(
            type=MeetingType.PARTY_MASSES,
            community=community,
            held_at=start + timedelta(days=20),
            place=f"{community.name}党群服务站",
            chair="李书记",
            created_by=staff,
        )
        for estate in estates:
            for _n in range(rng.randint(2, 4)):
                category = rng.choice(names)
                filed = start + timedelta(days=rng.randint(0, 18), hours=rng.randint(8, 20))
                appeal = services.appeal_submit(
                    estate=estate,
                    category=categories[category],
                    title=rng.choice(HISTORY_PROBLEMS[category]),
                    description="居民反映的问题，已按流程办理。",
                    contact_name=rng.choice("张王李刘陈杨黄赵周吴") + rng.choice(["女士", "先生"]),
                    contact_phone=f"1397{rng.randint(1000000, 9999999)}",
                    consent=True,
                    source=rng.choice(["web_form", "web_form", "phone", "home_visit"]),
                    building=rng.choice(buildings[estate.pk]) if rng.random() < 0.8 else None,
                    at=filed,
                )
                _carry_through(appeal, rng, pm, departments, filed, staff, secretary)
        services.meeting_close(
            meeting=pm,
            by=staff,
            minutes="本月诉求逐件议定。",
            head_count=rng.randint(18, 40),
            at=pm.held_at + timedelta(hours=2),
        )


def _carry_through(appeal, rng, pm, departments, filed, staff, secretary):
    """One appeal from filing to its end, at realistic intervals."""
    late = rng.random() < 0.15  # acknowledged after the deadline
    services.appeal_acknowledge(
        appeal=appeal, by=staff, at=filed + timedelta(hours=30 if late else rng.randint(2, 20))
    )
    by_secretary = secretary is not None and appeal.estate_id == _estate_of(secretary)
    if by_secretary and rng.random() < 0.6:
        routed_at = filed + timedelta(days=rng.randint(1, 3))
        route = {"by": secretary, "at": routed_at}
    else:
        routed_at = max(pm.held_at, filed + timedelta(days=1))
        services.meeting_add_to_agenda(
            meeting=pm, appeal=appeal, by=staff, at=routed_at - timedelta(hours=3)
        )
        route = {"by": staff, "meeting": pm, "at": pm.held_at + timedelta(minutes=30)}
        routed_at = route["at"]
    fixer = route["by"]
    if rng.random() < 0.2:
        services.appeal_route(
            appeal=appeal, to="refer", department=rng.choice(departments), **route
        )
        services.appeal_department_accept(
            appeal=appeal, by=staff, at=routed_at + timedelta(days=rng.randint(1, 3))
        )
        fixer = staff
    else:
        services.appeal_route(appeal=appeal, to="handle", **route)
    fixed = routed_at + timedelta(days=rng.randint(2, 18))
    services.appeal_report_fix(appeal=appeal, by=fixer, public_note="已处理完毕。", at=fixed)
    if rng.random() < 0.1:  # not solved: reopened; the secretary handles it again at once
        visited = fixed + timedelta(days=2)
        services.appeal_record_return_visit(
            appeal=appeal,
            by=staff,
            channel="phone",
            reached=True,
            solved=False,
            satisfaction="dissatisfied",
            note="问题仍存在",
            at=visited,
        )
        if not by_secretary:
            return  # reopened, waiting for a meeting: a backlog, as real ones have
        services.appeal_route(
            appeal=appeal, to="handle", by=secretary, at=visited + timedelta(days=1)
        )
        fixed = visited + timedelta(days=5)
        services.appeal_report_fix(appeal=appeal, by=staff, public_note="已返修。", at=fixed)
    satisfaction = rng.choices(
        ["satisfied", "basically_satisfied", "dissatisfied"], weights=[80, 15, 5]
    )[0]
    services.appeal_record_return_visit(
        appeal=appeal,
        by=staff,
        channel=rng.choice(["phone", "phone", "home_visit", "online_group"]),
        reached=True,
        solved=True,
        satisfaction=satisfaction,
        at=fixed + timedelta(days=rng.randint(1, 4)),
    )


# The previous year's department work review: each department's mean around its target
# (县住建局 high, 县城管局 middling, 派出所 low); 社会事务办 was not reviewed that year.
REVIEW_TARGETS = {
    "县住房和城乡建设局": 92,
    "县城市管理和综合执法局": 75,
    "黄兴镇派出所": 50,
}
REVIEW_REPRESENTATIVES = ["王建国", "刘桂英", "陈志强", "赵秀兰"]
REVIEW_COMMENTS = {
    92: "服务热情，办事快。",
    75: "整改还需加快。",
    50: "多次催办才处理，答复不及时。",
}


def _seed_review_scores(community, departments, now):
    """The previous year's department review meeting of the community, closed, with its
    attendees and the scores of a paper sheet per department, entered as a clerk would."""
    staff = get_user_model().objects.get(username="guangda")
    year = timezone.localtime(now).year - 1
    held_at = timezone.make_aware(datetime(year, 12, 16, 14, 30))
    review, _ = Meeting.objects.get_or_create(
        type=MeetingType.DEPARTMENT_REVIEW,
        community=community,
        estate=None,
        held_at=held_at,
        defaults={
            "place": f"{community.name}党群服务中心",
            "chair": "李书记",
            "created_by": staff,
            "resident_representatives": "\n".join(REVIEW_REPRESENTATIVES),
        },
    )
    if not review.attendees.exists():
        review.attendees.set(
            Member.objects.filter(estate__community=community, active=True).order_by("pk")[:8]
        )
    reviewers = [
        {"member": pk} for pk in review.attendees.order_by("pk").values_list("pk", flat=True)
    ]
    reviewers += [{"representative": name} for name in REVIEW_REPRESENTATIVES]
    for name, target in REVIEW_TARGETS.items():
        rows = []
        for i, reviewer in enumerate(reviewers):
            spread = (i * 7) % 9 - 4  # -4 … +4, the same every run
            scores = [max(0, min(100, target + spread + d)) for d in (1, -1, 0)]
            rows.append(
                {
                    **reviewer,
                    "attitude": scores[0],
                    "efficiency": scores[1],
                    "results": scores[2],
                    "comment": REVIEW_COMMENTS[target] if i % 4 == 0 else "",
                }
            )
        services.review_scores_enter(
            meeting=review, department=departments[name], rows=rows, by=staff, at=held_at
        )
    if not review.is_closed:
        _close(review, staff, f"{year}年度部门工作评议：党员和居民代表对驻点部门逐项打分。", 40)


# The previous year's referrals of each department, so that the year end for that year
# grades one department each way (with the review scores above): (fix, visit) per appeal,
# fix "on_time" three days after the referral, "late" past its due date, None never.
#   住建局 4 on time, all satisfied: 0.6 × 92 + 0.4 × 100 = 95.2, excellent
#   城管局 3 of 4 on time, 3 of 4 satisfied: 0.6 × 75 + 0.4 × 75 = 75, qualified
#   派出所 1 of 4 on time, none satisfied: 0.6 × 50 + 0.4 × 12.5 = 35, unqualified
#   社会事务办 neither reviewed nor referred: not evaluated
PREVIOUS_YEAR_REFERRALS = {
    "县住房和城乡建设局": [("on_time", "satisfied")] * 4,
    "县城市管理和综合执法局": [
        ("on_time", "satisfied"),
        ("on_time", "satisfied"),
        ("on_time", "dissatisfied"),
        ("late", "basically_satisfied"),
    ],
    "黄兴镇派出所": [
        ("late", "dissatisfied"),
        ("late", "dissatisfied"),
        (None, None),
        ("on_time", "dissatisfied"),
    ],
}
PREVIOUS_YEAR_TITLES = ["人行道地砖破损", "楼道堆放杂物", "夜间施工噪音扰民", "小区门口占道经营"]


def _seed_previous_year_referrals(community, categories, departments, now):
    """Appeals of the previous year referred by the branch secretary of 新都城 to each
    department, taken by the real moves (backdated) to their fix and return visit."""
    year = timezone.localtime(now).year - 1
    start = timezone.make_aware(datetime(year, 1, 1))
    end = timezone.make_aware(datetime(year + 1, 1, 1))
    if Appeal.objects.filter(
        estate__community=community, created_at__gte=start, created_at__lt=end
    ).exists():
        return
    User = get_user_model()
    staff, secretary = User.objects.get(username="guangda"), User.objects.get(username="xinducheng")
    estate = community.estates.get(name="新都城")
    category = (
        categories["环境卫生"] if "环境卫生" in categories else next(iter(categories.values()))
    )
    for d, (name, outcomes) in enumerate(PREVIOUS_YEAR_REFERRALS.items()):
        for i, (fix, satisfaction) in enumerate(outcomes):
            at = timezone.make_aware(datetime(year, 3 + 2 * i, 6 + 3 * d, 9, 30))
            appeal = services.appeal_submit(
                estate=estate,
                category=category,
                title=PREVIOUS_YEAR_TITLES[i],
                description=f"{PREVIOUS_YEAR_TITLES[i]}，请有关部门处理。",
                building=estate.buildings.order_by("name").first(),
                at=at,
            )
            services.appeal_route(
                appeal=appeal,
                to="refer",
                by=secretary,
                department=departments[name],
                at=at + timedelta(hours=2),
            )
            if fix is None:
                continue
            services.appeal_department_accept(appeal=appeal, by=staff, at=at + timedelta(days=1))
            fixed_at = at + timedelta(days=3 if fix == "on_time" else 60)
            services.appeal_report_fix(
                appeal=appeal, by=staff, public_note="部门已处理完毕。", at=fixed_at
            )
            services.appeal_record_return_visit(
                appeal=appeal,
                by=staff,
                channel="phone",
                reached=True,
                solved=True,
                satisfaction=satisfaction,
                at=fixed_at + timedelta(days=2),
            )


def _estate_of(user):
    scope = getattr(user, "staff_scope", None)
    return scope.estate_id if scope else None


@transaction.atomic
def seed_meetings_demo() -> dict:
    now = timezone.now()
    categories = {c.name: c for c in AppealCategory.objects.all()}
    departments = {
        name: Department.objects.get_or_create(
            name=name, defaults={"name_en": english, "level": level, "emails": email}
        )[0]
        for name, english, level, email in DEPARTMENTS
    }
    guangda = Community.objects.get(name="光达社区")
    jinxing = Community.objects.get(name="金星社区")
    # The past first, so the newest rows are the newest appeals, as in real use.
    User = get_user_model()
    history_start = now - timedelta(days=60)
    for community, staff, secretary in (
        (guangda, "guangda", "xinducheng"),
        (jinxing, "other", None),
    ):
        if not Appeal.objects.filter(
            estate__community=community, created_at__lt=history_start
        ).exists():
            _seed_history(
                community,
                categories,
                list(departments.values()),
                now,
                staff=User.objects.get(username=staff),
                secretary=User.objects.get(username=secretary) if secretary else None,
            )
    if not Appeal.objects.filter(estate__community=guangda, title=GUANGDA_APPEALS[0][3]).exists():
        _seed_guangda(guangda, categories, departments, now)
    if not Appeal.objects.filter(estate__community=jinxing, title=JINXING_APPEALS[0][3]).exists():
        _seed_jinxing(jinxing, categories, now)
    _seed_previous_year_referrals(guangda, categories, departments, now)
    _seed_review_scores(guangda, departments, now)
    return {
        "appeals": Appeal.objects.count(),
        "meetings": Meeting.objects.count(),
        "statuses": sorted(set(Appeal.objects.values_list("status", flat=True))),
    }
