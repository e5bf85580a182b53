"""Outsider tests for every branches admin page: a clerk of community A (`guangda`) sees and
chooses only A's records; B's are "not found" whichever way they are asked for."""

import json

import pytest
from django.urls import reverse

from branches.models import Building, Member

# model name, attribute of A's object, attribute of B's object, text only B's object shows
MODELS = [
    ("community", "a", "b", "金星社区"),
    ("estate", "a_estate", "b_estate", "金星花园"),
    ("building", "a_building", "b_building", "b-1栋"),
    ("buildinggroup", "a_group", "b_group", "b-党小组"),
    ("member", "a_member", "b_member", "b-党员"),
]
A_TEXT = {
    "community": "光达社区",
    "estate": "新都城",
    "building": "a-1栋",
    "buildinggroup": "a-党小组",
    "member": "a-党员",
}


def url(name, *args):
    return reverse(f"admin:branches_{name}", args=args)


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("model, a_attr, b_attr, b_text", MODELS)
def test_list_shows_only_own_community(world, as_user, model, a_attr, b_attr, b_text):
    client = as_user(world.staff_a)
    page = client.get(url(f"{model}_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert A_TEXT[model] in html
    assert b_text not in html  # neither in the rows nor in any filter


@pytest.mark.parametrize("model, a_attr, b_attr, b_text", MODELS)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_outsider_object_pages_answer_not_found(
    world, as_user, model, a_attr, b_attr, b_text, view
):
    client = as_user(world.staff_a)
    outsider = getattr(world, b_attr)
    page = client.get(url(f"{model}_{view}", outsider.pk), follow=True)
    html = page.content.decode()
    assert b_text not in html
    if page.status_code == 403:  # e.g. deleting a community: refused before any look-up
        assert view == "delete"
    else:
        assert page.redirect_chain, "expected the admin's redirect for a missing object"
        assert page.redirect_chain[-1][0] == reverse("admin:index")
        assert "doesn" in html or "不存在" in html
    # and their own record opens
    own = client.get(url(f"{model}_{view}", getattr(world, a_attr).pk))
    assert own.status_code == (403 if page.status_code == 403 else 200)


def test_outsider_cannot_change_or_delete_by_post(world, as_user):
    client = as_user(world.staff_a)
    client.post(url("member_change", world.b_member.pk), {"name": "changed"})
    client.post(url("member_delete", world.b_member.pk), {"post": "yes"})
    world.b_member.refresh_from_db()
    assert world.b_member.name == "b-党员"


def test_form_choices_are_limited_to_scope(world, as_user):
    client = as_user(world.staff_a)
    html = client.get(url("member_add")).content.decode()
    assert "新都城" in html and "新城景苑" in html
    assert "金星花园" not in html
    html = client.get(url("estate_add")).content.decode()
    assert "光达社区" in html and "金星社区" not in html
    html = client.get(url("buildinggroup_add")).content.decode()
    assert "a-1栋" in html and "b-1栋" not in html
    html = client.get(url("building_add")).content.decode()
    assert "金星花园" not in html


def test_choosing_another_communitys_estate_is_refused(world, as_user):
    client = as_user(world.staff_a)
    page = client.post(
        url("member_add"),
        {
            "estate": world.b_estate.pk,
            "name": "越界党员",
            "phone": "13900001111",
            "category": world.category.pk,
            "active": "on",
        },
    )
    assert page.status_code == 200
    assert not Member.objects.filter(name="越界党员").exists()
    assert "errorlist" in page.content.decode()
    # the same form for an estate in scope saves
    page = client.post(
        url("member_add"),
        {
            "estate": world.a_estate.pk,
            "group": world.a_group.pk,
            "name": "新党员",
            "phone": "13900001111",
            "category": world.category.pk,
            "active": "on",
        },
    )
    assert page.status_code == 302
    assert Member.objects.get(name="新党员").group == world.a_group


def test_choosing_another_communitys_group_is_refused(world, as_user):
    client = as_user(world.staff_a)
    page = client.post(
        url("member_add"),
        {
            "estate": world.a_estate.pk,
            "group": world.b_group.pk,
            "name": "越界党员",
            "category": world.category.pk,
        },
    )
    assert page.status_code == 200
    assert not Member.objects.filter(name="越界党员").exists()


def test_a_group_of_another_estate_in_scope_gets_a_message(world, as_user):
    client = as_user(world.staff_a)
    page = client.post(
        url("member_add"),
        {
            "estate": world.a_estate.pk,
            "group": world.a2_group.pk,
            "name": "错组党员",
            "category": world.category.pk,
        },
    )
    assert page.status_code == 200
    assert "该党小组属于其他小区" in page.content.decode()
    assert not Member.objects.filter(name="错组党员").exists()


def test_autocomplete_offers_only_groups_in_scope(world, as_user):
    client = as_user(world.staff_a)
    params = {"app_label": "branches", "model_name": "member", "field_name": "group", "term": ""}
    page = client.get(reverse("admin:autocomplete"), params)
    assert page.status_code == 200
    names = {row["text"] for row in json.loads(page.content)["results"]}
    assert names == {str(world.a_group), str(world.a2_group)}
    params["term"] = "b-"
    assert json.loads(client.get(reverse("admin:autocomplete"), params).content)["results"] == []


def test_autocomplete_for_the_secretary_is_its_estate_only(world, as_user):
    client = as_user(world.secretary_a1)
    params = {"app_label": "branches", "model_name": "member", "field_name": "group", "term": ""}
    names = {
        r["text"]
        for r in json.loads(client.get(reverse("admin:autocomplete"), params).content)["results"]
    }
    assert names == {str(world.a_group)}


@pytest.mark.parametrize("model, a_attr, b_attr, b_text", MODELS)
def test_secretary_sees_only_its_estate(world, as_user, model, a_attr, b_attr, b_text):
    client = as_user(world.secretary_a1)
    html = client.get(url(f"{model}_changelist")).content.decode()
    assert b_text not in html
    if model not in ("community",):
        assert "a2-" not in html and "新城景苑" not in html


def test_other_community_staff_sees_only_theirs(world, as_user):
    client = as_user(world.staff_b)
    html = client.get(url("member_changelist")).content.decode()
    assert "b-党员" in html and "a-党员" not in html


def test_superuser_sees_everything(world, as_user):
    client = as_user(world.superuser)
    html = client.get(url("member_changelist")).content.decode()
    assert "a-党员" in html and "b-党员" in html


def test_staff_without_scope_sees_no_records(world, as_user, django_user_model):
    stray = django_user_model.objects.create_user("stray", password="x", is_staff=True)
    client = as_user(stray)
    assert client.get(url("member_changelist")).status_code == 403
    assert "a-党员" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("model, a_attr, b_attr, b_text", MODELS)
def test_town_committee_can_view_but_not_change(world, as_user, model, a_attr, b_attr, b_text):
    client = as_user(world.town_user)
    assert client.get(url(f"{model}_changelist")).status_code == 200
    obj = getattr(world, b_attr)  # the whole town is in its scope
    page = client.get(url(f"{model}_change", obj.pk))
    assert page.status_code == 200
    assert b_text in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url(f"{model}_change", obj.pk), {"name": "x"}).status_code == 403
    assert client.get(url(f"{model}_add")).status_code == 403
    assert client.post(url(f"{model}_delete", obj.pk), {"post": "yes"}).status_code == 403


def test_town_committee_cannot_change_members(world, as_user):
    client = as_user(world.town_user)
    client.post(url("member_change", world.a_member.pk), {"name": "changed"})
    world.a_member.refresh_from_db()
    assert world.a_member.name == "a-党员"


def test_member_list_masks_phones_and_finds_by_whole_number(world, as_user):
    client = as_user(world.staff_a)
    phone = world.a_member.phone
    html = client.get(url("member_changelist")).content.decode()
    assert phone not in html
    assert f"{phone[:3]}****{phone[-4:]}" in html
    found = client.get(url("member_changelist"), {"q": phone}).content.decode()
    assert "a-党员" in found
    fragment = client.get(url("member_changelist"), {"q": phone[-4:]}).content.decode()
    assert "a-党员" not in fragment


def test_group_page_sets_buildings_and_leader(world, as_user):
    client = as_user(world.staff_a)
    extra = Building.objects.create(estate=world.a_estate, name="a-2栋")
    follower = Member.objects.create(
        estate=world.a_estate, group=world.a_group, name="接任者", category=world.category
    )
    page = client.post(
        url("buildinggroup_change", world.a_group.pk),
        {
            "estate": world.a_estate.pk,
            "name": world.a_group.name,
            "cover": [world.a_building.pk, extra.pk],
            "leader": follower.pk,
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 302, page.content.decode()[:3000]
    assert set(world.a_group.buildings.all()) == {world.a_building, extra}
    assert list(Member.objects.filter(group=world.a_group, is_leader=True)) == [follower]


def test_group_page_refuses_a_building_of_another_estate(world, as_user):
    client = as_user(world.staff_a)
    page = client.post(
        url("buildinggroup_change", world.a_group.pk),
        {
            "estate": world.a_estate.pk,
            "name": world.a_group.name,
            "cover": [world.a2_building.pk],
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 200
    assert list(world.a_group.buildings.all()) == [world.a_building]


def test_a_group_stays_in_its_estate(world, as_user):
    client = as_user(world.staff_a)
    page = client.post(
        url("buildinggroup_change", world.a_group.pk),
        {
            "estate": world.a_estate2.pk,
            "name": world.a_group.name,
            "cover": [world.a_building.pk],
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 302
    world.a_group.refresh_from_db()
    assert world.a_group.estate == world.a_estate


def test_moving_a_member_to_another_estate_keeps_the_typing_and_explains(world, as_user):
    client = as_user(world.staff_a)
    page = client.post(
        url("member_change", world.a_member.pk),
        {
            "estate": world.a_estate2.pk,
            "group": world.a_group.pk,
            "name": "改过的名字",
            "phone": world.a_member.phone,
            "category": world.category.pk,
            "is_leader": "on",
            "active": "on",
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "改过的名字" in html
    assert "该党小组属于其他小区" in html
    world.a_member.refresh_from_db()
    assert world.a_member.estate == world.a_estate
