"""In a real (headless Chromium) browser: a clerk of the community logs in, opens the week
grid of an estate's station, enters two sessions of last week and saves; the public
station page, on a phone, then shows the residents served this year grown by theirs.

Needs Debian's browser at /usr/bin/chromium (Playwright drives it; nothing is downloaded).
Without it the module is skipped, unless REQUIRE_BROWSER is set: then it fails."""

import importlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from branches.models import ContributionEntry, ServiceSession
from branches.station_forms import week_param
from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser

from .stations_helpers import kind, open_station, record, session_points

skip_module_without_browser()
from playwright.sync_api import expect  # noqa: E402 - only once the browser is there

PASSWORD = "pw-for-tests"


@pytest.fixture(scope="module", autouse=True)
def _seeded_lists_back(django_db_blocker):
    """A live test ends with a flush, which also empties the lists migration 0007 seeds (the
    points per contribution, the kinds of service and of meeting, the five standards): put
    them back after this module, as the migration left them, for the tests that follow."""
    yield
    from django.apps import apps

    seeds = importlib.import_module("branches.migrations.0007_five_modernizations_rules")
    with django_db_blocker.unblock():
        seeds.defaults(apps, None)


@pytest.mark.django_db(transaction=True)
def test_a_clerk_enters_two_sessions_and_the_station_page_counts_them(live_server, world, browser):
    session_points()
    station = open_station(world.a_estate)
    record(station, people=30)  # yesterday's: the page starts at 30
    haircuts, checks = kind(), kind("义诊", "Free health checks")
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)
    if monday.year != today.year:  # early January: last week was last year
        monday += timedelta(days=7 * ((today - monday).days // 7))
    first, second = monday, min(monday + timedelta(days=2), today - timedelta(days=1))
    if first.year != today.year or second < first:
        pytest.skip("no past day of this year's weeks yet (1 January)")
    base = live_server.url
    phone = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    phone.set_default_timeout(TIMEOUT_MS)
    resident = phone.new_page()
    resident.goto(f"{base}/stations/{world.a_estate.pk}/")
    expect(resident.locator("#people-served")).to_have_text("30")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk.set_default_timeout(TIMEOUT_MS)
    page = desk.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#login-form input[name=username]", world.staff_a.username)
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    # from the station's page to its week grid, then the week wanted
    page.goto(f"{base}/admin/branches/servicestation/{station.pk}/change/")
    page.click("#station-week-link")
    page.wait_for_url(re.compile(r"/week/\?station="))
    page.fill("#week-input", week_param(monday))
    page.locator(".week-choice input[type=submit]").click()
    page.wait_for_url(re.compile(rf"week={week_param(monday)}"))

    barber = station.facilities.get(name="志愿理发室")
    clinic = station.facilities.get(name="志愿诊疗室")
    for row, (facility, day, hour, service, people) in enumerate(
        [(barber, first, "09:00", haircuts, "14"), (clinic, second, "14:30", checks, "21")]
    ):
        page.select_option(f"#id_row-{row}-facility", str(facility.pk))
        page.select_option(f"#id_row-{row}-day", day.isoformat())
        page.fill(f"#id_row-{row}-time", hour)
        page.select_option(f"#id_row-{row}-kind", str(service.pk))
        page.fill(f"#id_row-{row}-people_served", people)
    page.select_option("#id_row-0-members", [str(world.a_member.pk)])
    page.screenshot(path=str(SHOTS / "stations-week-typed.png"), full_page=True)
    page.locator("#week-form input[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(page.locator("#week-people")).to_have_text("35")
    page.screenshot(path=str(SHOTS / "stations-week-saved.png"), full_page=True)
    assert ServiceSession.objects.count() == 3
    assert ContributionEntry.objects.filter(member=world.a_member).count() == 1

    resident.reload()
    expect(resident.locator("#people-served")).to_have_text("65")
    expect(resident.locator("#sessions-held")).to_have_text("3")
    resident.screenshot(path=str(SHOTS / "stations-public-after.png"), full_page=True)
    phone.close()
    desk.close()


@pytest.mark.django_db(transaction=True)
def test_the_station_staff_pages_load_without_a_policy_violation(live_server, world, browser):
    from meetings.tests.test_browser_content_security_policy import (
        DESKTOP,
        Watched,
        _staff_logs_in,
    )

    session_points()
    station = open_station(world.a_estate)
    session = record(station, people=9, members=[world.a_member])
    base = live_server.url
    w = Watched(browser, DESKTOP, "stations")
    _staff_logs_in(w, base, world)
    admin = f"{base}/admin/branches"
    w.open(f"{admin}/servicestation/{station.pk}/change/", "station")
    expect(w.page.locator("#facilities-group")).to_be_visible()
    w.open(f"{admin}/servicestation/{station.pk}/hours/", "hours")
    w.open(f"{admin}/servicesession/", "sessions")
    w.open(f"{admin}/servicesession/week/?station={station.pk}", "week")
    w.open(f"{admin}/servicesession/add/?station={station.pk}", "session-add")
    # the admin's picker of the estate's members (its own scripts)
    expect(w.page.locator("#id_members_from")).to_be_visible()
    w.open(f"{admin}/servicesession/{session.pk}/change/", "session")
    w.open(f"{admin}/servicesession/add/", "session-add-any")
    w.page.locator(".select2-selection").first.click()
    expect(w.page.locator(".select2-results")).to_be_visible()
    w.open(f"{admin}/volunteer/add/", "volunteer-add")
    w.clean()
    w.context.close()
