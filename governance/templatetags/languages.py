"""Language codes as HTML wants them."""

from django import template
from django.utils.translation import to_locale

register = template.Library()


@register.filter
def bcp47(code: str) -> str:
    """Django's language code as BCP 47 spells it, for `lang` attributes: "zh-hans" is
    "zh-Hans" (the script subtag capitalised, as screen readers and axe expect), "en" stays."""
    return to_locale(code).replace("_", "-")
