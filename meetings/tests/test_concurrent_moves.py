"""Two clerks move the same appeal at the same moment: exactly one wins, the other is told."""

import threading

import pytest
from django.db import connection, connections

from meetings.models import Appeal, AppealEvent, Department, Status
from meetings.services import MoveRefused, appeal_route

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises all writers",
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_routes_exactly_one_wins(world, new_appeal, attempt):
    appeal = new_appeal()
    department = Department.objects.create(name=f"县城管局{attempt}", level="county")
    barrier = threading.Barrier(2)
    outcomes = []

    def clerk(to):
        try:
            mine = Appeal.objects.get(pk=appeal.pk)  # each clerk has the page open
            barrier.wait()
            appeal_route(appeal=mine, to=to, by=world.secretary_a1, department=department)
            outcomes.append(("won", to))
        except MoveRefused as refused:
            outcomes.append(("refused", refused.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(to,)) for to in ("handle", "refer")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(kind for kind, _ in outcomes) == ["refused", "won"]
    winner = next(to for kind, to in outcomes if kind == "won")
    appeal.refresh_from_db()
    assert appeal.status == (Status.IN_PROGRESS if winner == "handle" else Status.REFERRED)
    assert AppealEvent.objects.filter(appeal=appeal, kind="moved").count() == 1
