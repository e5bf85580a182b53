"""A community's office telephone: public (residents who lost their tracking code call it),
written loosely as people write it, refused when it is not a telephone number, by the form
and by the database; staff set it in the admin, the demo seeds one."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from branches.models import Community

GOOD = ["", "0731-84012345", "(0731) 8401 2345", "+86 731 84012345", "84012345"]
BAD = ["call the office", "0731-8401234x", "--", "0731–84012345", "0731-84012345-1234567"]


@pytest.mark.parametrize("phone", GOOD)
def test_a_telephone_as_people_write_it_is_accepted(world, phone):
    world.a.phone = phone
    world.a.full_clean()
    world.a.save()


@pytest.mark.parametrize("phone", BAD)
def test_what_is_not_a_telephone_number_is_refused_by_the_form_and_the_database(world, phone):
    world.a.phone = phone
    with pytest.raises(ValidationError) as error:
        world.a.full_clean()
    assert "phone" in error.value.message_dict
    if len(phone) <= 20:  # longer ones PostgreSQL refuses by length, SQLite does not check
        with pytest.raises(IntegrityError), transaction.atomic():
            Community.objects.filter(pk=world.a.pk).update(phone=phone)


def community_post(world, phone):
    # the estates are listed read-only below; their formset still has its management form
    return {
        "town": world.town.pk,
        "name": world.a.name,
        "phone": phone,
        "estates-TOTAL_FORMS": "0",
        "estates-INITIAL_FORMS": "0",
    }


def test_a_superuser_sets_it_in_the_admin_and_the_list_shows_it(client, world):
    client.force_login(world.superuser)
    url = f"/admin/branches/community/{world.a.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="phone"' in page
    response = client.post(url, community_post(world, "0731-8401"))
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert world.a.phone == "0731-8401"
    assert "0731-8401" in client.get("/admin/branches/community/").content.decode()
    bad = client.post(url, community_post(world, "office"))
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    world.a.refresh_from_db()
    assert world.a.phone == "0731-8401"


def test_community_staff_read_it_but_cannot_change_it(client, world):
    world.a.phone = "0731-84012345"
    world.a.save()
    client.force_login(world.staff_a)
    page = client.get(f"/admin/branches/community/{world.a.pk}/change/").content.decode()
    assert "0731-84012345" in page and 'name="phone"' not in page


def test_the_link_dials_the_digits(world):
    world.a.phone = "(0731) 8401-2345"
    assert world.a.phone_uri == "tel:073184012345"
    world.a.phone = ""
    assert world.a.phone_uri == ""
