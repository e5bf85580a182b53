"""The clerk's score sheet: from a department review meeting's page, one department at a time,
one line per attending member and listed representative with what was entered before; empty
lines skipped; a wrong line shows its error and keeps everything typed; then the next
department. The meeting page shows each department's figures in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.tests.factories import MemberFactory
from meetings.models import Department, Meeting, MeetingType, ReviewScore
from meetings.services import review_scores_enter


@pytest.fixture
def departments(db):
    return [
        Department.objects.create(name="县住建局", name_en="Housing", level="county"),
        Department.objects.create(name="县城管局", name_en="Urban", level="county"),
    ]


@pytest.fixture
def review(world):
    m = Meeting.objects.create(
        type=MeetingType.DEPARTMENT_REVIEW,
        community=world.a,
        place="党群服务中心",
        resident_representatives="王建国\n刘桂英",
    )
    m.attendees.add(world.a_member)
    return m


@pytest.fixture
def client(client):
    """Staff reading the pages in English, so the tests can quote them."""
    client.cookies["django_language"] = "en"
    return client


def sheet_url(m, d):
    return reverse("admin:meetings_meeting_score_sheet", args=[m.pk, d.pk])


def sheet(keys, lines, total=None):
    """The posted sheet: `lines` maps a line's index to its fields."""
    data = {
        "score-TOTAL_FORMS": str(total if total is not None else len(keys)),
        "score-INITIAL_FORMS": str(len(keys)),
        "score-MIN_NUM_FORMS": "0",
        "score-MAX_NUM_FORMS": str(len(keys)),
    }
    for i, key in enumerate(keys):
        data[f"score-{i}-reviewer"] = key
        for field in ("attitude", "efficiency", "results", "comment"):
            data[f"score-{i}-{field}"] = lines.get(i, {}).get(field, "")
    return data


def keys_of(world):
    return [f"m{world.a_member.pk}", "r:王建国", "r:刘桂英"]


def test_the_meeting_page_leads_to_a_sheet_per_department(client, world, review, departments):
    client.force_login(world.staff_a)
    page = client.get(reverse("admin:meetings_meeting_change", args=[review.pk])).content.decode()
    assert 'id="enter-scores"' in page
    choose = client.get(reverse("admin:meetings_meeting_scores", args=[review.pk])).content.decode()
    assert (
        sheet_url(review, departments[0]) in choose and sheet_url(review, departments[1]) in choose
    )
    html = client.get(sheet_url(review, departments[0])).content.decode()
    for name in ("a-党员", "王建国", "刘桂英"):
        assert name in html
    assert html.count('inputmode="numeric"') == 9
    assert html.count("autofocus") == 1
    assert "<script>" not in html and " style=" not in html


def test_a_sheet_saves_its_filled_lines_and_goes_to_the_next_department(
    client, world, review, departments
):
    client.force_login(world.staff_a)
    data = sheet(
        keys_of(world),
        {
            0: {"attitude": "90", "efficiency": "80", "results": "70"},
            2: {"attitude": "60", "efficiency": "60", "results": "60", "comment": "还行"},
        },
    )
    response = client.post(sheet_url(review, departments[0]), {**data, "next": "1"})
    assert response.status_code == 302
    assert response["Location"] == sheet_url(review, departments[1])
    scores = ReviewScore.objects.filter(department=departments[0])
    assert sorted(s.attitude for s in scores) == [60, 90]
    assert scores.get(representative="刘桂英").comment == "还行"
    # The sheet opened again shows what was entered.
    html = client.get(sheet_url(review, departments[0])).content.decode()
    assert 'value="90"' in html and 'value="还行"' in html
    # The last department's sheet leads back to the meeting, which shows the figures.
    last = client.post(
        sheet_url(review, departments[1]), {**sheet(keys_of(world), {}), "next": "1"}
    )
    assert last["Location"].startswith(reverse("admin:meetings_meeting_change", args=[review.pk]))
    page = client.get(last["Location"]).content.decode()
    assert 'id="review-means"' in page and "75.0" in page


def test_a_wrong_line_shows_its_error_and_keeps_what_was_typed(client, world, review, departments):
    client.force_login(world.staff_a)
    data = sheet(
        keys_of(world),
        {
            0: {"attitude": "90", "efficiency": "80", "results": "70", "comment": "热情"},
            1: {"attitude": "101", "efficiency": "80", "results": "70"},
            2: {"attitude": "60", "comment": "只打了一项"},
        },
    )
    response = client.post(sheet_url(review, departments[0]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="row-error"') == 2
    assert 'value="101"' in html and 'value="热情"' in html and "只打了一项" in html
    assert "Fill in all three scores" in html
    assert not ReviewScore.objects.exists()


def test_a_forged_line_count_is_refused(client, world, review, departments):
    client.force_login(world.staff_a)
    data = sheet(keys_of(world), {0: {"attitude": "1", "efficiency": "1", "results": "1"}}, 500)
    response = client.post(sheet_url(review, departments[0]), data)
    assert response.status_code == 200
    assert "more rows than it offers" in response.content.decode()
    assert not ReviewScore.objects.exists()


def test_a_reviewer_removed_meanwhile_keeps_the_sheet(client, world, review, departments):
    client.force_login(world.staff_a)
    data = sheet(keys_of(world), {1: {"attitude": "70", "efficiency": "70", "results": "70"}})
    review.resident_representatives = "刘桂英"
    review.save()
    response = client.post(sheet_url(review, departments[0]), data)
    assert response.status_code == 200
    assert 'value="70"' in response.content.decode()
    assert not ReviewScore.objects.exists()


def test_outsiders_and_readers_do_not_get_the_sheet(client, world, review, departments):
    client.force_login(world.staff_b)
    assert client.get(sheet_url(review, departments[0])).status_code == 404
    client.force_login(world.town_user)
    page = client.get(reverse("admin:meetings_meeting_change", args=[review.pk]))
    assert page.status_code == 200 and 'id="enter-scores"' not in page.content.decode()
    assert client.get(sheet_url(review, departments[0])).status_code == 403
    assert client.post(sheet_url(review, departments[0]), {}).status_code == 403


def test_another_meeting_type_has_no_sheet(client, world, review, departments):
    review.type = MeetingType.PARTY_MASSES
    review.estate = world.a_estate
    review.save()
    client.force_login(world.staff_a)
    assert client.get(sheet_url(review, departments[0])).status_code == 404


def test_the_meeting_page_runs_the_same_queries_whatever_the_scores(
    client, world, review, departments
):
    client.force_login(world.staff_a)
    url = reverse("admin:meetings_meeting_change", args=[review.pk])
    counts, members = [], []
    for reviewers in (2, 30):
        members += [
            MemberFactory(estate=world.a_estate, category=world.category)
            for _ in range(reviewers - len(members))
        ]
        review.attendees.set(members)
        for department in departments:
            review_scores_enter(
                meeting=review,
                department=department,
                rows=[
                    {"member": m, "attitude": 80, "efficiency": 70, "results": 60} for m in members
                ],
                by=world.staff_a,
            )
        client.get(url)  # warm the caches
        with CaptureQueriesContext(connection) as captured:
            html = client.get(url).content.decode()
        assert f'<td data-label="Reviewers">{reviewers}</td>' in html
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
