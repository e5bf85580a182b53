"""The daily digest is claimed per recipient before it is rendered, and rendered from counts
and the most overdue appeals: a sweep every five minutes renders nothing once the day's
digests exist, a sweep that loses the claim renders nothing, and a digest of many appeals
says how many and lists the 50 most overdue with a link to them all."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from meetings import messaging, reminders
from meetings.models import Notification
from meetings.services import appeal_reassign, appeal_report_fix, appeal_route

ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)


@pytest.fixture
def late(new_appeal):
    """Appeals filed `days` ago and never routed: late by `days` minus the routing time."""

    def make(n, *, days=30, **fields):
        now = timezone.now()
        return [
            new_appeal(title=f"逾期{i}", at=now - timedelta(days=days + i), **fields)
            for i in range(n)
        ]

    return make


def renders():
    return mock.patch.object(messaging, "_render", wraps=messaging._render)


@ALL_DAY
def test_a_second_sweep_the_same_day_renders_nothing(world, late):
    late(3)
    with renders() as first:
        assert reminders.sweep_digests() == 1  # the estate's secretary
    assert first.call_count == 1
    with renders() as again:
        assert reminders.sweep_digests() == 0
    assert again.call_count == 0


@ALL_DAY
def test_a_sweep_that_loses_the_claim_renders_nothing(world, late):
    late(2)
    real = reminders._user_digest
    calls = []

    def slower(*args, **kwargs):
        if not calls:
            calls.append(True)
            reminders.sweep_digests()  # another worker makes the digest in between
        return real(*args, **kwargs)

    with renders() as rendered, mock.patch.object(reminders, "_user_digest", side_effect=slower):
        assert reminders.sweep_digests() == 0
    assert rendered.call_count == 1  # the other worker's, only
    assert Notification.objects.filter(kind="digest").count() == 1


@ALL_DAY
def test_many_overdue_appeals_are_counted_and_the_most_overdue_listed(world, late):
    appeals = late(55)
    reminders.sweep_digests()
    digest = Notification.objects.get(kind="digest", user=world.secretary_a1)
    assert "55" in digest.subject
    listed = [a for a in appeals if a.display_code in digest.text]
    assert len(listed) == reminders.DIGEST_LIST_SIZE == 50
    assert set(listed) == set(appeals[5:])  # filed earliest: the most overdue
    assert "/admin/meetings/appeal/?queue=overdue" in digest.text


@ALL_DAY
def test_a_handlers_digest_links_to_their_own_overdue_appeals(world, late):
    (mine,) = late(1)
    appeal_reassign(appeal=mine, by=world.staff_a, handler=world.staff_a)
    reminders.sweep_digests()
    digest = Notification.objects.get(kind="digest", user=world.staff_a)
    assert f"?queue=overdue&handler__id__exact={world.staff_a.pk}" in digest.text
    assert mine.display_code in digest.text


@ALL_DAY
def test_plain_text_is_not_html_escaped(world, late):
    (appeal,) = late(1)
    type(appeal).objects.filter(pk=appeal.pk).update(title="水电&燃气 <急>")
    reminders.sweep_digests()
    digest = Notification.objects.get(kind="digest", user=world.secretary_a1)
    assert "水电&燃气 <急>" in digest.text
    assert "水电&amp;燃气 &lt;急&gt;" in digest.html  # the HTML part stays escaped


@ALL_DAY
def test_the_digest_counts_what_its_link_lists(client, world, late):
    appeals = late(3)
    visit_late = late(1, days=1)[0]  # a return visit late: its own queue, not in the digest
    appeal_route(appeal=visit_late, to="handle", by=world.secretary_a1)
    appeal_report_fix(
        appeal=visit_late,
        by=world.secretary_a1,
        public_note="已修",
        at=timezone.now() - timedelta(days=5),
    )
    reminders.sweep_digests()
    digest = Notification.objects.get(kind="digest", user=world.secretary_a1)
    link = re.search(r"http\S+", digest.text).group(0)
    client.force_login(world.secretary_a1)
    listed = client.get(link.removeprefix(settings.SITE_URL.rstrip("/"))).content.decode()
    codes = set(re.findall(r'class="font-monospace">(\w{4}-\w{4})<', listed))
    assert codes == {a.display_code for a in appeals}
    assert "3" in digest.subject
