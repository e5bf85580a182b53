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


# --- orglife (issue 12) ---


# --- ledger (issue 12) ---
from django.db.models import Count, Prefetch, Sum  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402

from .models import Commitment, ContributionEntry, Member, MemberConsent  # noqa: E402


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


# --- checklist (issue 12) ---
