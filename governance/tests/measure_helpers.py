"""What the measure tests share (their fixtures, `report` and `measure`, are in conftest.py)."""

from datetime import date, timedelta

from django.utils import timezone

YEAR = 2025


def in_days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)
