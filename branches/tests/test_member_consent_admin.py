"""A member's consent to a public card on the member's admin page: the consent in force and
its history, recorded and withdrawn through member_consent_set, by staff in scope only; the
panel never shows the phone."""

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.ledger import member_consent_set
from branches.models import MemberConsent


def record(client, member, given, on=None):
    return client.post(
        reverse("admin:branches_memberconsent_record", args=[member.pk]),
        {"given": "1" if given else "0", "on": (on or timezone.localdate()).isoformat()},
    )


def panel(client, member):
    page = client.get(reverse("admin:branches_member_change", args=[member.pk])).content.decode()
    return page[page.index('id="consent"') :]


def test_consent_and_its_withdrawal_are_recorded_with_their_history(client, world):
    client.force_login(world.secretary_a1)
    client.cookies["django_language"] = "en"
    member = world.a_member
    assert "Not in force" in panel(client, member)
    assert record(client, member, True).status_code == 302
    member.refresh_from_db()
    assert member.card_consent_on == timezone.localdate()
    shown = panel(client, member)
    assert "In force" in shown and "Record the withdrawal" in shown
    record(client, member, False)
    member.refresh_from_db()
    assert member.card_consent_on is None
    assert list(MemberConsent.objects.filter(member=member).values_list("given", flat=True)) == [
        False,
        True,
    ]
    history = panel(client, member)
    assert history.count("<tr>") == 3  # the header and both rows
    assert member.phone not in history


def test_a_future_date_is_refused_with_a_message(client, world):
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    response = record(client, world.a_member, True, on=timezone.localdate().replace(year=2999))
    assert response.status_code == 302
    world.a_member.refresh_from_db()
    assert world.a_member.card_consent_on is None
    follow = client.get(response.url)
    assert "future" in follow.content.decode()


def test_another_communitys_staff_cannot_record_or_see_consents(client, world):
    member_consent_set(member=world.a_member, given=True)
    client.force_login(world.staff_b)
    assert record(client, world.a_member, False).status_code == 404
    world.a_member.refresh_from_db()
    assert world.a_member.card_consent_on is not None
    consents = client.get(reverse("admin:branches_memberconsent_changelist")).content.decode()
    assert world.a_member.name not in consents


def test_the_town_committee_sees_the_panel_without_buttons(client, world):
    member_consent_set(member=world.a_member, given=True)
    client.force_login(world.town_user)
    shown = panel(client, world.a_member)
    assert "consent-history" in shown and 'name="given"' not in shown
    record(client, world.a_member, False)
    world.a_member.refresh_from_db()
    assert world.a_member.card_consent_on is not None


@pytest.mark.parametrize("method", ["get"])
def test_the_record_url_takes_only_posts(client, world, method):
    client.force_login(world.staff_a)
    url = reverse("admin:branches_memberconsent_record", args=[world.a_member.pk])
    assert client.get(url).status_code == 405
