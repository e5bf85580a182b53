"""The contribution ledger: a source counts once, a correction is a new entry that changes
the total, and the database refuses to change or remove an entry or a consent."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Sum

from branches.ledger import ledger_award, ledger_correct, ledger_withdraw, member_consent_set
from branches.models import ContributionEntry, ContributionRule, ContributionSource, MemberConsent
from branches.tests.factories import MemberFactory


def total(member):
    return ContributionEntry.objects.filter(member=member).aggregate(t=Sum("points"))["t"] or 0


@pytest.mark.django_db(transaction=True)
def test_a_live_test_that_wrote_the_ledger_is_flushed_and_the_ledger_stays_append_only():
    """Runs first: the flush after it must go through, and the next test finds the
    triggers back in place."""
    member = MemberFactory()
    ledger_award(member=member, source="session", key="session:1:member:1", on=date(2026, 5, 1))
    member_consent_set(member=member, given=True)
    assert total(member) == 2


@pytest.mark.django_db
def test_the_database_refuses_to_change_or_remove_an_entry():
    member = MemberFactory()
    entry = ledger_award(member=member, source="session", key="k1", on=date(2026, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionEntry.objects.filter(pk=entry.pk).update(points=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionEntry.objects.filter(pk=entry.pk).delete()
    member_consent_set(member=member, given=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberConsent.objects.filter(member=member).delete()
    assert total(member) == 2


@pytest.mark.django_db
def test_the_same_source_twice_counts_once():
    member = MemberFactory()
    first = ledger_award(member=member, source="session", key="session:7:member:1", on=date.today())
    again = ledger_award(member=member, source="session", key="session:7:member:1", on=date.today())
    assert first is not None and again is None
    assert total(member) == ContributionRule.objects.get(source="session").points == 2


@pytest.mark.django_db
def test_points_follow_the_rule_table():
    member = MemberFactory()
    ContributionRule.objects.filter(source="meeting").update(points=4)
    ledger_award(member=member, source="meeting", key="meeting:1:member:1", on=date.today())
    assert total(member) == 4
    ContributionRule.objects.filter(source="meeting").update(points=0)
    assert ledger_award(member=member, source="meeting", key="m:2", on=date.today()) is None


@pytest.mark.django_db
def test_a_correction_changes_the_total_and_keeps_the_entry():
    member = MemberFactory()
    entry = ledger_award(member=member, source="appeal", key="appeal:3:member:1", on=date.today())
    with pytest.raises(ValidationError):
        ledger_correct(entry=entry, points=-3, reason=" ")
    correction = ledger_correct(entry=entry, points=-3, reason="counted by mistake")
    assert correction.source == ContributionSource.CORRECTION and correction.corrects == entry
    assert total(member) == 0
    assert ContributionEntry.objects.filter(member=member).count() == 2


@pytest.mark.django_db
def test_a_withdrawal_cancels_its_entry_once():
    member = MemberFactory()
    ledger_award(member=member, source="session", key="session:9:member:1", on=date.today())
    ledger_withdraw(key="session:9:member:1", reason="not there")
    ledger_withdraw(key="session:9:member:1", reason="not there")
    assert total(member) == 0
    assert ledger_withdraw(key="never:counted", reason="x") is None


@pytest.mark.django_db
def test_a_manual_award_needs_its_reason():
    member = MemberFactory()
    with pytest.raises(ValidationError):
        ledger_award(member=member, source="manual", key="manual:1", on=date.today(), points=5)
    ledger_award(
        member=member, source="manual", key="manual:2", on=date.today(), points=5, reason="flood"
    )
    assert total(member) == 5


@pytest.mark.django_db
def test_consent_and_its_withdrawal_are_kept_with_their_dates():
    member = MemberFactory()
    member_consent_set(member=member, given=True, on=date(2026, 3, 1))
    member.refresh_from_db()
    assert member.card_consent_on == date(2026, 3, 1)
    member_consent_set(member=member, given=False, on=date(2026, 6, 1))
    member.refresh_from_db()
    assert member.card_consent_on is None
    assert list(member.consents.order_by("on").values_list("given", flat=True)) == [True, False]
    with pytest.raises(ProtectedError):
        member.delete()  # its consents are kept: the member cannot be removed under them
