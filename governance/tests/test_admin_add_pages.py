"""Every admin add page saves a new object when it is posted back exactly as the page gives it
(every field, inline management forms and empty rows included), with only the required values
filled in, for every role that may open it.

ADD_PAGES says, per model, who may open its add page and what to type. An admin whose add
page opens for a persona not listed for it (a new admin, a role given a new right) fails
`test_every_add_page_a_user_may_open_is_listed`, so none goes untested."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from branches.tests.html_forms import read_form
from meetings.models import AppealCategory, EventKind, MeetingType, Source

PASSWORD = "Kein-Passwort-2025"

# One persona per role (conftest.py's `world`); A's community staff and A's first secretary.
PERSONAS = ("superuser", "town_user", "staff_a", "secretary_a1")


@dataclass(frozen=True)
class AddPage:
    roles: tuple[str, ...]  # the personas who may open the page
    fill: Callable  # world -> {field name on the page: value}, only what is required
    check: Callable = lambda obj, user: None  # what else the new object must show


def _user_check(new_user, by):
    assert new_user.check_password(PASSWORD)


def _appeal_check(appeal, user):
    # Entered by staff, it went through appeal_submit: a code, clocks, its first event.
    assert appeal.source == Source.PHONE  # the page's choice for a clerk
    assert appeal.code and appeal.next_due_at is not None
    event = appeal.events.get()
    assert (event.kind, event.actor) == (EventKind.SUBMITTED, user)


def _api_key_check(key, user):
    assert key.created_by == user and key.revoked_at is None
    assert key.prefix.startswith("o311_") and len(key.key_hash) == 64


def _meeting_check(meeting, user):
    assert meeting.created_by == user
    assert abs(meeting.held_at - timezone.now()) < timedelta(minutes=5)  # the page's "now"


def _incident_check(incident, user):
    # Recorded through incident_record: awaiting verification, by the clerk, with its event.
    assert incident.status == "pending" and incident.recorded_by == user
    assert incident.events.get().kind == "recorded"


STAFF = ("superuser", "staff_a", "secretary_a1")
ADD_PAGES: dict[str, AddPage] = {
    "branches.town": AddPage(("superuser",), lambda w: {"name": "新镇"}),
    "branches.community": AddPage(("superuser",), lambda w: {"town": w.town.pk, "name": "新社区"}),
    "branches.estate": AddPage(
        ("superuser", "staff_a"), lambda w: {"community": w.a.pk, "name": "新小区"}
    ),
    "branches.building": AddPage(STAFF, lambda w: {"estate": w.a_estate.pk, "name": "9栋"}),
    "branches.buildinggroup": AddPage(
        STAFF, lambda w: {"estate": w.a_estate.pk, "name": "第九党小组"}
    ),
    "branches.membercategory": AddPage(("superuser",), lambda w: {"name": "在职党员"}),
    "branches.member": AddPage(
        STAFF, lambda w: {"estate": w.a_estate.pk, "name": "李明", "category": w.category.pk}
    ),
    "auth.user": AddPage(
        ("superuser",),
        lambda w: {"username": "newclerk", "password1": PASSWORD, "password2": PASSWORD},
        check=_user_check,
    ),
    "meetings.appeal": AddPage(
        STAFF,
        lambda w: {
            "estate": w.a_estate.pk,
            "category": w.appeal_category.pk,
            "title": "电梯异响",
            "description": "2单元电梯运行时有异响。",
        },
        check=_appeal_check,
    ),
    "meetings.meeting": AddPage(
        STAFF,
        lambda w: {
            "type": MeetingType.PARTY_MASSES,
            "community": w.a.pk,
            "estate": w.a_estate.pk,  # a secretary must name its estate
        },
        check=_meeting_check,
    ),
    "meetings.appealcategory": AddPage(("superuser",), lambda w: {"name": "噪音扰民"}),
    # An Open311 key for a client system: issued through issue_key (a hash, who issued it).
    "meetings.apikey": AddPage(
        ("superuser",),
        lambda w: {"client": "12345热线", "community": w.a.pk},
        check=_api_key_check,
    ),
    "zeroindex.incident": AddPage(
        STAFF,
        lambda w: {
            "estate": w.a_estate.pk,
            "category": "pollution",
            "occurred_at_0": (timezone.localdate() - timedelta(days=1)).isoformat(),
            "occurred_at_1": "21:30",
            "description": "小区东门烧烤油烟扰民。",
        },
        check=_incident_check,
    ),
    "zeroindex.recordsstart": AddPage(
        ("superuser", "staff_a"), lambda w: {"estate": w.a_estate.pk, "month": "2025-01-01"}
    ),
    "meetings.department": AddPage(
        ("superuser",), lambda w: {"name": "县城管局", "level": "county"}
    ),
    # Who receives the year end's approved opinions, named by the town committee.
    "governance.yearendrecipient": AddPage(
        ("superuser", "town_user"),
        lambda w: {"kind": "performance_office", "name": "县绩效办", "emails": "kpb@example.cn"},
    ),
    # Suggestions are added on their round's page and tasks made from them there: the
    # round is the only add page of the survey.
    "zeroindex.surveyround": AddPage(
        STAFF,
        lambda w: {
            "estate": w.a_estate.pk,
            "title": "2026年居民大走访",
            "started_on": "2026-09-01",
            "ended_on": "2026-09-30",
            "residents_asked": "120",
        },
    ),
    # The Five Modernizations (issue 12)
    # a station opens through station_open (with the case's facilities); its session
    # through session_record; the kinds of service are the town's list
    # (A's first estate has its station already, `place`: its secretary may add none)
    "branches.servicestation": AddPage(
        ("superuser", "staff_a"),
        lambda w: {"estate": w.a_estate2.pk, "location": "2栋架空层", "opening_hours": "每天"},
        check=lambda station, user: station.facilities.count() == 8 or pytest.fail("facilities"),
    ),
    "branches.servicekind": AddPage(("superuser",), lambda w: {"name": "家电维修"}),
    "branches.volunteer": AddPage(STAFF, lambda w: {"estate": w.a_estate.pk, "name": "赵医生"}),
    "branches.servicesession": AddPage(
        STAFF,
        lambda w: {
            "station": w.station.pk,
            "facility": w.station.facilities.first().pk,
            "kind": w.service_kind.pk,
            "people_served": "12",
        },
        check=lambda session, user: session.recorded_by == user or pytest.fail("recorded_by"),
    ),
    # The kinds of regular meeting are a town's list (superusers edit it); a meeting is
    # saved with its attendance through org_meeting_record.
    "branches.orgmeetingkind": AddPage(
        ("superuser",), lambda w: {"name": "支部书记讲党课", "level": "branch", "every_months": 12}
    ),
    "branches.orgmeeting": AddPage(
        STAFF,
        lambda w: {
            "estate": w.a_estate.pk,
            "kind": apps.get_model("branches.OrgMeetingKind").objects.get(name="支部委员会会议").pk,
            "held_at_0": "2026-03-10",
            "held_at_1": "19:00",
            "topic": "支委会例会",
            "attendance-0-member": w.a_member.pk,
        },
    ),
    # A manual award: the ledger's add page (its hidden token is posted back as given).
    "branches.contributionentry": AddPage(
        STAFF,
        lambda w: {
            "member": w.a_member.pk,
            "points": "5",
            "reason": "组织义诊",
            "on": timezone.localdate().isoformat(),
        },
        check=lambda entry, user: (
            (
                entry.source == "manual"
                and entry.recorded_by == user
                and entry.key.startswith("manual:")
            )
            or pytest.fail("not a manual award by the clerk")
        ),
    ),
    # A group's commitment, made through commitment_add (with its reminder).
    "branches.commitment": AddPage(
        STAFF,
        lambda w: {
            "group": w.a_group.pk,
            "year": str(timezone.localdate().year),
            "text": "每周巡查楼道消防通道",
            "due_on": f"{timezone.localdate().year}-12-31",
        },
        check=lambda commitment, user: (
            commitment.remind_at is not None or pytest.fail("no reminder set")
        ),
    ),
    # opened through checklist_open: an entry per item in use
    "branches.checklist": AddPage(
        STAFF,
        lambda w: {"estate": w.a_estate.pk, "year": "2025"},
        check=lambda checklist, user: checklist.entries.exists() or pytest.fail("no entries"),
    ),
    # the template is a town's: only a superuser adds to it
    "branches.standarditem": AddPage(
        ("superuser",),
        lambda w: {"standard": "2", "name": "支部活动有照片存档", "max_score": "5"},
    ),
}


@pytest.fixture
def place(world):
    """The world, with an appeal category (seeded by a migration; a transactional test may
    have flushed it)."""
    world.appeal_category = AppealCategory.objects.get_or_create(name="物业管理")[0]
    # issue 12, stations: a station and a kind of service for the session's add page
    from branches.stations import station_open
    from branches.tests.stations_helpers import kind

    world.station = station_open(estate=world.a_estate, location="2栋", opening_hours="每天")
    world.service_kind = kind()
    return world


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def page_errors(html: str) -> str:
    """The messages of a page shown again, for the failure report."""
    found = re.findall(r'<(p|ul) class="error(?:note|list)[^"]*"[^>]*>(.*?)</\1>', html, re.S)
    texts = (unescape(re.sub(r"<[^>]+>", " ", text)) for _, text in found)
    return " | ".join(" ".join(text.split()) for text in texts)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_add_page_a_user_may_open_is_listed(place, client, persona):
    client.force_login(getattr(place, persona))
    opens = set()
    for model in admin.site._registry:
        status = client.get(add_url(model)).status_code
        assert status in (200, 403), f"{model._meta.label}: {status}"
        if status == 200:
            opens.add(model._meta.label_lower)
    listed = {label for label, page in ADD_PAGES.items() if persona in page.roles}
    assert opens == listed, f"opens but not listed: {opens - listed}; listed: {listed - opens}"


CASES = [(label, persona) for label, page in ADD_PAGES.items() for persona in page.roles]


@pytest.mark.parametrize(("label", "persona"), CASES)
def test_the_add_page_saves_a_new_object_as_given(place, client, label, persona):
    model = apps.get_model(label)
    user = getattr(place, persona)
    client.force_login(user)
    url = add_url(model)
    page = client.get(url)
    assert page.status_code == 200
    form = read_form(page.content.decode(), f"{model._meta.model_name}_form")
    values = ADD_PAGES[label].fill(place)
    for name, value in values.items():
        form.set(name, value)
    before = set(model._default_manager.values_list("pk", flat=True))

    response = client.post(url, form.data(submit="_save"))

    assert response.status_code == 302, page_errors(response.content.decode())
    assert client.get(response.url).status_code == 200  # where the clerk lands opens too
    new = model._default_manager.exclude(pk__in=before)
    assert new.count() == 1
    obj = new.get()
    fields = {f.name: f for f in model._meta.concrete_fields}
    for name, value in values.items():
        if name in fields:
            assert str(fields[name].value_from_object(obj)) == str(value), name
    ADD_PAGES[label].check(obj, user)
