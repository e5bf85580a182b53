"""The residents' pages work for everyone: axe-core (the checker screen-reader users and
auditors rely on) finds no serious or critical problem on any of them, in Chinese and in
English, on a phone (375 px) and on a desktop (1280 px), and each page says which language
it is in (`lang="zh-Hans"` or `lang="en"`, as BCP 47 spells them), so a screen reader reads
it with the right voice.

What a user would notice if this test fails: a field a screen reader announces without its
name, text too pale to read, a hidden field the Tab key lands in, Chinese read out with an
English voice, a page whose parts cannot be told apart. The failure lists each problem
with the page, the rule, the elements and axe's advice.

Pages: home; the form, sent empty, sent with a bad phone number; the page after filing; the
tracking look-up and its "no such code" (404); a tracking page, and one of a solved appeal
with the resident's answer form, sent empty; the Five Zeros scoreboard (a month, a year)
and an estate's drill-down; the branches' reports and a published one; a page that does not
exist (404); a request the
site cannot read (400); the "please wait" page (429). Screenshots go to /tmp/browser-shots/.

Needs Debian's browser at /usr/bin/chromium (Playwright drives it; nothing is downloaded).
Without it the module is skipped, unless REQUIRE_BROWSER is set: then it fails.
"""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from meetings.models import AppealCategory, Status
from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser

skip_module_without_browser()
from axe_playwright_python.sync_playwright import Axe  # noqa: E402

VIEWPORTS = {"phone": {"width": 375, "height": 800}, "desktop": {"width": 1280, "height": 900}}
# The language cookie's value, and the page's lang attribute it must give.
LANGUAGES = {"zh-hans": "zh-Hans", "en": "en"}
BLOCKING = ("serious", "critical")

# A form with more fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): a 400.
TOO_MANY_FIELDS = """() => {
  const form = document.createElement('form');
  form.method = 'post';
  form.action = '/appeals/new/';
  for (let i = 0; i < 1100; i++) {
    const input = document.createElement('input');
    input.type = 'hidden'; input.name = 'x' + i; input.value = '1';
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _published_report(world):
    """A's first estate's report for last year, drafted and published by its secretary."""
    from governance.models import BranchReport
    from governance.reports import branch_report_publish, branch_reports_draft

    year = _this_year() - 1
    branch_reports_draft(year=year)
    report = BranchReport.objects.get(estate=world.a_estate, year=year)
    return branch_report_publish(report=report, by=world.secretary_a1)


def _five_zeros_marks(world) -> None:
    """A's first estate keeps records from last year and has a verified incident this month
    (not zero); its second none (zero); B's estate keeps no records (unknown)."""
    from datetime import date

    from django.utils import timezone

    from zeroindex.models import RecordsStart
    from zeroindex.services import incident_record, incident_verify, records_start_set

    if RecordsStart.objects.exists():
        return
    for estate in (world.a_estate, world.a_estate2):
        records_start_set(estate=estate, month=date(_this_year() - 1, 1, 1))
    made = incident_record(
        estate=world.a_estate,
        building=world.a_building,
        category="pollution",
        occurred_at=timezone.now(),
        description="楼道堆放杂物",
    )
    incident_verify(incident=made)


def select_template_or_none(name: str):
    try:
        return get_template(name)
    except TemplateDoesNotExist:
        return None


def _report(name: str, violations: list) -> str:
    lines = [f"{name}:"]
    for violation in violations:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:6]:
            target = " ".join(str(t) for t in node["target"])
            advice = " / ".join(
                line.strip()
                for line in node.get("failureSummary", "").splitlines()[1:]
                if line.strip()
            )
            lines.append(f"      {target}: {advice}")
            lines.append(f"        {node['html'][:160]}")
    return "\n".join(lines)


