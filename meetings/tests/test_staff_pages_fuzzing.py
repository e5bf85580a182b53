"""Whatever a logged-in clerk sends to the staff pages (list filters, searches, sort orders,
pages, the appeal actions, the meeting pages, the add and change forms), the answer is never a
server error, and nothing of another community shows up or changes.

Hypothesis draws the input; the examples are few so the suite stays quick (`make fuzz` sends
thousands of such requests to a real server). The NUL byte has a test of its own."""

import re
from html import unescape
from urllib.parse import parse_qsl

import pytest
from django.contrib import admin
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from branches.tests.html_forms import read_form
from meetings.admin.actions import ACTIONS
from meetings.models import Appeal, Meeting, MeetingType, Status


def few(n: int):
    """n examples, run inside one test's fixtures (the world is built once)."""
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])


HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "on",
    "yes",
    str(2**31),
    str(2**31 - 1),
    str(2**63),
    str(10**30),
    "١٢",  # Arabic-Indic digits
    "１３９１２３４５６７８",  # full-width digits
    "١٣٩١٢٣٤٥٦٧٨",
    "'; DROP TABLE meetings_appeal; --",
    "<script>alert(1)</script>",
    "%",
    "_",
    "\\",
    "a" * 5000,
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\u202e\u200b",
    "__proto__",
    "-pk",
    "id__gt",
]
# NUL is left out here: it is the subject of test_nul_in_list_filters_and_autocomplete below.
no_nul = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
junk = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=no_nul, max_size=60),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
values = st.one_of(junk, st.lists(junk, min_size=2, max_size=3))

# The query parameters every admin list reads, besides its own filters.
LIST_PARAMETERS = ["q", "o", "p", "e", "all", "_to_field", "_popup", "_facets", "pk__gt"]

# Another community's names: a clerk of community A never sees them, whatever they send.
B_TITLE = "金星花园的井盖松了"


def changelists() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


def filter_parameters(html: str) -> list[str]:
    """The query parameter names the list's own links use (its filters, its sort links)."""
    names = set()
    for query in re.findall(r'href="\?([^"#]*)"', html):
        names.update(name for name, _value in parse_qsl(unescape(query)))
    return sorted(names)


def b_markers(world) -> list[str]:
    return [world.b_estate.name, world.b_member.name, world.b_building.name, B_TITLE]


@pytest.fixture
def places(world, new_appeal, appeal_in, meeting):
    """An open appeal of each community, and a meeting of each, with the appeal on it."""
    world.a_appeal = appeal_in(Status.HEARING)
    world.b_appeal = new_appeal(estate=world.b_estate, building=world.b_building, title=B_TITLE)
    world.a_meeting = meeting(MeetingType.HEARING, world.a_appeal)
    world.a_forum = meeting(MeetingType.FORUM)
    world.b_meeting = Meeting.objects.create(
        type=MeetingType.PARTY_MASSES, community=world.b, estate=world.b_estate, place="金星"
    )
    world.b_meeting.agenda.add(world.b_appeal)
    return world


def b_untouched(world):
    """What community B had before A's clerk started sending things."""
    appeal = Appeal.objects.get(pk=world.b_appeal.pk)
    meeting = Meeting.objects.get(pk=world.b_meeting.pk)
    return (
        appeal.status,
        appeal.handler_id,
        appeal.events.count(),
        meeting.closed_at,
        sorted(meeting.agenda.values_list("pk", flat=True)),
        Appeal.objects.filter(estate__community=world.b).count(),
    )


def assert_no_server_error(response, what):
    assert response.status_code < 500, f"{response.status_code} for {what}"


@pytest.mark.parametrize("persona", ["staff_a", "secretary_a1", "superuser"])
def test_any_list_filter_search_order_and_page(client, places, persona):
    user = getattr(places, persona)
    client.force_login(user)
    parameters: dict[str, list[str]] = {}

    @few(12)
    @given(data=st.data())
    def check(data):
        url = data.draw(st.sampled_from(changelists()), label="list")
        if url not in parameters:
            page = client.get(url)
            assert_no_server_error(page, url)
            parameters[url] = filter_parameters(page.content.decode()) + LIST_PARAMETERS
        query = data.draw(
            st.dictionaries(st.sampled_from(parameters[url]), values, min_size=1, max_size=4),
            label="query",
        )
        response = client.get(url, query, follow=True)
        assert_no_server_error(response, (url, query))
        if persona in ("staff_a", "secretary_a1"):
            html = response.content.decode()
            assert not [name for name in b_markers(places) if name in html], (url, query)

    check()


@pytest.mark.parametrize("persona", ["staff_a", "secretary_a1"])
def test_any_appeal_action_input(client, places, persona):
    client.force_login(getattr(places, persona))
    before = b_untouched(places)

    @few(15)
    @given(data=st.data())
    def check(data):
        action = data.draw(st.sampled_from([*ACTIONS, "delete", "../change"]), label="action")
        target = data.draw(
            st.sampled_from(
                [str(places.a_appeal.pk), str(places.b_appeal.pk), "0", "x", str(2**63)]
            ),
            label="appeal",
        )
        fields = list(ACTIONS[action].form.base_fields) if action in ACTIONS else ["note"]
        body = data.draw(
            st.dictionaries(
                st.sampled_from([f"{action}-{name}" for name in fields] + ["csrfmiddlewaretoken"]),
                values,
                max_size=len(fields) + 1,
            ),
            label="body",
        )
        url = f"/admin/meetings/appeal/{target}/act/{action}/"
        assert_no_server_error(client.post(url, body), (url, body))
        assert b_untouched(places) == before

    check()


