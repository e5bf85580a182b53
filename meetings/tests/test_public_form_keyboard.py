"""A resident who uses only the keyboard (or a switch, or a screen reader) files an appeal.

What a user would notice if this test fails:

1. The first Tab does not offer a way past the header to the page's content.
2. Tab does not go through the form's fields in the order they are shown, or stops at the
   hidden anti-spam field (a field nobody can see, which a screen reader then reads out).
3. After a mistake the page reloads and the keyboard is left at the top of the page: the
   summary of what to correct is not where the focus is, so a screen reader does not read
   it, and its link does not lead to the field to correct.
4. The form cannot be filled in and sent without a mouse.

Needs Debian's browser at /usr/bin/chromium (Playwright drives it; nothing is downloaded).
Without it the module is skipped, unless REQUIRE_BROWSER is set: then it fails.
"""

import pytest
from django.core.cache import cache

from meetings.models import Appeal, AppealCategory
from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser

skip_module_without_browser()

FIELDS_IN_ORDER = [
    "id_estate",
    "id_building",
    "id_category",
    "id_title",
    "id_description",
    "id_photos",
    "id_contact_name",
    "id_contact_phone",
    "id_consent",
    "send",
]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.id) return el.id;
  if (el.type === 'submit' && el.closest('#appeal-form')) return 'send';
  return el.tagName.toLowerCase() + ':' + (el.getAttribute('href') || el.textContent.trim());
}"""


def _focused(page):
    return page.evaluate(FOCUSED)


def _choose_with_arrows(page, value: str) -> None:
    """Arrow down a focused, closed <select> until it shows `value`."""
    for _ in range(30):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"the arrow keys never reached option {value}")


@pytest.mark.django_db(transaction=True)
def test_the_form_is_filled_in_and_sent_with_the_keyboard_alone(live_server, world, browser):
    cache.clear()
    category = AppealCategory.objects.get_or_create(name="物业管理")[0]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_server.url}/appeals/new/")

    # 1. The first Tab offers to skip the header; taking it, the next Tab is the first field.
    page.keyboard.press("Tab")
    skip = page.locator("a:focus")
    assert skip.count() == 1, f"the first Tab lands on {_focused(page)!r}, not a link"
    assert skip.get_attribute("href") == "#main"
    assert skip.is_visible(), "the skip link is focused but cannot be seen"
    page.screenshot(path=str(SHOTS / "keyboard-00-skip-link.png"))
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")

    # 2. Every field in the order shown, and nothing else (not the hidden anti-spam field);
    # filled in as it is reached, with a phone number that is one digit short.
    visited = []
    for _ in range(len(FIELDS_IN_ORDER) + 3):
        here = _focused(page)
        visited.append(here)
        if here == "id_estate":
            _choose_with_arrows(page, str(world.a_estate.pk))
        elif here == "id_building":
            _choose_with_arrows(page, str(world.a_building.pk))
        elif here == "id_category":
            _choose_with_arrows(page, str(category.pk))
        elif here == "id_title":
            page.keyboard.type("楼道灯坏了")
        elif here == "id_description":
            page.keyboard.type("3单元楼道灯一周没亮。")
        elif here == "id_contact_name":
            page.keyboard.type("张阿姨")
        elif here == "id_contact_phone":
            page.keyboard.type("1391234567")
        elif here == "id_consent":
            page.keyboard.press("Space")
        if here == "send":
            break
        page.keyboard.press("Tab")
    assert visited == FIELDS_IN_ORDER, f"Tab went through {visited}"
    page.screenshot(path=str(SHOTS / "keyboard-01-filled.png"), full_page=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # 3. The summary of what to correct has the focus, and its link leads to the phone.
    summary = page.locator("#form-errors")
    assert summary.count() == 1, "no summary of what to correct"
    assert page.evaluate("document.activeElement.id") == "form-errors", (
        f"after the mistake the focus is on {_focused(page)!r}, not on the summary"
    )
    assert summary.get_attribute("role") == "alert"
    page.screenshot(path=str(SHOTS / "keyboard-02-error-summary.png"), full_page=True)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_contact_phone"
    page.keyboard.press("Enter")
    assert _focused(page) == "id_contact_phone", f"the link led to {_focused(page)!r}"
    assert page.input_value("#id_title") == "楼道灯坏了"  # what was typed is kept

    # 4. Corrected, and sent from the keyboard.
    page.keyboard.press("Control+A")
    page.keyboard.type("13912345678")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_consent"
    if not page.is_checked("#id_consent"):
        page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert _focused(page) == "send"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#tracking-code")
    assert Appeal.objects.get().contact_phone == "13912345678"
    page.screenshot(path=str(SHOTS / "keyboard-03-sent.png"), full_page=True)
    context.close()
