"""Each rule of the organisation tree is refused twice: by full_clean() (the admin's message)
and by the database itself (for whatever skips the form)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from branches.models import (
    Building,
    BuildingGroup,
    Community,
    Estate,
    GroupBuilding,
    Member,
    StaffRole,
    StaffScope,
)

from .factories import BuildingFactory, BuildingGroupFactory, MemberFactory, UserFactory


def refused_by_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_community_name_is_unique_in_its_town(world):
    twin = Community(town=world.town, name=world.a.name)
    with pytest.raises(ValidationError):
        twin.full_clean()
    refused_by_database(twin.save)


def test_estate_name_is_unique_in_its_community(world):
    twin = Estate(community=world.a, name=world.a_estate.name)
    with pytest.raises(ValidationError):
        twin.full_clean()
    refused_by_database(twin.save)
    # the same name in another community is another estate
    Estate(community=world.b, name=world.a_estate.name).full_clean()


def test_building_name_is_unique_in_its_estate(world):
    twin = Building(estate=world.a_estate, name=world.a_building.name)
    with pytest.raises(ValidationError):
        twin.full_clean()
    refused_by_database(twin.save)


def test_group_covers_only_buildings_of_its_estate(world):
    foreign = BuildingFactory(estate=world.b_estate, name="9栋")
    link = GroupBuilding(group=world.a_group, building=foreign)
    with pytest.raises(ValidationError, match="不在该党小组所在小区"):
        link.full_clean()
    refused_by_database(link.save)
    refused_by_database(lambda: world.a_group.buildings.add(foreign))


def test_a_building_is_in_one_group_only(world):
    second = BuildingGroupFactory(estate=world.a_estate, name="另一党小组")
    link = GroupBuilding(group=second, building=world.a_building)
    with pytest.raises(ValidationError):
        link.full_clean()
    refused_by_database(link.save)


def test_a_covered_building_cannot_move_to_another_estate(world):
    world.a_building.estate = world.b_estate
    refused_by_database(world.a_building.save)


def test_a_group_with_buildings_or_members_cannot_move_to_another_estate(world):
    world.a_group.estate = world.b_estate
    refused_by_database(world.a_group.save)
    empty = BuildingGroupFactory(estate=world.a_estate, name="空党小组")
    empty.estate = world.b_estate
    empty.save()  # nothing in it: moving is fine


def test_one_leader_per_group(world):
    second = MemberFactory(estate=world.a_estate, group=world.a_group)
    second.is_leader = True
    with pytest.raises(ValidationError, match="已有党小组长"):
        second.full_clean()
    refused_by_database(second.save)


def test_a_leader_belongs_to_a_group(world):
    loner = MemberFactory.build(estate=world.a_estate, category=world.category, is_leader=True)
    with pytest.raises(ValidationError, match="须属于一个党小组"):
        loner.full_clean()
    refused_by_database(loner.save)


def test_a_member_and_its_group_are_of_one_estate(world):
    member = MemberFactory.build(
        estate=world.a_estate, group=world.b_group, category=world.category
    )
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "group" in error.value.message_dict
    refused_by_database(member.save)


def test_member_phone_is_unique_in_its_estate_but_may_be_blank(world):
    twin = MemberFactory.build(
        estate=world.a_estate, phone=world.a_member.phone, category=world.category
    )
    with pytest.raises(ValidationError, match="本小区已有党员使用此手机号"):
        twin.full_clean()
    refused_by_database(twin.save)
    for _ in range(2):
        MemberFactory(estate=world.a_estate, phone="", category=world.category).full_clean()


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567a", "138123456789"])
def test_member_phone_must_be_a_mainland_mobile(world, phone):
    member = MemberFactory.build(estate=world.a_estate, phone=phone, category=world.category)
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "phone" in error.value.message_dict


@pytest.mark.parametrize(
    "role, places",
    [
        (StaffRole.TOWN_COMMITTEE, {}),
        (StaffRole.TOWN_COMMITTEE, {"community": "a"}),
        (StaffRole.COMMUNITY_STAFF, {"estate": "a_estate"}),
        (StaffRole.COMMUNITY_STAFF, {"community": "a", "estate": "a_estate"}),
        (StaffRole.BRANCH_SECRETARY, {"town": "town"}),
        ("mayor", {"town": "town"}),
    ],
)
def test_staff_scope_has_exactly_the_place_its_role_needs(world, role, places):
    scope = StaffScope(
        user=UserFactory(username="someone"),
        role=role,
        **{field: getattr(world, name) for field, name in places.items()},
    )
    with pytest.raises(ValidationError):
        scope.full_clean()
    refused_by_database(scope.save)


def test_group_names_are_unique_in_their_estate(world):
    twin = BuildingGroup(estate=world.a_estate, name=world.a_group.name)
    with pytest.raises(ValidationError):
        twin.full_clean()
    refused_by_database(twin.save)


def test_a_member_moved_to_another_estate_leaves_its_group_or_is_refused(world):
    world.a_member.estate = world.b_estate
    refused_by_database(world.a_member.save)
    assert Member.objects.get(pk=world.a_member.pk).estate == world.a_estate
