"""The checklist's staff pages through HTTP: the list with its totals, a checklist's page
with the forms open to the user, each move, the evidence file; and outsiders (another
community's staff, a user without a scope) get "not found" for every page and move."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from branches.checklists import checklist_entry_assess, checklist_open, checklist_submit
from branches.models import Checklist, ChecklistEntry, StandardItem

pytestmark = pytest.mark.django_db


def page_url(checklist):
    return reverse("admin:branches_checklist_change", args=[checklist.pk])


def move_url(checklist, move):
    return reverse("admin:branches_checklist_move", args=[checklist.pk, move])


def evidence_url(checklist, entry):
    return reverse("admin:branches_checklist_evidence", args=[checklist.pk, entry.pk])


@pytest.fixture
def a_list(world):
    return checklist_open(estate=world.a_estate, year=2025, by=world.secretary_a1)


@pytest.fixture
def b_list(world):
    return checklist_open(estate=world.b_estate, year=2025, by=world.staff_b)


def assess_data(checklist, score=None):
    data = {}
    for entry in checklist.entries.select_related("item"):
        data[f"e{entry.pk}-self_score"] = entry.item.max_score if score is None else score
        data[f"e{entry.pk}-evidence"] = "台账"
    return data


def test_the_secretary_assesses_and_submits_through_the_page(client, world, a_list):
    client.force_login(world.secretary_a1)
    entry = a_list.entries.select_related("item").first()
    data = assess_data(a_list)
    data[f"e{entry.pk}-evidence_file"] = SimpleUploadedFile("记录.pdf", b"%PDF-1.4 minutes")

    saved = client.post(move_url(a_list, "assess"), data)

    assert saved.status_code == 302
    entry.refresh_from_db()
    assert entry.self_score == entry.item.max_score and entry.evidence_file
    page = client.get(page_url(a_list)).content.decode()
    assert 'id="self-total">100<' in page
    assert evidence_url(a_list, entry) in page
    file = client.get(evidence_url(a_list, entry))
    assert file.status_code == 200 and b"".join(file.streaming_content) == b"%PDF-1.4 minutes"
    assert "attachment" in file["Content-Disposition"]

    assert client.post(move_url(a_list, "submit")).status_code == 302
    a_list.refresh_from_db()
    assert a_list.status == Checklist.Status.SUBMITTED
    page = client.get(page_url(a_list)).content.decode()
    assert 'id="assess-form"' not in page and 'id="move-submit"' not in page


def test_a_score_out_of_range_comes_back_with_what_was_typed(client, world, a_list):
    client.force_login(world.secretary_a1)
    data = assess_data(a_list, score=3)
    entry = a_list.entries.select_related("item").first()
    data[f"e{entry.pk}-self_score"] = entry.item.max_score + 5
    data[f"e{entry.pk}-evidence"] = "我写了很长的说明"

    page = client.post(move_url(a_list, "assess"), data)

    assert page.status_code == 200
    html = page.content.decode()
    assert "我写了很长的说明" in html and f'value="{entry.item.max_score + 5}"' in html
    assert not ChecklistEntry.objects.filter(checklist=a_list, self_score__isnull=False).exists()


def test_submitting_with_items_unscored_says_how_many(client, world, a_list):
    client.force_login(world.secretary_a1)

    page = client.post(move_url(a_list, "submit"), follow=True)

    assert page.status_code == 200
    assert str(a_list.entries.count()) in page.content.decode()
    a_list.refresh_from_db()
    assert a_list.status == Checklist.Status.DRAFT


def test_the_secretary_gets_no_review_form_and_cannot_post_one(client, world, a_list):
    for entry in a_list.entries.select_related("item"):
        checklist_entry_assess(entry=entry, by=world.secretary_a1, self_score=1)
    checklist_submit(checklist=a_list, by=world.secretary_a1)
    client.force_login(world.secretary_a1)
    entry = a_list.entries.first()

    assert 'id="review-form"' not in client.get(page_url(a_list)).content.decode()
    client.post(move_url(a_list, "review_scores"), {f"e{entry.pk}-review_score": 1})
    client.post(move_url(a_list, "review"))

    entry.refresh_from_db()
    a_list.refresh_from_db()
    assert entry.review_score is None and a_list.status == Checklist.Status.SUBMITTED


def test_community_staff_review_through_the_page(client, world, a_list):
    for entry in a_list.entries.select_related("item"):
        checklist_entry_assess(entry=entry, by=world.secretary_a1, self_score=1)
    checklist_submit(checklist=a_list, by=world.secretary_a1)
    client.force_login(world.staff_a)
    assert 'id="review-form"' in client.get(page_url(a_list)).content.decode()
    data = {f"e{e.pk}-review_score": 2 for e in a_list.entries.all()}

    assert client.post(move_url(a_list, "review_scores"), data).status_code == 302
    assert client.post(move_url(a_list, "review")).status_code == 302

    a_list.refresh_from_db()
    assert a_list.status == Checklist.Status.REVIEWED
    listing = client.get(reverse("admin:branches_checklist_changelist")).content.decode()
    items = a_list.entries.count()
    assert f'<td class="field-review_total_display">{2 * items}</td>' in listing


def test_the_add_page_opens_a_checklist_and_refuses_a_second(client, world):
    client.force_login(world.staff_a)
    url = reverse("admin:branches_checklist_add")

    first = client.post(url, {"estate": world.a_estate.pk, "year": 2025})
    again = client.post(url, {"estate": world.a_estate.pk, "year": 2025})

    assert first.status_code == 302
    assert again.status_code == 200 and "errornote" in again.content.decode()
    checklist = Checklist.objects.get()
    assert checklist.entries.count() == StandardItem.objects.filter(active=True).count()


def test_the_add_page_offers_only_estates_in_scope(client, world):
    client.force_login(world.staff_a)
    url = reverse("admin:branches_checklist_add")

    html = client.get(url).content.decode()
    refused = client.post(url, {"estate": world.b_estate.pk, "year": 2025})

    assert world.b_estate.name not in html
    assert refused.status_code == 200
    assert not Checklist.objects.exists()


# --- outsiders -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff_b", "outsider"])
def test_outsiders_get_not_found_for_every_page_and_move(client, world, a_list, persona):
    if persona == "outsider":
        from branches.tests.factories import UserFactory

        user = UserFactory(username="noscope", is_staff=True)
    else:
        user = getattr(world, persona)
    entry = a_list.entries.first()
    checklist_entry_assess(
        entry=entry,
        by=world.secretary_a1,
        self_score=1,
        evidence_file=SimpleUploadedFile("a.pdf", b"%PDF secret"),
    )
    client.force_login(user)

    listing = client.get(reverse("admin:branches_checklist_changelist"))
    page = client.get(page_url(a_list), follow=True)
    file = client.get(evidence_url(a_list, entry))
    moves = [
        client.post(move_url(a_list, move), {f"e{entry.pk}-self_score": 0})
        for move in ("assess", "refresh", "submit", "review_scores", "review")
    ]

    assert world.a_estate.name not in listing.content.decode()
    assert world.a_estate.name not in page.content.decode()
    assert file.status_code in (302, 404)  # no scope at all: the admin's log-in redirect
    assert all(m.status_code in (302, 404) for m in moves)
    entry.refresh_from_db()
    assert entry.self_score == 1
    a_list.refresh_from_db()
    assert a_list.status == Checklist.Status.DRAFT


def test_a_file_of_another_checklist_is_not_found_through_ones_own(client, world, a_list, b_list):
    entry = b_list.entries.first()
    checklist_entry_assess(
        entry=entry,
        by=world.staff_b,
        self_score=1,
        evidence_file=SimpleUploadedFile("b.pdf", b"%PDF B"),
    )
    client.force_login(world.staff_a)

    assert client.get(evidence_url(a_list, entry)).status_code == 404


def test_the_template_is_read_only_for_staff_and_keeps_used_items(client, world, a_list):
    item = StandardItem.objects.first()
    client.force_login(world.staff_a)
    url = reverse("admin:branches_standarditem_change", args=[item.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"name": "改掉", "standard": 1, "max_score": 50})
    item.refresh_from_db()
    assert item.name != "改掉"

    client.force_login(world.superuser)
    page = client.get(url).content.decode()
    assert 'name="max_score"' not in page  # in use: the full score stays
    delete = client.get(reverse("admin:branches_standarditem_delete", args=[item.pk]))
    assert delete.status_code in (302, 403)
    assert StandardItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("junk", ["abc", "-1", str(2**63), "99999999999999999999"])
def test_junk_ids_are_not_found_never_an_error(client, world, a_list, junk):
    client.force_login(world.staff_a)
    entry = a_list.entries.first()

    answers = [
        client.get(f"/admin/branches/checklist/{junk}/change/"),
        client.post(f"/admin/branches/checklist/{junk}/move/refresh/"),
        client.get(f"/admin/branches/checklist/{junk}/evidence/{entry.pk}/"),
        client.get(f"/admin/branches/checklist/{a_list.pk}/evidence/{junk}/"),
        client.post(move_url(a_list, "assess"), {f"e{entry.pk}-self_score": junk}),
    ]

    assert all(a.status_code in (200, 302, 404) for a in answers), [a.status_code for a in answers]


def test_the_town_committee_reads_every_checklist_of_its_town_without_forms(
    client, world, a_list, b_list
):
    client.force_login(world.town_user)

    listing = client.get(reverse("admin:branches_checklist_changelist")).content.decode()
    page = client.get(page_url(b_list)).content.decode()

    assert world.a_estate.name in listing and world.b_estate.name in listing
    assert 'id="assess-form"' not in page and 'id="move-submit"' not in page
    refused = client.post(move_url(b_list, "refresh"))
    assert refused.status_code == 200 and "不能修改" in refused.content.decode()
    assert client.get(reverse("admin:branches_checklist_add")).status_code == 403


def test_a_secretary_sees_only_their_own_branchs_checklist(client, world, a_list):
    other = checklist_open(estate=world.a_estate2, year=2025, by=world.staff_a)
    client.force_login(world.secretary_a1)

    listing = client.get(reverse("admin:branches_checklist_changelist")).content.decode()
    page = client.get(page_url(other), follow=True).content.decode()

    assert world.a_estate2.name not in listing
    assert 'id="assess-form"' not in page
    assert client.post(move_url(other, "submit")).status_code == 404