class Checker:
    """Runs axe on each page visited and collects every serious or critical problem."""

    def __init__(self, page, language: str, width: str):
        self.page, self.language, self.width = page, language, width
        self.axe = Axe()
        self.problems: list[str] = []
        self.pages: list[str] = []

    def check(self, name: str, status: int | None = None, response=None, lang=True) -> None:
        self.page.wait_for_load_state()
        if status is not None:
            assert response is not None and response.status == status, (name, response)
        self.pages.append(name)
        slug = name.replace(" ", "-").replace(",", "")
        self.page.screenshot(
            path=str(SHOTS / f"a11y-{self.language}-{self.width}-{slug}.png"), full_page=True
        )
        said = self.page.evaluate("document.documentElement.lang")
        if lang and said != LANGUAGES[self.language]:
            self.problems.append(
                f"{name}: <html lang={said!r}>, expected {LANGUAGES[self.language]!r}"
            )
        results = self.axe.run(self.page)
        blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
        if blocking:
            self.problems.append(_report(name, blocking))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", VIEWPORTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_pass_axe(live_server, world, browser, appeal_in, settings, language, width):
    cache.clear()  # the rate limits count per IP
    settings.APPEAL_TRACK_LIMIT = 1000
    category = AppealCategory.objects.get_or_create(name="物业管理")[0]
    solved = appeal_in(Status.RESOLVED)
    context = browser.new_context(viewport=VIEWPORTS[width], locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies(
        [
            {
                "name": django_settings.LANGUAGE_COOKIE_NAME,
                "value": language,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    checker = Checker(page, language, width)
    url = live_server.url

    checker.check("home", 200, page.goto(f"{url}/"))
    checker.check("form", 200, page.goto(f"{url}/appeals/new/?estate={world.a_estate.pk}"))

    page.click("#appeal-form button[type=submit]")
    checker.check("form sent empty")

    page.select_option("#id_estate", str(world.a_estate.pk))
    page.select_option("#id_building", str(world.a_building.pk))
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", "楼道灯坏了")
    page.fill("#id_description", "3单元楼道灯一周没亮。")
    page.fill("#id_contact_name", "张阿姨")
    page.fill("#id_contact_phone", "12345")
    if not page.is_checked("#id_consent"):
        page.check("#id_consent")
    page.click("#appeal-form button[type=submit]")
    checker.check("form with a bad phone")

    page.fill("#id_contact_phone", "13912345678")
    if not page.is_checked("#id_consent"):
        page.check("#id_consent")
    page.click("#appeal-form button[type=submit]")
    page.wait_for_selector("#tracking-code")
    checker.check("submitted")

    page.click("a[href*='/appeals/track/']")
    page.wait_for_selector("#timeline")
    checker.check("tracking page")

    checker.check("tracking look-up", 200, page.goto(f"{url}/appeals/track/"))
    checker.check("no such code", 404, page.goto(f"{url}/appeals/track/AAAA-AAAA/"))

    checker.check(
        "solved, answer form", 200, page.goto(f"{url}/appeals/track/{solved.display_code}/")
    )
    page.click("#return-visit button[type=submit]")
    checker.check("answer form sent empty")

    # The Five Zeros scoreboard (a month, a year) and an estate's drill-down, with a zero,
    # a not-zero and an unknown mark on them.
    _five_zeros_marks(world)
    checker.check("scoreboard", 200, page.goto(f"{url}/scoreboard/"))
    checker.check("scoreboard year", 200, page.goto(f"{url}/scoreboard/?period={_this_year()}"))
    checker.check(
        "scoreboard estate", 200, page.goto(f"{url}/scoreboard/estates/{world.a_estate.pk}/")
    )
    # The branches' annual reports: the list and a published report.
    report = _published_report(world)
    checker.check("reports", 200, page.goto(f"{url}/reports/"))
    checker.check(
        "branch report", 200, page.goto(f"{url}/reports/{report.year}/{report.estate_id}/")
    )
    # The Five Modernizations' public pages (issue 12)
    from branches.tests.stations_helpers import open_station, record

    record(open_station(world.a_estate), people=12)
    checker.check("stations", 200, page.goto(f"{url}/stations/"))
    checker.check("station", 200, page.goto(f"{url}/stations/{world.a_estate.pk}/"))
    checker.check(
        "three brightness",
        200,
        page.goto(f"{url}/stations/{world.a_estate.pk}/brightness/"),
    )

    # Without a templates/404.html of the site's (another part of issue 8 writes it) Django
    # serves its own page, in English whatever the language: its language is then not ours.
    own_404 = bool(select_template_or_none("404.html"))
    checker.check("page not found", 404, page.goto(f"{url}/no-such-page/"), lang=own_404)

    page.goto(f"{url}/appeals/new/")
    with page.expect_navigation() as sent:
        page.evaluate(TOO_MANY_FIELDS)
    checker.check("unreadable request", 400, sent.value)

    settings.APPEAL_TRACK_LIMIT = 0
    checker.check("please wait", 429, page.goto(f"{url}/appeals/track/?code=AAAA-AAAA"))

    context.close()
    if checker.problems:
        pytest.fail(
            f"axe-core ({language}, {width}) found serious or critical problems "
            f"({len(checker.problems)}, on {len(checker.pages)} pages checked):\n\n"
            + "\n\n".join(checker.problems),
            pytrace=False,
        )
