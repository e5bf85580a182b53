"""The staff list's search summary says "more than 2000 results" when the count stopped at
the paginator's cap, not "2001 results" (a number that looks exact and is not)."""

import pytest
from django.urls import reverse

from meetings.admin.appeals import CappedCountPaginator

pytestmark = pytest.mark.django_db


def test_a_capped_search_says_more_than(client, world, category, monkeypatch):
    from meetings.services import appeal_submit

    for n in range(4):
        appeal_submit(
            estate=world.a_estate, category=category, title=f"路灯坏了{n}", description="x"
        )
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    url = reverse("admin:meetings_appeal_changelist")
    page = client.get(url, {"q": "路灯"}).text
    assert "4 results" in page
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    page = client.get(url, {"q": "路灯"}).text
    assert "more than 3 results" in page and "4 results" not in page
