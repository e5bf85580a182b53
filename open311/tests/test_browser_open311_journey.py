"""Issue 13's "done when", in a real (headless Chromium) browser: another system files an
appeal through the Open311 API; the community's staff find it in the admin marked "API" with
the client system named; the resident follows it on a phone by the code the API returned;
and the client system reads the status staff set.

Screenshots go to /tmp/browser-shots/ for a human to look at. Needs Debian's Chromium (see
meetings/tests/browser.py): skipped without it, unless REQUIRE_BROWSER is set."""

import json
import re
import urllib.parse
import urllib.request

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext_lazy

from meetings.api_keys import issue_key
from meetings.models import Appeal, Source
from meetings.services import appeal_acknowledge
from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser

PASSWORD = "pw-for-tests"
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

skip_module_without_browser()
from playwright.sync_api import expect  # noqa: E402 - only once the browser is there


def _zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def _api(url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=10) as response:
        return json.loads(response.read())


def test_a_client_system_files_staff_see_it_and_the_resident_follows_it(
    live_server, world, category, browser
):
    cache.clear()
    _row, key = issue_key(client="12345热线", community=world.a, by=world.superuser)
    api = f"{live_server.url}/open311/v2"

    filed = _api(
        f"{api}/requests.json",
        {
            "api_key": key,
            "service_code": category.pk,
            "address_id": world.a_building.pk,
            "description": "3单元楼道灯一周没亮\n晚上看不清台阶",
            "last_name": "张",
            "first_name": "阿姨",
            "phone": "13912345678",
        },
    )
    code = filed[0]["service_request_id"]
    appeal = Appeal.objects.get()
    assert (appeal.display_code, appeal.source) == (code, Source.API)

    # --- The community's clerk finds it among the API's appeals ---------------------------
    world.staff_a.set_password(PASSWORD)
    world.staff_a.save()
    staff = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    staff.set_default_timeout(TIMEOUT_MS)
    desk = staff.new_page()
    desk.goto(f"{live_server.url}/accounts/login/")
    desk.fill("#login-form input[name=username]", world.staff_a.username)
    desk.fill("#login-form input[name=password]", PASSWORD)
    desk.click("#login-form button[type=submit]")
    desk.wait_for_url(re.compile(r"/admin/$"))
    desk.goto(f"{live_server.url}/admin/meetings/appeal/?source__exact=api")
    desk.get_by_role("link", name=code).click()
    desk.wait_for_url(re.compile(rf"/admin/meetings/appeal/{appeal.pk}/change/"))
    expect(desk.locator(".field-source")).to_contain_text(_zh(Source.API.label))
    expect(desk.locator(".field-filed_through")).to_contain_text("12345热线")
    expect(desk.locator(".field-contact_phone")).to_contain_text("139")  # staff see the contact
    on_timeline = _zh(gettext_lazy("%(client)s (API)")) % {"client": "12345热线"}
    expect(desk.locator("table").filter(has_text=on_timeline)).to_have_count(1)
    desk.screenshot(path=str(SHOTS / "open311-staff-appeal.png"), full_page=True)

    # --- The resident follows it on a phone by the returned code ---------------------------
    resident = browser.new_context(viewport=PHONE, locale="zh-CN")
    resident.set_default_timeout(TIMEOUT_MS)
    phone = resident.new_page()
    phone.goto(f"{live_server.url}/appeals/track/")
    phone.fill("input[name=code]", code)
    phone.press("input[name=code]", "Enter")
    phone.wait_for_url(re.compile(rf"/appeals/track/{code}/$"))
    expect(phone.locator("h1")).to_have_text("3单元楼道灯一周没亮")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(SHOTS / "open311-resident-tracking.png"), full_page=True)

    # --- Staff move it; the client system reads where it stands ----------------------------
    appeal_acknowledge(appeal=appeal, by=world.staff_a, public_note="物业周五前更换灯泡")
    read = _api(f"{api}/requests/{code}.json")[0]
    assert read["status"] == "open"
    assert "物业周五前更换灯泡" in read["status_notes"]
    assert read["updated_datetime"] > read["requested_datetime"]
    phone.reload()
    expect(phone.locator("#timeline")).to_contain_text("物业周五前更换灯泡")
