"""An appeal's whole life, clicked through in a real (headless Chromium) browser.

What a user would notice if this test fails:

1. A resident on a phone (375 px wide) opens the poster link, fills in the appeal form, picks
   a photo, types a wrong phone number first: the form says what is wrong next to the phone
   field, keeps what was typed, and shows the photo as kept (a small picture of it), so it
   need not be chosen again. Fixed, it sends; the page shows a tracking code (like K7QF-93MX),
   says it was texted to the masked number, does not scroll sideways, and links to the
   tracking page with a status and a timeline.
2. The branch secretary logs in on a desktop, opens the appeal in the staff workspace, sees
   the resident's photo, and acknowledges it, handles it directly (a simple matter), then
   reports the fix; each time the page says it is done, and the status badge and the
   timeline follow.
3. The resident reloads the tracking page, is asked whether it is solved, answers "yes,
   satisfied", and reads that the appeal is closed as solved.

Screenshots of every step go to /tmp/browser-shots/ for a human to look at.

Needs Debian's browser at /usr/bin/chromium (Playwright drives it; nothing is downloaded).
Without it the module is skipped, unless REQUIRE_BROWSER is set: then it fails.
"""

import io
import re

import pytest
from django.core.cache import cache
from django.utils import translation

from meetings.models import Appeal, AppealCategory, Status
from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser

PASSWORD = "pw-for-tests"
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

skip_module_without_browser()
from playwright.sync_api import expect  # noqa: E402 - only once the browser is there


