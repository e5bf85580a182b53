"""The strict Content-Security-Policy breaks nothing, and stops what it is for, in a real
(headless Chromium) browser.

What a user would notice if this test fails:

1. A page of the site reports a Content-Security-Policy violation (or a script error) in
   the browser: something it needs (a script, a style, a picture, the QR code, a form) is
   blocked, so a button does nothing or the page looks broken. Checked on the resident's
   pages (home, the form, the form sent back with an error and a kept photo, the page after
   filing, the tracking page with its "withdraw" question, the look-up page, the "too large"
   page with its Back button, the Five Zeros scoreboard and an estate's drill-down), on the
   staff pages (log-in, the lockout page, the work queue, the Five Zeros dashboard, the
   dashboard with its charts and its printable report, the appeals export's "too many rows
   for a spreadsheet" page, the appeals list, an appeal with its action forms and photo, the
   meetings list and a meeting, the inbox, the communities, the poster with its QR code and
   Print button, the admin in English), each in the page's own language.
2. The buttons that used inline handlers still work: "withdraw" asks first, "Print" prints,
   "Go back" goes back.
3. A script or a style attribute slipped into a page (as a cross-site scripting attack would)
   runs: the policy must block it, and the browser reports it.

Needs Debian's browser at /usr/bin/chromium (Playwright drives it; nothing is downloaded).
Without it the module is skipped, unless REQUIRE_BROWSER is set: then it fails.
"""

import io
import re

import pytest
from django.core.cache import cache

from meetings.models import Appeal, AppealCategory, MeetingType, Notification
from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser

PASSWORD = "pw-for-tests"
PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

skip_module_without_browser()
from playwright.sync_api import expect  # noqa: E402 - only once the browser is there

# Reports every violation of the page's policy to the test (through an exposed binding, so
# it survives navigations); Playwright's init scripts are not subject to the page's policy.
LISTEN = """
document.addEventListener('securitypolicyviolation', e => window.__cspViolation({
  page: location.pathname, directive: e.violatedDirective, blocked: e.blockedURI,
  sample: e.sample, source: e.sourceFile + ':' + e.lineNumber,
}));
"""


class Watched:
    """A browser context whose policy violations, console errors and page errors are kept."""

    def __init__(self, browser, viewport, shots):
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.problems = []
        self.violations = []
        self.shots = shots
        self.context.expose_binding("__cspViolation", lambda _source, v: self.violations.append(v))
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("response", self._response)

    def _console(self, message):
        # a failed load is told by _response, which knows what it was
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def _response(self, response):
        request = response.request
        # the page itself may answer 413 or 429 on purpose; the site has no favicon
        if request.resource_type == "document" or request.url.endswith("/favicon.ico"):
            return
        if response.status >= 400:
            self.problems.append(f"{response.status} for {request.resource_type} {request.url}")

    def open(self, url, shot):
        self.page.goto(url)
        self.settled(shot)

    def settled(self, shot):
        self.page.wait_for_load_state("load")
        # images lazily decoded, deferred scripts: let them report too
        self.page.wait_for_timeout(100)
        self.page.screenshot(path=str(SHOTS / f"csp-{self.shots}-{shot}.png"), full_page=True)

    def clean(self):
        found = self.violations + self.problems
        assert not found, "the policy blocked something, or a script failed:\n" + "\n".join(
            map(str, found)
        )


def _photo_file(tmp_path) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 60, 30)).save(buffer, format="JPEG")
    path = tmp_path / "photo.jpg"
    path.write_bytes(buffer.getvalue())
    return str(path)


def _loaded(image) -> bool:
    image.scroll_into_view_if_needed()
    return image.evaluate("img => img.complete && img.naturalWidth > 0")


