"""Phone numbers: mainland mobiles (checking them and keeping them out of lists) and the
public office telephones of communities."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# An office telephone as people write it: 0731-84012345, (0731) 8401 2345, +86 731 84012345.
# Loose on purpose; at least one digit. The database checks the same pattern.
OFFICE_PHONE = r"^[0-9 ()+-]*[0-9][0-9 ()+-]*$"
OFFICE_PHONE_MAX = 20


def validate_mainland_mobile(value: str) -> None:
    if value and not MAINLAND_MOBILE.match(value):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number, such as 13812345678."),
            code="invalid_phone",
        )


def validate_office_phone(value: str) -> None:
    if value and not re.match(OFFICE_PHONE, value):
        raise ValidationError(
            _(
                "Enter a telephone number with digits, and only spaces, hyphens, + or "
                "parentheses between them, such as 0731-84012345."
            ),
            code="invalid_office_phone",
        )


def mask_phone(phone: str) -> str:
    """138****5678: enough to tell two members apart, not enough to call them."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
