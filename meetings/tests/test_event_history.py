"""Every move's event says what the move set: the department referred to, the handler
assigned, the original of a duplicate, the deadline it set. So history answers "which
department had it, and did it meet its due date" after the appeal has moved on."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from meetings.models import AppealEvent, Department, DueField, MeetingType
from meetings.services import (
    appeal_close_duplicate,
    appeal_department_send_back,
    appeal_extend_due,
    appeal_reassign,
    appeal_report_fix,
    appeal_route,
)


def last_event(appeal, **filters):
    return AppealEvent.objects.filter(appeal=appeal, **filters).latest("pk")


def test_refer_send_back_refer_elsewhere_keeps_both_departments(
    world, new_appeal, meeting, department
):
    other = Department.objects.create(name="县城管局", level="county")
    appeal = new_appeal()
    pm = meeting(MeetingType.PARTY_MASSES, appeal)
    appeal_route(appeal=appeal, to="refer", by=world.staff_a, meeting=pm, department=department)
    appeal_department_send_back(appeal=appeal, by=world.staff_a, reason="不属本部门")
    appeal_route(appeal=appeal, to="refer", by=world.secretary_a1, department=other)
    referrals = AppealEvent.objects.filter(appeal=appeal, department__isnull=False).order_by("pk")
    assert [e.department for e in referrals] == [department, other]
    for event in referrals:
        assert event.due_field == DueField.HANDLING
        assert event.due_at - event.created_at == timedelta(days=settings.APPEAL_HANDLING_DAYS)
    reopened = last_event(appeal, move="department_send_back")
    assert reopened.due_field == DueField.ROUTING and reopened.department is None


def test_routing_records_the_handler_and_a_change_of_handler_too(world, new_appeal):
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    assert last_event(appeal, move="route_handle").handler == world.secretary_a1
    appeal_reassign(appeal=appeal, by=world.staff_a, handler=world.staff_a)
    assert last_event(appeal, kind="handler_changed").handler == world.staff_a


def test_a_duplicate_names_its_original(world, new_appeal):
    original, copy = new_appeal(title="原"), new_appeal(title="重复")
    appeal_close_duplicate(appeal=copy, original=original, by=world.staff_a)
    assert last_event(copy, move="close_duplicate").original == original


def test_deadlines_set_and_extended(world, new_appeal):
    appeal = new_appeal()
    submitted = last_event(appeal, kind="submitted")
    assert (submitted.due_field, submitted.due_at) == (DueField.RESPONSE, appeal.response_due_at)
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    until = timezone.now() + timedelta(days=40)
    appeal_extend_due(appeal=appeal, by=world.staff_a, until=until, reason="等材料")
    extended = last_event(appeal, kind="due_extended")
    assert (extended.due_field, extended.due_at) == (DueField.HANDLING, until)
    assert extended.data["from"]  # the date it replaced
    appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已修")
    appeal.refresh_from_db()
    fixed = last_event(appeal, move="report_fix")
    assert (fixed.due_field, fixed.due_at) == (DueField.RETURN_VISIT, appeal.return_visit_due_at)


def test_the_staff_timeline_shows_what_each_move_set(client, world, new_appeal, department):
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="refer", by=world.secretary_a1, department=department)
    referral = last_event(appeal, move="route_refer")
    client.force_login(world.staff_a)
    html = client.get(f"/admin/meetings/appeal/{appeal.pk}/change/").content.decode()
    timeline = html[html.index('id="staff-timeline"') :]
    assert f"部门： {department.name}" in timeline
    assert f"办理期限: {timezone.localtime(referral.due_at):%Y-%m-%d}" in timeline
