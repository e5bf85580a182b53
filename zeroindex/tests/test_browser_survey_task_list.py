"""A branch secretary runs a survey's task list in a real (headless Chromium) browser: pastes
the residents' suggestions (one with a mistake first: the preview marks that row and saves
nothing), corrects it, previews, confirms, turns them all into tasks with an owner and a due
date, marks one done, and sees the round's completion rate go from 0% to 33%.

Screenshots go to /tmp/browser-shots/ for a human to look at. Needs Debian's browser at
/usr/bin/chromium; without it the module is skipped, unless REQUIRE_BROWSER is set."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.tests.browser import SHOTS, TIMEOUT_MS, skip_module_without_browser
from zeroindex.models import Suggestion, SurveyTask

from .survey_helpers import make_round

PASSWORD = "pw-for-tests"

skip_module_without_browser()
from playwright.sync_api import expect  # noqa: E402 - only once the browser is there


@pytest.fixture
def browser():
    from meetings.tests.browser import launched_chromium

    with launched_chromium() as chromium:
        yield chromium


def test_paste_preview_confirm_make_tasks_and_finish_one(live_server, world, browser):
    survey = make_round(world.a_estate, suggestions=0)
    world.secretary_a1.set_password(PASSWORD)
    world.secretary_a1.save()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", world.secretary_a1.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/zeroindex/surveyround/{survey.pk}/change/")
    expect(page.locator("#completion-rate")).to_have_text("—")
    page.click("#add-suggestions")
    page.fill(
        "textarea[name=text]",
        "楼道灯坏了，晚上看不清\n无此类别 | 增设座椅\n | a-1栋 | 电梯经常停运",
    )
    page.click("input[name=_preview]")
    expect(page.locator("#preview tr.row-error")).to_have_count(1)
    expect(page.locator("#preview")).to_contain_text("Unknown category")
    expect(page.locator("#confirm-form")).to_have_count(0)  # nothing to confirm yet
    page.screenshot(path=str(SHOTS / "survey-preview-with-an-error.png"), full_page=True)
    assert not Suggestion.objects.exists()

    page.fill("textarea[name=text]", "楼道灯坏了，晚上看不清\n增设座椅\n | a-1栋 | 电梯经常停运")
    page.click("input[name=_preview]")
    expect(page.locator("#preview tr.row-ok")).to_have_count(3)
    page.click("#confirm-form input[name=_confirm]")
    expect(page.locator(".messagelist")).to_contain_text("3 suggestions added")
    assert Suggestion.objects.filter(round=survey).count() == 3

    page.check("#pick-all")
    page.select_option("select[name=owner]", str(world.secretary_a1.pk))
    due = timezone.localdate() + timedelta(days=14)
    page.fill("input[name=due_on]", due.isoformat())
    page.click("input[name=_make_tasks]")
    expect(page.locator(".messagelist")).to_contain_text("3 tasks made")
    expect(page.locator("#completion-rate")).to_have_text("0%")
    page.screenshot(path=str(SHOTS / "survey-round-with-tasks.png"), full_page=True)

    page.click("text=Open the task list")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    page.screenshot(path=str(SHOTS / "survey-task-list.png"), full_page=True)
    page.click("#result_list tbody tr:first-child th a")
    box = page.locator("details#action-done")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    box.locator("input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("Mark done: done.")
    assert SurveyTask.objects.filter(status="done").count() == 1

    page.goto(f"{live_server.url}/admin/zeroindex/surveyround/{survey.pk}/change/")
    expect(page.locator("#completion-rate")).to_have_text("33%")
    context.close()
