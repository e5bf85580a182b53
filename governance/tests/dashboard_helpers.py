"""A small hand-made month for the dashboard tests: appeals of community A in March 2025 (and
one in February, and one of B), taken by the real moves, backdated, so the roll-ups are kept
as in real use. The numbers each test expects are worked out in `march`'s docstring."""

import re
from datetime import timedelta

from meetings.api_keys import issue_key
from meetings.models import Meeting, MeetingType, Source
from meetings.services import (
    appeal_acknowledge,
    appeal_decline,
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
    appeal_submit,
)

from .yearend_helpers import local

PASSWORD = "pw-for-tests"


def filed(world, category, at, *, estate=None, phone="", source="web_form"):
    api_key = None
    if source == Source.API:  # another system files with its key, here one for the town
        api_key, _key = issue_key(client="县网格平台", town=world.town, by=world.superuser)
    return appeal_submit(
        estate=estate or world.a_estate,
        category=category,
        title="楼道灯坏了",
        description="3单元楼道灯一周没亮。",
        contact_name="张阿姨" if phone else "",
        contact_phone=phone,
        consent=bool(phone),
        source=source,
        api_key=api_key,
        at=at,
    )


def fixed(world, appeal, at):
    """Routed to be handled directly, at `at`, and fixed an hour later: in A's first estate
    by its secretary (a simple matter), elsewhere at a party–masses meeting by the
    community's staff."""
    if appeal.estate_id == world.a_estate.pk:
        by, meeting = world.secretary_a1, None
    else:
        by = world.staff_a if appeal.estate.community_id == world.a.pk else world.staff_b
        meeting = Meeting.objects.create(
            type=MeetingType.PARTY_MASSES,
            community=appeal.estate.community,
            estate=appeal.estate,
            held_at=at,
        )
        meeting.agenda.add(appeal)
    appeal_route(appeal=appeal, to="handle", by=by, meeting=meeting, at=at)
    appeal_report_fix(appeal=appeal, by=by, public_note="已修好", at=at + timedelta(hours=1))
    return appeal


def visited(world, appeal, at, *, reached=True, solved=True, satisfaction="satisfied"):
    return appeal_record_return_visit(
        appeal=appeal,
        by=world.staff_a if appeal.estate.community_id == world.a.pk else world.staff_b,
        channel="phone",
        reached=reached,
        solved=solved if reached else None,
        satisfaction=satisfaction if reached else "",
        at=at,
    )


def march(world, category):
    """Community A, March 2025 (the return visit is due 3 days after the fix, the
    acknowledgement 1 day after filing):

    a1 03-03 acknowledged after 2 h; fixed 03-04; visit 03-05: solved, satisfied (on time)
    a2 03-04 acknowledged after 3 days (late); fixed 03-05; visit 03-20: solved, basically
       satisfied (late)
    a3 03-05 never acknowledged; fixed 03-06; visit 03-07: not solved, dissatisfied (on
       time) → reopened
    a4 03-06 acknowledged after 1 h; declined by the secretary 03-07
    a5 03-07 the same telephone and category as a1: a repeat; left alone (overdue now)
    a6 03-08 fixed 03-09; visit 03-10: not reached (on time); stays resolved

    received 6; acknowledged in time 2 (a1, a4): response rate 2/6;
    visits 4, reached 3, solved 2: resolution rate 2/3;
    satisfaction answered 3: satisfied 1 + basically 1: 2/3 (1/3 without "basically");
    on time 3 of 4; reopened 1; declined 1; not reached 1; repeat 1;
    overdue now: a5 (received, past its deadline), a3 (reopened, past its routing date) and
    February's appeal (acknowledged, never routed): 3.

    February 2025 (the previous month): one appeal, acknowledged after 1 h, never routed:
    received 1, response 1/1, no return visit (resolution and satisfaction "—").
    B, March 2025: one appeal, never acknowledged (counts for the town, never for A)."""
    a1 = filed(world, category, local(2025, 3, 3), phone="13900000001")
    appeal_acknowledge(appeal=a1, by=world.staff_a, at=local(2025, 3, 3, 12))
    fixed(world, a1, local(2025, 3, 4))
    visited(world, a1, local(2025, 3, 5), satisfaction="satisfied")

    a2 = filed(world, category, local(2025, 3, 4))
    appeal_acknowledge(appeal=a2, by=world.staff_a, at=local(2025, 3, 7))
    fixed(world, a2, local(2025, 3, 5, 12))
    visited(world, a2, local(2025, 3, 20), satisfaction="basically_satisfied")

    a3 = filed(world, category, local(2025, 3, 5))
    fixed(world, a3, local(2025, 3, 6))
    visited(world, a3, local(2025, 3, 7), solved=False, satisfaction="dissatisfied")

    a4 = filed(world, category, local(2025, 3, 6))
    appeal_acknowledge(appeal=a4, by=world.staff_a, at=local(2025, 3, 6, 11))
    appeal_decline(appeal=a4, by=world.secretary_a1, reason="不属于社区职责", at=local(2025, 3, 7))

    filed(world, category, local(2025, 3, 7), phone="13900000001")  # a5

    a6 = filed(world, category, local(2025, 3, 8))
    fixed(world, a6, local(2025, 3, 9))
    visited(world, a6, local(2025, 3, 10), reached=False)

    february = filed(world, category, local(2025, 2, 10))
    appeal_acknowledge(appeal=february, by=world.staff_a, at=local(2025, 2, 10, 11))

    filed(world, category, local(2025, 3, 12), estate=world.b_estate)


def figure(html: str, key: str, part: str = "figure-value") -> str:
    """The text of a headline figure on the page: its value ("figure-value"), the previous
    period's ("previous-value") or its detail ("figure-detail")."""
    start = html.index(f'id="figure-{key}"')
    end = html.find('class="dash-figure"', start)
    card = html[start : end if end > 0 else None]
    found = re.search(rf'class="dash-{part}">([^<]*)<', card)
    assert found, f"figure {key} has no {part}"
    return found.group(1).strip()


def table_rows(html: str, name: str) -> list[list[str]]:
    """The body rows of one of the page's tables, each cell's text."""
    table = re.search(rf'<table[^>]*id="table-{name}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert table, f"no table {name} on the page"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def in_english(client):
    """The client reads the pages in English (the tests look for English words)."""
    client.cookies["django_language"] = "en"
    return client


def graded(year: int, department: str, grade: str, score: str):
    """A department's evaluation for `year`, as the year end drafts it."""
    from governance.models import DepartmentEvaluation
    from meetings.models import Department

    return DepartmentEvaluation.objects.create(
        department=Department.objects.get_or_create(name=department, defaults={"level": "county"})[
            0
        ],
        year=year,
        grade=grade,
        score=score,
    )
