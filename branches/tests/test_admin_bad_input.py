"""Whatever a clerk submits on the branches pages, the answer is a page with a message (or
the change done), never an error page."""

from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from branches.models import Building, BuildingGroup, Member


def url(name, *args):
    return reverse(f"admin:branches_{name}", args=args)


def group_post(world, **extra):
    data = {
        "estate": world.a_estate.pk,
        "name": world.a_group.name,
        "cover": [world.a_building.pk],
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_deleting_a_group_with_a_leader_keeps_its_members(world, client):
    client.force_login(world.staff_a)
    page = client.post(url("buildinggroup_delete", world.a_group.pk), {"post": "yes"})
    assert page.status_code == 302
    assert not BuildingGroup.objects.filter(pk=world.a_group.pk).exists()
    member = Member.objects.get(pk=world.a_member.pk)
    assert member.group is None and not member.is_leader


def test_bulk_deleting_groups_with_leaders(world, client):
    client.force_login(world.staff_a)
    page = client.post(
        url("buildinggroup_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [world.a_group.pk, world.a2_group.pk],
            "post": "yes",
        },
    )
    assert page.status_code == 302
    assert not BuildingGroup.objects.filter(estate__community=world.a).exists()
    assert BuildingGroup.objects.filter(pk=world.b_group.pk).exists()


def test_renaming_a_group_to_a_taken_name_gets_a_message(world, client):
    other = BuildingGroup.objects.create(estate=world.a_estate, name="第二党小组")
    client.force_login(world.staff_a)
    page = client.post(
        url("buildinggroup_change", other.pk), group_post(world, name=world.a_group.name, cover=[])
    )
    assert page.status_code == 200
    assert "errornote" in page.content.decode()
    other.refresh_from_db()
    assert other.name == "第二党小组"


def test_renaming_a_covered_building_to_a_taken_name_gets_a_message(world, client):
    Building.objects.create(estate=world.a_estate, name="2栋")
    client.force_login(world.staff_a)
    page = client.post(url("building_change", world.a_building.pk), {"name": "2栋"})
    assert page.status_code == 200
    assert "errornote" in page.content.decode()
    world.a_building.refresh_from_db()
    assert world.a_building.name == "a-1栋"


def test_swapping_two_building_names_in_the_estate_page_is_refused_with_a_message(world, client):
    second = Building.objects.create(estate=world.a_estate, name="2栋")
    client.force_login(world.staff_a)
    first = world.a_building
    page = client.post(
        url("estate_change", world.a_estate.pk),
        {
            "community": world.a.pk,
            "name": world.a_estate.name,
            "buildings-TOTAL_FORMS": "2",
            "buildings-INITIAL_FORMS": "2",
            "buildings-0-id": first.pk,
            "buildings-0-estate": world.a_estate.pk,
            "buildings-0-name": "2栋",
            "buildings-1-id": second.pk,
            "buildings-1-estate": world.a_estate.pk,
            "buildings-1-name": first.name,
        },
    )
    assert page.status_code == 200
    assert "2栋" in page.content.decode()
    first.refresh_from_db()
    assert first.name == "a-1栋"


def test_a_group_id_that_is_not_a_number_is_a_form_error(world, client):
    client.force_login(world.staff_a)
    assert client.get(url("member_add"), {"group": "abc"}).status_code == 200
    page = client.post(
        url("member_change", world.a_member.pk),
        {"estate": world.a_estate.pk, "group": "abc", "name": "x", "category": world.category.pk},
    )
    assert page.status_code == 200
    assert "errorlist" in page.content.decode()


def test_group_form_choices_never_carry_another_users_scope(world):
    """Forms for two users built in turn (as two threads of one server would) each keep
    their own choices."""
    admin = site._registry[BuildingGroup]
    factory = RequestFactory()
    request_a = factory.get("/")
    request_a.user = world.staff_a
    request_b = factory.get("/")
    request_b.user = world.staff_b
    form_a = admin.get_form(request_a, world.a_group)
    admin.get_form(request_b, world.b_group)
    choices = {str(b) for b in form_a(instance=world.a_group).fields["cover"].queryset}
    assert choices == {str(world.a_building)}


def test_counts_on_lists_count_only_what_the_user_may_see(world, client):
    client.force_login(world.secretary_a1)
    html = client.get(url("community_changelist")).content.decode()
    assert '<td class="field-estate_count">1</td>' in html
    client.force_login(world.staff_a)
    html = client.get(url("town_changelist")).content.decode()
    assert '<td class="field-community_count">1</td>' in html
