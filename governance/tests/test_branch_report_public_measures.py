"""The public report shows each measure's status (overdue marked) and who answers for it as
a role, the branch or the community, never the owner's name or username, on the page and in
the PDF; the moves made after publishing show there."""

import io

import pytest

from governance.measures import measure_add, measure_done, measure_drop
from governance.models import RectificationMeasure
from governance.reports import branch_report_publish

from .measure_helpers import in_days


@pytest.fixture
def published(world, report, measure):
    world.secretary_a1.first_name, world.secretary_a1.last_name = "秀兰", "李"
    world.secretary_a1.save()
    world.staff_a.first_name, world.staff_a.last_name = "建国", "张"
    world.staff_a.save()
    community = measure_add(
        report=report, text="协调物业修缮外墙", owner=world.staff_a, due_on=in_days(60)
    )
    late = measure_add(report=report, text="清理楼道杂物", owner=world.staff_a, due_on=in_days(9))
    dropped = measure_add(
        report=report, text="新建停车棚", owner=world.secretary_a1, due_on=in_days(90)
    )
    branch_report_publish(report=report, by=world.secretary_a1)
    # after publishing, the branch works on them
    measure_done(measure=measure, by=world.secretary_a1)
    measure_drop(measure=dropped, reason="场地不足", by=world.staff_a)
    RectificationMeasure.objects.filter(pk=late.pk).update(due_on=in_days(-2))
    return report, community


def test_each_measure_shows_its_status_and_role_not_its_owner(client, world, published):
    report, _ = published
    client.cookies["django_language"] = "en"
    page = client.get(f"/reports/{report.year}/{report.estate_id}/").content.decode()
    rows = {
        text: page[page.index(text) : page.index("</tr>", page.index(text))]
        for text in ("加装楼道感应灯", "协调物业修缮外墙", "清理楼道杂物", "新建停车棚")
    }
    assert "done" in rows["加装楼道感应灯"] and "the branch" in rows["加装楼道感应灯"]
    assert "to do" in rows["协调物业修缮外墙"] and "the community" in rows["协调物业修缮外墙"]
    assert "overdue" in rows["清理楼道杂物"]
    assert "dropped" in rows["新建停车棚"] and "overdue" not in rows["新建停车棚"]
    for private in ("秀兰", "李", "建国", "张", "xinducheng", "guangda", "场地不足"):
        assert private not in page


def test_in_chinese_and_in_the_pdf(client, world, published):
    from pypdf import PdfReader

    report, _ = published
    page = client.get(f"/reports/{report.year}/{report.estate_id}/").content.decode()
    row = page[page.index("加装楼道感应灯") : page.index("</tr>", page.index("加装楼道感应灯"))]
    assert "责任方" in page and "党支部" in row and "已完成" in row
    response = client.get(f"/reports/{report.year}/{report.estate_id}/report.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "协调物业修缮外墙" in text and "建国" not in text and "xinducheng" not in text


def test_the_page_costs_the_same_with_more_measures(
    client, world, published, django_assert_max_num_queries
):
    report, _ = published
    with django_assert_max_num_queries(6):
        client.get(f"/reports/{report.year}/{report.estate_id}/")
