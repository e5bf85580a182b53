"""Staff pages fit the screen: the appeals and meetings lists stay readable on a phone and on
a laptop, and an appeal's page does not scroll sideways on a phone, measured in a real
(headless Chromium) browser, in Chinese and in English.

What a user would notice if this test fails:

1. On a phone (375 px) a column of the appeals or meetings list is squeezed to a sliver:
   Chinese text one or two characters per line (a cell narrower than 40 px or more than three
   lines tall), part of a row is off the right edge, the page scrolls sideways, or the list
   starts below the first screen. The "Filter" link at the top no longer leads to the
   filters, which sit under the list.
2. On a laptop (1280 px) with the app list and the filters open, the appeals titles get a
   column too narrow to read at a glance (under 240 px).
3. On a wide screen (1920 px) the appeals list is no longer a plain table.
4. On a phone an appeal's page with a return visit scrolls sideways (its tables are wider
   than the screen and must scroll inside themselves).

Screenshots go to /tmp/browser-shots/ for a human to look at.

Needs Debian's browser at /usr/bin/chromium (Playwright drives it; nothing is downloaded).
Without it the module is skipped, unless REQUIRE_BROWSER is set: then it fails.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Appeal, Channel, MeetingType, Satisfaction, Status
from meetings.services import appeal_record_return_visit, meeting_close
from meetings.tests.browser import (
    SHOTS,
    TIMEOUT_MS,
    skip_module_without_browser,
)

PASSWORD = "pw-for-tests"
HEIGHT = 800
APPEALS = "/admin/meetings/appeal/"
MEETINGS = "/admin/meetings/meeting/"

# A readable cell: at least about three Chinese characters wide, at most three lines tall.
MIN_CELL_PX = 40
MAX_LINES = 3
MIN_TITLE_PX_ON_LAPTOP = 240

skip_module_without_browser()

# Every visible cell of the list's rows: its class, text, width and the number of lines its
# text takes (the distinct tops of the line boxes of its text, not its height, so padding and
# badges do not count as lines).
MEASURE_CELLS = """
() => [...document.querySelectorAll('#result_list tbody tr')].flatMap(row =>
  [...row.children].filter(cell => !cell.classList.contains('action-checkbox')).map(cell => {
    const box = cell.getBoundingClientRect();
    const tops = [];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      if (!walker.currentNode.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(walker.currentNode);
      for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
    }
    tops.sort((a, b) => a - b);
    const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 4).length;
    return {cls: cell.className, text: cell.innerText.trim(), width: box.width,
            top: box.top, right: box.right, lines, visible: box.width > 0 && box.height > 0};
  }))