def _context(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _photo_file(tmp_path) -> str:
    """A small JPEG, as a phone camera would give one (with a camera make in its EXIF)."""
    from PIL import Image

    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", (640, 480), (200, 60, 30)).save(buffer, format="JPEG", exif=exif.tobytes())
    path = tmp_path / "stairway-light.jpg"
    path.write_bytes(buffer.getvalue())
    return str(path)


def _loaded(image) -> bool:
    return image.evaluate("img => img.complete && img.naturalWidth > 0")


def _zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def _act(page, name, **fields):
    """Open the action box `name` on the staff appeal page, fill it in, send it; return
    the action's label as shown in the box."""
    box = page.locator(f"details#action-{name}")
    expect(box).to_be_attached()
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    label = box.locator("summary").inner_text().strip()
    for field, value in fields.items():
        box.locator(f"#id_{name}-{field}").fill(value)
    box.locator(f"input[type=submit][name=_{name}]").click()
    page.wait_for_load_state()
    success = page.locator("ul.messagelist li.success")
    expect(success).to_be_visible()
    expect(success).to_contain_text(label)
    expect(page.locator("ul.messagelist li.error")).to_have_count(0)
    return label


@pytest.mark.django_db(transaction=True)
def test_appeal_from_phone_form_to_solved(live_server, world, browser, tmp_path):
    cache.clear()  # rate limits count per IP: start from zero
    category = AppealCategory.objects.get_or_create(name="物业管理")[0]
    title = "3单元楼道灯坏了"

    # --- 1. The resident files the appeal on a phone ------------------------------------
    resident = _context(browser, PHONE)
    phone = resident.new_page()
    phone.goto(f"{live_server.url}/appeals/new/?estate={world.a_estate.pk}")
    expect(phone.locator("#id_estate")).to_have_value(str(world.a_estate.pk))
    phone.select_option("#id_building", str(world.a_building.pk))
    phone.select_option("#id_category", str(category.pk))
    phone.fill("#id_title", title)
    phone.fill("#id_description", "3单元2楼到5楼的楼道灯一周没亮，晚上看不清台阶。")
    phone.fill("#id_contact_name", "张阿姨")
    phone.set_input_files("#id_photos", _photo_file(tmp_path))
    phone.fill("#id_contact_phone", "12345")
    phone.check("#id_consent")
    _shot(phone, "01-resident-form-filled")
    phone.click("#appeal-form button[type=submit]")

    # A wrong phone: the error is next to the phone field, and what was typed is kept.
    expect(phone.locator(".alert-danger")).to_be_visible()
    expect(phone.locator("#id_contact_phone")).to_have_class(re.compile(r"\bis-invalid\b"))
    phone_error = phone.locator("#id_contact_phone ~ .invalid-feedback")
    expect(phone_error).to_be_visible()
    expect(phone_error).not_to_be_empty()
    expect(phone.locator("#id_title")).to_have_value(title)
    expect(phone.locator("#id_building")).to_have_value(str(world.a_building.pk))
    # The photo is kept: named as kept, shown small, with a box to remove it; not "choose again".
    kept = phone.locator("#kept-photos")
    expect(kept).to_be_visible()
    expect(kept).to_contain_text("已保留 1 张照片")
    expect(kept.locator("img")).to_have_count(1)
    assert _loaded(kept.locator("img")), "the kept photo's small picture did not load"
    expect(kept.locator("input[name=remove_kept]")).not_to_be_checked()
    expect(phone.locator(".alert-danger")).not_to_contain_text("重新选择")
    assert Appeal.objects.count() == 0
    _shot(phone, "02-resident-form-phone-error")

    phone.fill("#id_contact_phone", "13912345678")
    if not phone.is_checked("#id_consent"):
        phone.check("#id_consent")
    phone.click("#appeal-form button[type=submit]")

    code_box = phone.locator("#tracking-code")
    expect(code_box).to_be_visible()
    code = code_box.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    appeal = Appeal.objects.get()
    assert appeal.display_code == code
    assert appeal.status == Status.RECEIVED
    assert appeal.photos.count() == 1
    expect(phone.locator("#code-texted")).to_contain_text("139****5678")
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"] + 1, f"the page scrolls sideways: {scroll_width}px"
    _shot(phone, "03-resident-submitted")

    phone.locator(f"a[href$='/appeals/track/{code}/']").click()
    phone.wait_for_url(f"**/appeals/track/{code}/")
    expect(phone.locator("#appeal-status")).not_to_be_empty()
    assert phone.locator("#timeline li").count() >= 1
    expect(phone.locator("#return-visit")).to_have_count(0)  # nothing to answer yet
    _shot(phone, "04-resident-tracking-received")
    tracking_url = phone.url

    # --- 2. The branch secretary handles it on a desktop -----------------------------------
    staff = _context(browser, DESKTOP)
    desk = staff.new_page()
    desk.goto(f"{live_server.url}/accounts/login/")
    desk.fill("#login-form input[name=username]", world.secretary_a1.username)
    desk.fill("#login-form input[name=password]", PASSWORD)
    desk.click("#login-form button[type=submit]")
    desk.wait_for_url(re.compile(r"/admin/$"))

    desk.goto(f"{live_server.url}/admin/meetings/appeal/{appeal.pk}/change/")
    badge = desk.locator(".status-badge")
    expect(badge).to_have_text(_zh(Status.RECEIVED.label))
    staff_photo = desk.locator(".appeal-photos img")
    expect(staff_photo).to_have_count(1)
    staff_photo.scroll_into_view_if_needed()
    desk.wait_for_function("img => img.complete", arg=staff_photo.element_handle())
    assert _loaded(staff_photo), "the resident's photo did not load on the staff page"
    _shot(desk, "05-staff-appeal-received")

    _act(desk, "acknowledge", **{"public_note": "已收到，社区会尽快处理。"})
    # Acknowledging keeps the status; it is offered once only.
    expect(badge).to_have_text(_zh(Status.RECEIVED.label))
    expect(desk.locator("details#action-acknowledge")).to_have_count(0)
    appeal.refresh_from_db()
    assert appeal.acknowledged_at is not None
    _shot(desk, "06-staff-acknowledged")

    _act(desk, "route_handle", **{"public_note": "简单事项，由支部直接处理。"})
    expect(badge).to_have_text(_zh(Status.IN_PROGRESS.label))
    _shot(desk, "07-staff-handling")

    _act(desk, "report_fix", **{"public_note": "已更换灯泡"})
    expect(badge).to_have_text(_zh(Status.RESOLVED.label))
    _shot(desk, "08-staff-fixed")

    rows = desk.locator("#staff-timeline tbody tr")
    expect(rows).to_have_count(4)  # submitted, acknowledged, handled directly, fixed
    expect(rows.nth(1)).to_contain_text("已收到，社区会尽快处理。")
    expect(rows.nth(2)).to_contain_text(_zh(Status.IN_PROGRESS.label))
    expect(rows.nth(3)).to_contain_text("已更换灯泡")
    for row in range(1, 4):
        expect(rows.nth(row)).to_contain_text(world.secretary_a1.username)
    appeal.refresh_from_db()
    assert appeal.status == Status.RESOLVED

    # --- 3. The resident answers the return visit ------------------------------------------
    phone.goto(tracking_url)
    visit = phone.locator("#return-visit")
    expect(visit).to_be_visible()
    expect(phone.locator("#timeline")).to_contain_text("已更换灯泡")
    visit.locator("input[name=solved][value=yes]").check()
    visit.locator("input[name=satisfaction][value=satisfied]").check()
    _shot(phone, "09-resident-return-visit")
    visit.locator("button[type=submit]").click()
    phone.wait_for_load_state()

    expect(phone.locator("#appeal-status")).to_have_text("已关闭：已解决")
    expect(phone.locator("#return-visit")).to_have_count(0)
    _shot(phone, "10-resident-closed-solved")
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    assert appeal.closure_reason == "solved"
    assert appeal.return_visits.get().satisfaction == "satisfied"

    staff.close()
    resident.close()
