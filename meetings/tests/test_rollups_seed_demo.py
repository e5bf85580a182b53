"""The demo's appeals are made by the moving services (backdated with `at=`), so the
roll-ups they fill equal a recount, spread over the months the demo covers."""

import pytest
from django.core.management import call_command

from meetings.models import AppealDay, StatusDuration, VisitDay


@pytest.mark.django_db
def test_seed_demo_fills_rollups_that_verify(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("rollups", "--verify")
    assert "equal a recount" in capsys.readouterr().out
    months = {d.strftime("%Y-%m") for d in AppealDay.objects.values_list("day", flat=True)}
    assert len(months) >= 6  # a trend with a shape
    assert VisitDay.objects.exists() and StatusDuration.objects.filter(days__gt=0).exists()
