"""`manage.py rollups --verify` passes when the tables equal a recount and, when a row was
changed or lost, exits non-zero naming the table, the key, the column, the stored and the
recounted value; `--rebuild` puts them right from the facts alone."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from meetings.models import AppealDay, Status, StatusDay, VisitDay


@pytest.fixture
def history(world, appeal_in):
    appeal_in(Status.CLOSED)
    appeal_in(Status.REOPENED)
    appeal_in(Status.HEARING)


def test_verify_passes_on_the_live_tables(history, capsys):
    call_command("rollups", "--verify")
    assert "equal a recount" in capsys.readouterr().out


def test_verify_names_a_tampered_count(history, world, capsys):
    today = timezone.localdate()
    row = AppealDay.objects.get(day=today, estate=world.a_estate)
    AppealDay.objects.filter(pk=row.pk).update(resolved=row.resolved + 5)
    with pytest.raises(CommandError, match="1 difference"):
        call_command("rollups", "--verify")
    out = capsys.readouterr().out
    assert "meetings_appealday" in out
    assert f"day={today}" in out and f"estate_id={world.a_estate.pk}" in out
    assert f"resolved: stored {row.resolved + 5}, recount {row.resolved}" in out


def test_verify_names_a_lost_row_and_rebuild_restores_it(history, capsys):
    lost = StatusDay.objects.get(move="report_fix")
    lost.delete()
    VisitDay.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("rollups", "--verify")
    out = capsys.readouterr().out
    assert "meetings_statusday" in out and "move=report_fix" in out
    assert f"n: stored 0, recount {lost.n}" in out
    assert "meetings_visitday" in out and "visits: stored 0, recount 2" in out

    call_command("rollups", "--rebuild")
    call_command("rollups", "--verify")
    assert StatusDay.objects.get(move="report_fix").n == lost.n


def test_rebuild_gives_the_tables_the_live_path_kept(history):
    def tables():
        return {
            model: sorted(
                tuple(row.values()) for row in model.objects.values().order_by() if row.pop("id")
            )
            for model in (AppealDay, VisitDay, StatusDay)
        }

    live = tables()
    call_command("rollups", "--rebuild")
    assert tables() == live
