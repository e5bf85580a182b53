"""DATABASE_REPLICA_URL makes the "replica" database as the primary's is made (Django's
backend with the health check that gives up, the statement timeout), but connecting within
2 s, outside the request's transaction, and, in tests, as a mirror of the primary's test
database. A replica beside SQLite is refused with a reason."""

import json

from .test_settings_from_environment import run_settings

PRINT_REPLICA = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({"replica": s.DATABASES.get("replica"), "routers": s.DATABASE_ROUTERS}))
"""
PRIMARY = "postgres://app@db.example:5432/governance"


def test_the_replica_url_makes_a_replica_database():
    result = run_settings(
        PRINT_REPLICA,
        SECRET_KEY="x" * 50,
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URL="postgres://reader@replica.example:5432/governance",
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    replica = found["replica"]
    assert replica["HOST"] == "replica.example" and replica["USER"] == "reader"
    assert replica["ENGINE"] == "governance.postgresql"
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert "statement_timeout" in replica["OPTIONS"]["options"]
    assert replica["ATOMIC_REQUESTS"] is False
    assert replica["TEST"]["MIRROR"] == "default"
    assert found["routers"] == ["governance.db_router.ReplicaRouter"]


def test_without_the_url_there_is_no_replica():
    result = run_settings(PRINT_REPLICA, SECRET_KEY="x" * 50, DATABASE_URL=PRIMARY)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["replica"] is None


def test_a_replica_beside_sqlite_is_refused():
    result = run_settings(
        PRINT_REPLICA,
        SECRET_KEY="x" * 50,
        DATABASE_REPLICA_URL="postgres://reader@replica.example:5432/governance",
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL" in result.stderr and "not PostgreSQL" in result.stderr
