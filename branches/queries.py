"""Reads of places and people that several pages, tasks and apps share. Scope gates live in
branches.scope; these answer questions about the tree itself (who is the secretary here?)."""

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import Community, Estate, StaffPreference, StaffRole, StaffScope


def secretaries_by_estate(estate_ids) -> dict[int, list]:
    """{estate id: its active branch secretaries} for many estates, in two queries: staff
    users with a secretary's scope there, and the secretary named on the estate."""
    estate_ids = list(estate_ids)
    found: dict[int, dict] = defaultdict(dict)
    for scope in StaffScope.objects.filter(
        role=StaffRole.BRANCH_SECRETARY, estate__in=estate_ids, user__is_active=True
    ).select_related("user"):
        found[scope.estate_id][scope.user_id] = scope.user
    for estate in Estate.objects.filter(
        pk__in=estate_ids, secretary__isnull=False, secretary__is_active=True
    ).select_related("secretary"):
        found[estate.pk][estate.secretary_id] = estate.secretary
    return {pk: list(found[pk].values()) for pk in estate_ids}


def secretaries_of(estate_id) -> list:
    return secretaries_by_estate([estate_id])[estate_id]


def community_staff_of(community_id) -> QuerySet:
    """Active community staff of a community."""
    return get_user_model().objects.filter(
        is_active=True,
        staff_scope__role=StaffRole.COMMUNITY_STAFF,
        staff_scope__community=community_id,
    )


def language_of(user) -> str:
    """The language a staff user chose with the switch (their pages and their messages);
    Chinese for one who never chose."""
    chosen = StaffPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or settings.LANGUAGE_CODE


def communities_to_call() -> list[Community]:
    """The communities a resident can telephone (those with an office telephone), by name,
    in one query; a town has a handful."""
    return list(Community.objects.exclude(phone="").only("name", "phone").order_by("name"))
