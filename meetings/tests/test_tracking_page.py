"""The resident's tracking page: plain status, the public timeline, the next due date;
never contact details, internal notes or photos. Withdraw while open; answer the return
visit once resolved, once."""

import pytest

from meetings.models import MeetingType, Status
from meetings.services import (
    appeal_acknowledge,
    appeal_record_hearing_vote,
    appeal_report_fix,
    appeal_route,
)


def page(client, appeal):
    return client.get(f"/appeals/track/{appeal.display_code}/")


def test_lookup_ignores_case_and_hyphen(client, new_appeal):
    appeal = new_appeal()
    code = appeal.code.lower()
    response = client.get("/appeals/track/", {"code": f" {code[:4]} {code[4:]} "})
    assert response.status_code == 302
    assert response.url == f"/appeals/track/{appeal.display_code}/"
    assert client.get(f"/appeals/track/{code}/").status_code == 200


@pytest.mark.parametrize("code", ["AAAA-AAAA", "nonsense", "x" * 30, "%00"])
def test_a_wrong_code_is_plainly_not_found(client, db, code):
    response = client.get("/appeals/track/", {"code": code})
    html = response.content.decode()
    assert response.status_code == 200
    assert "没有" in html or "No appeal" in html or "is-invalid" in html
    # in the path %00 is a NUL byte: a bad request (governance.middleware), not a page
    assert client.get(f"/appeals/track/{code}/").status_code == (400 if code == "%00" else 404)


def test_shows_status_timeline_and_next_due_but_nothing_private(client, world, new_appeal, meeting):
    appeal = new_appeal()
    appeal_acknowledge(appeal=appeal, by=world.staff_a, public_note="社区已收到，将在议事会讨论")
    m = meeting(MeetingType.PARTY_MASSES, appeal)
    appeal_route(
        appeal=appeal,
        to="major",
        by=world.staff_a,
        meeting=m,
        public_note="涉及全体业主，召开听证会",
        internal_note="物业经理态度消极，内部备注",
    )
    hearing = meeting(MeetingType.HEARING, appeal)
    appeal_record_hearing_vote(
        appeal=appeal,
        meeting=hearing,
        by=world.staff_a,
        eligible=30,
        present=24,
        votes_for=20,
        votes_against=3,
        abstain=1,
    )
    html = page(client, appeal).content.decode()
    assert "社区已收到，将在议事会讨论" in html
    assert "涉及全体业主" in html
    assert "应到30人，实到24人；赞成20，反对3，弃权1" in html  # the hearing's vote
    assert "内部备注" not in html
    assert appeal.contact_phone not in html and appeal.contact_name not in html
    assert "guangda" not in html  # no staff names
    assert "<img" not in html
    assert "处理中" in html or "Being handled" in html


def test_resident_withdraws_an_open_appeal(client, new_appeal):
    appeal = new_appeal()
    response = client.post(
        f"/appeals/track/{appeal.display_code}/", {"action": "withdraw", "note": "已自行解决"}
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closure_reason) == (Status.CLOSED, "withdrawn")
    html = client.get(response.url).content.decode()
    assert "撤回" in html or "withdrawn" in html
    assert 'value="withdraw"' not in html  # no second withdraw offered
    again = client.post(f"/appeals/track/{appeal.display_code}/", {"action": "withdraw"})
    assert again.status_code == 200  # a message, not an error
    assert "alert-danger" in again.content.decode()


def resolved(world, new_appeal):
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已更换灯泡")
    return appeal


def test_resident_answers_the_return_visit_once(client, world, new_appeal):
    appeal = resolved(world, new_appeal)
    html = page(client, appeal).content.decode()
    assert 'value="answer"' in html
    response = client.post(
        f"/appeals/track/{appeal.display_code}/",
        {"action": "answer", "solved": "yes", "satisfaction": "satisfied", "comment": "谢谢"},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closure_reason) == (Status.CLOSED, "solved")
    visit = appeal.return_visits.get()
    assert visit.by is None and visit.channel == "resident_online"
    html = client.get(response.url).content.decode()
    assert 'value="answer"' not in html
    second = client.post(
        f"/appeals/track/{appeal.display_code}/",
        {"action": "answer", "solved": "no", "satisfaction": "dissatisfied"},
    )
    assert second.status_code == 200
    assert appeal.return_visits.count() == 1


def test_not_solved_reopens(client, world, new_appeal):
    appeal = resolved(world, new_appeal)
    client.post(
        f"/appeals/track/{appeal.display_code}/",
        {"action": "answer", "solved": "no", "satisfaction": "dissatisfied", "comment": "灯又灭了"},
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.REOPENED


def test_an_incomplete_answer_keeps_what_was_chosen(client, world, new_appeal):
    appeal = resolved(world, new_appeal)
    response = client.post(
        f"/appeals/track/{appeal.display_code}/",
        {"action": "answer", "solved": "yes", "comment": "基本满意吧"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "基本满意吧" in html
    appeal.refresh_from_db()
    assert appeal.status == Status.RESOLVED
