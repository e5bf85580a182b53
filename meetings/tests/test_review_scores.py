"""Department review scores: only the meeting's attending members and listed representatives
score, each score 0–100, a sheet is saved whole or not at all, a reviewer's row typed again
replaces theirs (recorded), and only staff who may change the meeting enter them."""

from datetime import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone, translation

from meetings.models import Department, Meeting, MeetingType, ReviewScore
from meetings.queries import review_means
from meetings.services import MoveRefused, Refusal, review_scores_enter


@pytest.fixture(autouse=True)
def in_english():
    """The refusals read in English, so the tests can quote them."""
    with translation.override("en"):
        yield


@pytest.fixture
def department(db):
    return Department.objects.create(name="县住建局", level="county")


@pytest.fixture
def review(world):
    m = Meeting.objects.create(
        type=MeetingType.DEPARTMENT_REVIEW,
        community=world.a,
        place="党群服务中心",
        resident_representatives="王建国\n  刘桂英 \n\n",
    )
    m.attendees.add(world.a_member)
    return m


def row(reviewer, a=80, e=70, r=60, comment=""):
    key = "representative" if isinstance(reviewer, str) else "member"
    return {key: reviewer, "attitude": a, "efficiency": e, "results": r, "comment": comment}


def test_attendees_and_listed_representatives_score(world, review, department):
    entered = review_scores_enter(
        meeting=review,
        department=department,
        rows=[row(world.a_member, 90, 80, 70), row("刘桂英", 60, 60, 60, "还行")],
        by=world.staff_a,
    )
    assert entered.created == 2
    means = review_means(meeting=review)[department.pk]
    assert means.reviewers == 2
    assert means.attitude == pytest.approx(75)
    assert means.mean == pytest.approx((80 + 60) / 2)
    assert ReviewScore.objects.get(representative="刘桂英").entered_by == world.staff_a


@pytest.mark.parametrize("who", ["absent member", "unlisted name"])
def test_only_the_meetings_reviewers_score(world, review, department, who):
    reviewer = world.a2_member if who == "absent member" else "张三"
    with pytest.raises(MoveRefused) as refused:
        review_scores_enter(
            meeting=review, department=department, rows=[row(reviewer)], by=world.staff_a
        )
    assert refused.value.kind == Refusal.INVALID
    assert not ReviewScore.objects.exists()


@pytest.mark.parametrize("bad", [-1, 101, None, "80", 80.5])
def test_each_score_is_from_0_to_100(world, review, department, bad):
    with pytest.raises(MoveRefused, match="0 to 100"):
        review_scores_enter(
            meeting=review, department=department, rows=[row("王建国", a=bad)], by=world.staff_a
        )
    review_scores_enter(
        meeting=review, department=department, rows=[row("王建国", 0, 100, 0)], by=world.staff_a
    )
    assert ReviewScore.objects.count() == 1


def test_a_sheet_is_saved_whole_or_not_at_all(world, review, department):
    with pytest.raises(MoveRefused) as refused:
        review_scores_enter(
            meeting=review,
            department=department,
            rows=[row(world.a_member), row("王建国"), row("刘桂英", r=150)],
            by=world.staff_a,
        )
    assert refused.value.row == 2
    assert not ReviewScore.objects.exists()


def test_typing_a_reviewers_row_again_replaces_it_and_is_recorded(world, review, department):
    review_scores_enter(
        meeting=review, department=department, rows=[row("王建国", 80, 70, 60)], by=world.staff_a
    )
    entered = review_scores_enter(
        meeting=review,
        department=department,
        rows=[row("王建国", 85, 70, 60), row(world.a_member)],
        by=world.staff_a,
    )
    assert (entered.created, entered.corrected) == (1, 1)
    score = ReviewScore.objects.get(representative="王建国")
    assert score.attitude == 85
    log = LogEntry.objects.get(object_id=str(review.pk))
    assert "80/70/60 → 85/70/60" in log.change_message and log.user == world.staff_a
    again = review_scores_enter(
        meeting=review, department=department, rows=[row("王建国", 85, 70, 60)], by=world.staff_a
    )
    assert again.unchanged == 1 and LogEntry.objects.count() == 1


def test_a_reviewer_twice_on_one_sheet_is_refused(world, review, department):
    with pytest.raises(MoveRefused, match="twice"):
        review_scores_enter(
            meeting=review,
            department=department,
            rows=[row("王建国"), row("王建国", 10, 10, 10)],
            by=world.staff_a,
        )


def test_scores_only_at_a_department_review_meeting(world, review, department):
    review.type = MeetingType.PARTY_MASSES
    review.save()
    with pytest.raises(MoveRefused) as refused:
        review_scores_enter(
            meeting=review, department=department, rows=[row("王建国")], by=world.staff_a
        )
    assert refused.value.kind == Refusal.INVALID


def test_scores_are_typed_after_the_meeting_is_closed(world, review, department):
    review.minutes, review.head_count, review.closed_at = "评议", 30, timezone.now()
    review.save()
    review_scores_enter(
        meeting=review, department=department, rows=[row("王建国")], by=world.staff_a
    )
    assert ReviewScore.objects.count() == 1


def test_another_communitys_staff_find_no_such_meeting(world, review, department):
    with pytest.raises(MoveRefused) as refused:
        review_scores_enter(
            meeting=review, department=department, rows=[row("王建国")], by=world.staff_b
        )
    assert refused.value.kind == Refusal.NOT_FOUND


def test_the_town_committee_reads_but_does_not_score(world, review, department):
    with pytest.raises(MoveRefused) as refused:
        review_scores_enter(
            meeting=review, department=department, rows=[row("王建国")], by=world.town_user
        )
    assert refused.value.kind == Refusal.NOT_ALLOWED
    assert not ReviewScore.objects.exists()


def test_yearly_means_count_the_meetings_held_that_year_in_local_time(world, review, department):
    review_scores_enter(
        meeting=review, department=department, rows=[row("王建国", 90, 90, 90)], by=world.staff_a
    )
    # 00:30 on 1 January 2026 in Shanghai is still 2025 in UTC: it counts for 2026.
    review.held_at = timezone.make_aware(datetime(2026, 1, 1, 0, 30))
    review.save()
    late = Meeting.objects.create(
        type=MeetingType.DEPARTMENT_REVIEW,
        community=world.a,
        held_at=timezone.make_aware(datetime(2025, 12, 31, 23, 30)),
        resident_representatives="王建国",
    )
    review_scores_enter(
        meeting=late, department=department, rows=[row("王建国", 50, 50, 50)], by=world.staff_a
    )
    other = Department.objects.create(name="派出所", level="town", name_en="Police")
    assert review_means(year=2026)[department.pk].mean == pytest.approx(90)
    assert review_means(year=2025)[department.pk].mean == pytest.approx(50)
    assert review_means(year=2025, departments=[other.pk]) == {}
    assert review_means(year=2024) == {}


def test_the_year_is_the_sites_local_year_whatever_zone_is_active(world, review, department):
    """A request or task with another time zone active (UTC) still counts a meeting held at
    00:30 on 1 January in Shanghai in the new year, as the year end does for referrals."""
    review_scores_enter(
        meeting=review, department=department, rows=[row("王建国", 90, 90, 90)], by=world.staff_a
    )
    review.held_at = timezone.make_aware(datetime(2026, 1, 1, 0, 30))
    review.save()
    with timezone.override("UTC"):
        assert department.pk in review_means(year=2026)
        assert review_means(year=2025) == {}
