"""Staff typing a member's mobile or a community's office telephone in fullwidth digits (what
a Chinese keyboard types) or another script's get it kept in ASCII digits, and a search in
any digits finds the member; digits of two scripts mixed are refused."""

from importlib import import_module

from django.apps import apps as django_apps
from django.urls import reverse

from branches.models import Member


def member_post(world, phone, name="新党员"):
    return {
        "estate": world.a_estate.pk,
        "group": world.a_group.pk,
        "name": name,
        "phone": phone,
        "category": world.category.pk,
        "active": "on",
    }


def test_a_members_mobile_in_fullwidth_digits_is_kept_in_ascii(client, world):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:branches_member_add"), member_post(world, "１３９ ００００ １１１１")
    )
    assert response.status_code == 302
    assert Member.objects.get(name="新党员").phone == "13900001111"
    response = client.post(
        reverse("admin:branches_member_add"), member_post(world, "१३९००००२२२२", name="另一党员")
    )
    assert Member.objects.get(name="另一党员").phone == "13900002222"


def test_a_member_is_found_by_the_number_in_any_digits(client, world):
    world.a_member.phone = "13900001111"
    world.a_member.save()
    client.force_login(world.staff_a)
    for term in ("13900001111", "１３９００００１１１１", "139-0000-1111"):
        html = client.get(reverse("admin:branches_member_changelist"), {"q": term}).content
        assert world.a_member.name in html.decode(), term


def test_a_mobile_in_mixed_digits_is_refused(client, world):
    client.force_login(world.staff_a)
    response = client.post(reverse("admin:branches_member_add"), member_post(world, "139٠٠٠٠١١١١"))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Member.objects.filter(name="新党员").exists()


def test_an_office_telephone_in_fullwidth_digits_is_kept_in_ascii(client, world):
    client.force_login(world.superuser)
    response = client.post(
        reverse("admin:branches_community_change", args=[world.a.pk]),
        {
            "town": world.town.pk,
            "name": world.a.name,
            "phone": "（０７３１）８４０１－２３４５",
            "estates-TOTAL_FORMS": "0",
            "estates-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    world.a.refresh_from_db()
    assert world.a.phone == "(0731)8401-2345"
    assert world.a.phone_uri == "tel:073184012345"


def test_members_numbers_stored_in_other_digits_before_are_turned_to_ascii(world):
    Member.objects.filter(pk=world.a_member.pk).update(phone="１３９００００１１１１")
    other = {"estate": world.a_estate2, "category": world.category}
    Member.objects.create(**other, name="同号", phone="13900001111")
    taken = Member.objects.create(**other, name="全角", phone="１３９００００１１１１")
    migration = import_module("branches.migrations.0005_member_phones_in_ascii_digits")
    migration.phones_in_ascii_digits(django_apps, None)
    world.a_member.refresh_from_db()
    taken.refresh_from_db()
    assert world.a_member.phone == "13900001111"
    assert taken.phone == "１３９００００１１１１"  # its estate has the number already
