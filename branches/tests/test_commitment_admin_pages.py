"""The commitments' staff pages: the list by estate, group, year and state; the add page;
a commitment's page with its actions (progress with evidence and a photo, change, verify);
the photo served to staff in scope only, never from a public address."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from branches.commitments import commitment_progress
from branches.models import Commitment

from .ledger_helpers import commitment_for, due_in_year, this_year, total

LIST = "admin:branches_commitment_changelist"


def act(commitment, name):
    return reverse("admin:branches_commitment_act", args=[commitment.pk, name])


def page(commitment):
    return reverse("admin:branches_commitment_change", args=[commitment.pk])


def jpeg(name="evidence.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_the_list_filters_by_state(client, world):
    today = timezone.localdate()
    if today.month == 12 and today.day > 20:
        pytest.skip("the year ends too soon for a commitment due later")
    overdue = commitment_for(world, due_on=today - timedelta(days=1)) if today.day > 1 else None
    soon = commitment_for(world, due_on=today + timedelta(days=2))
    done = commitment_for(world, progress=100)
    client.force_login(world.staff_a)

    def listed(state):
        result = client.get(reverse(LIST), {"state": state}).context["cl"].result_list
        return {c.pk for c in result}

    assert listed("due_soon") == {soon.pk}
    assert listed("done") == {done.pk}
    if overdue:
        assert listed("overdue") == {overdue.pk}


def test_the_list_shows_only_the_scope(client, world):
    mine = commitment_for(world)
    theirs = commitment_for(world, group=world.b_group, members=[world.b_member])
    client.force_login(world.secretary_a1)
    shown = {c.pk for c in client.get(reverse(LIST)).context["cl"].result_list}
    assert shown == {mine.pk} and theirs.pk not in shown


def test_the_add_page_makes_a_commitment_with_its_reminder(client, world):
    client.force_login(world.secretary_a1)
    response = client.post(
        reverse("admin:branches_commitment_add"),
        {
            "group": world.a_group.pk,
            "year": this_year(),
            "text": "每周巡查楼道消防通道",
            "due_on": due_in_year(30, 11).isoformat(),
            "members": [world.a_member.pk],
        },
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert commitment.remind_at is not None and list(commitment.members.all()) == [world.a_member]


def test_the_add_page_refuses_a_due_date_outside_the_year_keeping_what_was_typed(client, world):
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("admin:branches_commitment_add"),
        {
            "group": world.a_group.pk,
            "year": this_year(),
            "text": "每周巡查楼道消防通道",
            "due_on": f"{this_year() + 1}-01-10",
        },
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "is due within" in text and "每周巡查楼道消防通道" in text
    assert not Commitment.objects.exists()


def test_progress_with_a_photo_then_verify_credits_the_members(client, world):
    commitment = commitment_for(world)
    client.force_login(world.secretary_a1)
    response = client.post(
        act(commitment, "progress"),
        {
            "progress-progress": "100",
            "progress-evidence": "已完成",
            "progress-evidence_photo": jpeg(),
        },
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.progress == 100 and commitment.evidence_photo
    assert client.post(act(commitment, "verify"), {}).status_code == 302
    commitment.refresh_from_db()
    assert commitment.verified_by == world.secretary_a1
    assert total(world.a_member) == 5
    client.post(act(commitment, "verify"), {})
    assert total(world.a_member) == 5


@pytest.mark.parametrize("value", ["101", "-5", "abc"])
def test_progress_out_of_bounds_comes_back_with_a_message(client, world, value):
    commitment = commitment_for(world)
    client.force_login(world.staff_a)
    response = client.post(act(commitment, "progress"), {"progress-progress": value})
    assert response.status_code == 200
    assert f'value="{value}"' in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.progress == 0


def test_verify_is_not_offered_below_100(client, world):
    commitment = commitment_for(world, progress=80)
    client.force_login(world.staff_a)
    assert "action-verify" not in client.get(page(commitment)).content.decode()
    client.post(act(commitment, "verify"), {})
    commitment.refresh_from_db()
    assert commitment.verified_at is None


def test_the_photo_is_for_staff_in_scope_only(client, world):
    commitment = commitment_for(world)
    commitment = commitment_progress(commitment=commitment, progress=50, photo=jpeg())
    photo = reverse("admin:branches_commitment_photo", args=[commitment.pk])
    assert client.get(photo).status_code == 302  # to the login page
    # nothing serves the media folder: the file's storage address answers "not found"
    assert client.get(commitment.evidence_photo.url).status_code == 404
    client.force_login(world.staff_b)
    assert client.get(photo).status_code == 404
    client.force_login(world.staff_a)
    response = client.get(photo)
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_the_town_committee_reads_a_commitment_but_has_no_actions(client, world):
    commitment = commitment_for(world, progress=100)
    client.force_login(world.town_user)
    text = client.get(page(commitment)).content.decode()
    assert commitment.text in text and "action-progress" not in text
    client.post(act(commitment, "verify"), {})
    commitment.refresh_from_db()
    assert commitment.verified_at is None
