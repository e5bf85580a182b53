"""Django's own messages whose Chinese in Django's catalogue reads wrong, listed here so our
catalogue (LOCALE_PATHS, read before Django's) carries a correct one. Django's zh_Hans says
"不允许是用空字符串。" (a typo, and "empty string") for a NUL character in a form field."""

from django.utils.translation import gettext_noop

OVERRIDDEN = [
    gettext_noop("Null characters are not allowed."),
]
