"""Tracking codes: 8 characters from an alphabet without look-alikes, shown as K7QF-93MX;
look-ups ignore case, spaces and hyphens."""

import re
import secrets
import unicodedata

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: what a resident reads off a phone can be typed back.
ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
LENGTH = 8


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def normalize_code(text: str) -> str | None:
    """The stored form of what a resident typed, or None when it cannot be a code."""
    if len(text or "") > 40:  # no code; not worth normalising
        return None
    # NFKC: fullwidth letters, digits and hyphen (a Chinese keyboard's) as ASCII ones.
    code = re.sub(r"[\s\-–—_]", "", unicodedata.normalize("NFKC", text or "")).upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code
