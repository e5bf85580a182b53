"""Appeal categories and departments have a name per language: a page in English shows the
English name, or the Chinese one when none is set; a page in Chinese always the Chinese."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from meetings.models import AppealCategory, Department, MeetingType
from meetings.services import appeal_route

FORM = reverse("appeal_new")


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def named_category(db):
    return AppealCategory.objects.update_or_create(
        name="物业管理", defaults={"name_en": "Property management", "active": True}
    )[0]


@pytest.fixture
def named_department(db):
    return Department.objects.create(
        name="县住房和城乡建设局", name_en="County Housing Bureau", level="county"
    )


def options(html: str) -> str:
    """The <option>s of a page, where the names are offered."""
    return " ".join(part.split("</option>")[0] for part in html.split("<option")[1:])


def test_the_public_form_offers_the_categories_in_english(english, named_category):
    offered = options(english.get(FORM).content.decode())
    assert "Property management" in offered
    assert "物业管理" not in offered


def test_a_category_without_an_english_name_shows_its_chinese_name(english, named_category):
    AppealCategory.objects.create(name="噪音扰民", position=99)
    offered = options(english.get(FORM).content.decode())
    assert "噪音扰民" in offered and "Property management" in offered


def test_a_chinese_page_shows_the_chinese_names(client, named_category):
    offered = options(client.get(FORM).content.decode())
    assert "物业管理" in offered
    assert "Property management" not in offered


def test_the_appeal_page_shows_category_and_department_in_english(
    english, world, new_appeal, named_category, named_department
):
    appeal = new_appeal(category=named_category)
    appeal_route(appeal=appeal, to="refer", by=world.secretary_a1, department=named_department)
    english.force_login(world.staff_a)
    html = english.get(reverse("admin:meetings_appeal_change", args=[appeal.pk])).content.decode()
    assert "Property management" in html and "County Housing Bureau" in html
    assert "物业管理" not in html and "县住房和城乡建设局" not in html


def test_the_appeals_list_filters_name_categories_and_departments_in_english(
    english, world, named_category, named_department
):
    english.force_login(world.staff_a)
    html = english.get(reverse("admin:meetings_appeal_changelist")).content.decode()
    assert "Property management" in html and "County Housing Bureau" in html
    assert "物业管理" not in html and "县住房和城乡建设局" not in html


def test_the_tracking_page_shows_the_category_in_english(english, new_appeal, named_category):
    appeal = new_appeal(category=named_category)
    html = english.get(reverse("track_detail", args=[appeal.display_code])).content.decode()
    assert "Property management" in html and "物业管理" not in html


def test_the_meeting_page_names_categories_and_departments_in_english(
    english, world, new_appeal, meeting, named_category, named_department
):
    forum = meeting(MeetingType.FORUM, new_appeal(category=named_category))
    party_masses = meeting(MeetingType.PARTY_MASSES, new_appeal(category=named_category))
    english.force_login(world.staff_a)
    for m, shown in ((forum, "Property management"), (party_masses, "County Housing Bureau")):
        html = english.get(reverse("admin:meetings_meeting_change", args=[m.pk])).content.decode()
        assert shown in html
        assert "物业管理" not in html and "县住房和城乡建设局" not in html


def test_the_reference_lists_show_both_names(english, world, named_category, named_department):
    english.force_login(world.superuser)
    for model in ("appealcategory", "department"):
        html = english.get(reverse(f"admin:meetings_{model}_changelist")).content.decode()
        assert "English name" in html and "Chinese name" in html
    html = english.get(reverse("admin:meetings_appealcategory_changelist")).content.decode()
    assert "物业管理" in html and "Property management" in html


@pytest.mark.parametrize("model", [AppealCategory, Department])
def test_two_rows_cannot_share_an_english_name(model, db):
    extra = {"level": "town"} if model is Department else {}
    model.objects.create(name="甲", name_en="Same", **extra)
    twin = model(name="乙", name_en="Same", **extra)
    with pytest.raises(ValidationError):
        twin.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    model.objects.create(name="丙", **extra)  # many may have none
    model.objects.create(name="丁", **extra)


def test_the_migration_names_the_seeded_categories_and_demo_departments_in_english(db):
    AppealCategory.objects.update_or_create(name="停车管理", defaults={"name_en": ""})
    AppealCategory.objects.update_or_create(name="其他", defaults={"name_en": "Something else"})
    Department.objects.create(name="黄兴镇派出所", level="town")
    migration = importlib.import_module("meetings.migrations.0008_names_in_english")
    migration.name_in_english(apps, None)
    assert AppealCategory.objects.get(name="停车管理").name_en == "Parking"
    assert AppealCategory.objects.get(name="其他").name_en == "Something else"  # kept
    assert Department.objects.get(name="黄兴镇派出所").name_en == "Huangxing Town Police Station"
