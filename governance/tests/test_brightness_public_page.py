"""The branch's public Three Brightness page: its groups' commitments with their progress
(never the evidence text or photo), the branch's figures, the rankings; any year asked for,
this year for junk; an unknown branch is "not found"."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from branches.models import Commitment
from branches.tests.ranking_helpers import award

pytestmark = pytest.mark.django_db


def url(estate, year="2026"):
    return reverse("branch_brightness", args=[estate.pk]) + f"?year={year}"


def test_commitments_show_progress_but_no_evidence(client, world):
    made = Commitment.objects.create(
        group=world.a_group,
        year=2026,
        text="楼道每周清扫",
        due_on=date(2026, 9, 1),
        progress=100,
        evidence="张阿姨家门口已清理，电话13800001111",
        verified_at=timezone.now(),
    )
    made.evidence_photo.save("proof.jpg", ContentFile(b"jpeg"), save=True)

    html = client.get(url(world.a_estate)).content.decode()

    assert "楼道每周清扫" in html and 'value="100"' in html
    assert "张阿姨" not in html and "13800001111" not in html and "proof" not in html
    assert 'id="figure-kept">1 / 1<' in html  # kept of all (Chinese: the site's language)


def test_the_rankings_show_the_community_and_the_estate(client, world, settings):
    settings.RANKING_MIN_MEMBERS = 1
    award(world.a_member, 8)
    page = client.get(url(world.a_estate)).context["page"]

    assert [(b.name, b.rank) for b in page.branches] == [
        (world.a_estate.name, 1),
        (world.a_estate2.name, 2),
    ]
    assert [(g.name, g.points, g.rank) for g in page.groups] == [(world.a_group.name, 8, 1)]
    assert page.achievements.points == 8


def test_a_year_is_chosen_and_junk_means_this_year(client, world):
    assert client.get(url(world.a_estate, "2025")).context["year"] == 2025
    this_year = timezone.localdate().year
    for junk in ("abc", "1999", "99999", ""):
        assert client.get(url(world.a_estate, junk)).context["year"] == this_year


def test_an_unknown_branch_is_not_found(client, world):
    assert client.get(reverse("branch_brightness", args=[999999])).status_code == 404
