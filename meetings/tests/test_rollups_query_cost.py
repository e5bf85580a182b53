"""Keeping the roll-ups costs a move a few small statements (one UPSERT per table it
touches, daily and monthly, one indexed look-up of when the appeal entered its status, and
of its estate's community when the service has not read it), the same for an appeal with a
long history as for a new one."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import services
from meetings.models import MeetingType, Status
from meetings.services import appeal_record_return_visit, appeal_report_fix, appeal_route

TABLES = {
    "meetings_appealday",
    "meetings_visitday",
    "meetings_statusday",
    "meetings_statusduration",
    "meetings_appealmonth",
    "meetings_visitmonth",
    "meetings_categorymonth",
    "meetings_statusmonth",
    "meetings_statusdurationmonth",
}


def queries_of(move) -> tuple[int, int]:
    """(all queries, those that write the roll-ups) of one move."""
    with CaptureQueriesContext(connection) as captured:
        move()
    written = [re.match(r'INSERT INTO "?(\w+)"?', q["sql"]) for q in captured]
    upserts = [m[1] for m in written if m and m[1] in TABLES]
    return len(captured), len(upserts)


def visit(appeal, by, solved):
    appeal_record_return_visit(
        appeal=appeal, by=by, channel="phone", reached=True, solved=solved, satisfaction="satisfied"
    )


def with_history(appeal, by, meeting, times):
    """Fix and reopen the appeal `times` times: 3 × times status changes behind it."""
    for _ in range(times):
        appeal_report_fix(appeal=appeal, by=by, public_note="已处理")
        visit(appeal, by, solved=False)
        appeal_route(
            appeal=appeal, to="handle", by=by, meeting=meeting(MeetingType.PARTY_MASSES, appeal)
        )
    appeal_report_fix(appeal=appeal, by=by, public_note="已处理")
    return appeal


@pytest.mark.parametrize("times", [0, 5])
def test_the_rollups_add_a_constant_few_statements(world, appeal_in, meeting, monkeypatch, times):
    with_rollups, without = (
        with_history(appeal_in(Status.IN_PROGRESS), world.staff_a, meeting, times) for _ in range(2)
    )
    total, upserts = queries_of(lambda: visit(with_rollups, world.staff_a, solved=True))
    # appeal day (closed, closed solved), status day, status duration, visit day, and the
    # month of each: per estate (appeals, visits) and per community (category and source,
    # status change, duration)
    assert upserts == 9
    monkeypatch.setattr(services, "count_event", lambda event, appeal: None)
    monkeypatch.setattr(services, "count_visit", lambda visit, appeal, due: None)
    bare, none = queries_of(lambda: visit(without, world.staff_a, solved=True))
    assert none == 0
    # the nine UPSERTs and the look-up of when it entered `resolved`, at any history's
    # length (the estate's community comes with the estate the visit's service reads)
    assert total - bare == 10
