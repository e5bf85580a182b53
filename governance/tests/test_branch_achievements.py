"""A branch's year in figures (governance.achievements) against a small hand-made world:
each figure counts what it says, in the local (Asia/Shanghai) year, for that branch only,
and the appeal figures are the dashboard's (the same roll-ups, the same rates)."""

from datetime import date

import pytest
from django.utils import timezone

from branches.models import Estate
from governance.achievements import Achievements, achievements_of, branch_achievements
from meetings.models import Status
from meetings.tests.conftest import appeal_in, department, new_appeal  # noqa: F401 - fixtures
from zeroindex.services import incident_record, incident_verify, records_start_set

from .achievement_helpers import commitment, local, org_meeting, session

pytestmark = pytest.mark.django_db
YEAR = 2026


@pytest.fixture
def frozen(monkeypatch):
    moment = local(2026, 7, 15, 10, 0)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def year_of_a(world, frozen, request):
    estate = world.a_estate
    make_appeal = request.getfixturevalue("appeal_in")
    # appeals: two closed solved (satisfied), one reopened (not solved), one just received
    make_appeal(Status.CLOSED)
    make_appeal(Status.CLOSED)
    make_appeal(Status.REOPENED)
    make_appeal(Status.RECEIVED)
    # sessions: two this year (one at 00:30 on 1 January, local), one just before it
    session(estate, local(2026, 1, 1, 0, 30), 40)
    session(estate, local(2026, 5, 2, 9, 0), 25)
    session(estate, local(2025, 12, 31, 23, 30), 1000)
    session(world.a_estate2, local(2026, 5, 2, 9, 0), 7)  # another branch
    # meetings: the branch's and a group's this year, one of last year
    org_meeting(estate, local(2026, 3, 1, 19, 0))
    org_meeting(estate, local(2026, 3, 8, 19, 0), group=world.a_group)
    org_meeting(estate, local(2025, 12, 31, 23, 59))
    # commitments: one of two verified this year, one of last year verified
    commitment(world.a_group, 2026, verified_by=world.secretary_a1)
    commitment(world.a_group, 2026, text="绿化认养")
    commitment(world.a_group, 2025, verified_by=world.secretary_a1)
    # five zeros: records from January, a verified incident in March: Jan-Jun ended, 5 zero
    records_start_set(estate=estate, month=date(2026, 1, 1))
    made = incident_record(
        estate=estate, category="pollution", occurred_at=local(2026, 3, 3), description="排污"
    )
    incident_verify(incident=made)
    return estate


def test_each_figure_counts_what_it_says(world, year_of_a):
    figures = achievements_of(year=YEAR, estate=year_of_a)

    assert (figures.received, figures.solved) == (4, 2)
    # the dashboard's rates: acknowledged in time ÷ received (none acknowledged);
    # solved ÷ visits reaching the resident; satisfied ÷ answered
    assert figures.response == 0
    assert figures.resolution == pytest.approx(2 / 3)
    assert figures.satisfaction == 1
    assert (figures.sessions, figures.people_served) == (2, 65)
    assert figures.meetings == 2
    assert (figures.commitments_kept, figures.commitments) == (1, 2)
    assert figures.five_zero_months == 5


def test_the_rates_are_the_dashboards(world, year_of_a):
    from governance.dashboard import _rates
    from meetings.queries import appeal_figures, visit_figures

    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    expected = _rates(
        appeal_figures(start=first, end=last, estate=year_of_a),
        visit_figures(start=first, end=last, estate=year_of_a),
    )
    figures = achievements_of(year=YEAR, estate=year_of_a)
    assert (figures.response, figures.resolution, figures.satisfaction) == (
        expected["response"],
        expected["resolution"],
        expected["satisfaction"],
    )


def test_a_town_at_once_gives_each_branch_its_own(world, year_of_a):
    by_estate = branch_achievements(year=YEAR, town=world.town)

    assert set(by_estate) == set(Estate.objects.values_list("pk", flat=True))
    assert by_estate[year_of_a.pk] == achievements_of(year=YEAR, estate=year_of_a)
    other = by_estate[world.a_estate2.pk]
    assert (other.sessions, other.people_served, other.received, other.meetings) == (1, 7, 0, 0)
    assert by_estate[world.b_estate.pk] == Achievements(estate_id=world.b_estate.pk)


def test_last_year_has_last_years_figures(world, year_of_a):
    figures = achievements_of(year=2025, estate=year_of_a)
    assert (figures.sessions, figures.people_served, figures.meetings) == (1, 1000, 1)
    assert (figures.commitments_kept, figures.commitments, figures.received) == (1, 1, 0)