"""


@pytest.fixture
def lists(world, new_appeal, appeal_in, meeting):
    """A few appeals and meetings of community A such as the demo has: long and short titles,
    a long status badge, an overdue deadline, a handler; open and closed meetings."""
    solved = appeal_in(Status.CLOSED, title="儿童游乐场地面破损，有钉子露出来")
    routed = appeal_in(Status.IN_PROGRESS, title="小区东门车辆乱停，堵塞消防通道")
    Appeal.objects.filter(pk=routed.pk).update(handler=world.secretary_a1)
    late = new_appeal(
        title="3单元楼道灯坏了一周", estate=world.a_estate2, building=world.a2_building
    )
    Appeal.objects.filter(pk=late.pk).update(next_due_at=timezone.now() - timedelta(days=2))
    meeting(MeetingType.HEARING, solved)
    meeting(MeetingType.PARTY_MASSES, routed, late)
    review = meeting(MeetingType.DEPARTMENT_REVIEW, minutes="评议了县住建局的工作。", head_count=12)
    meeting_close(meeting=review, by=world.staff_a)


def _staff_page(browser, live_server, world, lang, width):
    context = browser.new_context(viewport={"width": width, "height": HEIGHT})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#login-form input[name=username]", world.staff_a.username)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def _cells(page, url, shot):
    page.goto(url)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    cells = [c for c in page.evaluate(MEASURE_CELLS) if c["visible"]]
    assert cells, f"{url}: no rows to measure"
    return cells


def _assert_readable(cells, where):
    squeezed = [c for c in cells if c["width"] < MIN_CELL_PX or c["lines"] > MAX_LINES]
    assert not squeezed, f"{where}: cells squeezed (width px, lines): " + "; ".join(
        f"{c['cls']} {c['text']!r} {c['width']:.0f}px {c['lines']} lines" for c in squeezed
    )


def _assert_on_screen(cells, width, where):
    """Nor does the list scroll sideways inside its own box: every cell is on the screen."""
    hidden = [f"{c['cls']} {c['text']!r}" for c in cells if c["right"] > width + 1]
    assert not hidden, f"{where}: cells off the right edge: {'; '.join(hidden)}"


def _assert_no_sideways_scroll(page, width, where):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"{where}: the page scrolls sideways ({scroll_width}px)"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_appeals_and_meetings_lists_read_on_a_phone(live_server, world, lists, browser, lang):
    page = _staff_page(browser, live_server, world, lang, 375)
    for path, name in ((APPEALS, "appeals"), (MEETINGS, "meetings")):
        where = f"{name} list at 375px ({lang})"
        cells = _cells(page, live_server.url + path, f"staff-list-{name}-{lang}-375")
        _assert_readable(cells, where)
        _assert_on_screen(cells, 375, where)
        _assert_no_sideways_scroll(page, 375, where)
        first_row_top = min(c["top"] for c in cells)
        assert first_row_top < HEIGHT, f"{where}: the list starts below the first screen"

        # The filters are under the list on a phone: the link at the top leads to them.
        page.locator(".filter-jump a").click()
        filters = page.locator("#changelist-filter").bounding_box()
        assert filters is not None and -2 < filters["y"] < HEIGHT, f"{where}: filters not shown"
    page.context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_appeals_titles_have_room_on_a_laptop(live_server, world, lists, browser, lang):
    page = _staff_page(browser, live_server, world, lang, 1280)
    where = f"appeals list at 1280px ({lang})"
    cells = _cells(page, live_server.url + APPEALS, f"staff-list-appeals-{lang}-1280")
    _assert_readable(cells, where)
    _assert_on_screen(cells, 1280, where)
    _assert_no_sideways_scroll(page, 1280, where)
    titles = [c for c in cells if "field-title_text" in c["cls"]]
    assert len(titles) == Appeal.objects.count()
    narrow = [c for c in titles if c["width"] < MIN_TITLE_PX_ON_LAPTOP]
    assert not narrow, f"{where}: title column {narrow[0]['width']:.0f}px wide"
    meetings = _cells(page, live_server.url + MEETINGS, f"staff-list-meetings-{lang}-1280")
    _assert_readable(meetings, f"meetings list at 1280px ({lang})")
    _assert_on_screen(meetings, 1280, f"meetings list at 1280px ({lang})")
    page.context.close()

    # A wide screen has room for the plain table: the rows stay table rows.
    page = _staff_page(browser, live_server, world, lang, 1920)
    _cells(page, live_server.url + APPEALS, f"staff-list-appeals-{lang}-1920")
    row_display = page.evaluate(
        "getComputedStyle(document.querySelector('#result_list tbody tr')).display"
    )
    assert row_display == "table-row", f"appeals list at 1920px ({lang}): rows are {row_display}"
    page.context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_appeal_page_with_a_return_visit_fits_a_phone(live_server, world, appeal_in, browser, lang):
    appeal = appeal_in(Status.RESOLVED, title="3单元楼道灯坏了一周")
    appeal_record_return_visit(
        appeal=appeal,
        by=world.staff_a,
        channel=Channel.PHONE,
        reached=True,
        solved=True,
        satisfaction=Satisfaction.SATISFIED,
        note="灯已修好，居民满意。",
    )
    page = _staff_page(browser, live_server, world, lang, 375)
    page.goto(f"{live_server.url}/admin/meetings/appeal/{appeal.pk}/change/")
    page.screenshot(path=str(SHOTS / f"staff-appeal-page-{lang}-375.png"), full_page=True)
    assert page.locator(".appeal-extra table").count() >= 2  # return visits and timeline
    _assert_no_sideways_scroll(page, 375, f"appeal page at 375px ({lang})")
    page.context.close()