def _resident_files_an_appeal(w, base, world, category, tmp_path) -> str:
    page = w.page
    w.open(f"{base}/", "home")
    w.open(f"{base}/appeals/new/?estate={world.a_estate.pk}", "form")
    page.select_option("#id_building", str(world.a_building.pk))
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "楼道灯坏了")
    page.fill("#id_description", "3单元楼道灯一周没亮。")
    page.fill("#id_contact_name", "张阿姨")
    page.set_input_files("#id_photos", _photo_file(tmp_path))
    page.fill("#id_contact_phone", "12345")
    page.check("#id_consent")
    page.click("#appeal-form button[type=submit]")
    w.settled("form-error")
    kept = page.locator("#kept-photos img")
    expect(kept).to_have_count(1)
    assert _loaded(kept), "the kept photo's small picture did not load"
    page.fill("#id_contact_phone", "13912345678")
    if not page.is_checked("#id_consent"):
        page.check("#id_consent")
    page.click("#appeal-form button[type=submit]")
    code = page.locator("#tracking-code")
    expect(code).to_be_visible()
    w.settled("submitted")
    return code.inner_text().strip()


@pytest.mark.django_db(transaction=True)
def _published_report(world):
    """A's first estate's report for last year, drafted and published by its secretary."""
    from django.utils import timezone

    from governance.models import BranchReport
    from governance.reports import branch_report_publish, branch_reports_draft

    year = timezone.localdate().year - 1
    branch_reports_draft(year=year)
    report = BranchReport.objects.get(estate=world.a_estate, year=year)
    return branch_report_publish(report=report, by=world.secretary_a1)


def test_resident_pages_load_without_a_violation_and_their_buttons_work(
    live_server, world, browser, tmp_path, settings
):
    cache.clear()
    category = AppealCategory.objects.get_or_create(name="物业管理")[0]
    base = live_server.url
    w = Watched(browser, PHONE, "resident")
    code = _resident_files_an_appeal(w, base, world, category, tmp_path)

    w.open(f"{base}/appeals/track/{code}/", "tracking")
    # "withdraw" asks first; saying no withdraws nothing
    asked = []
    w.page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    w.page.locator("details summary").click()
    w.page.locator("form button.btn-outline-danger").click()
    w.page.wait_for_timeout(200)
    assert asked and asked[0], "withdrawing did not ask first"
    assert Appeal.objects.get().status != "closed"

    w.open(f"{base}/appeals/track/", "lookup")
    # the Five Zeros scoreboard, a year of it, and an estate's drill-down
    w.open(f"{base}/scoreboard/", "scoreboard")
    w.open(f"{base}/scoreboard/?period=2025", "scoreboard-year")
    w.open(f"{base}/scoreboard/estates/{world.a_estate.pk}/", "scoreboard-estate")
    # the branches' annual reports and a published one
    report = _published_report(world)
    w.open(f"{base}/reports/", "reports")
    w.open(f"{base}/reports/{report.year}/{report.estate_id}/", "branch-report")
    # the Five Modernizations' public pages (issue 12)
    from branches.tests.stations_helpers import open_station, record

    record(open_station(world.a_estate), people=12)
    w.open(f"{base}/stations/", "stations")
    w.open(f"{base}/stations/{world.a_estate.pk}/", "station")
    w.open(f"{base}/stations/{world.a_estate.pk}/brightness/", "brightness")

    # a request too large gets its page; its "Go back" goes back to the form
    settings.APPEAL_MAX_REQUEST_BYTES = 1000
    w.open(f"{base}/appeals/new/?estate={world.a_estate.pk}", "form-again")
    w.page.set_input_files("#id_photos", _photo_file(tmp_path))
    w.page.click("#appeal-form button[type=submit]")
    w.settled("too-large")
    back = w.page.locator("main button")
    expect(back).to_be_visible()
    back.click()
    w.page.wait_for_url(re.compile(r"/appeals/new/\?estate="))
    w.clean()
    w.context.close()


def _staff_logs_in(w, base, world):
    w.open(f"{base}/accounts/login/", "login")
    w.page.fill("#login-form input[name=username]", world.staff_a.username)
    w.page.fill("#login-form input[name=password]", PASSWORD)
    w.page.click("#login-form button[type=submit]")
    w.page.wait_for_url(re.compile(r"/admin/$"))
    w.settled("work-queue")


