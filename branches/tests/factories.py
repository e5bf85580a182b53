import factory
from django.contrib.auth import get_user_model

from branches.models import (
    Building,
    BuildingGroup,
    Community,
    Estate,
    Member,
    MemberCategory,
    StaffScope,
    Town,
)


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town

    name = factory.Sequence(lambda n: f"镇{n}")
    county = "长沙县"


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"社区{n}")


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"小区{n}")
    branch_name = factory.LazyAttribute(lambda o: f"{o.name}党支部")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"{n}栋")


class BuildingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuildingGroup

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"第{n}党小组")


class MemberCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberCategory
        django_get_or_create = ["name"]

    name = "社区直管党员"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    estate = factory.SubFactory(EstateFactory)
    name = factory.Sequence(lambda n: f"党员{n}")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    category = factory.SubFactory(MemberCategoryFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "pw-for-tests")
        if create:
            user.save(update_fields=["password"])


class StaffScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffScope

    user = factory.SubFactory(UserFactory)
