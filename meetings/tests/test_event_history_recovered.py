"""The migration that gave events their typed fields fills them for the events written
before it, where the rows still say what the moves set."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("meetings", "0005_phone_call_label")]
AFTER = [("meetings", "0006_event_records_what_the_move_set")]


# Apps built on meetings' latest tables: unapplied while meetings is taken back.
ABOVE_MEETINGS = ("zeroindex", "governance")


def migrate(targets):
    """Migrate meetings to `targets`, the other apps staying at their latest (so the rows
    made in between fit today's tables), those above meetings unapplied."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] != "meetings" and node[0] not in ABOVE_MEETINGS
    ] + [(app, None) for app in ABOVE_MEETINGS]
    executor.migrate(targets + others)
    applied = [node for node in targets + others if node[1] is not None]
    return executor.loader.project_state(applied).apps


@pytest.mark.django_db(transaction=True)
def test_existing_events_get_department_handler_original_and_due_dates():
    old = migrate(BEFORE)
    try:
        User = old.get_model("auth", "User")
        Town, Community = old.get_model("branches", "Town"), old.get_model("branches", "Community")
        Estate = old.get_model("branches", "Estate")
        Category = old.get_model("meetings", "AppealCategory")
        Department = old.get_model("meetings", "Department")
        Appeal = old.get_model("meetings", "Appeal")
        Event = old.get_model("meetings", "AppealEvent")
        clerk = User.objects.create(username="clerk")
        other_clerk = User.objects.create(username="other-clerk")
        estate = Estate.objects.create(
            community=Community.objects.create(town=Town.objects.create(name="镇"), name="社区"),
            name="小区",
        )
        category = Category.objects.get_or_create(name="其他")[0]
        Department.objects.create(name="甲局", level="county")  # the first, forgotten
        second = Department.objects.create(name="乙局", level="county")
        t0 = timezone.now() - timedelta(days=30)
        appeal = Appeal.objects.create(
            code="WWWWWWW3",
            estate=estate,
            category=category,
            title="t",
            description="d",
            source="web_form",
            status="referred",
            department=second,
            handler=other_clerk,
            created_at=t0,
            response_due_at=t0 + timedelta(days=1),
            handling_due_at=t0 + timedelta(days=50),
        )
        original = Appeal.objects.create(
            code="WWWWWWW4",
            estate=estate,
            category=category,
            title="o",
            description="d",
            source="web_form",
            created_at=t0,
        )
        duplicate = Appeal.objects.create(
            code="WWWWWWW6",
            estate=estate,
            category=category,
            title="c",
            description="d",
            source="web_form",
            status="closed",
            closure_reason="duplicate",
            duplicate_of=original,
            created_at=t0,
        )

        def event(at_days, **fields):
            return Event.objects.create(
                appeal=fields.pop("appeal", appeal),
                created_at=t0 + timedelta(days=at_days),
                **fields,
            )

        submitted = event(0, kind="submitted", to_status="received")
        routed = event(
            1,
            kind="moved",
            move="route_refer",
            actor_id=clerk.pk,
            from_status="received",
            to_status="referred",
        )
        event(
            3,
            kind="moved",
            move="department_send_back",
            actor_id=clerk.pk,
            from_status="referred",
            to_status="reopened",
        )
        changed = event(
            4,
            kind="handler_changed",
            actor_id=clerk.pk,
            data={"from": clerk.pk, "to": other_clerk.pk, "name": "x"},
        )
        again = event(
            5,
            kind="moved",
            move="route_refer",
            actor_id=clerk.pk,
            from_status="reopened",
            to_status="referred",
        )
        until = t0 + timedelta(days=50)
        moved_to = {"field": "handling_due_at", "from": "x", "to": until.isoformat()}
        extended = event(6, kind="due_extended", actor_id=clerk.pk, data=moved_to)
        gone = User.objects.create(username="left-the-job")
        to_gone = event(7, appeal=duplicate, kind="handler_changed", data={"to": gone.pk})
        gone.delete()  # an account deleted since: its id stays in the old event's data
        closed = event(
            2,
            appeal=duplicate,
            kind="moved",
            move="close_duplicate",
            from_status="received",
            to_status="closed",
        )
    finally:
        migrate(AFTER)
        call_command("migrate", verbosity=0)  # and the rest, for the tests after this one

    from meetings.models import AppealEvent

    get = AppealEvent.objects.get
    assert get(pk=submitted.pk).due_at == t0 + timedelta(days=1)
    first_referral = get(pk=routed.pk)
    assert first_referral.handler_id == clerk.pk  # routing made the router the handler
    assert first_referral.department_id is None  # the first department is not on record
    assert first_referral.due_field == "handling_due_at"
    assert get(pk=changed.pk).handler_id == other_clerk.pk
    last_referral = get(pk=again.pk)
    assert (last_referral.department_id, last_referral.handler_id) == (second.pk, other_clerk.pk)
    recovered = get(pk=extended.pk)
    assert (recovered.due_field, recovered.due_at, recovered.data) == (
        "handling_due_at",
        until,
        {"from": "x"},
    )
    assert get(pk=closed.pk).original_id == original.pk
    assert get(pk=to_gone.pk).handler_id is None
