"""Names per language for the reference data a town edits (member categories here; appeal
categories and departments in meetings): the Chinese `name` is required, the English
`name_en` optional. A page in English shows the English name, or the Chinese one where there
is none; a page in Chinese always the Chinese.

A model derives from `LocalizedName` (instead of models.Model), declares
`name_en = english_name()` next to its `name`, and adds `unique_english_name(...)` to its
constraints. Its `__str__` is then the name in the active language, so form choices, admin
columns and filters, and templates (`{{ category }}`) need nothing else."""

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def english_name(max_length: int = 100) -> models.CharField:
    return models.CharField(
        _("English name"),
        max_length=max_length,
        blank=True,
        help_text=_("Shown on the English pages; where it is empty, they show the Chinese name."),
    )


def unique_english_name(model_name: str) -> models.UniqueConstraint:
    """Two rows never share an English name (an English list would show the same label
    twice); many may have none."""
    return models.UniqueConstraint(
        fields=["name_en"],
        condition=~Q(name_en=""),
        name=f"{model_name}_name_en_unique",
        violation_error_message=_("Another entry already has this English name."),
    )


def english_is_active() -> bool:
    return (translation.get_language() or "").split("-")[0] == "en"


def localized(name: str, name_en: str) -> str:
    """The name for the active language: the English one on English pages where there is
    one, the Chinese one otherwise."""
    return name_en if name_en and english_is_active() else name


class LocalizedName(models.Model):
    """For a model with a Chinese `name` and an optional English `name_en` (it declares both,
    with the lengths it needs)."""

    class Meta:
        abstract = True

    def __str__(self):
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return localized(self.name, self.name_en)