@pytest.mark.django_db(transaction=True)
def test_staff_pages_load_without_a_violation(
    live_server, world, browser, new_appeal, meeting, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from meetings.photos import clean_photo

    base = live_server.url
    with open(_photo_file(tmp_path), "rb") as photo:
        appeal = new_appeal(photos=[clean_photo(SimpleUploadedFile("p.jpg", photo.read()))])
    m = meeting(MeetingType.PARTY_MASSES, appeal)
    new_appeal(title="小区东门车辆乱停")  # one to put on the agenda
    Notification.objects.create(
        kind="visit_reminder",
        channel="inbox",
        user=world.staff_a,
        subject="回访提醒",
        text="回访提醒",
        dedupe_key="test:csp",
    )
    w = Watched(browser, DESKTOP, "staff")
    _staff_logs_in(w, base, world)

    w.open(f"{base}/admin/meetings/appeal/", "appeals")
    # the labels of the list's cards come from a <style> the policy allows by its nonce
    label = w.page.evaluate(
        "getComputedStyle(document.getElementById('result_list')).getPropertyValue('--label-age')"
    )
    assert label.strip(), "the appeals list's labels (an inline style with a nonce) were blocked"
    w.open(f"{base}/admin/meetings/appeal/{appeal.pk}/change/", "appeal")
    photo = w.page.locator(".appeal-photos img")
    expect(photo).to_have_count(1)
    assert _loaded(photo), "the resident's photo did not load on the staff page"
    for box in w.page.locator("details[id^=action-] summary").all():
        box.click()
    w.settled("appeal-actions-open")
    w.open(f"{base}/admin/meetings/meeting/", "meetings")
    w.open(f"{base}/admin/meetings/meeting/{m.pk}/change/", "meeting")
    w.open(f"{base}/admin/meetings/notification/", "inbox")
    w.open(f"{base}/admin/branches/community/", "communities")
    w.open(f"{base}/admin/branches/member/", "members")
    # the admin's own scripts: a date picker, an autocomplete, inline rows
    w.open(f"{base}/admin/branches/member/add/", "member-add")
    w.page.locator(".datetimeshortcuts a").first.click()
    w.page.locator(".select2-selection").first.click()
    expect(w.page.locator(".select2-results")).to_be_visible()
    w.settled("member-add-widgets")
    w.open(f"{base}/admin/meetings/appeal/add/", "appeal-add")
    w.open(f"{base}/admin/meetings/meeting/add/", "meeting-add")
    w.open(f"{base}/admin/branches/estate/{world.a_estate.pk}/change/", "estate")
    w.page.locator(".add-row a").first.click()
    w.settled("estate-new-row")
    # the survey task list (zeroindex): a round, its import with a preview, its tasks
    from zeroindex.services import task_create_from_suggestions
    from zeroindex.tests.survey_helpers import in_days, make_round

    survey = make_round(world.a_estate)
    task = task_create_from_suggestions(
        suggestions=survey.suggestions.all(), owner=world.staff_a, due_on=in_days(7)
    )[0]
    w.open(f"{base}/admin/zeroindex/surveyround/{survey.pk}/change/", "survey-round")
    w.open(f"{base}/admin/zeroindex/surveyround/{survey.pk}/suggestions/", "survey-import")
    w.page.fill("textarea[name=text]", "楼道灯坏了\n无此类别 | 增设座椅")
    w.page.click("input[name=_preview]")
    w.settled("survey-import-preview")
    w.open(f"{base}/admin/zeroindex/surveytask/", "survey-tasks")
    w.open(f"{base}/admin/zeroindex/surveytask/{task.pk}/change/", "survey-task")

    # the Five Zeros' registry: its list's card labels, the add page from an appeal (a date
    # picker, an autocomplete), an incident's page with its actions, a records start
    from zeroindex.services import incident_record

    incident = incident_record(
        estate=world.a_estate,
        category="pollution",
        occurred_at=appeal.created_at,
        description="油烟直排",
        by=world.staff_a,
    )
    w.open(f"{base}/admin/zeroindex/incident/", "incidents")
    label = w.page.evaluate(
        "getComputedStyle(document.getElementById('result_list'))"
        ".getPropertyValue('--label-source')"
    )
    assert label.strip(), "the incidents list's labels (an inline style with a nonce) were blocked"
    w.open(f"{base}/admin/zeroindex/incident/add/?appeal={appeal.pk}", "incident-add")
    w.page.locator(".select2-selection").first.click()
    expect(w.page.locator(".select2-results")).to_be_visible()
    w.settled("incident-add-widgets")
    w.open(f"{base}/admin/zeroindex/incident/{incident.pk}/change/", "incident")
    w.page.locator("#action-dismiss summary").click()
    w.settled("incident-actions-open")
    w.open(f"{base}/admin/zeroindex/recordsstart/add/", "records-start-add")

    # the Five Zeros dashboard and an estate's drill-down
    w.open(f"{base}/dashboard/zeros/", "zero-dashboard")
    w.open(f"{base}/dashboard/zeros/estates/{world.a_estate.pk}/", "zero-dashboard-estate")
    # the committee's dashboard (Chart.js and our script draw its charts) and its report
    w.open(f"{base}/dashboard/", "dashboard")
    expect(w.page.locator("#chart-trend")).to_have_attribute("data-drawn", "1")
    w.open(f"{base}/dashboard/report/", "dashboard-report")
    # the appeals export beyond the XLSX cap: the page that offers the CSV instead
    settings.DASHBOARD_XLSX_MAX_ROWS = 1
    w.open(f"{base}/dashboard/exports/appeals.xlsx", "export-too-large")
    expect(w.page.locator("#download-csv")).to_be_visible()

    w.open(f"{base}/appeals/posters/estate/{world.a_estate.pk}/", "poster")
    expect(w.page.locator(".qr svg")).to_be_visible()
    w.page.evaluate("window.print = () => { window.__printed = true; }")
    w.page.locator("button.btn-danger").click()
    assert w.page.evaluate("window.__printed === true"), "the Print button did not print"

    # the admin in English, through its language switch
    w.open(f"{base}/admin/", "work-queue-again")
    w.page.locator("#user-tools button[lang=en]").click()
    w.page.wait_for_load_state("load")
    expect(w.page.locator("html")).to_have_attribute("lang", "en")
    w.settled("work-queue-en")
    w.open(f"{base}/admin/meetings/appeal/", "appeals-en")
    w.clean()
    w.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_admin_log_in_and_the_lockout_page_load_without_a_violation(
    live_server, world, browser, settings
):
    w = Watched(browser, DESKTOP, "lockout")
    w.open(f"{live_server.url}/admin/login/", "admin-login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        w.page.fill("input[name=username]", "guangda")
        w.page.fill("input[name=password]", "wrong")
        w.page.click("input[type=submit]")
        w.page.wait_for_load_state("load")
    expect(w.page.locator("h1")).to_have_text("登录失败次数过多")
    w.settled("locked-out")
    w.clean()
    w.context.close()


@pytest.mark.django_db(transaction=True)
def test_a_script_or_style_slipped_into_a_page_is_blocked(live_server, world, browser):
    w = Watched(browser, DESKTOP, "injected")
    w.open(f"{live_server.url}/", "home")
    w.page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.__injected = true;';
          document.body.appendChild(script);
          document.body.insertAdjacentHTML('beforeend',
            '<p id="injected-style" style="color: rgb(255, 0, 0)">x</p>');
        }"""
    )
    w.page.wait_for_timeout(200)
    assert w.page.evaluate("window.__injected") is None, "an injected inline script ran"
    colour = w.page.evaluate("getComputedStyle(document.getElementById('injected-style')).color")
    assert colour != "rgb(255, 0, 0)", "an injected style attribute applied"
    directives = {v["directive"] for v in w.violations}
    assert {"script-src-elem", "style-src-attr"} <= directives, w.violations
