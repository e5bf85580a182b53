"""Every label the code gives a reader (each choice of each TextChoices, the name of each model
and field the admin shows) is English in English and Chinese in Chinese, from the compiled
catalogue; and the staff pages in English carry no Chinese of the code's own."""

import inspect
import re

import pytest
from django.contrib.admin import site
from django.db import models
from django.urls import reverse
from django.utils import translation

import branches.models
import meetings.models
from branches.models import MemberCategory
from branches.tests.factories import UserFactory
from meetings.models import AppealCategory, Department

HAN = re.compile(r"[\u4e00-\u9fff]")
APPS = ("branches", "meetings")


def text_choices():
    for module in (branches.models, meetings.models):
        for _name, value in inspect.getmembers(module, inspect.isclass):
            classes = [value, *(v for _n, v in inspect.getmembers(value, inspect.isclass))]
            for cls in classes:
                if issubclass(cls, models.TextChoices) and cls.__module__ == module.__name__:
                    yield cls


def both(label) -> tuple[str, str]:
    with translation.override("en"):
        english = str(label)
    with translation.override("zh-hans"):
        chinese = str(label)
    return english, chinese


def untranslated(labels) -> list[str]:
    missing = []
    for where, label in labels:
        english, chinese = both(label)
        if HAN.search(english) or not HAN.search(chinese):
            missing.append(f"{where}: {english!r} → {chinese!r}")
    return missing


def test_every_choice_label_is_english_in_english_and_chinese_in_chinese():
    found = list(text_choices())
    names = {cls.__qualname__ for cls in found}
    assert {"Status", "StaffRole", "Notification.Kind", "Department.Level"} <= names
    labels = [(f"{cls.__qualname__}.{m.name}", m.label) for cls in found for m in cls]
    assert untranslated(labels) == []


def test_every_name_the_admin_shows_is_english_in_english_and_chinese_in_chinese():
    """The name of each model the admin lists, and of each field its pages may show."""
    labels = []
    for model in site._registry:
        meta = model._meta
        if meta.app_label in APPS:
            labels += [(meta.label, meta.verbose_name), (meta.label, meta.verbose_name_plural)]
            labels += [
                (f"{meta.label}.{field.name}", field.verbose_name)
                for field in meta.get_fields()
                if field.concrete and not field.auto_created and field.editable
            ]
    assert len(labels) > 100
    assert untranslated(labels) == []


@pytest.mark.parametrize(
    "page",
    [
        "admin:index",
        "admin:meetings_appeal_changelist",
        "admin:meetings_appeal_add",
        "admin:meetings_meeting_changelist",
        "admin:meetings_notification_changelist",
        "admin:branches_member_changelist",
        "admin:branches_member_add",
        "admin:auth_user_add",
    ],
)
def test_the_staff_pages_in_english_have_no_chinese_of_the_codes_own(client, db, page):
    """Nor of the reference data, where it has its English names (the lists of the reference
    data themselves show both names, on purpose)."""
    AppealCategory.objects.update_or_create(name="物业管理", defaults={"name_en": "Property"})
    Department.objects.create(name="县住建局", name_en="Housing Bureau", level="county")
    MemberCategory.objects.create(name="离退休党员", name_en="Retired")
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(username="root", is_superuser=True))
    html = client.get(reverse(page)).content.decode()
    # the language switch names Chinese in Chinese, on purpose
    html = html.replace("简体中文", "")
    assert HAN.findall(html) == []
