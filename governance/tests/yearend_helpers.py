"""Appeals taken through referrals by the real moves, backdated, for the year-end tests."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from meetings.models import Department, Meeting, MeetingType, ReviewScore
from meetings.services import (
    appeal_department_accept,
    appeal_department_send_back,
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
    appeal_submit,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year, month, day, hour=10):
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


def department(name, level="county"):
    return Department.objects.create(name=name, level=level)


def review(world, dept, *scores, held=None):
    """A department review meeting of A's first estate in 2025 with these scores (each
    reviewer the same score on all three)."""
    meeting = Meeting.objects.create(
        type=MeetingType.DEPARTMENT_REVIEW,
        community=world.a,
        estate=world.a_estate,
        held_at=held or local(2025, 11, 20),
    )
    for n, score in enumerate(scores):
        ReviewScore.objects.create(
            meeting=meeting,
            department=dept,
            representative=f"代表{n}",
            attitude=score,
            efficiency=score,
            results=score,
        )


class Story:
    """One appeal's path: each step `days` after the previous one (the first at `start`)."""

    def __init__(self, world, category, start):
        self.world, self.at = world, start
        self.appeal = appeal_submit(
            estate=world.a_estate,
            category=category,
            title="路灯坏了",
            description="小区门口路灯不亮。",
            at=start,
        )

    def _next(self, days):
        self.at = self.at + timedelta(days=days)
        return self.at

    def refer(self, dept, days=0.1):
        # The branch secretary refers it directly (no meeting needed), or staff re-refer.
        appeal_route(
            appeal=self.appeal,
            to="refer",
            by=self.world.secretary_a1,
            department=dept,
            at=self._next(days),
        )
        return self

    def send_back(self, days=1):
        appeal_department_send_back(
            appeal=self.appeal,
            by=self.world.staff_a,
            reason="不属于本部门职责",
            at=self._next(days),
        )
        return self

    def fix(self, days=1):
        appeal_department_accept(appeal=self.appeal, by=self.world.staff_a, at=self._next(0.1))
        appeal_report_fix(
            appeal=self.appeal, by=self.world.staff_a, public_note="已修复", at=self._next(days)
        )
        return self

    def visit(self, satisfaction="satisfied", solved=True, days=1):
        appeal_record_return_visit(
            appeal=self.appeal,
            by=self.world.staff_a,
            channel="phone",
            reached=True,
            solved=solved,
            satisfaction=satisfaction,
            at=self._next(days),
        )
        return self
