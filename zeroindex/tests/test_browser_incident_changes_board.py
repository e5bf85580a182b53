"""In a real (headless Chromium) browser: a clerk of the community logs in, records an
incident for an estate that is five-zero this month, verifies it on the incident's page,
then opens the public scoreboard and sees that estate's mark for the category turn to
"not zero" and its five-zero badge gone.

Needs Debian's browser at /usr/bin/chromium (Playwright drives it; nothing is downloaded).
Without it the module is skipped, unless REQUIRE_BROWSER is set: then it fails."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser
from zeroindex.models import Incident
from zeroindex.services import records_start_set

skip_module_without_browser()
from playwright.sync_api import expect  # noqa: E402 - only once the browser is there

PASSWORD = "pw-for-tests"


def _mark(page, estate_id: int, category: str):
    return page.locator(f"#estate-{estate_id} td[data-category={category}] .zmark")


@pytest.mark.django_db(transaction=True)
def test_a_verified_incident_turns_the_estates_mark_on_the_public_board(
    live_server, world, browser
):
    estate = world.a_estate
    today = timezone.localdate()
    records_start_set(estate=estate, month=date(today.year - 1, 1, 1))
    base = live_server.url
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    # before: five-zero this month
    page.goto(f"{base}/scoreboard/")
    expect(_mark(page, estate.pk, "pollution")).to_have_class(re.compile(r"\bzmark-zero\b"))
    expect(page.locator(f"#estate-{estate.pk} .five-zero-badge")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "zeros-board-before.png"), full_page=True)

    # the clerk records an incident (a minute ago, today)
    page.goto(f"{base}/accounts/login/")
    page.fill("#login-form input[name=username]", world.staff_a.username)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{base}/admin/zeroindex/incident/add/")
    when = max(
        timezone.localtime() - timedelta(minutes=1),
        timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0),
    )
    page.select_option("#id_estate", str(estate.pk))
    page.select_option("#id_category", "pollution")
    page.fill("#id_occurred_at_0", when.strftime("%Y-%m-%d"))
    page.fill("#id_occurred_at_1", when.strftime("%H:%M:%S"))
    page.fill("#id_description", "小区东门餐馆油烟直排，气味很大。")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state("load")
    incident = Incident.objects.get(estate=estate)
    assert incident.status == "pending"

    # still five-zero while it awaits verification
    page.goto(f"{base}/scoreboard/")
    expect(_mark(page, estate.pk, "pollution")).to_have_class(re.compile(r"\bzmark-zero\b"))

    # verifies it on the incident's page (the button asks first)
    page.goto(f"{base}/admin/zeroindex/incident/{incident.pk}/change/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#action-verify input[type=submit]").click()
    page.wait_for_load_state("load")
    incident.refresh_from_db()
    assert incident.status == "verified"

    # the public board: not zero for pollution, with its count, and no badge
    page.goto(f"{base}/scoreboard/")
    mark = _mark(page, estate.pk, "pollution")
    expect(mark).to_have_class(re.compile(r"\bzmark-not_zero\b"))
    expect(mark).to_contain_text("✗")
    expect(mark.locator(".zmark-count")).to_have_text("1")
    expect(_mark(page, estate.pk, "accident")).to_have_class(re.compile(r"\bzmark-zero\b"))
    expect(page.locator(f"#estate-{estate.pk} .five-zero-badge")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "zeros-board-after.png"), full_page=True)
    context.close()
