"""Reads of appeals and meetings that pages, the admin, tasks and the coming dashboard
share, each a function of what it returns (and of the user, for scope). Views and admin
methods call these; none builds the same filter twice."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection, connections
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, StrIndex, TruncMonth, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Building, Estate
from branches.phones import MAINLAND_MOBILE, normalize_mobile

from .models import (
    OPEN_STATUSES,
    Appeal,
    AppealCategory,
    AppealEvent,
    ClosureReason,
    Department,
    EventKind,
    Meeting,
    MeetingType,
    Notification,
    ReturnVisit,
    ReviewScore,
    Satisfaction,
    Status,
)
from .rollup_models import StatusDay, StatusDuration
from .rollups import rollup_columns
from .scope import appeals_for, meetings_for
from .tracking import normalize_code

# What a resident reads for each status.
PUBLIC_STATUS = {
    Status.RECEIVED: _("Received: the branch will discuss it"),
    Status.COORDINATING: _("Being settled at a coordination meeting"),
    Status.HEARING: _("To be decided at a public hearing"),
    Status.REFERRED: _("Passed to the responsible department"),
    Status.IN_PROGRESS: _("Being handled"),
    Status.RESOLVED: _("Fixed: please tell us whether it is solved"),
    Status.REOPENED: _("Reopened: being looked at again"),
}
CLOSED_REASON = {
    "solved": _("Closed: solved"),
    "declined": _("Closed: declined"),
    "duplicate": _("Closed: handled together with another appeal"),
    "withdrawn": _("Closed: withdrawn by you"),
    "unreachable": _("Closed: we could not reach you after it was fixed"),
}
NEXT_STEP = {
    Status.RECEIVED: _("to be discussed and routed"),
    Status.REOPENED: _("to be discussed and routed"),
    Status.COORDINATING: _("to be handled"),
    Status.HEARING: _("to be handled"),
    Status.REFERRED: _("to be handled"),
    Status.IN_PROGRESS: _("to be handled"),
    Status.RESOLVED: _("return visit"),
}


def public_status(appeal: Appeal) -> str:
    if appeal.status == Status.CLOSED:
        return str(CLOSED_REASON.get(appeal.closure_reason, _("Closed")))
    return str(PUBLIC_STATUS[appeal.status])


def appeal_by_code(text: str) -> Appeal | None:
    code = normalize_code(text)
    if code is None:
        return None
    return Appeal.objects.select_related("estate", "building", "category").filter(code=code).first()


@dataclass(frozen=True)
class PublicChoices:
    """What the public form offers, as plain text: no model instances, ids as the page
    writes them, and the names in both languages (the page picks its own), so one copy
    serves every page."""

    estates: tuple[tuple[str, str], ...]  # (id, "community · estate")
    buildings: tuple[tuple[str, str, str], ...]  # (id, estate id, name)
    categories: tuple[tuple[str, str, str], ...]  # (id, Chinese name, English name or "")


# How long a server process reuses its copy of the form's choices. A per-process copy with
# a short life, not the shared cache: it costs a page nothing (no Redis round trip, nothing
# to unpickle), works with Redis down, needs no invalidation (a new estate shows within a
# minute in every process) and holds no text in one language. Residents' choices are still
# checked against the database when the form is sent.
PUBLIC_CHOICES_SECONDS = 60
_clock = monotonic
_public_choices: dict = {}


def public_form_choices() -> PublicChoices:
    """The estates (by community), their buildings and the active categories of the public
    form: three small queries at most once a minute per process."""
    now = _clock()
    until, kept = _public_choices.get("copy", (0.0, None))
    if kept is not None and now < until:
        return kept
    estates = Estate.objects.order_by("community__name", "name").values_list(
        "pk", "community__name", "name"
    )
    buildings = Building.objects.order_by("estate_id", "name").values_list(
        "pk", "estate_id", "name"
    )
    categories = AppealCategory.objects.filter(active=True).values_list("pk", "name", "name_en")
    copy = PublicChoices(
        estates=tuple((str(pk), f"{community} · {name}") for pk, community, name in estates),
        buildings=tuple((str(pk), str(estate), name) for pk, estate, name in buildings),
        categories=tuple((str(pk), name, name_en) for pk, name, name_en in categories),
    )
    # One assignment: a thread never sees a new copy with an old deadline, or the reverse.
    _public_choices["copy"] = (now + PUBLIC_CHOICES_SECONDS, copy)
    return copy


def public_form_choices_forget() -> None:
    """Read the choices afresh on the next page (for tests)."""
    _public_choices.clear()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    stage: str
    note: str
    meeting: str
    vote: dict | None


def _stage(event: AppealEvent) -> str:
    if event.to_status == Status.CLOSED and event.move in MOVE_STAGE:
        return str(CLOSED_REASON[MOVE_STAGE[event.move]])
    if event.kind == EventKind.SUBMITTED:
        return str(_("Appeal received"))
    if event.kind == EventKind.ACKNOWLEDGED:
        return str(_("Acknowledged by the community"))
    if event.kind == EventKind.AGENDA:
        return str(_("Put on a meeting's agenda"))
    if event.kind == EventKind.HEARING_VOTE:
        return str(_("Hearing: no quorum, to be heard again"))
    if event.kind == EventKind.RETURN_VISIT:
        return str(_("Return visit: we could not reach you"))
    if event.kind == EventKind.DUE_EXTENDED:
        return str(_("Due date extended"))
    return str(PUBLIC_STATUS.get(event.to_status, event.get_to_status_display()))


MOVE_STAGE = {
    "decline": "declined",
    "hearing_rejected": "declined",
    "close_duplicate": "duplicate",
    "withdraw": "withdrawn",
    "visit_solved": "solved",
    "unreachable": "unreachable",
}


def public_timeline(appeal: Appeal) -> list[TimelineEntry]:
    """The events a resident may read: dates, stages, the notes staff wrote for residents,
    the meetings and hearing results. Never internal notes, names of staff or contacts."""
    events = (
        AppealEvent.objects.filter(appeal=appeal)
        .exclude(kind=EventKind.HANDLER_CHANGED)
        .select_related("meeting")
        .order_by("created_at", "pk")
    )
    entries = []
    for event in events:
        stage = _stage(event)
        vote = None
        if "for" in event.data and "present" in event.data:
            vote = {k: event.data[k] for k in ("eligible", "present", "for", "against", "abstain")}
            vote["passed"] = event.data.get("passed", False)
            vote["quorum"] = event.data.get("quorum", False)
        entries.append(
            TimelineEntry(
                at=event.created_at,
                stage=stage,
                note=event.public_note,
                meeting=event.meeting.get_type_display() if event.meeting_id else "",
                vote=vote,
            )
        )
    return entries


# --- A meeting's place: its estate, or its whole community --------------------------------


def _of_meeting_place(meeting: Meeting, estate_field: str = "estate") -> Q:
    if meeting.estate_id:
        return Q(**{estate_field: meeting.estate_id})
    return Q(**{f"{estate_field}__community": meeting.community_id})


def appeals_of_meeting_place(*, meeting: Meeting) -> QuerySet[Appeal]:
    """Every appeal of the estate (or community) the meeting is held for."""
    return Appeal.objects.filter(_of_meeting_place(meeting))


def buildings_of_meeting_place(*, meeting: Meeting) -> QuerySet[Building]:
    return Building.objects.filter(_of_meeting_place(meeting)).select_related("estate")


def appeals_for_agenda(*, meeting: Meeting, user, limit: int = 200) -> QuerySet[Appeal]:
    """Open appeals of the meeting's place, in the user's scope, not yet on its agenda."""
    return (
        appeals_for(user)
        .filter(_of_meeting_place(meeting), status__in=OPEN_STATUSES)
        .exclude(meetings=meeting)
        .order_by("-pk")[:limit]
    )


def meetings_for_agenda(*, appeal: Appeal | None, user) -> QuerySet[Meeting]:
    """Open meetings (forums register their own) whose place holds the appeal."""
    if appeal is None:
        return Meeting.objects.none()
    return (
        meetings_for(user)
        .filter(closed_at__isnull=True, community=appeal.estate.community_id)
        .filter(Q(estate__isnull=True) | Q(estate=appeal.estate_id))
        .exclude(type=MeetingType.FORUM)
        .order_by("-held_at")
    )


def active_departments() -> QuerySet[Department]:
    """The departments appeals may be referred to (inactive ones keep their history)."""
    return Department.objects.filter(active=True)


def agenda_of(*, meeting: Meeting) -> QuerySet[Appeal]:
    return meeting.agenda.select_related("estate", "category").order_by("pk")


def _dissatisfied(since: datetime | None = None) -> Q:
    """Closed as solved, the resident dissatisfied (at a return visit since `since`)."""
    visits = ReturnVisit.objects.filter(satisfaction=Satisfaction.DISSATISFIED)
    if since is not None:
        visits = visits.filter(created_at__gte=since)
    return Q(
        status=Status.CLOSED, closure_reason=ClosureReason.SOLVED, pk__in=visits.values("appeal")
    )


def dissatisfied_since_last_meeting(*, meeting: Meeting) -> QuerySet[Appeal]:
    """Appeals of the meeting's place closed as solved whose resident was dissatisfied, since
    the previous party–masses meeting there: the branch looks at them again."""
    previous = (
        Meeting.objects.filter(
            type=MeetingType.PARTY_MASSES,
            community=meeting.community_id,
            estate=meeting.estate_id,
            held_at__lt=meeting.held_at,
        )
        .order_by("-held_at")
        .values_list("held_at", flat=True)
        .first()
    )
    appeals = appeals_of_meeting_place(meeting=meeting).filter(
        _dissatisfied(), closed_at__lte=meeting.held_at
    )
    if previous:
        appeals = appeals.filter(closed_at__gt=previous)
    return appeals.select_related("estate", "category").order_by("-closed_at")


# --- An appeal's page -------------------------------------------------------------------


def appeal_timeline(*, appeal: Appeal) -> QuerySet[AppealEvent]:
    """Every event of an appeal, for staff: who, when, what it set, at which meeting."""
    return appeal.events.select_related(
        "actor", "meeting", "department", "handler", "original"
    ).order_by("created_at", "pk")


def meetings_of_appeal(*, appeal: Appeal) -> QuerySet[Meeting]:
    return appeal.meetings.select_related("estate", "community").order_by("-held_at")


# --- The staff's work queue -------------------------------------------------------------

DISSATISFIED_DAYS = 30


def _end_of_today(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time()))


# Late at a step staff work on: acknowledging, routing, handling. A late return visit is its
# own queue (and has its own reminders).
OVERDUE_STATUSES = [s for s in OPEN_STATUSES if s != Status.RESOLVED]


def overdue_filter(now: datetime) -> Q:
    return Q(next_due_at__lt=now, status__in=OVERDUE_STATUSES)


def work_queue_filter(queue: str, *, user, now: datetime) -> Q | None:
    """The filter of one work queue (None: no such queue)."""
    if queue == "new":
        return Q(status__in=OPEN_STATUSES, acknowledged_at__isnull=True)
    if queue == "to_route":
        return Q(status__in=[Status.RECEIVED, Status.REOPENED])
    if queue == "overdue":
        return overdue_filter(now)
    if queue == "visits_due":
        return Q(status=Status.RESOLVED, return_visit_due_at__lt=_end_of_today(now))
    if queue == "dissatisfied":
        return _dissatisfied(since=now - timedelta(days=DISSATISFIED_DAYS))
    if queue == "mine":
        return Q(handler=user.pk, status__in=OPEN_STATUSES)
    return None


WORK_QUEUES = [
    ("new", _("New, not yet acknowledged")),
    ("to_route", _("Waiting to be routed")),
    ("overdue", _("Overdue")),
    ("visits_due", _("Return visits due today or late")),
    ("dissatisfied", _("Solved but dissatisfied (last 30 days)")),
    ("mine", _("My open appeals")),
]


def appeals_in_queue(*, user, queue: str, now: datetime | None = None) -> QuerySet[Appeal]:
    condition = work_queue_filter(queue, user=user, now=now or timezone.now())
    if condition is None:
        return Appeal.objects.none()
    return appeals_for(user).filter(condition)


@dataclass(frozen=True)
class QueueCount:
    queue: str
    label: str
    count: int
    more: bool  # more than `count` (counting stops at the cap)


def work_queue(*, user, now: datetime | None = None, cap: int = 2_000) -> list[QueueCount]:
    """How many appeals wait in each of the user's queues (one capped count each: a
    constant number of queries, none of which counts a million rows)."""
    now = now or timezone.now()
    counts = []
    for queue, label in WORK_QUEUES:
        n = appeals_in_queue(user=user, queue=queue, now=now).order_by()[: cap + 1].count()
        counts.append(QueueCount(queue, str(label), min(n, cap), n > cap))
    return counts


# --- Messages ---------------------------------------------------------------------------


def unread_message_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Undelivered:
    """E-mails or text messages of one kind and channel, due before a time and not sent:
    `n` in all, `given_up` of them after NOTIFICATION_MAX_ATTEMPTS tries."""

    kind: str
    channel: str
    n: int
    given_up: int


def messages_undelivered(*, due_before: datetime) -> list[Undelivered]:
    """The e-mails and texts that should have gone out before `due_before` and have not, per
    kind and channel, in one grouped query over the undelivered messages' partial index."""
    rows = (
        Notification.objects.filter(
            delivered_at__isnull=True,
            channel__in=[Notification.Channel.EMAIL, Notification.Channel.SMS],
            deliver_after__lt=due_before,
        )
        .order_by("kind", "channel")
        .values_list("kind", "channel")
        .annotate(
            n=Count("pk"),
            given_up=Count("pk", filter=Q(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS)),
        )
    )
    return [Undelivered(*row) for row in rows]


