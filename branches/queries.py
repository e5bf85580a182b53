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


# --- rankings (issue 12) ---


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
