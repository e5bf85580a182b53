"""Reads of places and people that several pages, tasks and apps share. Scope gates live in
branches.scope; these answer questions about the tree itself (who is the secretary here?)."""

from collections import defaultdict

from django.conf import settings

from .models import Community, Estate, StaffPreference, StaffRole, StaffScope


def secretaries_by_estate(estate_ids) -> dict[int, list]:
    """{estate id: its active branch secretaries} for many estates, in two queries: staff
    users with a secretary's scope there, and the secretary named on the estate. Each user
    comes with its language preference (for `language_of`, without a query)."""
    estate_ids = list(estate_ids)
    found: dict[int, dict] = defaultdict(dict)
    for scope in StaffScope.objects.filter(
        role=StaffRole.BRANCH_SECRETARY, estate__in=estate_ids, user__is_active=True
    ).select_related("user__staff_preference"):
        found[scope.estate_id][scope.user_id] = scope.user
    for estate in Estate.objects.filter(
        pk__in=estate_ids, secretary__isnull=False, secretary__is_active=True
    ).select_related("secretary__staff_preference"):
        found[estate.pk][estate.secretary_id] = estate.secretary
    return {pk: list(found[pk].values()) for pk in estate_ids}


def community_staff_by_community(community_ids) -> dict[int, list]:
    """{community id: its active community staff}, in one query, each user with its language
    preference."""
    community_ids = list(community_ids)
    found: dict[int, list] = {pk: [] for pk in community_ids}
    for scope in StaffScope.objects.filter(
        role=StaffRole.COMMUNITY_STAFF, community__in=community_ids, user__is_active=True
    ).select_related("user__staff_preference"):
        found[scope.community_id].append(scope.user)
    return found


def language_of(user) -> str:
    """The language a staff user chose with the switch (their pages and their messages);
    Chinese for one who never chose. No query when the user was read with its preference
    (`select_related("staff_preference")`)."""
    relation = type(user).staff_preference.related
    if relation.is_cached(user):
        preference = relation.get_cached_value(user)
        return preference.language if preference else settings.LANGUAGE_CODE
    chosen = StaffPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def communities_to_call() -> list[Community]:
    """The communities a resident can telephone (those with an office telephone), by name,
    in one query; a town has a handful."""
    return list(Community.objects.exclude(phone="").only("name", "phone").order_by("name"))


# --- stations (issue 12) ---
from dataclasses import dataclass  # noqa: E402
from datetime import datetime  # noqa: E402

from django.db.models import Count, Q, Sum  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402
from django.utils import timezone  # noqa: E402

from .models import (  # noqa: E402
    Facility,
    Member,
    ServiceKind,
    ServiceSession,
    ServiceStation,
    Volunteer,
)

# The service stations: a station's year in figures, the public list, volunteer hours. A
# year is a local calendar year (TIME_ZONE); every figure is one aggregate query.


def year_span(year: int) -> tuple[datetime, datetime]:
    """The first instant of the local year and of the next one."""
    return (
        timezone.make_aware(datetime(year, 1, 1)),
        timezone.make_aware(datetime(year + 1, 1, 1)),
    )


def _sessions_in(year: int) -> Q:
    start, end = year_span(year)
    return Q(starts_at__gte=start, starts_at__lt=end)


@dataclass
class StationFigures:
    sessions: int
    people: int
    by_facility: list  # [(facility, sessions, people)], every facility of the station
    by_kind: list  # [(kind, sessions, people)], the kinds served this year


def station_year_figures(*, station: ServiceStation, year: int) -> StationFigures:
    """A station's sessions and residents served in a year, in all, by facility and by
    kind of service: three grouped queries."""
    this_year = _sessions_in(year)
    totals = ServiceSession.objects.filter(this_year, station=station).aggregate(
        sessions=Count("pk"), people=Coalesce(Sum("people_served"), 0)
    )
    in_year = Q(sessions__starts_at__gte=year_span(year)[0]) & Q(
        sessions__starts_at__lt=year_span(year)[1]
    )
    facilities = (
        Facility.objects.filter(station=station)
        .annotate(
            n_sessions=Count("sessions", filter=in_year),
            n_people=Coalesce(Sum("sessions__people_served", filter=in_year), 0),
        )
        .order_by("position", "name")
    )
    kinds = (
        ServiceKind.objects.filter(sessions__station=station)
        .annotate(
            n_sessions=Count("sessions", filter=in_year),
            n_people=Coalesce(Sum("sessions__people_served", filter=in_year), 0),
        )
        .filter(n_sessions__gt=0)
        .order_by("-n_people", "position", "name")
    )
    return StationFigures(
        sessions=totals["sessions"],
        people=totals["people"],
        by_facility=[(f, f.n_sessions, f.n_people) for f in facilities],
        by_kind=[(k, k.n_sessions, k.n_people) for k in kinds],
    )


