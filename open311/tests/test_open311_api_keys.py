"""API keys: only a superuser issues and revokes them; only a hash is stored and the key is
shown once; a revoked key files nothing; an appeal filed through the API names its key."""

import hashlib
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.api_keys import issue_key, key_named, revoke_key
from meetings.models import ApiKey, Appeal, AppealEvent, Source
from meetings.moves import MoveRefused, Refusal
from meetings.services import appeal_submit

from .spec import refused

KEYS = "/admin/meetings/apikey/"
TOWN_OR_COMMUNITY = "Choose a town or a community for the key, not both."


@pytest.mark.parametrize("user", ["town_user", "staff_a", "secretary_a1"])
def test_only_a_superuser_issues_a_key(world, user):
    with pytest.raises(MoveRefused) as refusal:
        issue_key(client="某平台", community=world.a, by=getattr(world, user))
    assert refusal.value.kind == Refusal.NOT_ALLOWED
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("user", ["town_user", "staff_a", "secretary_a1"])
def test_only_a_superuser_revokes_a_key(world, community_key, user):
    with pytest.raises(MoveRefused) as refusal:
        revoke_key(key=community_key[0], by=getattr(world, user))
    assert refusal.value.kind == Refusal.NOT_ALLOWED
    assert ApiKey.objects.get().revoked_at is None


def test_revoking_twice(world, community_key):
    assert revoke_key(key=community_key[0], by=world.superuser) is True
    assert revoke_key(key=community_key[0], by=world.superuser) is False
    row = ApiKey.objects.get()
    assert row.revoked_at is not None and row.revoked_by == world.superuser


@pytest.mark.parametrize("scope", [{}, {"town": "town", "community": "a"}])
def test_a_key_is_for_a_town_or_a_community(world, scope):
    places = {name: getattr(world, attr) for name, attr in scope.items()}
    with pytest.raises(MoveRefused) as refusal:
        issue_key(client="某平台", by=world.superuser, **places)
    assert refusal.value.kind == Refusal.INVALID
    assert refusal.value.message == _(TOWN_OR_COMMUNITY)


def test_only_a_hash_of_the_key_is_stored(community_key):
    row, key = community_key
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiKey._meta.db_table}")  # noqa: S608
        (stored,) = cursor.fetchall()
    secret = key.removeprefix("o311_")
    for value in stored:
        assert secret[:12] not in str(value)  # not even a part beyond the shown prefix
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    assert key_named(key) == row
    assert key_named(key[:-1] + ("A" if key[-1] != "A" else "B")) is None


def test_two_keys_differ(world):
    first = issue_key(client="甲", community=world.a, by=world.superuser)[1]
    second = issue_key(client="甲", community=world.a, by=world.superuser)[1]
    assert first != second and len(first) >= 40


# --- the admin ----------------------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_superuser_issues_a_key_and_sees_it_once(client, world, post, request_data):
    client.force_login(world.superuser)
    response = client.post(
        f"{KEYS}add/",
        {"client": "社区微信号", "contact": "运营 李工", "community": world.a.pk},
        follow=True,
    )
    assert response.status_code == 200
    (key,) = {k for m in _messages(response) for k in re.findall(r"o311_[\w-]{40,}", m)}
    assert key in response.content.decode()  # on the page after saving
    row = ApiKey.objects.get(client="社区微信号")
    assert row.contact == "运营 李工" and row.community == world.a and row.town is None
    assert row.created_by == world.superuser
    # it works
    assert post({**request_data, "api_key": key}).status_code == 200
    # and is never shown again
    for page in (KEYS, f"{KEYS}{row.pk}/change/"):
        html = client.get(page).content.decode()
        assert row.prefix in html and key not in html


@pytest.mark.parametrize("scope", [{}, {"town": "town", "community": "a"}])
def test_the_admin_asks_for_a_town_or_a_community(client, world, scope):
    client.force_login(world.superuser)
    places = {name: getattr(world, attr).pk for name, attr in scope.items()}
    response = client.post(f"{KEYS}add/", {"client": "某平台", **places})
    assert response.status_code == 200
    assert escape(_(TOWN_OR_COMMUNITY)) in response.content.decode()
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("user", ["town_user", "staff_a", "secretary_a1"])
def test_staff_cannot_see_the_keys(client, world, community_key, user):
    client.force_login(getattr(world, user))
    row = community_key[0]
    for page in (KEYS, f"{KEYS}add/", f"{KEYS}{row.pk}/change/"):
        response = client.get(page)
        assert response.status_code in (302, 403, 404), page
        assert row.prefix not in response.content.decode()
    assert KEYS not in client.get("/admin/").content.decode()
    response = client.post(f"{KEYS}add/", {"client": "偷偷", "community": world.a.pk})
    assert response.status_code in (302, 403)
    assert ApiKey.objects.count() == 1


def test_the_revoke_action(client, world, community_key, town_key, post, request_data):
    client.force_login(world.superuser)
    response = client.post(
        KEYS, {"action": "revoke", "_selected_action": [community_key[0].pk]}, follow=True
    )
    revoked = ngettext("%(n)d key revoked.", "%(n)d keys revoked.", 1) % {"n": 1}
    assert revoked in response.content.decode()
    assert ApiKey.objects.get(pk=community_key[0].pk).revoked_at is not None
    assert ApiKey.objects.get(pk=town_key[0].pk).revoked_at is None
    assert refused(post(request_data), 403) == _("This api_key was revoked.")
    assert post({**request_data, "api_key": town_key[1]}).status_code == 200


def test_a_revoked_key_files_nothing_even_through_the_service(world, category, community_key):
    row = community_key[0]
    revoke_key(key=row, by=world.superuser)
    row.refresh_from_db()
    with pytest.raises(MoveRefused) as refusal:
        appeal_submit(
            estate=world.a_estate,
            category=category,
            title="t",
            description="d",
            source=Source.API,
            api_key=row,
        )
    assert refusal.value.kind == Refusal.NOT_ALLOWED
    assert not Appeal.objects.exists()


def test_a_key_files_only_in_its_place_even_through_the_service(world, category, community_key):
    with pytest.raises(MoveRefused) as refusal:
        appeal_submit(
            estate=world.b_estate,
            category=category,
            title="t",
            description="d",
            source=Source.API,
            api_key=community_key[0],
        )
    assert refusal.value.kind == Refusal.NOT_ALLOWED
    assert not Appeal.objects.exists()


def test_the_appeal_records_its_key(filed, community_key):
    appeal = filed()
    assert appeal.source == Source.API
    assert appeal.api_key == community_key[0]
    (event,) = AppealEvent.objects.filter(appeal=appeal)
    assert event.data == {"source": "api", "api_key": community_key[0].pk}
    assert event.actor is None


def test_source_api_and_a_key_go_together(world, category, community_key):
    fields = {"estate": world.a_estate, "category": category, "title": "t", "description": "d"}
    with pytest.raises(MoveRefused):
        appeal_submit(**fields, source=Source.API)
    with pytest.raises(MoveRefused):
        appeal_submit(**fields, source=Source.PHONE, api_key=community_key[0])
    assert not Appeal.objects.exists()
