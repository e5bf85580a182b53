"""A town of many estates does not send them all to one page: the public board and the
dashboard first show each community's roll-up, each a link to its community's board (the
estates and the year's picture)."""

import pytest

from branches.tests.factories import EstateFactory
from zeroindex import views

from .pages import marks

pytestmark = pytest.mark.django_db


@pytest.fixture
def large_town(world, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_BOARD_ESTATES", 3)  # the world has 3; one more is many
    EstateFactory(community=world.b, name="金星二期")
    return world


def test_a_town_of_many_estates_asks_for_a_community_first(large_town, client):
    html = client.get("/scoreboard/").content.decode()
    assert f'id="estate-{large_town.a_estate.pk}"' not in html
    assert 'id="year-heading"' not in html
    assert f'href="?community={large_town.a.pk}"' in html
    assert f'href="?community={large_town.b.pk}"' in html


def test_a_community_of_that_town_shows_its_estates(large_town, client):
    html = client.get(f"/scoreboard/?community={large_town.a.pk}").content.decode()
    assert marks(html, f"estate-{large_town.a_estate.pk}")
    assert 'id="year-heading"' in html


def test_a_town_of_few_estates_shows_them_all_at_once(world, client):
    html = client.get("/scoreboard/").content.decode()
    assert marks(html, f"estate-{world.a_estate.pk}")
    assert marks(html, f"estate-{world.b_estate.pk}")


def test_the_committees_dashboard_of_a_large_town_also_asks_for_a_community(large_town, client):
    client.force_login(large_town.town_user)
    html = client.get("/dashboard/zeros/").content.decode()
    assert f'id="estate-{large_town.a_estate.pk}"' not in html
    assert f'href="?community={large_town.a.pk}"' in html
    assert 'id="year-heading"' not in html
    chosen = client.get(f"/dashboard/zeros/?community={large_town.a.pk}").content.decode()
    assert f'id="estate-{large_town.a_estate.pk}"' in chosen
