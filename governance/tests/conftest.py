"""The fixtures of the rectification measure tests (governance/tests/measure_helpers.py has
the rest): a drafted report of A's first estate and a measure on it, through the services;
and of the read-replica tests: a real streaming replica (replica_helpers.py)."""

import pytest

from governance.measures import measure_add
from governance.models import BranchReport
from governance.reports import branch_reports_draft

from .measure_helpers import YEAR, in_days


@pytest.fixture
def report(world):
    branch_reports_draft(year=YEAR)
    return BranchReport.objects.get(estate=world.a_estate, year=YEAR)


@pytest.fixture
def measure(world, report):
    return measure_add(
        report=report,
        text="加装楼道感应灯",
        owner=world.secretary_a1,
        due_on=in_days(30),
        by=world.staff_a,
    )


# --- a real streaming replica (governance/tests/replica_helpers.py) -------------------------


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup, django_db_blocker):
    """The replica server, made and started once for the session (stopped at its end if
    this fixture started it): skipped with the reason where it cannot be made."""
    from django.db import connection

    from .replica_helpers import StreamingReplica, unavailable

    if connection.vendor != "postgresql":
        pytest.skip("a streaming replica needs PostgreSQL (run with DATABASE_URL)")
    primary = connection.settings_dict
    if (primary["HOST"] or "127.0.0.1") not in ("127.0.0.1", "localhost", "::1"):
        unavailable("the primary is not on this machine: pg_basebackup copies it here")
    helper = StreamingReplica(primary)
    was_streaming = helper.streaming()
    result = helper.script("start")
    if result.returncode != 0:
        unavailable(f"no streaming replica could be made: {result.stderr.strip()[-1500:]}")
    yield helper
    if not was_streaming:
        helper.script("stop")


@pytest.fixture(scope="module")
def replica_alias(streaming_replica):
    """The "replica" database alias, as DATABASE_REPLICA_URL makes it: the primary's test
    database on the replica's port, which follows it by streaming. For one module: a test
    that uses it lists it in its databases (REPLICA_TESTS), which Django checks before the
    test starts; every other module runs without a replica, as before."""
    import copy

    from django.db import connections

    from governance.replica import REPLICA

    alias = copy.deepcopy(connections["default"].settings_dict)
    alias.update(HOST=streaming_replica.host, PORT=streaming_replica.port, ATOMIC_REQUESTS=False)
    alias["OPTIONS"]["connect_timeout"] = 2
    alias["TEST"] = {**alias["TEST"], "MIRROR": "default"}  # never flushed: it follows
    connections.settings[REPLICA] = alias
    try:
        yield REPLICA
    finally:
        if hasattr(connections._connections, REPLICA):
            connections[REPLICA].close()
            del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica(replica_alias, streaming_replica, transactional_db):
    """The replica for one test: its state checked afresh, everything committed so far
    replayed; afterwards streaming and replaying again whatever the test did to it."""
    from django.db import connections

    from governance.replica import replica_state_forget

    replica_state_forget()
    streaming_replica.caught_up()
    try:
        yield streaming_replica
    finally:
        if not streaming_replica.streaming():
            streaming_replica.start()
        streaming_replica.resume()
        connections[replica_alias].close()
        replica_state_forget()
