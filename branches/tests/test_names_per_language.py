"""Member categories have a name per language: the member list in English shows the English
name, or the Chinese one when none is set; in Chinese always the Chinese."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from branches.models import MemberCategory

MEMBERS = reverse("admin:branches_member_changelist")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def named(world):
    MemberCategory.objects.filter(pk=world.category.pk).update(name_en="Community-managed")


def test_the_member_list_names_categories_in_english(english, world, named):
    english.force_login(world.staff_a)
    html = english.get(MEMBERS).content.decode()
    assert "Community-managed" in html  # the column and the filter
    assert "社区直管党员" not in html


def test_a_category_without_an_english_name_shows_its_chinese_name(english, world, named):
    english.force_login(world.staff_a)
    html = english.get(MEMBERS).content.decode()
    assert "离退休党员" in html  # world.other_category has no English name: in the filter


def test_the_member_list_in_chinese_shows_the_chinese_names(client, world, named):
    client.force_login(world.staff_a)
    html = client.get(MEMBERS).content.decode()
    assert "社区直管党员" in html and "Community-managed" not in html


def test_the_category_list_shows_both_names(english, world, named):
    english.force_login(world.superuser)
    html = english.get(reverse("admin:branches_membercategory_changelist")).content.decode()
    assert "Chinese name" in html and "English name" in html
    assert "社区直管党员" in html and "Community-managed" in html


def test_two_categories_cannot_share_an_english_name(db):
    MemberCategory.objects.create(name="甲", name_en="Same")
    twin = MemberCategory(name="乙", name_en="Same")
    with pytest.raises(ValidationError):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    MemberCategory.objects.create(name="丙")  # many may have none
    MemberCategory.objects.create(name="丁")


def test_the_migration_names_the_demo_categories_in_english(db):
    MemberCategory.objects.create(name="离退休党员")
    MemberCategory.objects.create(name="流动党员", name_en="Away from home")
    migration = importlib.import_module("branches.migrations.0003_names_in_english")
    migration.name_in_english(apps, None)
    assert MemberCategory.objects.get(name="离退休党员").name_en == "Retired"
    assert MemberCategory.objects.get(name="流动党员").name_en == "Away from home"  # kept
