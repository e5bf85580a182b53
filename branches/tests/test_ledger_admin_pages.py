"""The ledger's staff pages: the scoped list with its filters and the total of the rows
shown; a manual award whose form sent twice counts once and whose bad input comes back with
what was typed; a correction the same; no edit and no delete of an entry; the rule table's
note and who may change it."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.ledger import ledger_award
from branches.models import ContributionEntry, ContributionRule

from .ledger_helpers import total

LIST = "admin:branches_contributionentry_changelist"
ADD = "admin:branches_contributionentry_add"


@pytest.fixture
def entries(world):
    today = timezone.localdate()
    a = ledger_award(member=world.a_member, source="session", key="session:1:member:a", on=today)
    a2 = ledger_award(member=world.a_member, source="appeal", key="appeal:1:member:a", on=today)
    b = ledger_award(member=world.b_member, source="session", key="session:1:member:b", on=today)
    return a, a2, b


def award_form(world, token, **changes):
    data = {
        "member": world.a_member.pk,
        "on": timezone.localdate().isoformat(),
        "points": "5",
        "reason": "组织义诊",
        "token": str(token),
    }
    data.update(changes)
    return data


def test_the_list_shows_the_scope_and_the_total_of_the_filtered_rows(client, world, entries):
    client.force_login(world.staff_a)
    page = client.get(reverse(LIST)).content.decode()
    assert world.a_member.name in page and world.b_member.name not in page
    filtered = client.get(reverse(LIST), {"member": world.a_member.pk, "source": "appeal"})
    text = filtered.content.decode()
    shown = re.search(r'id="ledger-total">(.*?)</p>', text, re.S).group(1)
    assert world.a_member.name in shown and "3" in shown  # the appeal's 3 points only
    outsider_member = client.get(reverse(LIST), {"member": world.b_member.pk})
    assert world.b_member.name not in outsider_member.content.decode()


def test_the_year_filter_keeps_that_year(client, world, entries):
    last_year = timezone.localdate().year - 1
    ledger_award(member=world.a_member, source="meeting", key="old", on=date(last_year, 6, 1))
    client.force_login(world.staff_a)
    page = client.get(reverse(LIST), {"year": str(last_year)})
    assert page.context["cl"].result_count == 1


def test_a_manual_award_sent_twice_counts_once(client, world):
    client.force_login(world.secretary_a1)
    token = uuid.uuid4()
    first = client.post(reverse(ADD), award_form(world, token))
    assert first.status_code == 302
    again = client.post(reverse(ADD), award_form(world, token))
    assert again.status_code == 302
    assert total(world.a_member) == 5
    entry = ContributionEntry.objects.get(member=world.a_member)
    assert (entry.source, entry.reason, entry.recorded_by) == (
        "manual",
        "组织义诊",
        world.secretary_a1,
    )
    # a new page gives a new token: a second award counts
    client.post(reverse(ADD), award_form(world, uuid.uuid4()))
    assert total(world.a_member) == 10


def test_the_add_page_gives_a_fresh_token_each_time(client, world):
    client.force_login(world.staff_a)
    tokens = {
        re.search(r'name="token" value="([^"]+)"', client.get(reverse(ADD)).content.decode()).group(
            1
        )
        for _ in range(2)
    }
    assert len(tokens) == 2


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"reason": "  "}, "This field is required"),
        ({"points": "0"}, "from 1 to"),
        ({"points": "5000"}, "from 1 to"),
        ({"on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "future"),
    ],
)
def test_bad_input_comes_back_with_what_was_typed(client, world, changes, message):
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    data = award_form(world, uuid.uuid4(), **changes)
    response = client.post(reverse(ADD), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert data["token"] in page  # the same token: the award stays one when sent again
    assert "组织义诊" in page or changes.get("reason")  # the reason typed is still there
    assert not ContributionEntry.objects.exists()


def test_an_award_to_a_member_out_of_scope_is_refused(client, world):
    client.force_login(world.staff_a)
    response = client.post(reverse(ADD), award_form(world, uuid.uuid4(), member=world.b_member.pk))
    assert response.status_code == 200
    assert not ContributionEntry.objects.exists()


def test_the_town_committee_reads_but_does_not_award_or_correct(client, world, entries):
    client.force_login(world.town_user)
    assert client.get(reverse(LIST)).status_code == 200
    assert client.get(reverse(ADD)).status_code == 403
    entry = entries[0]
    act = reverse("admin:branches_contributionentry_act", args=[entry.pk, "correct"])
    client.post(
        act, {"correct-points": "-2", "correct-reason": "x", "correct-token": str(uuid.uuid4())}
    )
    assert total(world.a_member) == 5


def test_an_entry_is_neither_changed_nor_deleted_from_the_admin(client, world, entries):
    entry = entries[0]
    client.force_login(world.staff_a)
    change = reverse("admin:branches_contributionentry_change", args=[entry.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    client.post(
        change, {"member": world.a_member.pk, "on": entry.on, "points": "99", "reason": "x"}
    )
    delete = reverse("admin:branches_contributionentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.points == 2 and total(world.a_member) == 5


def test_a_correction_sent_twice_counts_once_and_changes_the_total(client, world, entries):
    entry = entries[0]
    client.force_login(world.staff_a)
    act = reverse("admin:branches_contributionentry_act", args=[entry.pk, "correct"])
    data = {"correct-points": "-2", "correct-reason": "记错了", "correct-token": str(uuid.uuid4())}
    assert client.post(act, data).status_code == 302
    assert client.post(act, data).status_code == 302
    assert total(world.a_member) == 3
    correction = ContributionEntry.objects.get(corrects=entry)
    assert (correction.points, correction.reason) == (-2, "记错了")
    page = client.get(reverse("admin:branches_contributionentry_change", args=[entry.pk]))
    assert "记错了" in page.content.decode()


def test_a_correction_without_reason_comes_back_with_what_was_typed(client, world, entries):
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    act = reverse("admin:branches_contributionentry_act", args=[entries[0].pk, "correct"])
    response = client.post(
        act, {"correct-points": "-7", "correct-reason": " ", "correct-token": str(uuid.uuid4())}
    )
    assert response.status_code == 200
    assert 'value="-7"' in response.content.decode()
    assert total(world.a_member) == 5


def test_the_rule_table_says_changes_apply_to_new_entries_and_only_a_superuser_changes_it(
    client, world, entries
):
    client.cookies["django_language"] = "en"
    rule = ContributionRule.objects.get(source="session")
    change = reverse("admin:branches_contributionrule_change", args=[rule.pk])
    client.force_login(world.staff_a)
    listed = client.get(reverse("admin:branches_contributionrule_changelist"))
    assert "new entries only" in listed.content.decode()
    client.post(change, {"points": "9"})
    rule.refresh_from_db()
    assert rule.points == 2
    client.force_login(world.superuser)
    assert client.post(change, {"points": "9"}).status_code == 302
    ledger_award(member=world.a_member, source="session", key="session:2:member:a", on=date.today())
    assert total(world.a_member) == 5 + 9  # the old entries keep their points
