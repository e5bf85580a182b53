"""A mobile number typed in another script's digits (fullwidth, as a Chinese keyboard types
them; Arabic-Indic; Devanagari) is kept as the ASCII number: the text message goes to it and
staff searching the number find the appeal. Digits of two scripts mixed are refused. Typed
into a text, such a number is erased with the contact details like any other."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from meetings.models import Appeal, MeetingType, Notification
from meetings.retention import appeals_anonymise_closed

ASCII = "13912345678"
TYPED = {
    "fullwidth": "１３９１２３４５６７８",
    "arabic-indic": "١٣٩١٢٣٤٥٦٧٨",
    "devanagari": "१३९१२३४५६७८",
    "spaced": "139 1234 5678",
    "with +86": "+86 139-1234-5678",
    "fullwidth with +86": "＋８６ １３９－１２３４－５６７８",
    "with 0086": "008613912345678",
}
REFUSED = {
    "ascii and arabic-indic": "13٩١٢٣٤٥٦٧٨",
    "arabic-indic and devanagari": "١٣٩१२३४५६७८",
    "a letter": "1391234567a",
    "twelve digits": "１３９１２３４５６７８９",
    "a landline": "0731-84012345",
}


def found_by_staff(client, world, term, appeal):
    client.force_login(world.staff_a)
    html = client.get(reverse("admin:meetings_appeal_changelist"), {"q": term}).content
    return appeal.display_code in html.decode()


@pytest.mark.parametrize("typed", TYPED.values(), ids=TYPED.keys())
def test_a_resident_types_the_number_in_any_digits(client, world, form_data, typed):
    response = client.post("/appeals/new/", {**form_data, "contact_phone": typed})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.contact_phone == ASCII
    assert Notification.objects.get(appeal=appeal, channel="sms").address == ASCII
    assert found_by_staff(client, world, ASCII, appeal)


@pytest.mark.parametrize("typed", REFUSED.values(), ids=REFUSED.keys())
def test_mixed_or_wrong_digits_are_refused_with_a_message(client, form_data, typed):
    response = client.post("/appeals/new/", {**form_data, "contact_phone": typed})
    html = response.content.decode()
    assert response.status_code == 200 and not Appeal.objects.exists()
    assert "13812345678" in html  # the message shows what a number looks like
    assert f'value="{typed}"' in html  # and what was typed is kept


def test_staff_typing_fullwidth_digits_find_the_appeal(client, world, new_appeal):
    appeal = new_appeal(contact_phone=ASCII)
    assert found_by_staff(client, world, TYPED["fullwidth"], appeal)
    assert found_by_staff(client, world, "139-1234-5678", appeal)


def test_staff_entering_an_appeal_type_any_digits(client, world, category):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:meetings_appeal_add"),
        {
            "estate": world.a_estate.pk,
            "category": category.pk,
            "title": "电话反映",
            "description": "楼道灯坏了",
            "source": "phone",
            "contact_name": "张阿姨",
            "contact_phone": TYPED["fullwidth"],
        },
    )
    assert response.status_code == 302
    assert Appeal.objects.get().contact_phone == ASCII


def test_a_forum_line_in_any_digits(client, world, meeting, category):
    forum = meeting(MeetingType.FORUM)
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:meetings_meeting_forum", args=[forum.pk]),
        {
            "forum-TOTAL_FORMS": "1",
            "forum-INITIAL_FORMS": "0",
            "forum-0-title": "垃圾站异味",
            "forum-0-category": category.pk,
            "forum-0-contact_name": "刘阿姨",
            "forum-0-contact_phone": TYPED["devanagari"],
        },
    )
    assert response.status_code == 302
    assert Appeal.objects.get().contact_phone == ASCII


@override_settings(APPEAL_CONTACT_RETENTION_MONTHS=24)
def test_a_number_in_other_digits_typed_into_the_text_is_erased_with_the_contact(new_appeal):
    appeal = new_appeal(description=f"白天打{TYPED['fullwidth']}，晚上打 {TYPED['devanagari']}。")
    Appeal.objects.filter(pk=appeal.pk).update(
        status="closed", closure_reason="solved", closed_at=timezone.now() - timedelta(days=800)
    )
    appeals_anonymise_closed()
    appeal.refresh_from_db()
    assert TYPED["fullwidth"] not in appeal.description
    assert TYPED["devanagari"] not in appeal.description
    assert appeal.description.startswith("白天打")


def test_numbers_stored_in_other_digits_before_are_turned_to_ascii(world, new_appeal):
    appeal = new_appeal()
    Appeal.objects.filter(pk=appeal.pk).update(contact_phone=TYPED["arabic-indic"])
    Notification.objects.filter(appeal=appeal).update(address=TYPED["arabic-indic"])
    migration = import_module("meetings.migrations.0011_contact_phones_in_ascii_digits")
    migration.phones_in_ascii_digits(django_apps, None)
    appeal.refresh_from_db()
    assert appeal.contact_phone == ASCII
    assert Notification.objects.get(appeal=appeal).address == ASCII
