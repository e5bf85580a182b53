"""The demo's organisational life: a year of meetings of every expected kind, with absences
that have reasons, the members present credited, exactly one branch (丽景新城) overdue, on its
group meetings; a second run adds nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Sum

from branches.demo import seed_branches_demo
from branches.demo_orglife import seed_orglife_demo
from branches.models import ContributionEntry, OrgAttendance
from branches.queries import org_life_overdue
from branches.tests.orglife_seeded import seeded_lists  # noqa: F401

NOW = datetime(2026, 12, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_demo_has_one_branch_overdue_on_its_group_meetings(db):
    seed_branches_demo()
    first = seed_orglife_demo(now=NOW)
    assert first["overdue"] == ["丽景新城"]
    overdue = org_life_overdue(now=NOW)
    assert {o.kind.name for o in overdue} == {"党小组会"} and all(o.group for o in overdue)
    assert first["meetings"] > 200 and 0 < first["absences"] < first["attendance"]
    assert not OrgAttendance.objects.filter(present=False, absence_reason="").exists()
    credited = ContributionEntry.objects.filter(source="meeting").aggregate(t=Sum("points"))["t"]
    assert credited == OrgAttendance.objects.filter(present=True).count()  # 1 point each
    assert seed_orglife_demo(now=NOW) == first