def station_recent_sessions(*, station: ServiceStation, limit: int = 10) -> list[ServiceSession]:
    """The station's last sessions (when, what, where, how many served), newest first; no
    names of who served or of residents."""
    return list(
        ServiceSession.objects.filter(station=station, starts_at__lte=timezone.now())
        .select_related("kind", "facility")
        .only(
            "starts_at",
            "minutes",
            "people_served",
            "kind__name",
            "kind__name_en",
            "facility__name",
            "facility__name_en",
        )
        .order_by("-starts_at", "-pk")[:limit]
    )


def stations_with_year_figures(*, year: int) -> tuple[list[Estate], dict]:
    """The estates that have a station, each with `station`, `n_sessions` and `n_people` for
    the year (one grouped query), by community and name; and the totals across them."""
    start, end = year_span(year)
    in_year = Q(station__sessions__starts_at__gte=start) & Q(station__sessions__starts_at__lt=end)
    estates = list(
        Estate.objects.filter(station__isnull=False)
        .select_related("station", "community")
        .annotate(
            n_sessions=Count("station__sessions", filter=in_year),
            n_people=Coalesce(Sum("station__sessions__people_served", filter=in_year), 0),
        )
        .order_by("community__name", "name")
    )
    totals = ServiceSession.objects.filter(starts_at__gte=start, starts_at__lt=end).aggregate(
        sessions=Count("pk"), people=Coalesce(Sum("people_served"), 0)
    )
    totals["stations"] = len(estates)
    return estates, totals


@dataclass
class ServerHours:
    name: str
    kind: str  # "member", or Volunteer.Kind
    organisation: str
    sessions: int
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def volunteer_hours(*, station: ServiceStation, year: int) -> list[ServerHours]:
    """Who served at the station in the year (its members, volunteers and professionals),
    with their sessions and hours (each session's length counts for each who served), most
    hours first: two grouped queries."""
    start, end = year_span(year)
    at = Q(sessions__station=station, sessions__starts_at__gte=start, sessions__starts_at__lt=end)
    members = (
        Member.objects.filter(at)
        .values("pk", "name")
        .annotate(n=Count("sessions"), m=Sum("sessions__minutes"))
    )
    volunteers = (
        Volunteer.objects.filter(at)
        .values("pk", "name", "kind", "organisation")
        .annotate(n=Count("sessions"), m=Sum("sessions__minutes"))
    )
    rows = [ServerHours(r["name"], "member", "", r["n"], r["m"]) for r in members] + [
        ServerHours(r["name"], r["kind"], r["organisation"], r["n"], r["m"]) for r in volunteers
    ]
    return sorted(rows, key=lambda r: (-r.minutes, r.name))


# --- orglife (issue 12) ---

from dataclasses import dataclass  # noqa: E402
from datetime import datetime  # noqa: E402

