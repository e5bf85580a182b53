"""Each estate's five-zero records start, set by community staff as a year and a month (never
a future one), read by the estate's secretary."""

from datetime import date

from zeroindex.models import RecordsStart
from zeroindex.services import records_start_set

STARTS = "/admin/zeroindex/recordsstart/"


def test_community_staff_set_a_start_as_year_and_month(client, world):
    client.force_login(world.staff_a)
    page = client.get(f"{STARTS}add/")
    assert 'type="month"' in page.content.decode()
    response = client.post(f"{STARTS}add/", {"estate": world.a_estate.pk, "month": "2025-07"})
    assert response.status_code == 302
    assert RecordsStart.objects.get().month == date(2025, 7, 1)
    html = client.get(STARTS).content.decode()
    assert world.a_estate.name in html and "2025-07" in html


def test_a_future_month_or_nonsense_is_refused_and_kept(client, world):
    client.force_login(world.staff_a)
    for typed, says in (("2999-01", "2999-01"), ("2025-13", "2025-01")):
        page = client.post(f"{STARTS}add/", {"estate": world.a_estate.pk, "month": typed})
        assert page.status_code == 200
        errors = " ".join(page.context["adminform"].form.errors["month"])
        assert says in errors
        assert f'value="{typed}"' in page.content.decode()
    assert not RecordsStart.objects.exists()


def test_changing_the_month_goes_through_the_service(client, world):
    start = records_start_set(estate=world.a_estate, month=date(2025, 1, 1))
    client.force_login(world.staff_a)
    page = client.get(f"{STARTS}{start.pk}/change/")
    assert 'value="2025-01"' in page.content.decode()
    client.post(f"{STARTS}{start.pk}/change/", {"month": "2024-06"})
    start.refresh_from_db()
    assert (start.estate, start.month) == (world.a_estate, date(2024, 6, 1))
    assert client.get(f"{STARTS}{start.pk}/delete/").status_code == 403


def test_an_estate_with_a_start_is_not_offered_again(client, world):
    records_start_set(estate=world.a_estate, month=date(2025, 1, 1))
    client.force_login(world.staff_a)
    form = client.get(f"{STARTS}add/").context["adminform"].form
    offered = set(form.fields["estate"].queryset)
    assert offered == {world.a_estate2}


def test_the_secretary_reads_its_estates_start(client, world):
    start = records_start_set(estate=world.a_estate, month=date(2025, 1, 1))
    records_start_set(estate=world.a_estate2, month=date(2025, 3, 1))
    client.force_login(world.secretary_a1)
    page = client.get(STARTS)
    assert list(page.context["cl"].result_list) == [start]
    assert client.get(f"{STARTS}add/").status_code == 403
    client.post(f"{STARTS}{start.pk}/change/", {"month": "2024-01"})
    start.refresh_from_db()
    assert start.month == date(2025, 1, 1)


def test_another_communitys_staff_find_no_start_and_cannot_set_one(client, world):
    start = records_start_set(estate=world.a_estate, month=date(2025, 1, 1))
    client.force_login(world.staff_b)
    assert list(client.get(STARTS).context["cl"].result_list) == []
    page = client.get(f"{STARTS}{start.pk}/change/")
    assert page.status_code == 404 or (page.status_code == 302 and "/admin/" in page.url)
    client.post(f"{STARTS}{start.pk}/change/", {"month": "2024-01"})
    client.post(f"{STARTS}add/", {"estate": world.a_estate2.pk, "month": "2024-01"})
    start.refresh_from_db()
    assert start.month == date(2025, 1, 1)
    assert not RecordsStart.objects.filter(estate=world.a_estate2).exists()


def test_the_town_committee_reads_every_start_and_changes_none(client, world):
    start = records_start_set(estate=world.a_estate, month=date(2025, 1, 1))
    client.force_login(world.town_user)
    assert list(client.get(STARTS).context["cl"].result_list) == [start]
    client.post(f"{STARTS}{start.pk}/change/", {"month": "2024-01"})
    client.post(f"{STARTS}add/", {"estate": world.b_estate.pk, "month": "2024-01"})
    start.refresh_from_db()
    assert start.month == date(2025, 1, 1)
    assert RecordsStart.objects.count() == 1
