"""The reminder sweep reads who to remind (secretaries, community staff, their languages)
once per sweep, not once per appeal: with ten appeals due it runs no more such reads than
with one, and each further appeal costs only its own claim and messages."""

from datetime import timedelta

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.reminders import sweep_return_visit_reminders
from meetings.services import appeal_report_fix, appeal_route

ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)
PEOPLE = ('"branches_staffscope"', '"branches_staffpreference"', '"branches_estate"', '"auth_user"')


def fixed_days_ago(world, new_appeal, n):
    for i in range(n):
        appeal = new_appeal(title=f"待回访{i}")
        appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
        appeal_report_fix(
            appeal=appeal,
            by=world.secretary_a1,
            public_note="已修",
            at=timezone.now() - timedelta(days=8),  # every step due: down to community staff
        )


def sweep():
    with CaptureQueriesContext(connection) as queries:
        assert sweep_return_visit_reminders() > 0
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    reads = [sql for sql in statements if sql.startswith("SELECT")]
    people = [sql for sql in reads if any(table in sql.split(" WHERE")[0] for table in PEOPLE)]
    return len(statements), len(people)


@ALL_DAY
def test_who_to_remind_is_read_once_per_sweep(world, new_appeal):
    fixed_days_ago(world, new_appeal, 1)
    one, people_one = sweep()
    fixed_days_ago(world, new_appeal, 10)
    ten, people_ten = sweep()
    assert people_ten == people_one
    assert (ten - one) / 9 <= 5  # the claim and its message (written, then rendered) per appeal
