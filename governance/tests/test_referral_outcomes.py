"""What became of each department's referrals in a year, each referral judged on its own
(meetings.queries.referral_outcomes), on SQLite and PostgreSQL alike."""

import pytest

from meetings.queries import ReferralOutcome, referral_outcomes

from .yearend_helpers import Story, department, local

pytestmark = pytest.mark.django_db
MARCH = local(2025, 3, 1)


@pytest.fixture
def story(world, category):
    return lambda start=MARCH: Story(world, category, start)


def test_a_referral_fixed_by_its_due_date_and_visited_satisfied(story):
    works = department("县住建局")
    story().refer(works).fix(days=5).visit("satisfied")
    assert referral_outcomes(year=2025) == {
        works.pk: ReferralOutcome(referrals=1, solved_on_time=1, visits=1, satisfied=1)
    }


def test_a_fix_after_the_due_date_is_not_on_time(story):
    works = department("县住建局")
    story().refer(works).fix(days=20).visit("dissatisfied")  # due after 15 days
    assert referral_outcomes(year=2025)[works.pk] == ReferralOutcome(1, 0, 1, 0)


def test_basically_satisfied_counts_as_satisfied(story):
    works = department("县住建局")
    story().refer(works).fix(days=2).visit("basically_satisfied")
    assert referral_outcomes(year=2025)[works.pk].satisfied == 1


def test_sent_back_and_referred_elsewhere_each_is_judged_on_its_own_referral(story):
    first, second = department("县住建局"), department("镇城管办", "town")
    story().refer(first).send_back(days=2).refer(second, days=1).fix(days=3).visit("satisfied")
    outcomes = referral_outcomes(year=2025)
    assert outcomes[first.pk] == ReferralOutcome(
        referrals=1, solved_on_time=0, visits=0, satisfied=0
    )
    assert outcomes[second.pk] == ReferralOutcome(
        referrals=1, solved_on_time=1, visits=1, satisfied=1
    )


def test_a_fix_the_return_visit_finds_unsolved_is_not_solved(story):
    works = department("县住建局")
    s = story().refer(works).fix(days=2).visit("dissatisfied", solved=False)
    s.refer(works, days=1).fix(days=2).visit("satisfied")
    # the same department, referred twice: the first fix failed, the second held
    assert referral_outcomes(year=2025)[works.pk] == ReferralOutcome(2, 1, 2, 1)


def test_two_departments_each_count_their_own(story):
    works, city = department("县住建局"), department("镇城管办", "town")
    story().refer(works).fix(days=2).visit("satisfied")
    story().refer(works).fix(days=30)
    story().refer(city)
    outcomes = referral_outcomes(year=2025)
    assert outcomes[works.pk] == ReferralOutcome(2, 1, 1, 1)
    assert outcomes[city.pk] == ReferralOutcome(1, 0, 0, 0)


def test_referrals_outside_the_year_in_local_time_are_left_out(story):
    works = department("县住建局")
    # 31 Dec 2024 23:30 in Shanghai is still 2024, though UTC is 15:30 the same day
    story(local(2024, 12, 31, 23)).refer(works, days=0.02).fix(days=2)
    # 1 Jan 2026 00:30 in Shanghai: 2026 (UTC: 31 Dec 2025 16:30)
    story(local(2025, 12, 31, 23)).refer(works, days=0.06).fix(days=2)
    story(local(2025, 12, 20)).refer(works).fix(days=20)  # in 2025, fixed (late) in 2026
    assert referral_outcomes(year=2025) == {works.pk: ReferralOutcome(1, 0, 0, 0)}
    assert referral_outcomes(year=2024)[works.pk].referrals == 1
    assert referral_outcomes(year=2026)[works.pk].solved_on_time == 1


def test_a_department_without_referrals_is_absent(story):
    department("县住建局")
    assert referral_outcomes(year=2025) == {}
