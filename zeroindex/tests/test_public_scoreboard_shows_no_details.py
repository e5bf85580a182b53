"""The public scoreboard shows marks and counts, never what lies behind them: no incident's
description or dismissal reason, no source, no recorder or verifier, no linked appeal (its
code, title, the resident's name and phone), no estate address; nothing finer than a
building. Checked on every public scoreboard page, month and year, in both languages."""

import pytest
from django.conf import settings

from meetings.services import appeal_submit
from zeroindex.services import incident_dismiss, incident_record, incident_verify

from .conftest import local

pytestmark = pytest.mark.django_db

DESCRIPTION = "紫藤苑7栋楼顶私搭阳光房约40平方米XQ17"
REASON = "重复上报ZZ93，已合并"
SECRETS = (DESCRIPTION, "XQ17", REASON, "ZZ93")


@pytest.fixture
def hidden(world, category, clock, records_from):
    clock(2026, 3, 15)
    records_from(world.a_estate, 2025, 1)
    world.a_estate.address = "黄兴大道188号"
    world.a_estate.save()
    staff = world.staff_a
    staff.first_name, staff.last_name = "晓明", "王"
    staff.save()
    appeal = appeal_submit(
        estate=world.a_estate,
        building=world.a_building,
        category=category,
        title="楼顶有人搭建阳光房",
        description="7栋楼顶正在搭建，噪音很大，请尽快处理。",
        contact_name="张秀兰",
        contact_phone="13987654321",
        consent=True,
    )
    made = incident_record(
        estate=world.a_estate,
        building=world.a_building,
        category="construction",
        occurred_at=local(2026, 3, 2, 10, 0),
        description=DESCRIPTION,
        source="appeal",
        appeal=appeal,
        by=staff,
    )
    incident_verify(incident=made, by=staff)
    twice = incident_record(
        estate=world.a_estate,
        category="construction",
        occurred_at=local(2026, 3, 2, 10, 0),
        description=DESCRIPTION + "（重复）",
        by=staff,
    )
    incident_dismiss(incident=twice, reason=REASON, by=staff)
    return {
        "estate": world.a_estate,
        "forbidden": SECRETS
        + (
            appeal.display_code,
            appeal.title,
            "7栋楼顶正在搭建",
            "张秀兰",
            "13987654321",
            "139****4321",
            staff.username,
            "王晓明",
            "晓明",
            "黄兴大道",
        ),
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_public_page_shows_what_lies_behind_a_mark(client, hidden, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    estate = hidden["estate"]
    urls = [
        "/scoreboard/",
        "/scoreboard/?period=2026-03",
        "/scoreboard/?period=2026",
        f"/scoreboard/?period=2026-03&community={estate.community_id}",
        f"/scoreboard/estates/{estate.pk}/",
        f"/scoreboard/estates/{estate.pk}/?period=2026-03",
        f"/scoreboard/estates/{estate.pk}/?period=2026",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        # the count is there: the board is not simply empty
        assert estate.name in page and "zmark-not_zero" in page, url
        shown = [secret for secret in hidden["forbidden"] if secret in page]
        assert shown == [], (url, shown)
        # no link from the public page into the staff side
        assert "/admin/zeroindex/" not in page and "/dashboard/" not in page, url
