"""Whose figures /dashboard/ shows: log-in required; each user sees its own place and the
places inside it, never another's. Community staff of A asking for B or the whole town get
A's figures and a message on the page, and a 404 for a table, a CSV, an XLSX or the report;
a user without a place gets a page saying so (403); the departments' grades are shown only
to those who may read the year end's evaluations."""

import pytest

from branches.tests.factories import UserFactory

from .dashboard_helpers import figure, in_english, march

MARCH = {"period": "2025-03"}


@pytest.fixture
def story(world, category, client):
    march(world, category)  # A: 6 appeals in March 2025; B: 1
    in_english(client)


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/")


def test_staff_without_a_place_get_a_page_saying_so(client, db):
    in_english(client).force_login(UserFactory(is_staff=True))
    response = client.get("/dashboard/")
    assert response.status_code == 403
    assert 'id="no-scope"' in response.content.decode()


def test_a_user_who_is_not_staff_is_refused(client, world):
    world.staff_a.is_staff = False
    world.staff_a.save()
    client.force_login(world.staff_a)
    assert client.get("/dashboard/").status_code == 403


@pytest.mark.parametrize("unit", ["community-{b}", "town-{town}", "estate-{b_estate}"])
def test_community_staff_asking_for_another_place_see_their_own(client, world, story, unit):
    asked = unit.format(b=world.b.pk, town=world.town.pk, b_estate=world.b_estate.pk)
    client.force_login(world.staff_a)
    html = client.get("/dashboard/", {**MARCH, "unit": asked}).content.decode()
    assert "That place is not in your scope" in html
    assert figure(html, "received") == "6"  # A's, never B's 1 or the town's 7
    assert "金星花园" not in html  # B's estate is named nowhere


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/table/headline.csv",
        "/dashboard/table/zeros.xlsx",
        "/dashboard/report/",
        "/dashboard/report.pdf",
    ],
)
def test_downloads_and_the_report_for_another_place_are_not_found(client, world, story, path):
    client.force_login(world.staff_a)
    assert client.get(path, {**MARCH, "unit": f"community-{world.b.pk}"}).status_code == 404
    assert client.get(path, {**MARCH, "unit": f"town-{world.town.pk}"}).status_code == 404


def test_a_csv_without_a_place_is_of_the_users_own(client, world, story):
    client.force_login(world.staff_a)
    text = client.get("/dashboard/table/headline.csv", MARCH).content.decode("utf-8-sig")
    received = next(line for line in text.splitlines() if line.startswith("Received,"))
    assert received.split(",")[1] == "6"
    zeros = client.get("/dashboard/table/zeros.csv", MARCH).content.decode("utf-8-sig")
    assert "新都城" in zeros and "金星花园" not in zeros


def test_a_secretary_sees_its_estate_only(client, world, story):
    client.force_login(world.secretary_a1)
    html = client.get("/dashboard/", MARCH).content.decode()
    assert figure(html, "received") == "6"  # every March appeal of A is in its estate
    html = client.get(
        "/dashboard/", {**MARCH, "unit": f"estate-{world.a_estate2.pk}"}
    ).content.decode()
    assert "That place is not in your scope" in html
    assert 'id="table-places"' not in html  # nothing below an estate to rank


def test_the_town_committee_drills_down_to_any_community(client, world, story):
    client.force_login(world.town_user)
    html = client.get("/dashboard/", {**MARCH, "unit": f"community-{world.b.pk}"}).content
    assert figure(html.decode(), "received") == "1"


def test_a_community_without_estates_yet_is_shown_with_nothing_below(client, world, story):
    from branches.models import Community

    empty = Community.objects.create(town=world.b.town, name="新建社区")
    client.force_login(world.town_user)
    html = client.get("/dashboard/", {**MARCH, "unit": f"community-{empty.pk}"}).content.decode()
    assert "新建社区" in html and "That place is not in your scope" not in html
    assert figure(html, "received") == "0"
    client.force_login(world.staff_a)  # another community's staff: not theirs
    html = client.get("/dashboard/", {**MARCH, "unit": f"community-{empty.pk}"}).content.decode()
    assert "That place is not in your scope" in html


def test_department_grades_only_for_those_who_read_evaluations(client, world, story):
    client.force_login(world.town_user)
    assert 'id="grades"' in client.get("/dashboard/", MARCH).content.decode()
    client.force_login(world.staff_a)
    assert 'id="grades"' not in client.get("/dashboard/", MARCH).content.decode()
    assert client.get("/dashboard/table/grades.csv", MARCH).status_code == 404
