"""Phone numbers: mainland mobiles (cleaning them, checking them and keeping them out of
lists) and the public office telephones of communities."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# ASCII digits only (\d would take any script's) and nothing after them (not even "\n").
MAINLAND_MOBILE = re.compile(r"^1[3-9][0-9]{9}\Z")
# An office telephone as people write it: 0731-84012345, (0731) 8401 2345, +86 731 84012345.
# Loose on purpose; at least one digit. The database checks the same pattern.
OFFICE_PHONE = r"^[0-9 ()+-]*[0-9][0-9 ()+-]*$"
OFFICE_PHONE_MAX = 20


# Fullwidth punctuation a Chinese keyboard types between digits, as ASCII.
_FULLWIDTH = str.maketrans({"＋": "+", "－": "-", "（": "(", "）": ")", "\u3000": " "})
_FULLWIDTH_ZERO = 0xFF10


def _script_of(digit: str) -> int:  # (str.isdecimal is Unicode's "Nd", what \d matches)
    """The zero of the digit's script; fullwidth digits count as ASCII ones."""
    zero = ord(digit) - unicodedata.decimal(digit)
    return 0x30 if zero == _FULLWIDTH_ZERO else zero


def ascii_digits(text: str) -> str:
    """`text` with its digits as ASCII ones when they are all of one script (fullwidth, as a
    Chinese keyboard types them, counts as ASCII; Arabic-Indic, Devanagari, … as another
    phone's keyboard types them) and fullwidth + - ( ) and spaces as ASCII. Digits of two
    scripts are left as typed: that is no number anyone dials, and the validators refuse it."""
    text = text.translate(_FULLWIDTH)
    if len({_script_of(c) for c in text if c.isdecimal()}) > 1:
        return text
    return fold_digits(text)


def fold_digits(text: str) -> str:
    """Every digit of any script as its ASCII digit, one character for one (so a match in
    the result is at the same place in `text`)."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


# A mainland mobile inside a text, as people write one there: after +86 or not, with the
# usual spaces or hyphens (139 1234 5678), not part of a longer number. Matched on
# fold_digits(text), so a number typed in any script's digits is found too.
MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")


def mobiles_replaced(text: str, by: str) -> str:
    """`text` with every mobile number in it (MOBILE_IN_TEXT, whatever digits it was typed
    in) replaced by `by`: the retention job's scrub and the logs' redaction."""
    for match in reversed(list(MOBILE_IN_TEXT.finditer(fold_digits(text)))):
        text = text[: match.start()] + by + text[match.end() :]
    return text


def normalize_mobile(text: str) -> str:
    """A mobile number as people type it, as it is stored, texted and searched: its digits in
    ASCII (ascii_digits), without spaces or hyphens, without a leading +86 or 0086. What is
    not a number then stays as it is, for validate_mainland_mobile to refuse."""
    if len(text) > 40:  # no number; not worth looking at character by character
        return text
    text = ascii_digits(text)
    text = "".join(c for c in text if not (c.isspace() or unicodedata.category(c) == "Pd"))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


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


def phone_form_class(db_field):
    """The form field for a model's phone column (by its validator), or None."""
    if validate_mainland_mobile in db_field.validators:
        return MobileField
    if validate_office_phone in db_field.validators:
        return OfficePhoneField
    return None


class MobileField(forms.CharField):
    """A mainland mobile in a form, cleaned by normalize_mobile: every form that takes one
    uses this field (the staff admin gives it to every model field with the validator)."""

    default_validators = [validate_mainland_mobile]

    def to_python(self, value):
        return normalize_mobile(super().to_python(value))

    def widget_attrs(self, widget):
        # room for "+86 139 1234 5678" as people paste it; the validator counts the digits
        return {**super().widget_attrs(widget), "maxlength": "20"}


class OfficePhoneField(forms.CharField):
    """An office telephone in a form: kept as written, its digits in ASCII."""

    default_validators = [validate_office_phone]

    def to_python(self, value):
        return ascii_digits(super().to_python(value))
