"""The year-end run's progress in the admin: the town committee reads done / total and the
state, and can change nothing; community staff and branch secretaries get nothing."""

import pytest
from django.urls import reverse

from governance.models import YearEndRun, YearEndState

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(db):
    return YearEndRun.objects.create(year=2025, total=500, done=150)


def test_the_committee_sees_the_progress_read_only(client, world, run):
    client.force_login(world.town_user)
    listing = client.get(reverse("admin:governance_yearendrun_changelist"))
    assert listing.status_code == 200
    assert "150 / 500 (30%)" in listing.text
    page = client.get(reverse("admin:governance_yearendrun_change", args=[run.pk]))
    assert page.status_code == 200 and "150 / 500 (30%)" in page.text
    assert 'name="done"' not in page.text
    client.post(
        reverse("admin:governance_yearendrun_change", args=[run.pk]),
        {"year": 2025, "done": 500, "total": 500, "state": YearEndState.DONE},
    )
    run.refresh_from_db()
    assert (run.done, run.state) == (150, YearEndState.RUNNING)


@pytest.mark.parametrize("persona", ["staff_a", "secretary_a1"])
def test_community_staff_and_secretaries_see_no_run(client, world, run, persona):
    client.force_login(getattr(world, persona))
    listing = client.get(reverse("admin:governance_yearendrun_changelist"))
    assert listing.status_code in (302, 403)
    page = client.get(reverse("admin:governance_yearendrun_change", args=[run.pk]))
    assert page.status_code in (302, 403, 404)
    assert "150 / 500" not in page.text
