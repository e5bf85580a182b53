"""A round of a thousand suggestions (one import's worth), all ticked with "Choose all" and
made into tasks: the page's script sends the ticked ones as one field, so the request stays
under the number of fields Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS, 1,000), where a
thousand checkboxes made it a "bad request" page and the choice was lost. The form reads
that field like the checkboxes; a forged list longer than any round is refused with a
message."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.tests.browser import TIMEOUT_MS, skip_module_without_browser
from zeroindex.models import SurveyTask
from zeroindex.survey_forms import MAX_TASKS_AT_ONCE

from .survey_helpers import in_days, make_round

PASSWORD = "pw-for-tests"
pytestmark = pytest.mark.django_db


def test_the_ticked_suggestions_as_one_field_become_tasks(client, world):
    survey = make_round(world.a_estate, suggestions=1000)
    ids = ",".join(str(pk) for pk in survey.suggestions.values_list("pk", flat=True))
    client.force_login(world.staff_a)

    response = client.post(
        reverse("admin:zeroindex_surveyround_tasks", args=[survey.pk]),
        {"suggestions_list": ids, "owner": world.staff_a.pk, "due_on": in_days(7).isoformat()},
    )

    assert response.status_code == 302
    assert SurveyTask.objects.filter(suggestion__round=survey).count() == 1000


def test_a_forged_list_longer_than_any_round_is_refused(client, world):
    survey = make_round(world.a_estate, suggestions=1)
    client.force_login(world.staff_a)

    response = client.post(
        reverse("admin:zeroindex_surveyround_tasks", args=[survey.pk]),
        {
            "suggestions_list": ",".join(str(n) for n in range(1, MAX_TASKS_AT_ONCE + 2)),
            "owner": world.staff_a.pk,
            "due_on": in_days(7).isoformat(),
        },
    )

    assert response.status_code == 200
    assert str(MAX_TASKS_AT_ONCE) in " ".join(response.context["tasks_form"].errors["suggestions"])
    assert not SurveyTask.objects.exists()


def test_choose_all_of_a_thousand_in_a_browser_makes_a_thousand_tasks(live_server, world):
    skip_module_without_browser()
    from meetings.tests.browser import launched_chromium

    survey = make_round(world.a_estate, suggestions=1000)
    world.staff_a.set_password(PASSWORD)
    world.staff_a.save()
    with launched_chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", world.staff_a.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.goto(f"{live_server.url}/admin/zeroindex/surveyround/{survey.pk}/change/")
        page.check("#pick-all")
        page.select_option("select[name=owner]", str(world.staff_a.pk))
        page.fill("input[name=due_on]", (timezone.localdate() + timedelta(days=14)).isoformat())
        page.click("input[name=_make_tasks]")
        page.wait_for_load_state()
        text = page.locator("body").inner_text()
        context.close()

    assert "1000 tasks made" in text
    assert SurveyTask.objects.filter(suggestion__round=survey).count() == 1000
