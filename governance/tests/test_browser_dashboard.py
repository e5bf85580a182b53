"""/dashboard/ in a real (headless Chromium) browser: the town committee logs in, finds the
three charts drawn (Chart.js from our own origin, under the strict Content-Security-Policy),
chooses custom dates and a community with the page's own form, steps to the previous
period, and the figures and charts follow each choice; nothing is blocked, no script fails
and axe-core finds no serious problem on the way (phone and desktop widths).

Needs Debian's browser at /usr/bin/chromium (Playwright drives it; nothing is downloaded).
Without it the module is skipped, unless REQUIRE_BROWSER is set: then it fails."""

import re

import pytest

from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser

from .dashboard_helpers import PASSWORD, march

skip_module_without_browser()
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import expect  # noqa: E402 - only once the browser is there

CHARTS = ("trend", "categories", "funnel")
# Reports every policy violation to the test (the init script is not subject to the policy).
LISTEN = """
document.addEventListener('securitypolicyviolation', e => window.__violation(
  location.pathname + ': ' + e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def browser():
    from meetings.tests.browser import launched_chromium

    with launched_chromium() as chromium:
        yield chromium


def _charts_drawn(page) -> None:
    for name in CHARTS:
        expect(page.locator(f"#chart-{name}")).to_have_attribute("data-drawn", "1")
    # drawn means painted: each canvas has a size and something on it
    for name in CHARTS:
        painted = page.evaluate(
            """id => { const c = document.getElementById(id);
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                return c.width > 0 && c.height > 0 && d.some(v => v !== 0); }""",
            f"chart-{name}",
        )
        assert painted, f"the {name} chart is blank"


def _console(message, problems) -> None:
    # a failed load is told by _response, which knows what it was
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(f"console: {message.text}")


def _response(response, problems) -> None:
    request = response.request
    if request.resource_type == "document" or request.url.endswith("/favicon.ico"):
        return
    if response.status >= 400:
        problems.append(f"{response.status} for {request.resource_type} {request.url}")


def _axe(page, problems) -> None:
    """axe-core's serious and critical problems on the page (a table that scrolls sideways
    must take the keyboard's focus, a control needs its label, …)."""
    for v in Axe().run(page).response["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in v["nodes"]]
            problems.append(f"axe {v['id']} ({v['impact']}) on {page.url}: {targets}")


def _figure(page, key) -> str:
    return page.locator(f"#figure-{key} .dash-figure-value").inner_text().strip()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1280])
def test_the_town_switches_period_and_place_and_finds_the_charts_drawn(
    live_server, world, category, browser, width
):
    march(world, category)  # A: 6 appeals in March 2025, B: 1
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    problems: list[str] = []
    context.expose_binding("__violation", lambda _source, text: problems.append(text))
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: _console(m, problems))
    page.on("response", lambda r: _response(r, problems))

    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_url(re.compile(r"/accounts/login/"))  # log-in first, then back here
    page.fill("#login-form input[name=username]", world.town_user.username)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/$"))
    _charts_drawn(page)
    _axe(page, problems)

    # custom dates: March 2025, the whole town
    page.select_option("#id_period", "")
    page.fill("#id_from", "2025-03-01")
    page.fill("#id_to", "2025-03-31")
    page.click("#dash-choose button[type=submit]")
    page.wait_for_url(re.compile(r"from=2025-03-01&to=2025-03-31"))
    assert _figure(page, "received") == "7"
    _charts_drawn(page)

    # the place: community A, from the form's chooser
    page.select_option("#id_unit", f"community-{world.a.pk}")
    page.click("#dash-choose button[type=submit]")
    page.wait_for_url(re.compile(rf"unit=community-{world.a.pk}"))
    expect(page.locator("h1")).to_contain_text("光达社区")
    assert _figure(page, "received") == "6"
    assert _figure(page, "response") == "33.3%"
    expect(page.locator("#table-places")).to_contain_text("新都城")  # its estates, ranked
    _charts_drawn(page)
    _axe(page, problems)

    # a step back: the 31 days before, February's one appeal of A
    page.click("#previous-period")
    page.wait_for_url(re.compile(r"from=2025-01-29&to=2025-02-28"))
    assert _figure(page, "received") == "1"
    assert _figure(page, "resolution") == "—"
    _charts_drawn(page)

    # each chart's table is one click away
    page.locator("#trend details summary").click()
    expect(page.locator("#table-months")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"dashboard-{width}.png"), full_page=True)
    assert not problems, "\n".join(problems)
    context.close()