def messages_by_kind(*, ids) -> dict[str, int]:
    """How many of these messages there are of each kind, in one grouped query."""
    rows = (
        Notification.objects.filter(pk__in=ids)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


# --- The year end: what became of each department's referrals --------------------------


@dataclass(frozen=True)
class ReferralOutcome:
    """A department's referrals in a year and what became of them (see referral_outcomes)."""

    referrals: int
    solved_on_time: int
    visits: int
    satisfied: int


# "Satisfied" in the satisfaction rate, as in the 12345-hotline practice: satisfied or
# basically satisfied, of the residents who answered.
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
_NEVER = datetime(3000, 1, 1, tzinfo=UTC)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of `year` and of the next, in local time (TIME_ZONE)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def referral_outcomes(*, year: int) -> dict[int, ReferralOutcome]:
    """For every department referred an appeal in `year` (local time), by department id:
    its referrals, those solved by their due date, and the return visits that answered for
    them, and how many of those were satisfied. One query; the database judges each referral
    on its own:

    - A **referral** is an AppealEvent with `department` set (route_refer,
      coordination_refer, refer), made in the year. An appeal referred to two departments, or
      twice to one, counts once per referral.
    - A referral is **current** from its event until the appeal's next event (by time, then
      id) that is another referral or a move to "reopened" (the department sent it back, or
      the return visit found it not solved); with neither, until now.
    - It is **solved by its due date** when, while it was current, the fix was reported
      (the first `report_fix` event after the referral) at or before the `due_at` its referral
      event set (an extension granted later does not move it; a referral without a due date
      counts any fix), and the return visit did not find it unsolved (a `visit_not_solved`
      that ended the referral). A referral sent back is not solved by that department.
    - Its **return visit** is the first ReturnVisit of the appeal that reached the resident
      after that fix and no later than the end of the referral; it is **satisfied** when the
      resident was satisfied or basically satisfied. A fix without an answered visit yet adds
      no visit.
    - Outcomes are read from the history as it is now: a referral of late December fixed in
      January counts as fixed (by its due date or not). The year picks referrals, not fixes.
    """
    start, end = year_bounds(year)
    adapt = connection.ops.adapt_datetimefield_value
    events, visits = AppealEvent._meta.db_table, ReturnVisit._meta.db_table
    # The appeal's events after event r, in the order of its history (time, then id).
    later = (
        "n.appeal_id = r.appeal_id AND n.created_at >= r.created_at"
        " AND (n.created_at, n.id) > (r.created_at, r.id)"
    )
    # Each look-up once per referral, in three materialised steps: written as one Django
    # query, every annotation was repeated wherever another one used it (the end of a
    # referral five times, its fix three times, its visit twice): 4.5 s for the 60,000
    # referrals of a year at a million appeals, 0.9 s so (docs/benchmarks.md).
    sql = f"""
        WITH referral AS MATERIALIZED (
            SELECT r.id, r.appeal_id, r.department_id, r.created_at, r.due_at,
                   COALESCE((SELECT n.created_at FROM {events} n
                             WHERE {later}
                               AND (n.department_id IS NOT NULL OR n.to_status = %s)
                             ORDER BY n.created_at, n.id LIMIT 1), %s) AS ended_at
            FROM {events} r
            WHERE r.department_id IS NOT NULL AND r.created_at >= %s AND r.created_at < %s
        ), fixed AS MATERIALIZED (
            SELECT r.*,
                   (SELECT n.created_at FROM {events} n
                    WHERE {later} AND n.move = %s AND n.created_at < r.ended_at
                    ORDER BY n.created_at, n.id LIMIT 1) AS fix_at,
                   EXISTS (SELECT 1 FROM {events} n
                           WHERE {later} AND n.move = %s AND n.created_at <= r.ended_at)
                       AS rejected
            FROM referral r
        ), judged AS MATERIALIZED (
            SELECT f.department_id,
                   CASE WHEN f.fix_at IS NOT NULL AND NOT f.rejected
                             AND f.fix_at <= COALESCE(f.due_at, %s) THEN 1 ELSE 0 END
                       AS on_time,
                   (SELECT v.satisfaction FROM {visits} v
                    WHERE v.appeal_id = f.appeal_id AND v.reached
                      AND v.created_at > f.fix_at AND v.created_at <= f.ended_at
                    ORDER BY v.created_at, v.id LIMIT 1) AS visit
            FROM fixed f
        )
        SELECT department_id, COUNT(*), SUM(on_time), COUNT(visit),
               SUM(CASE WHEN visit IN (%s, %s) THEN 1 ELSE 0 END)
        FROM judged
        GROUP BY department_id
    """
    never = adapt(_NEVER)
    params = [
        Status.REOPENED,
        never,
        adapt(start),
        adapt(end),
        "report_fix",
        "visit_not_solved",
        never,
        *SATISFIED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        department: ReferralOutcome(
            referrals=referrals,
            solved_on_time=solved_on_time or 0,
            visits=visits_answered,
            satisfied=satisfied or 0,
        )
        for department, referrals, solved_on_time, visits_answered, satisfied in rows
    }


# --- Department review scores -----------------------------------------------------------


def representatives_of(meeting: Meeting) -> list[str]:
    """The resident representatives named in a meeting's list: one per line, trimmed (also of
    full-width spaces), blank lines and repeats left out, in the list's order."""
    names = []
    for line in meeting.resident_representatives.splitlines():
        name = line.strip()
        if name and name not in names:
            names.append(name[:50])
    return names


@dataclass(frozen=True)
class Reviewer:
    """One line of a department's score sheet: a party member among the meeting's attendees
    or a representative from its list, with the scores already entered (if any)."""

    key: str  # "m<pk>" for a member, "r:<name>" for a representative
    name: str
    member_id: int | None
    representative: str
    score: ReviewScore | None

    @property
    def is_member(self) -> bool:
        return self.member_id is not None


def reviewer_key(*, member_id: int | None = None, representative: str = "") -> str:
    return f"m{member_id}" if member_id is not None else f"r:{representative}"


def review_sheet(*, meeting: Meeting, department: Department) -> list[Reviewer]:
    """The reviewers of a department at a review meeting (attending members by name, then
    the representatives in the list's order), each with their current scores: two queries."""
    scores = {
        reviewer_key(member_id=s.member_id, representative=s.representative): s
        for s in ReviewScore.objects.filter(meeting=meeting, department=department)
    }
    rows = [
        Reviewer(key, name, pk, "", scores.get(key))
        for pk, name in meeting.attendees.order_by("name", "pk").values_list("pk", "name")
        for key in [reviewer_key(member_id=pk)]
    ]
    rows += [
        Reviewer(key, name, None, name, scores.get(key))
        for name in representatives_of(meeting)
        for key in [reviewer_key(representative=name)]
    ]
    return rows


@dataclass(frozen=True)
class ReviewMean:
    """A department's review figures: how many reviewers scored it and the means (0–100)."""

    department_id: int
    reviewers: int
    attitude: float
    efficiency: float
    results: float
    mean: float  # of the three criteria together (each reviewer's three scores averaged)
    total: int = 0  # the sum of all three scores of all reviewers (exact arithmetic from it)


def review_means(
    *,
    meeting: Meeting | None = None,
    year: int | None = None,
    departments=None,
) -> dict[int, ReviewMean]:
    """Each department's review figures, by department id, computed by the database in one
    query (Count and Avg), for one meeting or for one calendar year (the meetings held in it,
    in local time: Asia/Shanghai), or both. `departments` (ids or a queryset) narrows it.
    A department nobody scored is absent from the answer, not zero.

    The year end calls `review_means(year=2025)`: every department review meeting of the
    town held in 2025 counts, closed or not, and a reviewer who scored a department at two
    meetings counts twice."""
    if meeting is None and year is None:
        raise ValueError("review_means needs a meeting or a year")
    scores = ReviewScore.objects.all()
    if meeting is not None:
        scores = scores.filter(meeting=meeting)
    if year is not None:
        start, end = year_bounds(year)  # the site's local year, whoever is asking
        scores = scores.filter(
            meeting__type=MeetingType.DEPARTMENT_REVIEW,
            meeting__held_at__gte=start,
            meeting__held_at__lt=end,
        )
    if departments is not None:
        scores = scores.filter(department__in=departments)
    as_float = {"output_field": FloatField()}
    rows = (
        scores.order_by()
        .values("department")
        .annotate(
            reviewers=Count("pk"),
            attitude_mean=Avg(Cast("attitude", FloatField())),
            efficiency_mean=Avg(Cast("efficiency", FloatField())),
            results_mean=Avg(Cast("results", FloatField())),
            overall=Avg(
                Cast(F("attitude") + F("efficiency") + F("results"), FloatField()) / 3.0,
                **as_float,
            ),
            total=Sum(F("attitude") + F("efficiency") + F("results")),
        )
    )
    return {
        row["department"]: ReviewMean(
            department_id=row["department"],
            reviewers=row["reviewers"],
            attitude=row["attitude_mean"],
            efficiency=row["efficiency_mean"],
            results=row["results_mean"],
            mean=row["overall"],
            total=row["total"] or 0,
        )
        for row in rows
    }


# --- The year end: each estate's appeals and meetings in a year (its annual report) -------


@dataclass(frozen=True)
class EstateYearFigures:
    """One estate's appeals of a year (see estate_year_figures)."""

    received: int = 0
    solved: int = 0
    acknowledged_in_time: int = 0
    overdue: int = 0
    unsolved: int = 0
    visits: int = 0
    visits_answered: int = 0
    visits_satisfied: int = 0
    dissatisfied: int = 0


def estate_year_figures(
    *, year: int, estate_ids: list[int], now: datetime | None = None
) -> dict[int, EstateYearFigures]:
    """By estate id, its appeals of `year` (local time) in two grouped queries, whatever the
    number of estates and appeals. An estate with no appeal is missing (read it as zeros).

    - **received**: appeals made in the year, less those closed as duplicates of another
      (counted once, on the original);
    - **solved**: of those, closed as solved;
    - **acknowledged in time**: acknowledged no later than their response due time
      (created + APPEAL_RESPONSE_DAYS, as set when the appeal came in);
    - **overdue** (as at `now`): still open at a step staff work on and past its due time;
    - **unsolved** (as at `now`): not closed (still being handled, or awaiting the visit);
    - **visits**: return visits made to those appeals (each attempt); **answered**: those
      that reached the resident; **satisfied**: answered satisfied or basically satisfied;
    - **dissatisfied**: appeals with at least one answered visit that was dissatisfied.
    """
    now = now or timezone.now()
    start, end = year_bounds(year)
    of_year = Q(estate_id__in=estate_ids, created_at__gte=start, created_at__lt=end) & ~Q(
        closure_reason=ClosureReason.DUPLICATE
    )
    appeals = (
        Appeal.objects.filter(of_year)
        .values("estate_id")
        .annotate(
            received=Count("pk"),
            solved=Count("pk", filter=Q(closure_reason=ClosureReason.SOLVED)),
            acknowledged_in_time=Count(
                "pk",
                filter=Q(acknowledged_at__isnull=False, response_due_at__isnull=False)
                & Q(acknowledged_at__lte=F("response_due_at")),
            ),
            overdue=Count("pk", filter=overdue_filter(now)),
            unsolved=Count("pk", filter=~Q(status=Status.CLOSED)),
        )
        .order_by()
    )
    visits = {
        row["appeal__estate_id"]: row
        for row in ReturnVisit.objects.filter(
            appeal__in=Appeal.objects.filter(of_year).values("pk")
        )
        .values("appeal__estate_id")
        .annotate(
            visits=Count("pk"),
            visits_answered=Count("pk", filter=Q(reached=True)),
            visits_satisfied=Count("pk", filter=Q(reached=True, satisfaction__in=SATISFIED)),
            dissatisfied=Count(
                "appeal", distinct=True, filter=Q(satisfaction=Satisfaction.DISSATISFIED)
            ),
        )
        .order_by()
    }
    figures = {}
    for row in appeals:
        estate_id = row.pop("estate_id")
        seen = visits.get(estate_id, {})
        figures[estate_id] = EstateYearFigures(
            **row,
            visits=seen.get("visits", 0),
            visits_answered=seen.get("visits_answered", 0),
            visits_satisfied=seen.get("visits_satisfied", 0),
            dissatisfied=seen.get("dissatisfied", 0),
        )
    return figures


def estate_year_meetings(*, year: int, estates: list[Estate]) -> dict[int, dict[str, int]]:
    """By estate id, the meetings held in `year` (local time) by type, every type present:
    those of the estate and those of its whole community (no estate named). Two grouped
    queries whatever the number of estates and meetings."""
    start, end = year_bounds(year)
    held = Meeting.objects.filter(held_at__gte=start, held_at__lt=end)
    own = (
        held.filter(estate__in=[e.pk for e in estates])
        .values_list("estate_id", "type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    whole = (
        held.filter(estate__isnull=True, community__in={e.community_id for e in estates})
        .values_list("community_id", "type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_community: dict[int, dict[str, int]] = {}
    for community_id, kind, n in whole:
        by_community.setdefault(community_id, {})[kind] = n
    result = {
        e.pk: {
            kind: by_community.get(e.community_id, {}).get(kind, 0) for kind in MeetingType.values
        }
        for e in estates
    }
    for estate_id, kind, n in own:
        result[estate_id][kind] += n
    return result


# --- The committee's figures, from the roll-ups (meetings.rollups) ------------------------
# Each is one aggregate query for a unit (a town, a community or an estate: an object or its
# id; none = everywhere) and a period of local days (inclusive). The whole months inside the
# period come from the month tables, the partial months at its ends from the daily ones, in
# one UNION ALL: a town's year reads a few rows per place and month, whatever the number of
# appeals. The meaning of every count is in meetings.rollups' docstring.


def _unit(*, town=None, community=None, estate=None) -> Q:
    if estate is not None:
        return Q(estate=estate)
    if community is not None:
        return Q(estate__community=community)
    if town is not None:
        return Q(estate__community__town=town)
    return Q()


def _community_unit(*, town=None, community=None, estate=None) -> Q | None:
    """The unit for a table kept per community (None for an estate: it is not in those)."""
    if estate is not None:
        return None
    if community is not None:
        return Q(community=community)
    if town is not None:
        return Q(community__town=town)
    return Q()


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class _Span:
    """A period of local days split into the whole months inside it (first days, from
    `first` to before `stop`) and the days around them (pairs of first and last day)."""

    days: tuple[tuple[date, date], ...]
    first: date | None = None
    stop: date | None = None

    @classmethod
    def of(cls, start: date, end: date) -> "_Span":
        first = start if start.day == 1 else _next_month(start)
        stop = (end + timedelta(days=1)).replace(day=1)
        if first >= stop:
            return cls(((start, end),) if start <= end else ())
        days = []
        if start < first:
            days.append((start, first - timedelta(days=1)))
        if stop <= end:
            days.append((stop, end))
        return cls(tuple(days), first, stop)

    def day_filter(self) -> Q | None:
        if not self.days:
            return None
        q = Q(pk__in=[])
        for first, last in self.days:
            q |= Q(day__gte=first, day__lte=last)
        return q

    def month_filter(self) -> Q | None:
        return None if self.first is None else Q(month__gte=self.first, month__lt=self.stop)

    def whole(self) -> "_Span":
        """The same days, all read from the daily table."""
        if self.first is None:
            return self
        days = sorted([*self.days, (self.first, self.stop - timedelta(days=1))])
        merged = []
        for first, last in days:
            if merged and merged[-1][1] + timedelta(days=1) == first:
                merged[-1] = (merged[-1][0], last)
            else:
                merged.append((first, last))
        return _Span(tuple(merged))


def _as_date(value):
    """A month key as a date, whatever the union's type made of it (a timestamp on
    PostgreSQL, text on SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _summed_rows(parts, group: list[str], columns: tuple[str, ...]) -> list[dict]:
    """One query: the rows of every part (a queryset of values naming `group` and
    `columns`), summed per `group` and ordered by it. With no group, one row of sums (0
    when nothing matched)."""
    db = connections[parts[0].db]  # where the ORM reads them (the replica, for a heavy read)
    names = [db.ops.quote_name(n) for n in (*group, *columns)]
    selects, params = [], []
    for i, part in enumerate(parts):
        sql, part_params = part.query.sql_with_params()
        selects.append(f"SELECT {', '.join(names)} FROM ({sql}) part{i}")
        params += part_params
    keys = names[: len(group)]
    sums = ", ".join(f"COALESCE(SUM({n}), 0)" for n in names[len(group) :])
    grouped = f"GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}" if keys else ""
    sql = f"SELECT {', '.join([*keys, sums])} FROM ({' UNION ALL '.join(selects)}) parts {grouped}"
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip([*group, *columns], row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        if "month" in row:
            row["month"] = _as_date(row["month"])
        for column in columns:
            row[column] = int(row[column])
    return rows


def _values(rows: QuerySet, group: dict, side: int, columns: tuple[str, ...]) -> QuerySet:
    """The rows' values of `group` (name → a field named alike, or a pair of what it is
    on the daily table and on the month table: a field's name or an expression) and
    `columns`."""
    fields, exprs = [], {}
    for name, what in group.items():
        what = what if isinstance(what, str) else what[side]
        if isinstance(what, str):
            fields.append(what)
        else:
            exprs[name] = what
    return rows.annotate(**exprs).values(*fields, *exprs, *columns)


def _read(
    *,
    daily,
    monthly,
    span: _Span,
    unit: Q | None,
    month_unit: Q | None,
    group: dict[str, tuple],
    columns: tuple[str, ...],
) -> list[dict]:
    """The rows of `group` (name → (expression on the daily table, on the month table), or
    a field name for both) with `columns` summed, over the span: its whole months from the
    `monthly` table (when the unit has rows there), the rest from the `daily` one."""
    if monthly is None or month_unit is None:
        span = span.whole()
    parts = []
    for model, where, scope, side in (
        (daily, span.day_filter(), unit, 0),
        (monthly, span.month_filter(), month_unit, 1),
    ):
        if where is None:
            continue
        rows = model.objects.filter(scope, where).order_by()
        parts.append(_values(rows, group, side, columns))
    if not parts:  # an empty period: no rows (or zeros)
        return [] if group else [dict.fromkeys(columns, 0)]
    return _summed_rows(parts, list(group), columns)


def _appeal_tables(figures: str):
    from .rollups import AppealDay, AppealMonth, VisitDay, VisitMonth

    return {"appeals": (AppealDay, AppealMonth), "visits": (VisitDay, VisitMonth)}[figures]


def _by_place(group: dict, *, figures: str, start: date, end: date, unit: dict) -> list[dict]:
    """Rows of a group the estates' month tables can give (months, places)."""
    daily, monthly = _appeal_tables(figures)
    return _read(
        daily=daily,
        monthly=monthly,
        span=_Span.of(start, end),
        unit=_unit(**unit),
        month_unit=_unit(**unit),
        group=group,
        columns=rollup_columns(daily),
    )


def _by_kind(group: dict, *, figures: str, start: date, end: date, unit: dict) -> list[dict]:
    """Rows of a group by category or source: the communities' month table of appeals
    (visits by category or source are read from the daily table)."""
    from .rollups import CategoryMonth

    daily, _monthly = _appeal_tables(figures)
    return _read(
        daily=daily,
        monthly=CategoryMonth if figures == "appeals" else None,
        span=_Span.of(start, end),
        unit=_unit(**unit),
        month_unit=_community_unit(**unit),
        group=group,
        columns=rollup_columns(daily),
    )


_MONTH = ("month", (TruncMonth("day"), "month"))


def appeal_figures(*, start: date, end: date, **unit) -> dict[str, int]:
    """Every AppealDay count summed over the unit and period."""
    return _by_place({}, figures="appeals", start=start, end=end, unit=unit)[0]


def visit_figures(*, start: date, end: date, **unit) -> dict[str, int]:
    """Every VisitDay count summed over the unit and period."""
    return _by_place({}, figures="visits", start=start, end=end, unit=unit)[0]


def by_month(*, start: date, end: date, figures: str = "appeals", **unit) -> list[dict]:
    """The counts per local month ("month": its first day), of appeals or of visits."""
    return _by_place(dict([_MONTH]), figures=figures, start=start, end=end, unit=unit)


def by_category(*, start: date, end: date, figures: str = "appeals", **unit) -> list[dict]:
    group = {"category_key": (F("category_id"), F("category_id"))}
    return _by_kind(group, figures=figures, start=start, end=end, unit=unit)


def by_source(*, start: date, end: date, figures: str = "appeals", **unit) -> list[dict]:
    group = {"source_key": (F("source"), F("source"))}
    return _by_kind(group, figures=figures, start=start, end=end, unit=unit)


def _place(level: str) -> tuple:
    field = {"community": "estate__community_id", "estate": "estate_id"}[level]
    return (F(field), F(field))


def by_unit(
    *, start: date, end: date, level: str = "community", figures: str = "appeals", **unit
) -> list[dict]:
    """The counts per community or per estate (`level`) within the unit ("unit": its id)."""
    group = {"unit": _place(level)}
    return _by_place(group, figures=figures, start=start, end=end, unit=unit)


def two_periods(
    *,
    current: tuple[date, date],
    previous: tuple[date, date],
    figures: str = "appeals",
    level: str | None = None,
    **unit,
) -> list[dict]:
    """The counts of two periods (each of local days, inclusive) in one query, per period
    ("period": "current" or "previous"), local month ("month": its first day) and, with
    `level` ("community" or "estate"), per community or estate within the unit ("unit": its
    id). A dashboard sums the rows for its headline figures and the previous period's, and
    reads its trend and its places' table from the same rows."""
    daily, monthly = _appeal_tables(figures)
    now, before = _Span.of(*current), _Span.of(*previous)
    both = _Span(now.days + before.days)
    in_current = now.day_filter() or Q(pk__in=[])
    month_in_current = now.month_filter() or Q(pk__in=[])
    group = {
        "period": tuple(
            Case(When(q, then=Value("current")), default=Value("previous"))
            for q in (in_current, month_in_current)
        ),
        "month": _MONTH[1],
    }
    if level is not None:
        group["unit"] = _place(level)
    parts = []
    where = _unit(**unit)
    for model, span_filter, side in (
        (daily, both.day_filter(), 0),
        (monthly, _or(now.month_filter(), before.month_filter()), 1),
    ):
        if span_filter is None:
            continue
        rows = model.objects.filter(where, span_filter).order_by()
        parts.append(_values(rows, group, side, rollup_columns(daily)))
    if not parts:
        return []
    return _summed_rows(parts, list(group), rollup_columns(daily))


def _or(*filters: Q | None) -> Q | None:
    present = [f for f in filters if f is not None]
    if not present:
        return None
    q = present[0]
    for f in present[1:]:
        q |= f
    return q


def by_category_and_source(*, start: date, end: date, **unit) -> list[dict]:
    """The appeal counts per category and source in one query, with the category's names
    ("category_key", "category_name", "category_name_en", "source_key"): a page sums them
    by category and by source."""
    group = {
        "category_key": (F("category_id"), F("category_id")),
        "category_name": (F("category__name"), F("category__name")),
        "category_name_en": (F("category__name_en"), F("category__name_en")),
        "source_key": (F("source"), F("source")),
    }
    return _by_kind(group, figures="appeals", start=start, end=end, unit=unit)


def overdue_count(*, now: datetime, **unit) -> int:
    """Open appeals past their due date at a step staff work on (the work queue's
    "overdue"), now, in the unit."""
    return Appeal.objects.filter(_unit(**unit), overdue_filter(now)).count()


def meetings_held(*, start: datetime, end: datetime, town=None, community=None, estate=None):
    """Meetings held from `start` to `end` (exclusive) by type, in one grouped query:
    {type: (held, closed with minutes)}. An estate's are its own and its community's
    meetings that name no estate (as the year end counts them); a community's and a town's
    all of theirs. `estate` is an Estate (its community is needed)."""
    if estate is not None:
        place = Q(estate=estate) | Q(estate__isnull=True, community=estate.community_id)
    elif community is not None:
        place = Q(community=community)
    elif town is not None:
        place = Q(community__town=town)
    else:
        place = Q()
    rows = (
        Meeting.objects.filter(place, held_at__gte=start, held_at__lt=end)
        .values_list("type")
        .annotate(held=Count("pk"), closed=Count("pk", filter=Q(closed_at__isnull=False)))
        .order_by()
    )
    return {kind: (held, closed) for kind, held, closed in rows}


def funnel(*, start: date, end: date, **unit) -> list[dict]:
    """The meeting funnel: status changes (and hearings without quorum) by the type of
    meeting that decided them ("" without a meeting) and by move, with their counts."""
    from .rollups import StatusMonth

    keys = ("meeting_type", "move", "from_status", "to_status")
    return _read(
        daily=StatusDay,
        monthly=StatusMonth,
        span=_Span.of(start, end),
        unit=_unit(**unit),
        month_unit=_community_unit(**unit),
        group={k: k for k in keys},
        columns=("n",),
    )


def status_medians(*, start: date, end: date, **unit) -> dict[str, dict]:
    """For each status: how many appeals left it in the period and the median of their
    whole days in it, computed by the database from the StatusDuration histogram (its
    whole months from StatusDurationMonth's: a sum of histograms, so still exact; a running
    sum per status; the mean of the two middle values for an even count)."""
    from .rollups import StatusDurationMonth

    span = _Span.of(start, end)
    month_unit = _community_unit(**unit)
    if month_unit is None:
        span = span.whole()
    parts = []
    for model, where, scope in (
        (StatusDuration, span.day_filter(), _unit(**unit)),
        (StatusDurationMonth, span.month_filter(), month_unit),
    ):
        if where is not None:
            rows = model.objects.filter(scope, where).order_by()
            parts.append(rows.values("status", "days", "n"))
    if not parts:
        return {}
    selects, params = [], []
    for i, part in enumerate(parts):
        sql, part_params = part.query.sql_with_params()
        selects.append(f"SELECT status, days, n FROM ({sql}) part{i}")
        params += part_params
    sql = f"""
        SELECT status, MAX(total),
               MIN(CASE WHEN running >= (total + 1) / 2 THEN days END),
               MIN(CASE WHEN running >= total / 2 + 1 THEN days END)
        FROM (
            SELECT status, days,
                   CAST(SUM(n) OVER (PARTITION BY status ORDER BY days
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT)
                       AS running,
                   -- a whole number (PostgreSQL sums bigints as numeric): `/` divides whole
                   CAST(SUM(n) OVER (PARTITION BY status) AS BIGINT) AS total
            FROM (
                SELECT status, days, SUM(n) AS n
                FROM ({" UNION ALL ".join(selects)}) parts
                GROUP BY status, days
            ) histogram
        ) cumulative
        GROUP BY status
    """
    with connections[parts[0].db].cursor() as cursor:  # where the ORM reads them
        cursor.execute(sql, params)
        return {
            status: {"appeals": int(total), "median_days": (lower + upper) / 2}
            for status, total, lower, upper in cursor.fetchall()
        }


# --- the staff list's search ----------------------------------------------------------

SEARCH_MIN_LENGTH = 2


class SearchTooShort(ValueError):
    """A title search of one character: it would match most of the table and no index can
    answer it, so it is refused rather than scanned."""


class _TitlePairs(Func):
    """The title's two-character pairs, upper-cased (migration meetings.0017's SQL function,
    indexed with GIN on PostgreSQL)."""

    function = "meetings_title_pairs"
    output_field = ArrayField(TextField())


def appeals_matching(queryset: QuerySet[Appeal], *, term: str) -> QuerySet[Appeal]:
    """The appeals of `queryset` a staff search finds: a whole mobile number (any digits,
    spaces), a tracking code (any case, with or without the hyphen), or else words of the
    title (case-insensitive, as typed). Every form is an index look-up on PostgreSQL: the
    phone and code columns, the title's trigram index for three characters or more, its
    pairs index for two. One character raises SearchTooShort."""
    term = term.strip()
    if not term:
        return queryset
    phone = normalize_mobile(term)
    if MAINLAND_MOBILE.match(phone):
        return queryset.filter(contact_phone=phone)
    code = normalize_code(term)
    if code:
        return queryset.filter(code=code)
    if len(term) < SEARCH_MIN_LENGTH:
        raise SearchTooShort(term)
    if len(term) == 2 and connections[queryset.db].vendor == "postgresql":
        # Trigrams cannot answer two characters; the pairs index can, exactly. No LIKE
        # beside it: the planner would AND in a trigram scan of the whole index. The
        # STRPOS (no index has it) holds wherever the pairs test does, so the rows are the
        # same; it is there for the plan that walks the list's order from the newest
        # appeal (a common word, a community's scope): PostgreSQL tests the cheap STRPOS
        # first and computes a title's pairs only where the word is in it (issue 11: 漏水 as
        # a community, 16,000 titles walked, 365 ms of pairs → 94 ms).
        pair = term.upper()
        return queryset.alias(
            title_pairs=_TitlePairs("title"), title_at=StrIndex(Upper("title"), Value(pair))
        ).filter(title_pairs__contains=[pair], title_at__gt=0)
    return queryset.filter(title__icontains=term)
