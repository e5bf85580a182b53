"""The clerk's appeal list and appeal page: scoped, searchable, filterable, quick at any size,
and every action answers with what happened or why not."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Appeal, AppealEvent, Status
from meetings.services import appeal_acknowledge

LIST = reverse("admin:meetings_appeal_changelist")


def page_of(appeal):
    return reverse("admin:meetings_appeal_change", args=[appeal.pk])


def act(appeal, action):
    return reverse("admin:meetings_appeal_act", args=[appeal.pk, action])


def test_the_list_shows_only_the_clerks_community(client, world, new_appeal):
    mine = new_appeal(title="我们小区的问题")
    theirs = new_appeal(title="别的社区的问题", estate=world.b_estate, building=None)
    client.force_login(world.staff_a)
    html = client.get(LIST).content.decode()
    assert mine.display_code in html and theirs.display_code not in html
    assert "金星花园" not in html  # not even in the estate filter


@pytest.mark.parametrize(
    "term", ["{code}", "{code_lower}", "{code_plain}", "13912345678", "139 1234 5678", "楼道灯"]
)
def test_search_by_code_phone_or_title(client, world, new_appeal, term):
    appeal = new_appeal()
    other = new_appeal(title="噪音扰民", contact_phone="13600000000")
    client.force_login(world.staff_a)
    q = term.format(
        code=appeal.display_code,
        code_lower=appeal.display_code.lower(),
        code_plain=appeal.code,
    )
    html = client.get(LIST, {"q": q}).content.decode()
    assert appeal.display_code in html and other.display_code not in html


def test_a_fragment_of_a_phone_finds_nothing(client, world, new_appeal):
    appeal = new_appeal()
    client.force_login(world.staff_a)
    html = client.get(LIST, {"q": "5678"}).content.decode()
    assert appeal.display_code not in html


def test_filters_status_and_overdue(client, world, new_appeal):
    late = new_appeal(title="逾期的")
    Appeal.objects.filter(pk=late.pk).update(
        next_due_at=timezone.now() - timezone.timedelta(days=2)
    )
    fresh = new_appeal(title="新的")
    appeal_acknowledge(appeal=fresh, by=world.staff_a)
    client.force_login(world.staff_a)
    html = client.get(LIST, {"overdue": "yes"}).content.decode()
    assert late.display_code in html and fresh.display_code not in html
    assert 'class="overdue"' in html
    html = client.get(LIST, {"status__exact": "received"}).content.decode()
    assert late.display_code in html and fresh.display_code in html
    html = client.get(LIST, {"status__exact": "closed"}).content.decode()
    assert late.display_code not in html


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_and_page_queries_do_not_grow_with_the_number_of_appeals(client, world, new_appeal):
    first = new_appeal()
    appeal_acknowledge(appeal=first, by=world.staff_a, public_note="收到")
    client.force_login(world.staff_a)
    count_queries(client, LIST)
    count_queries(client, page_of(first))
    list_with_one = count_queries(client, LIST)
    page_with_one = count_queries(client, page_of(first))
    for i in range(199):
        new_appeal(title=f"问题{i}", contact_phone=f"1380000{i:04d}")
    assert Appeal.objects.count() == 200
    assert count_queries(client, LIST) == list_with_one
    assert count_queries(client, page_of(first)) == page_with_one
    assert list_with_one <= 20 and page_with_one <= 40


@pytest.mark.parametrize("user", ["staff_b", "town_user"])
def test_outsiders_cannot_open_or_act(client, world, new_appeal, user):
    appeal = new_appeal()
    client.force_login(getattr(world, user))
    if user == "staff_b":
        page = client.get(page_of(appeal), follow=True)
        assert page.redirect_chain and appeal.title not in page.content.decode()
        assert client.post(act(appeal, "acknowledge"), {}).status_code == 404
    else:  # the town committee reads the page but changes nothing
        html = client.get(page_of(appeal)).content.decode()
        assert appeal.title in html and 'id="action-acknowledge"' not in html
        client.post(act(appeal, "acknowledge"), {})
    appeal.refresh_from_db()
    assert appeal.acknowledged_at is None


def test_the_page_shows_details_timeline_and_only_the_moves_allowed_now(client, world, new_appeal):
    appeal = new_appeal()
    appeal_acknowledge(
        appeal=appeal,
        by=world.staff_a,
        public_note="已收到",
    )
    client.force_login(world.secretary_a1)
    html = client.get(page_of(appeal)).content.decode()
    assert appeal.contact_phone in html  # staff in scope see the contact details
    assert "已收到" in html and 'id="staff-timeline"' in html
    assert 'id="action-route_handle"' in html  # a secretary may route a simple matter
    assert 'id="action-acknowledge"' not in html  # already acknowledged
    assert 'id="action-report_fix"' not in html  # not in progress yet


def test_a_refused_move_says_why(client, world, new_appeal):
    appeal = new_appeal()
    client.force_login(world.staff_a)
    response = client.post(
        act(appeal, "report_fix"), {"report_fix-public_note": "已修好"}, follow=True
    )
    html = response.content.decode()
    assert "不能" in html  # “报告办结” is not possible while received
    appeal.refresh_from_db()
    assert appeal.status == Status.RECEIVED


def test_acting_from_the_page(client, world, new_appeal):
    appeal = new_appeal()
    client.force_login(world.secretary_a1)
    client.post(act(appeal, "acknowledge"), {"acknowledge-public_note": "收到，三天内处理"})
    client.post(act(appeal, "route_handle"), {"route_handle-public_note": "物业维修"})
    client.post(act(appeal, "report_fix"), {"report_fix-public_note": "已更换灯泡"})
    appeal.refresh_from_db()
    assert appeal.status == Status.RESOLVED and appeal.acknowledged_at
    response = client.post(
        act(appeal, "return_visit"),
        {
            "return_visit-channel": "phone",
            "return_visit-reached": "yes",
            "return_visit-solved": "yes",
            "return_visit-satisfaction": "basically_satisfied",
            "return_visit-note": "电话回访",
        },
        follow=True,
    )
    assert response.status_code == 200
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closure_reason) == (Status.CLOSED, "solved")
    kinds = list(AppealEvent.objects.filter(appeal=appeal).values_list("move", flat=True))
    assert kinds == ["", "acknowledge", "route_handle", "report_fix", "visit_solved"]


def test_an_incomplete_action_form_gets_a_message_and_changes_nothing(client, world, new_appeal):
    appeal = new_appeal()
    client.force_login(world.secretary_a1)
    response = client.post(act(appeal, "decline"), {"decline-reason": ""}, follow=True)
    assert "errornote" in response.content.decode() or "error" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.RECEIVED


def test_reassign_and_extend_write_events(client, world, new_appeal):
    appeal = new_appeal()
    client.force_login(world.staff_a)
    client.post(act(appeal, "reassign"), {"reassign-handler": world.secretary_a1.pk})
    until = (timezone.localdate() + timezone.timedelta(days=30)).isoformat()
    client.post(
        act(appeal, "extend_due"), {"extend_due-until": until, "extend_due-reason": "等待物业报价"}
    )
    appeal.refresh_from_db()
    assert appeal.handler == world.secretary_a1
    assert timezone.localtime(appeal.routing_due_at).date().isoformat() == until
    assert (
        AppealEvent.objects.filter(appeal=appeal, kind="due_extended").get().internal_note
        == "等待物业报价"
    )
    # a handler from another community is refused
    client.post(act(appeal, "reassign"), {"reassign-handler": world.staff_b.pk})
    appeal.refresh_from_db()
    assert appeal.handler == world.secretary_a1


def test_staff_enter_an_appeal_heard_by_phone(client, world, category):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:meetings_appeal_add"),
        {
            "estate": world.a_estate.pk,
            "category": category.pk,
            "title": "电话反映：噪音",
            "description": "夜间施工噪音",
            "source": "phone",
            "contact_name": "赵先生",
            "contact_phone": "13511112222",
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.source == "phone"
    assert AppealEvent.objects.get(appeal=appeal).actor == world.staff_a


def test_staff_cannot_enter_an_appeal_for_another_community(client, world, category):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:meetings_appeal_add"),
        {
            "estate": world.b_estate.pk,
            "category": category.pk,
            "title": "x",
            "description": "x",
            "source": "phone",
        },
    )
    assert response.status_code == 200
    assert not Appeal.objects.exists()


def test_a_duplicate_is_closed_against_its_original(client, world, new_appeal):
    original = new_appeal(title="原诉求")
    copy = new_appeal(title="同一问题")
    client.force_login(world.staff_a)
    client.post(
        act(copy, "close_duplicate"), {"close_duplicate-original": original.display_code.lower()}
    )
    copy.refresh_from_db()
    assert (copy.closure_reason, copy.duplicate_of) == ("duplicate", original)
    html = client.get(page_of(original)).content.decode()
    assert copy.display_code in html  # linked appeals


def test_the_list_never_counts_past_its_cap(client, world, new_appeal, monkeypatch):
    from meetings.admin.appeals import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    for i in range(5):
        new_appeal(title=f"第{i}件", contact_phone=f"1390000000{i}")
    client.force_login(world.staff_a)
    html = client.get(LIST).content.decode()
    assert "超过3件诉求" in html or "more than 3 appeals" in html
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 4" in sql for sql in counts if "meetings_appeal" in sql)
