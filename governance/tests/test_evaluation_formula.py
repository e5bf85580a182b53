"""The department evaluation's formula, its grades at their edges and the missing data."""

from decimal import Decimal

import pytest

from governance.models import Grade
from governance.yearend import Figures, evaluate, grade_of


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.QUALIFIED),
        ("60", Grade.QUALIFIED),
        ("59.99", Grade.UNQUALIFIED),
        ("0", Grade.UNQUALIFIED),
    ],
)
def test_grades_start_at_their_thresholds(score, grade):
    assert grade_of(Decimal(score)) == grade


def test_sixty_percent_reviews_forty_percent_appeals():
    # reviews: 80 mean; appeals: 10 referred, 5 on time, 4 visits all satisfied → 75
    figures = Figures(
        review_count=2, review_total=480, referrals=10, solved_on_time=5, visits=4, satisfied=4
    )
    result = evaluate(figures)
    assert result.review_mean == Decimal("80.00")
    assert result.appeal_result == Decimal("75.00")
    assert result.score == Decimal("78.00")  # 0.6 × 80 + 0.4 × 75
    assert result.grade == Grade.QUALIFIED


def test_rounded_once_at_the_end_half_up_and_graded_from_the_rounded_score():
    # mean 269/3 = 89.666…, alone: 89.67, qualified
    assert evaluate(Figures(review_count=1, review_total=269)).score == Decimal("89.67")
    # 8999.5 / 100: a mean of 89.995 rounds to 90.00 and is excellent
    figures = Figures(review_count=200, review_total=53997)
    assert evaluate(figures).score == Decimal("90.00")
    assert evaluate(figures).grade == Grade.EXCELLENT


def test_no_reviews_the_appeal_result_alone():
    result = evaluate(Figures(referrals=4, solved_on_time=4, visits=2, satisfied=1))
    assert result.review_mean is None
    assert result.score == Decimal("75.00")  # 100 × (½ × 1 + ½ × ½)


def test_no_referrals_the_review_score_alone():
    result = evaluate(Figures(review_count=1, review_total=3 * 59))
    assert result.appeal_result is None
    assert (result.score, result.grade) == (Decimal("59.00"), Grade.UNQUALIFIED)


def test_neither_is_not_evaluated():
    result = evaluate(Figures())
    assert (result.score, result.grade) == (None, Grade.NOT_EVALUATED)


def test_referrals_without_an_answered_visit_count_the_on_time_share_alone():
    result = evaluate(Figures(referrals=4, solved_on_time=3))
    assert result.appeal_result == Decimal("75.00")


def test_weights_and_thresholds_come_from_settings(settings):
    settings.EVALUATION_REVIEW_WEIGHT = "0.5"
    settings.EVALUATION_APPEAL_WEIGHT = "0.5"
    settings.EVALUATION_EXCELLENT = "95"
    figures = Figures(
        review_count=1, review_total=300, referrals=1, solved_on_time=1, visits=1, satisfied=0
    )
    result = evaluate(figures)  # 0.5 × 100 + 0.5 × 50
    assert (result.score, result.grade) == (Decimal("75.00"), Grade.QUALIFIED)
    assert grade_of(Decimal("94.99")) == Grade.QUALIFIED
