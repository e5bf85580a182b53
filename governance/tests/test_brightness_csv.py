"""The comparison's CSV is the page's table for the same year and scope: UTF-8 with a BOM,
a header, one row per branch in the scope, rates in percent."""

import csv
import io

import pytest
from django.urls import reverse

from branches.tests.ranking_helpers import award

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_has_the_pages_rows(client, world, settings):
    settings.RANKING_MIN_MEMBERS = 1
    award(world.a_member, 9)
    client.force_login(world.staff_a)
    response = client.get(reverse("dashboard_branches_csv") + "?year=2026")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "branches-2026.csv" in response["Content-Disposition"]
    header, *rows = rows_of(response)
    assert len(rows) == 2  # A's two branches, not B's
    # rank in community, rank in town, branch, community, members, points
    by_branch = {row[2]: row for row in rows}
    first = by_branch[world.a_estate.name]
    assert (first[0], first[1], first[3], first[5]) == ("1", "1", world.a.name, "9")
    assert len(header) == len(first)
    assert world.b_estate.name not in response.content.decode()


def test_the_csv_of_a_town_has_every_branch(client, world):
    client.force_login(world.town_user)
    _header, *rows = rows_of(client.get(reverse("dashboard_branches_csv")))
    assert len(rows) == 3