from django.db.models import (  # noqa: E402
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import NullIf  # noqa: E402

from .models import BuildingGroup, OrgMeeting, OrgMeetingKind  # noqa: E402
from .orglife import last_completed_period, period_label, year_bounds  # noqa: E402
from .scope import estates_for, members_for  # noqa: E402

# Organisational life: which branches and groups missed an expected meeting, the last
# meeting of each kind, attendance rates. The periods are branches.orglife's.


@dataclass(frozen=True)
class OrgLifeOverdue:
    """A branch (group None) or a building group that held no meeting of `kind` in the last
    completed period [start, end) it was expected in; `last_held`: its latest such meeting."""

    estate_id: int
    estate: str
    community_id: int
    community: str
    group_id: int | None
    group: str
    kind: OrgMeetingKind
    start: datetime
    end: datetime
    last_held: datetime | None

    @property
    def period(self) -> str:
        return period_label(self.start, self.end)


def _expected_kinds(now):
    """The kinds with an expectation, each with its last completed period (one query)."""
    kinds = OrgMeetingKind.objects.filter(every_months__isnull=False).order_by("position", "name")
    return [(kind, *last_completed_period(kind.every_months, now)) for kind in kinds]


def _overdue_rows(units, kinds, *, unit: str, founded: str, fields):
    """`units` (estates or groups) annotated, per kind, with "missed it" and the last meeting;
    only those that missed at least one, as values (one query)."""
    flags, lasts = {}, {}
    for kind, start, end in kinds:
        held = OrgMeeting.objects.filter(
            **{unit: OuterRef("pk")}, kind=kind, held_at__gte=start, held_at__lt=end
        )
        # Expected only in periods that start on or after the branch's founding (when known).
        existed = Q(**{f"{founded}__isnull": True}) | Q(**{f"{founded}__lte": start.date()})
        flags[f"missed_{kind.pk}"] = ExpressionWrapper(
            existed & ~Exists(held), output_field=BooleanField()
        )
        lasts[f"last_{kind.pk}"] = Subquery(
            OrgMeeting.objects.filter(**{unit: OuterRef("pk")}, kind=kind)
            .order_by("-held_at")
            .values("held_at")[:1]
        )
    if not flags:
        return []
    any_missed = Q()
    for name in flags:
        any_missed |= Q(**{name: True})
    return list(units.annotate(**flags, **lasts).filter(any_missed).values(*fields, *flags, *lasts))


def org_life_overdue(*, user=None, estate_ids=None, now=None) -> list[OrgLifeOverdue]:
    """The branches (kinds held by each branch) and the building groups (kinds held by each
    group) whose expected meeting is overdue: none held in the kind's last completed period
    (branches.orglife). Within the user's scope (all estates for user=None: the sweep),
    optionally some estates only. Three queries whatever the number of estates."""
    kinds = _expected_kinds(now)
    branch_kinds = [k for k in kinds if k[0].level == OrgMeetingKind.Level.BRANCH]
    group_kinds = [k for k in kinds if k[0].level == OrgMeetingKind.Level.GROUP]
    estates = Estate.objects.all() if user is None else estates_for(user)
    if estate_ids is not None:
        estates = estates.filter(pk__in=list(estate_ids))
    found = []
    if branch_kinds:
        rows = _overdue_rows(
            estates.annotate(community_name=F("community__name")),
            branch_kinds,
            unit="estate",
            founded="branch_founded",
            fields=["pk", "name", "community_id", "community_name"],
        )
        for row in rows:
            for kind, start, end in branch_kinds:
                if row[f"missed_{kind.pk}"]:
                    found.append(
                        OrgLifeOverdue(
                            row["pk"], row["name"], row["community_id"], row["community_name"],
                            None, "",
                            kind, start, end, row[f"last_{kind.pk}"],
                        )
                    )  # fmt: skip
    if group_kinds:
        groups = BuildingGroup.objects.filter(estate__in=estates).annotate(
            estate_name=F("estate__name"),
            community_id=F("estate__community_id"),
            community_name=F("estate__community__name"),
        )
        rows = _overdue_rows(
            groups,
            group_kinds,
            unit="group",
            founded="estate__branch_founded",
            fields=["pk", "name", "estate_id", "estate_name", "community_id", "community_name"],
        )
        for row in rows:
            for kind, start, end in group_kinds:
                if row[f"missed_{kind.pk}"]:
                    found.append(
                        OrgLifeOverdue(
                            row["estate_id"], row["estate_name"], row["community_id"],
                            row["community_name"], row["pk"], row["name"], kind, start, end,
                            row[f"last_{kind.pk}"],
                        )
                    )  # fmt: skip
    found.sort(key=lambda o: (o.community, o.estate, o.group, o.kind.position, o.kind.name))
    return found


def org_life_last_meetings(*, estate_ids) -> dict[tuple[int, int | None, int], datetime]:
    """{(estate id, group id or None, kind id): when its last meeting of that kind was held},
    for the kinds with an expectation, in one grouped query."""
    rows = (
        OrgMeeting.objects.filter(estate__in=list(estate_ids), kind__every_months__isnull=False)
        .values("estate", "group", "kind")
        .annotate(last=Max("held_at"))
        .order_by()
    )
    return {(r["estate"], r["group"], r["kind"]): r["last"] for r in rows}


def org_attendance_rates(*, user, year: int, estate_id: int | None = None):
    """Members in the user's scope with the meetings of `year` (local) they were expected at,
    were present at, and the rate in percent (present / expected), all counted by the
    database; only members expected at least once, by estate and name."""
    start, end = year_bounds(year)
    in_year = Q(attendance__meeting__held_at__gte=start, attendance__meeting__held_at__lt=end)
    members = members_for(user)
    if estate_id is not None:
        members = members.filter(estate=estate_id)
    return (
        members.annotate(
            expected=Count("attendance", filter=in_year),
            present=Count("attendance", filter=in_year & Q(attendance__present=True)),
        )
        .filter(expected__gt=0)
        .annotate(
            rate=ExpressionWrapper(
                F("present") * 100.0 / NullIf(F("expected"), 0), output_field=FloatField()
            )
        )
        .select_related("estate", "group")
        .order_by("estate__name", "name", "pk")
    )


# --- ledger (issue 12) ---
from django.db.models import Prefetch  # noqa: E402

from .models import Commitment, ContributionEntry, MemberConsent  # noqa: E402


def member_points_by_source(*, member, year: int) -> dict[str, int]:
    """{source: points} of a member's ledger in a (calendar) year, corrections included as
    their own source, in one aggregate query."""
    rows = (
        ContributionEntry.objects.filter(member=member, on__year=year)
        .values("source")
        .annotate(points=Sum("points"))
        .order_by("source")
    )
    return {row["source"]: row["points"] for row in rows}


def ledger_total(entries) -> dict:
    """The points and the number of the entries of a (filtered, gated) ledger queryset, and
    how many members they belong to, in one aggregate query."""
    return entries.order_by().aggregate(
        points=Coalesce(Sum("points"), 0),
        entries=Count("pk"),
        members=Count("member", distinct=True),
    )


def member_consents(*, member) -> list:
    """A member's consents to a public card, the latest (the one in force) first."""
    return list(
        MemberConsent.objects.filter(member=member)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")
    )


def commitments_of_groups(*, group_ids, year: int, public: bool = False) -> dict[int, list]:
    """{group id: its commitments of the year, by due date}, each with its members
    responsible, in two queries whatever the number of groups. `public`: only the members
    who consent to a public card are named (public pages show no one else)."""
    group_ids = list(group_ids)
    members = Member.objects.order_by("name")
    if public:
        members = members.filter(card_consent_on__isnull=False)
    found: dict[int, list] = {pk: [] for pk in group_ids}
    for commitment in (
        Commitment.objects.filter(group__in=group_ids, year=year)
        .order_by("due_on", "id")
        .prefetch_related(Prefetch("members", queryset=members))
    ):
        found[commitment.group_id].append(commitment)
    return found


# --- rankings (issue 12) ---
# the year's rankings from the ledger (the public Three Brightness page and the staff pages)
from .rankings import branch_ranking, group_ranking, member_ranking  # noqa: E402,F401

# --- checklist (issue 12) ---


def checklists_with_totals(queryset):
    """Checklists with `self_total`, `review_total` (None until a score is given) and
    `full_score` (the sum of their items' full scores), summed by the database in the same
    query as the list: no query per row."""
    from django.db.models import Sum

    return queryset.annotate(
        self_total=Sum("entries__self_score"),
        review_total=Sum("entries__review_score"),
        full_score=Sum("entries__item__max_score"),
    )


def checklist_subtotals(*, checklist) -> tuple[list[dict], dict]:
    """Per standard, in order, {standard, items, full, self_total, review_total, self_scored,
    reviewed};
    and the same for the whole checklist: two grouped queries, summed by the database."""
    from django.db.models import Count, F, Sum

    from .models import ChecklistEntry

    sums = {
        "items": Count("pk"),
        "full": Sum("item__max_score"),
        "self_total": Sum("self_score"),
        "review_total": Sum("review_score"),
        "self_scored": Count("self_score"),
        "reviewed": Count("review_score"),
    }
    entries = ChecklistEntry.objects.filter(checklist=checklist)
    rows = list(entries.values(standard=F("item__standard")).annotate(**sums).order_by("standard"))
    return rows, entries.aggregate(**sums)


def checklist_result(*, estate_id: int, year: int) -> dict | None:
    """A branch's checklist of `year` for its annual report: status, self total, review
    total and full score, in one query; None when the branch has none that year."""
    from .models import Checklist

    return (
        checklists_with_totals(Checklist.objects.filter(estate_id=estate_id, year=year))
        .values("status", "self_total", "review_total", "full_score")
        .first()
    )
