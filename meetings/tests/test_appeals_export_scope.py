"""Who gets which appeals in the export: each staff user the appeals of its own scope only
(the unit asked for narrows it, never widens it), a unit outside the scope refused rather
than replaced, anonymous users sent to log in, staff without a scope refused."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from .export_helpers import by_code, csv_rows, csv_url, xlsx_rows, xlsx_url


@pytest.fixture
def three(world, new_appeal):
    """One appeal in each estate: A's two, B's one."""
    return {
        "a1": new_appeal(estate=world.a_estate, building=world.a_building),
        "a2": new_appeal(estate=world.a_estate2, building=None),
        "b": new_appeal(estate=world.b_estate, building=None),
    }


def _codes(rows) -> set[str]:
    return set(by_code(rows))


def _expected(three, *names) -> set[str]:
    return {three[name].display_code for name in names}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "user, unit, names",
    [
        ("staff_a", None, ("a1", "a2")),
        ("staff_a", "a", ("a1", "a2")),
        ("staff_a", "a_estate2", ("a2",)),
        ("secretary_a1", None, ("a1",)),
        ("town_user", None, ("a1", "a2", "b")),
        ("town_user", "b", ("b",)),
        ("staff_b", None, ("b",)),
    ],
)
def test_each_user_gets_its_scope_and_the_unit_asked(client, world, three, fmt, user, unit, names):
    client.force_login(getattr(world, user))
    query = {}
    if unit:
        place = getattr(world, unit)
        query["unit"] = f"{'community' if unit in ('a', 'b') else 'estate'}-{place.pk}"
    if fmt == "csv":
        rows = csv_rows(client.get(csv_url(**query)))
    else:
        rows = xlsx_rows(client.get(xlsx_url(**query)))
    assert _codes(rows) == _expected(three, *names)


@pytest.mark.parametrize("url", [csv_url, xlsx_url])
@pytest.mark.parametrize(
    "user, unit",
    [
        ("staff_a", lambda w: f"community-{w.b.pk}"),
        ("staff_a", lambda w: f"estate-{w.b_estate.pk}"),
        ("staff_a", lambda w: f"town-{w.town.pk}"),
        ("secretary_a1", lambda w: f"estate-{w.a_estate2.pk}"),
        ("staff_b", lambda w: f"community-{w.a.pk}"),
        ("staff_a", lambda w: "estate-999999"),
    ],
)
def test_a_unit_outside_the_scope_is_refused(client, world, three, url, user, unit):
    client.force_login(getattr(world, user))
    response = client.get(url(unit=unit(world)))
    assert response.status_code == 403
    assert not response.streaming  # the site's page, no file
    for appeal in three.values():
        assert appeal.display_code.encode() not in response.content


@pytest.mark.parametrize("url", [csv_url, xlsx_url])
def test_a_period_not_understood_is_refused(client, world, three, url):
    client.force_login(world.staff_a)
    assert client.get(url(period="2026-13")).status_code == 400


@pytest.mark.parametrize("url", [csv_url, xlsx_url])
def test_anonymous_users_are_sent_to_log_in(client, three, url):
    response = client.get(url())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [csv_url, xlsx_url])
def test_staff_without_a_scope_are_refused(client, world, three, url):
    user = get_user_model().objects.create_user("noscope", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(url()).status_code == 403


def test_the_staff_appeals_list_links_to_this_years_export_of_the_scope(client, world, three):
    client.force_login(world.staff_a)
    page = client.get(reverse("admin:meetings_appeal_changelist")).content.decode()
    for url in (csv_url(), xlsx_url()):
        assert f'href="{url}"' in page
    assert _codes(csv_rows(client.get(csv_url()))) == _expected(three, "a1", "a2")
