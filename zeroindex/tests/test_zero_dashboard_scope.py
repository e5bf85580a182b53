"""/dashboard/zeros/ shows each staff user the estates of its scope and no others: the town
committee its town, community staff its community, a secretary its estate; on the page, in
the drill-down and in the CSV. Anonymous → the log-in page; no scope → the 403 page. Each
count links to the incident list filtered to exactly the incidents it counts."""

import pytest
from django.urls import reverse

from branches.tests.factories import UserFactory

from .conftest import local
from .pages import marks

pytestmark = pytest.mark.django_db

PAGES = ["/dashboard/zeros/", "/dashboard/zeros/export.csv"]


@pytest.fixture
def zeros(world, clock, records_from, incident):
    clock(2026, 3, 15)
    for estate in (world.a_estate, world.a_estate2, world.b_estate):
        records_from(estate, 2025, 1)
    incident(world.a_estate, "pollution", local(2026, 3, 2, 10, 0), building=world.a_building)
    incident(world.a_estate, "pollution", local(2026, 3, 9, 10, 0))
    incident(world.a_estate, "pollution", local(2026, 2, 9, 10, 0))  # another month
    incident(world.a_estate, "petition", local(2026, 3, 3, 10, 0), status="pending")
    incident(world.b_estate, "accident", local(2026, 3, 4, 10, 0))
    return world


def names_on(client, user, url="/dashboard/zeros/?period=2026-03") -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_log_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_a_user_without_a_scope_gets_the_403_page(client, world, url):
    for user in (
        UserFactory(username="noscope", is_staff=True),
        UserFactory(username="resident", is_staff=False),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403
        assert world.a_estate.name not in response.content.decode("utf-8-sig")


def test_community_staff_see_their_communitys_estates_only(client, zeros):
    w = zeros
    for url in ("/dashboard/zeros/?period=2026-03", "/dashboard/zeros/export.csv?period=2026-03"):
        page = names_on(client, w.staff_b, url)
        assert w.b_estate.name in page
        assert w.a_estate.name not in page and w.a_estate2.name not in page
        # asking for A's community by its id changes nothing
        page = names_on(client, w.staff_b, url + f"&community={w.a.pk}&town={w.town.pk}")
        assert w.a_estate.name not in page and w.a.name not in page
    page = names_on(client, w.staff_a)
    assert w.a_estate.name in page and w.a_estate2.name in page
    assert w.b_estate.name not in page and w.b.name not in page


def test_a_secretary_sees_its_estate_and_its_own_place_in_the_ranking(client, zeros):
    page = names_on(client, zeros.secretary_a1)
    assert zeros.a_estate.name in page
    assert zeros.a_estate2.name not in page and zeros.b_estate.name not in page
    assert 'id="estate-ranking"' in page and 'id="community-ranking"' not in page


def test_the_committee_sees_its_town_and_ranks_the_communities(client, zeros):
    page = names_on(client, zeros.town_user)
    for estate in (zeros.a_estate, zeros.a_estate2, zeros.b_estate):
        assert f'id="estate-{estate.pk}"' in page
    assert 'id="community-ranking"' in page
    chosen = names_on(client, zeros.town_user, f"/dashboard/zeros/?community={zeros.a.pk}")
    assert 'id="estate-ranking"' in chosen and zeros.b_estate.name not in chosen


def test_the_drill_down_of_an_estate_outside_the_scope_is_not_found(client, zeros):
    client.force_login(zeros.staff_b)
    assert client.get(f"/dashboard/zeros/estates/{zeros.a_estate.pk}/").status_code == 404
    assert client.get(f"/dashboard/zeros/estates/{zeros.b_estate.pk}/").status_code == 200
    client.force_login(zeros.secretary_a1)
    assert client.get(f"/dashboard/zeros/estates/{zeros.a_estate2.pk}/").status_code == 404


def test_each_count_opens_the_list_of_exactly_the_incidents_it_counts(client, zeros):
    page = names_on(client, zeros.staff_a)
    cell = marks(page, f"estate-{zeros.a_estate.pk}")["pollution"]
    assert cell.count == 2
    listed = client.get(cell.url)
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 2
    # the building's count, from the drill-down
    drill = names_on(
        client, zeros.staff_a, f"/dashboard/zeros/estates/{zeros.a_estate.pk}/?period=2026-03"
    )
    building = marks(drill, f"building-{zeros.a_building.pk}")["pollution"]
    assert building.count == 1
    assert client.get(building.url).context["cl"].result_count == 1


def test_the_pending_count_opens_the_incidents_awaiting_verification(client, zeros):
    page = names_on(client, zeros.staff_a)
    url = reverse("admin:zeroindex_incident_changelist") + (
        f"?status__exact=pending&amp;estate__id__exact={zeros.a_estate.pk}"
    )
    assert f'<a href="{url}">1<' in page
    assert client.get(url.replace("&amp;", "&")).context["cl"].result_count == 1


def test_the_staff_home_links_to_the_dashboard(client, zeros):
    client.force_login(zeros.staff_a)
    assert 'href="/dashboard/zeros/"' in client.get("/admin/").content.decode()


def test_a_count_of_a_partly_known_year_opens_only_the_incidents_it_counts(
    client, world, clock, records_from, incident
):
    """The board counts the months after the records start; its link must not list the
    verified incidents from before it too."""
    clock(2026, 3, 15)
    records_from(world.a_estate, 2025, 7)
    incident(world.a_estate, "pollution", local(2025, 3, 2, 10, 0))  # before the records
    incident(world.a_estate, "pollution", local(2025, 6, 30, 23, 30))  # the last day before
    incident(world.a_estate, "pollution", local(2025, 7, 1, 0, 10))  # the first day
    page = names_on(client, world.staff_a, "/dashboard/zeros/?period=2025")
    cell = marks(page, f"estate-{world.a_estate.pk}")["pollution"]
    assert cell.count == 1
    assert client.get(cell.url).context["cl"].result_count == 1
