"""After `seed_demo` (what `make run` shows), the town committee's dashboard has the demo
town's figures, a trend with a shape (the appeals spread over many months of the last
year), a funnel and downloads, and Guangda's staff see only Guangda."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from .dashboard_helpers import figure, in_english, table_rows


@pytest.fixture
def demo(settings, db, client):
    settings.DEBUG = True
    call_command("seed_demo")
    today = timezone.localdate()
    users = get_user_model().objects
    period = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}

    def page(username, path="/dashboard/"):
        client.force_login(users.get(username=username))
        response = in_english(client).get(path, period)
        assert response.status_code == 200
        return response.content.decode()

    return page


def test_the_town_sees_a_trend_over_many_months(demo):
    html = demo("town")
    assert int(figure(html, "received")) > 50
    months = [row for row in table_rows(html, "months") if row[1] != "0"]
    assert len(months) >= 6, "the demo's appeals should spread over the year"
    assert len({row[1] for row in months}) > 2, "the trend is flat"
    funnel = {row[0]: int(row[1]) for row in table_rows(html, "funnel")}
    assert funnel["Decided at a party–masses meeting"] > 0
    assert funnel["Closed as solved"] > 0
    places = {row[1] for row in table_rows(html, "places")}
    assert places == {"光达社区", "金星社区"}


def test_guangda_sees_only_guangda(demo):
    html = demo("guangda")
    assert "Dashboard: 光达社区" in html
    assert "金星社区" not in html
    town = int(figure(demo("town"), "received"))
    assert 0 < int(figure(html, "received")) < town
    zeros = demo("guangda", "/dashboard/table/zeros.csv")
    assert "新都城" in zeros and "金星花园" not in zeros
