"""An incident recorded and verified in a real (headless Chromium) browser.

What a user would notice if this test fails:

1. The estate's secretary, on a desktop, records an incident: picks the category, types when
   it happened and what, and saves; the list shows it awaiting verification.
2. The community's clerk, on a phone (375 px), opens it, presses Verify and is asked to
   confirm: saying no leaves it pending; saying yes verifies it, the page says so, the badge
   turns to "verified" and the history names the clerk.
3. The list filtered as the Five Zeros board links its counts lists it.

Screenshots go to /tmp/browser-shots/ (zeroindex-*.png)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser
from zeroindex.models import Incident, IncidentStatus
from zeroindex.queries import Period

PASSWORD = "pw-for-tests"

skip_module_without_browser()
from playwright.sync_api import expect  # noqa: E402 - only once the browser is there


def _page(browser, base, user, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#login-form input[name=username]", user.username)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return context, page


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"zeroindex-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_secretary_records_and_a_clerk_verifies_an_incident(live_server, world, browser):
    base = live_server.url
    when = timezone.localtime() - timedelta(hours=3)

    desk, page = _page(browser, base, world.secretary_a1, {"width": 1280, "height": 900})
    page.goto(f"{base}/admin/zeroindex/incident/add/")
    page.select_option("#id_category", "construction")
    page.fill("#id_occurred_at_0", when.strftime("%Y-%m-%d"))
    page.fill("#id_occurred_at_1", when.strftime("%H:%M"))
    page.fill("#id_description", "3栋楼顶新搭彩钢棚，约20平方米。")
    _shot(page, "add")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/zeroindex/incident/$"))
    expect(page.locator("#result_list .incident-pending")).to_have_count(1)
    _shot(page, "list")
    desk.close()
    incident = Incident.objects.get()
    assert incident.recorded_by == world.secretary_a1

    phone, page = _page(browser, base, world.staff_a, {"width": 375, "height": 800})
    page.goto(f"{base}/admin/zeroindex/incident/{incident.pk}/change/")
    expect(page.locator("#action-verify")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.dismiss())  # "no" to the confirmation
    page.click("#action-verify input[type=submit]")
    page.wait_for_timeout(300)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.PENDING

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#action-verify input[type=submit]")
    page.wait_for_load_state("load")
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".incident-verified")).to_be_visible()
    expect(page.locator("#action-verify")).to_have_count(0)
    expect(page.locator("#incident-history")).to_contain_text(world.staff_a.username)
    _shot(page, "verified-phone")
    incident.refresh_from_db()
    assert (incident.status, incident.verified_by) == (IncidentStatus.VERIFIED, world.staff_a)

    period = Period.current().param()
    page.goto(
        f"{base}/admin/zeroindex/incident/?estate__id__exact={world.a_estate.pk}"
        f"&category__exact=construction&status__exact=verified&period={period}"
    )
    expect(page.locator("#result_list .incident-verified")).to_have_count(1)
    phone.close()