def meeting_bodies(world):
    """A meeting page's forms: an outcome, the forum's lines (counts too), the agenda."""
    appeal_ids = st.sampled_from(
        [str(world.a_appeal.pk), str(world.b_appeal.pk), "", "-1", str(2**63)]
    )
    outcome_fields = [
        f"o{world.a_appeal.pk}-hearing_vote-{name}"
        for name in ACTIONS["hearing_vote"].form.base_fields
    ]
    count = st.one_of(
        st.sampled_from(["0", "6", "50", "51", "1000", str(2**31), str(2**31 + 1), "-1", "x"]),
        st.integers(min_value=-(2**40), max_value=2**40).map(str),
    )
    forum_fields = [
        f"forum-{i}-{name}"
        for i in (0, 1, 49, 50, 1000)
        for name in ("title", "category", "building", "contact_name", "contact_phone")
    ]
    return {
        "outcome": st.fixed_dictionaries(
            {"appeal": appeal_ids, "outcome": st.sampled_from([*ACTIONS, "", "x"])},
            optional=dict.fromkeys(outcome_fields, values),
        ),
        "forum": st.fixed_dictionaries(
            {"forum-TOTAL_FORMS": count, "forum-INITIAL_FORMS": count},
            optional={
                "forum-MIN_NUM_FORMS": count,
                "forum-MAX_NUM_FORMS": count,
                **dict.fromkeys(forum_fields, values),
            },
        ),
        "agenda": st.fixed_dictionaries(
            {"appeals": st.lists(st.one_of(appeal_ids, junk), max_size=5)}
        ),
        "close": st.dictionaries(st.sampled_from(["minutes", "head_count"]), values),
        "change": st.dictionaries(
            st.sampled_from(
                ["place", "chair", "held_at_0", "held_at_1", "head_count", "minutes", "attendees"]
            ),
            values,
        ),
    }


@pytest.mark.parametrize("persona", ["staff_a", "secretary_a1"])
def test_any_meeting_page_input(client, places, persona):
    client.force_login(getattr(places, persona))
    before = b_untouched(places)
    bodies = meeting_bodies(places)

    @few(12)
    @given(data=st.data())
    def check(data):
        meeting = data.draw(
            st.sampled_from([places.a_meeting, places.a_forum, places.b_meeting]), label="meeting"
        )
        page = data.draw(st.sampled_from(sorted(bodies)), label="page")
        body = data.draw(bodies[page], label="body")
        url = reverse(f"admin:meetings_meeting_{page}", args=[meeting.pk])
        assert_no_server_error(client.post(url, body), (url, body))
        assert b_untouched(places) == before

    check()


def test_any_add_and_change_form_input(client, places):
    """Every add page, and the change pages with inline rows, posted back as the page gives
    them with some fields (formset counts too) replaced by hostile values."""
    client.force_login(places.superuser)
    pages = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        for model in admin.site._registry
    ] + [
        reverse("admin:branches_estate_change", args=[places.a_estate.pk]),
        reverse("admin:branches_buildinggroup_change", args=[places.a_group.pk]),
        reverse("admin:auth_user_change", args=[places.staff_b.pk]),
        reverse("admin:meetings_meeting_change", args=[places.a_forum.pk]),
    ]
    forms = {}
    for url in pages:
        page = client.get(url)
        if page.status_code == 403:  # nobody adds (the inbox's messages)
            continue
        html = page.content.decode()
        forms[url] = read_form(html, re.search(r'<form [^>]*id="(\w+_form)"', html)[1]).data()

    @few(15)
    @given(data=st.data())
    def check(data):
        url = data.draw(st.sampled_from(sorted(forms)), label="page")
        body = dict(forms[url])
        changed = data.draw(
            st.dictionaries(st.sampled_from(sorted(body)), values, min_size=1, max_size=3),
            label="changed",
        )
        body.update(changed)
        assert_no_server_error(client.post(url, body), (url, changed))

    check()


with_nul = st.tuples(st.text(alphabet=no_nul, max_size=10), st.text(max_size=10)).map(
    lambda parts: parts[0] + "\x00" + parts[1]
)


def test_nul_in_list_filters_and_autocomplete(client, places):
    client.force_login(places.superuser)

    @few(5)
    @given(
        where=st.sampled_from(
            [
                ("/admin/meetings/appeal/", "status__exact"),
                ("/admin/meetings/department/", "level__exact"),
                ("/admin/meetings/appeal/", "q"),
                ("/admin/branches/member/", "q"),
                ("/admin/autocomplete/", "term"),
            ]
        ),
        value=with_nul,
    )
    def check(where, value):
        url, name = where
        query = {name: value}
        if url == "/admin/autocomplete/":
            query.update(app_label="meetings", model_name="appeal", field_name="building")
        assert_no_server_error(client.get(url, query), (url, query))

    check()
