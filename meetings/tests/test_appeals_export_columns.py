"""The appeals export's columns for appeals moved through their lives by the real services:
local times to the minute, the routing (the latest, after a reopening), the latest return
visit's satisfaction, the choices' labels in the reader's language, and the period's local
days as its bounds."""

from datetime import datetime

import pytest
from django.utils import timezone

from meetings.models import MeetingType
from meetings.services import (
    appeal_acknowledge,
    appeal_decline,
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
)

from .export_helpers import by_code, csv_rows, csv_url, xlsx_rows, xlsx_url

PM = MeetingType.PARTY_MASSES


def local(text: str) -> datetime:
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


@pytest.fixture
def march(world, new_appeal, meeting, department):
    """Appeals of A filed in March 2026 (and two just outside it), each moved as named."""
    staff = world.staff_a
    done = new_appeal(at=local("2026-03-02 09:00"), source="phone")
    appeal_acknowledge(appeal=done, by=staff, at=local("2026-03-02 09:30"))
    appeal_route(
        appeal=done, to="handle", by=staff, meeting=meeting(PM, done), at=local("2026-03-03 10:00")
    )
    appeal_report_fix(appeal=done, by=staff, public_note="已修好", at=local("2026-03-05 16:00"))
    appeal_record_return_visit(
        appeal=done,
        by=staff,
        channel="phone",
        reached=True,
        solved=True,
        satisfaction="basically_satisfied",
        at=local("2026-03-06 11:00"),
    )

    again = new_appeal(at=local("2026-03-10 09:00"))
    appeal_route(
        appeal=again,
        to="handle",
        by=staff,
        meeting=meeting(PM, again),
        at=local("2026-03-10 10:00"),
    )
    appeal_report_fix(appeal=again, by=staff, public_note="已处理", at=local("2026-03-11 10:00"))
    appeal_record_return_visit(
        appeal=again,
        by=staff,
        channel="phone",
        reached=True,
        solved=False,
        satisfaction="dissatisfied",
        at=local("2026-03-12 10:00"),
    )
    appeal_route(
        appeal=again,
        to="refer",
        by=staff,
        meeting=meeting(PM, again),
        department=department,
        at=local("2026-03-13 10:00"),
    )

    not_reached = new_appeal(at=local("2026-03-20 09:00"))
    appeal_route(
        appeal=not_reached,
        to="handle",
        by=staff,
        meeting=meeting(PM, not_reached),
        at=local("2026-03-20 10:00"),
    )
    appeal_report_fix(
        appeal=not_reached, by=staff, public_note="已处理", at=local("2026-03-21 10:00")
    )
    appeal_record_return_visit(
        appeal=not_reached, by=staff, channel="phone", reached=False, at=local("2026-03-24 10:00")
    )

    twice = new_appeal(at=local("2026-03-16 09:00"))
    for day, solved, satisfaction in ((16, False, "dissatisfied"), (18, True, "satisfied")):
        appeal_route(
            appeal=twice,
            to="handle",
            by=staff,
            meeting=meeting(PM, twice),
            at=local(f"2026-03-{day} 10:00"),
        )
        appeal_report_fix(
            appeal=twice, by=staff, public_note="已处理", at=local(f"2026-03-{day} 12:00")
        )
        appeal_record_return_visit(
            appeal=twice,
            by=staff,
            channel="phone",
            reached=True,
            solved=solved,
            satisfaction=satisfaction,
            at=local(f"2026-03-{day + 1} 10:00"),
        )

    declined = new_appeal(at=local("2026-03-31 23:59"))
    appeal_decline(
        appeal=declined,
        by=world.secretary_a1,
        reason="不属于受理范围",
        at=local("2026-04-01 08:00"),
    )

    new = new_appeal(at=local("2026-03-01 00:00"))
    new_appeal(at=local("2026-02-28 23:59"))  # the day before: not in March
    new_appeal(at=local("2026-04-01 00:00"))  # the day after
    return {
        "done": done,
        "again": again,
        "twice": twice,
        "not_reached": not_reached,
        "declined": declined,
        "new": new,
    }


EMPTY = ""


def test_each_column_of_appeals_through_their_lives(client, world, march):
    client.force_login(world.staff_a)
    rows = csv_rows(client.get(csv_url(period="2026-03", unit=f"community-{world.a.pk}")))
    assert rows[0] == [
        "查询码", "小区", "类别", "来源", "接收时间", "受理时间", "分流时间", "办结时间",
        "关闭时间", "关闭原因", "状态", "满意度", "联系人（已遮盖）", "手机号（已遮盖）",
    ]  # fmt: skip
    got = by_code(rows)
    code = {name: appeal.display_code for name, appeal in march.items()}
    # oldest first; the period is March's local days, both ends included
    assert [row[0] for row in rows[1:]] == [
        code["new"], code["done"], code["again"], code["twice"], code["not_reached"],
        code["declined"],
    ]  # fmt: skip

    def columns(name, *headers):
        return tuple(got[code[name]][h] for h in headers)

    life = ("来源", "接收时间", "受理时间", "分流时间", "办结时间", "关闭时间")
    outcome = ("关闭原因", "状态", "满意度")
    assert columns("done", "小区", "类别") == ("新都城", "物业管理")
    assert columns("done", *life) == (
        "电话", "2026-03-02 09:00", "2026-03-02 09:30", "2026-03-03 10:00",
        "2026-03-05 16:00", "2026-03-06 11:00",
    )  # fmt: skip
    assert columns("done", *outcome) == ("已解决", "已结束", "基本满意")
    # reopened by the visit and routed again: the latest routing, no fix yet, the answer
    # of its (only) visit
    assert columns("again", "分流时间", "办结时间", "关闭时间") == (
        "2026-03-13 10:00",
        EMPTY,
        EMPTY,
    )
    assert columns("again", *outcome) == (EMPTY, "已转部门", "不满意")
    # visited twice: the second visit's answer, the second routing and fix
    assert columns("twice", "分流时间", "办结时间", "关闭时间", *outcome) == (
        "2026-03-18 10:00", "2026-03-18 12:00", "2026-03-19 10:00", "已解决", "已结束", "满意"
    )  # fmt: skip
    # a visit that did not reach the resident: no satisfaction
    assert columns("not_reached", "办结时间", *outcome) == (
        "2026-03-21 10:00",
        EMPTY,
        "已办结",
        EMPTY,
    )
    assert columns("declined", "来源", "分流时间", "关闭时间", *outcome) == (
        "网上提交", EMPTY, "2026-04-01 08:00", "不予受理", "已结束", EMPTY
    )  # fmt: skip
    assert columns("new", "受理时间", "分流时间", "状态") == (EMPTY, EMPTY, "已接收")


def test_the_xlsx_has_the_same_rows_as_the_csv(client, world, march):
    client.force_login(world.staff_a)
    query = {"period": "2026-03", "unit": f"estate-{world.a_estate.pk}"}
    assert xlsx_rows(client.get(xlsx_url(**query))) == csv_rows(client.get(csv_url(**query)))


def test_in_english_the_headers_labels_and_category_are_english(client, world, march, category):
    category.name_en = "Property management"
    category.save()
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    rows = csv_rows(client.get(csv_url(period="2026-03")))
    assert rows[0][:4] == ["Tracking code", "Estate", "Category", "Source"]
    row = by_code(rows)[march["done"].display_code]
    assert (row["Category"], row["Source"], row["Status"], row["Satisfaction"]) == (
        "Property management",
        "phone call",
        "closed",
        "basically satisfied",
    )
