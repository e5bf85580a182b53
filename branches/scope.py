"""The scope gate: what a staff user may see and change.

One function per object type returns the objects a user may see. Every admin list, object
page, autocomplete, filter and form choice gets its objects through these, so a clerk of one
community can neither see nor choose another community's records. Other apps gate their own
models by the estate they belong to, through `estate_scoped`.
"""

from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from .models import (
    Building,
    BuildingGroup,
    Checklist,
    ChecklistEntry,
    Commitment,
    Community,
    ContributionEntry,
    ContributionRule,
    Estate,
    Facility,
    Member,
    MemberCategory,
    MemberConsent,
    OrgAttendance,
    OrgMeeting,
    OrgMeetingKind,
    ServiceKind,
    ServiceSession,
    ServiceStation,
    StaffRole,
    StaffScope,
    StandardItem,
    Town,
    Volunteer,
)

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = frozenset({VIEW, ADD, CHANGE, DELETE})
R = frozenset({VIEW})
RW = frozenset({VIEW, ADD, CHANGE})  # appeals and meetings are records: never deleted

# What each role may do with each model inside its scope (superusers may do everything),
# for every app's models, by label so this app need not import theirs.
ROLE_ACTIONS: dict[str, dict[str, frozenset[str]]] = {
    StaffRole.TOWN_COMMITTEE: dict.fromkeys(
        (
            "branches.town",
            "branches.community",
            "branches.estate",
            "branches.building",
            "branches.buildinggroup",
            "branches.member",
            "branches.membercategory",
            "branches.servicestation",
            "branches.facility",
            "branches.servicekind",
            "branches.volunteer",
            "branches.servicesession",
            "branches.orgmeetingkind",
            "branches.orgmeeting",
            "branches.orgattendance",
            "branches.contributionrule",
            "branches.contributionentry",
            "branches.memberconsent",
            "branches.commitment",
            "branches.standarditem",
            "branches.checklist",
            "branches.checklistentry",
            "meetings.appeal",
            "meetings.meeting",
            "meetings.appealcategory",
            "meetings.department",
            "zeroindex.incident",
            "zeroindex.recordsstart",
            "zeroindex.surveyround",
            "zeroindex.suggestion",
            "zeroindex.surveytask",
        ),
        R,
    )
    # The committee reviews the year end's department evaluations and edits their opinions.
    | {
        "governance.departmentevaluation": frozenset({VIEW, CHANGE}),
        # and names who receives the approved opinions
        "governance.yearendrecipient": frozenset({VIEW, ADD, CHANGE}),
    }
    # and reads the branches' annual reports
    | {"governance.branchreport": R, "governance.rectificationmeasure": R}
    # and follows the year-end run's progress
    | {"governance.yearendrun": R},
    StaffRole.COMMUNITY_STAFF: {
        "branches.town": R,
        "branches.community": R,
        "branches.estate": ALL,
        "branches.building": ALL,
        "branches.buildinggroup": ALL,
        "branches.member": ALL,
        "branches.membercategory": R,
        # the Five Modernizations: stations, organisational life, the ledger, commitments
        # and the checklist; reference lists (kinds, rules, the template) are a town's
        "branches.servicestation": ALL,
        "branches.facility": ALL,
        "branches.servicekind": R,
        "branches.volunteer": ALL,
        "branches.servicesession": ALL,
        "branches.orgmeetingkind": R,
        "branches.orgmeeting": ALL,
        "branches.orgattendance": ALL,
        "branches.contributionrule": R,
        # the ledger is append-only: entries are added (awards, corrections), never changed
        "branches.contributionentry": frozenset({VIEW, ADD}),
        "branches.memberconsent": frozenset({VIEW, ADD}),
        "branches.commitment": ALL,
        "branches.standarditem": R,
        # a checklist is made for a year, never deleted
        "branches.checklist": RW,
        "branches.checklistentry": frozenset({VIEW, CHANGE}),
        "meetings.appeal": RW,
        "meetings.meeting": RW,
        "meetings.appealcategory": R,
        "meetings.department": R,
        "zeroindex.incident": RW,
        "zeroindex.recordsstart": ALL,
        "zeroindex.surveyround": ALL,
        "zeroindex.suggestion": ALL,
        "zeroindex.surveytask": RW,
        # the annual report is drafted by the year-end run, never added or deleted by hand
        "governance.branchreport": frozenset({VIEW, CHANGE}),
        "governance.rectificationmeasure": ALL,
    },
    StaffRole.BRANCH_SECRETARY: {
        "branches.town": R,
        "branches.community": R,
        "branches.estate": frozenset({VIEW, CHANGE}),
        "branches.building": ALL,
        "branches.buildinggroup": ALL,
        "branches.member": ALL,
        "branches.membercategory": R,
        # the Five Modernizations: stations, organisational life, the ledger, commitments
        # and the checklist; reference lists (kinds, rules, the template) are a town's
        "branches.servicestation": ALL,
        "branches.facility": ALL,
        "branches.servicekind": R,
        "branches.volunteer": ALL,
        "branches.servicesession": ALL,
        "branches.orgmeetingkind": R,
        "branches.orgmeeting": ALL,
        "branches.orgattendance": ALL,
        "branches.contributionrule": R,
        # the ledger is append-only: entries are added (awards, corrections), never changed
        "branches.contributionentry": frozenset({VIEW, ADD}),
        "branches.memberconsent": frozenset({VIEW, ADD}),
        "branches.commitment": ALL,
        "branches.standarditem": R,
        # a checklist is made for a year, never deleted
        "branches.checklist": RW,
        "branches.checklistentry": frozenset({VIEW, CHANGE}),
        "meetings.appeal": RW,
        "meetings.meeting": RW,
        "meetings.appealcategory": R,
        "meetings.department": R,
        # A secretary records its estate's incidents; community staff verify them.
        "zeroindex.incident": RW,
        "zeroindex.recordsstart": R,
        "zeroindex.surveyround": ALL,
        "zeroindex.suggestion": ALL,
        "zeroindex.surveytask": RW,
        # the annual report is drafted by the year-end run, never added or deleted by hand
        "governance.branchreport": frozenset({VIEW, CHANGE}),
        "governance.rectificationmeasure": ALL,
    },
}


def staff_scope(user) -> StaffScope | None:
    """The user's scope, read once per request object (the admin asks many times)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_staff_scope_cache"):
        # with its place and the places above it: pages that name them ask nothing more
        user._staff_scope_cache = (
            StaffScope.objects.filter(user=user)
            .select_related("town", "community__town", "estate__community__town")
            .first()
        )
    return user._staff_scope_cache


def may(user, action: str, model: type[Model]) -> bool:
    """May this user do `action` (view/add/change/delete) on `model` within its scope?"""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    if user.is_superuser:
        return True
    scope = staff_scope(user)
    if scope is None:
        return False
    return action in ROLE_ACTIONS.get(scope.role, {}).get(model._meta.label_lower, frozenset())


def _gate(queryset: QuerySet, user, *, town: str, community: str, estate: str) -> QuerySet:
    """Filter `queryset` to the user's scope; the keyword arguments are the lookups from the
    model to a town, a community and an estate id."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return queryset.none()
    if user.is_superuser:
        return queryset
    scope = staff_scope(user)
    if scope is None:
        return queryset.none()
    if scope.estate_id:
        return queryset.filter(**{estate: scope.estate_id})
    if scope.community_id:
        return queryset.filter(**{community: scope.community_id})
    return queryset.filter(**{town: scope.town_id})


def estate_scoped(queryset: QuerySet, user, *, estate_field: str = "estate") -> QuerySet:
    """Gate any model that belongs to an estate (appeals, incidents, …) by that estate."""
    return _gate(
        queryset,
        user,
        town=f"{estate_field}__community__town",
        community=f"{estate_field}__community",
        estate=estate_field,
    )


def towns_for(user) -> QuerySet[Town]:
    return _gate(
        Town.objects.all(), user, town="pk", community="communities", estate="communities__estates"
    )


def communities_for(user) -> QuerySet[Community]:
    return _gate(Community.objects.all(), user, town="town", community="pk", estate="estates")


def estates_for(user) -> QuerySet[Estate]:
    return _gate(
        Estate.objects.all(), user, town="community__town", community="community", estate="pk"
    )


def buildings_for(user) -> QuerySet[Building]:
    return estate_scoped(Building.objects.all(), user)


def groups_for(user) -> QuerySet[BuildingGroup]:
    return estate_scoped(BuildingGroup.objects.all(), user)


def members_for(user) -> QuerySet[Member]:
    return estate_scoped(Member.objects.all(), user)


def member_categories_for(user) -> QuerySet[MemberCategory]:
    """The category list is shared by all; any staff user with a scope may read it."""
    if may(user, VIEW, MemberCategory):
        return MemberCategory.objects.all()
    return MemberCategory.objects.none()


def _shared_list(model):
    """A reference list a town edits (kinds, rules, the template): any staff user with a
    scope may read it."""

    def gate(user) -> QuerySet:
        if may(user, VIEW, model):
            return model.objects.all()
        return model.objects.none()

    return gate


service_kinds_for = _shared_list(ServiceKind)
org_meeting_kinds_for = _shared_list(OrgMeetingKind)
contribution_rules_for = _shared_list(ContributionRule)
standard_items_for = _shared_list(StandardItem)


def stations_for(user) -> QuerySet[ServiceStation]:
    return estate_scoped(ServiceStation.objects.all(), user)


def facilities_for(user) -> QuerySet[Facility]:
    return estate_scoped(Facility.objects.all(), user, estate_field="station__estate")


def volunteers_for(user) -> QuerySet[Volunteer]:
    return estate_scoped(Volunteer.objects.all(), user)


def sessions_for(user) -> QuerySet[ServiceSession]:
    return estate_scoped(ServiceSession.objects.all(), user, estate_field="station__estate")


def org_meetings_for(user) -> QuerySet[OrgMeeting]:
    return estate_scoped(OrgMeeting.objects.all(), user)


def attendance_for(user) -> QuerySet[OrgAttendance]:
    return estate_scoped(OrgAttendance.objects.all(), user, estate_field="meeting__estate")


def contributions_for(user) -> QuerySet[ContributionEntry]:
    return estate_scoped(ContributionEntry.objects.all(), user, estate_field="member__estate")


def consents_for(user) -> QuerySet[MemberConsent]:
    return estate_scoped(MemberConsent.objects.all(), user, estate_field="member__estate")


def commitments_for(user) -> QuerySet[Commitment]:
    return estate_scoped(Commitment.objects.all(), user, estate_field="group__estate")


def checklists_for(user) -> QuerySet[Checklist]:
    return estate_scoped(Checklist.objects.all(), user)


def checklist_entries_for(user) -> QuerySet[ChecklistEntry]:
    return estate_scoped(ChecklistEntry.objects.all(), user, estate_field="checklist__estate")


def secretaries_for(user) -> QuerySet:
    """Staff users who may be named secretary of an estate the user can see."""
    return get_user_model().objects.filter(
        is_active=True,
        staff_scope__role=StaffRole.BRANCH_SECRETARY,
        staff_scope__estate__in=estates_for(user),
    )


def staff_users_for(user) -> QuerySet:
    """Staff users working inside what the user can see: community staff of its communities
    and secretaries of its estates (handlers to choose from, to filter by)."""
    User = get_user_model()
    if not may(user, VIEW, Estate):
        return User.objects.none()
    return User.objects.filter(is_active=True, is_staff=True).filter(
        Q(staff_scope__community__in=communities_for(user))
        | Q(staff_scope__estate__in=estates_for(user))
    )


def is_secretary(user) -> bool:
    scope = staff_scope(user)
    return scope is not None and scope.role == StaffRole.BRANCH_SECRETARY


def in_scope(gate, user, obj) -> bool:
    """Is this object among those the gate lets the user see?"""
    return obj is not None and gate(user).filter(pk=obj.pk).exists()


# The gate for each model, for code that is handed a model (the admin's form choices and
# filters). Other apps add theirs with register_gate() when they load.
GATES = {
    Town: towns_for,
    Community: communities_for,
    Estate: estates_for,
    Building: buildings_for,
    BuildingGroup: groups_for,
    Member: members_for,
    MemberCategory: member_categories_for,
    ServiceKind: service_kinds_for,
    OrgMeetingKind: org_meeting_kinds_for,
    ContributionRule: contribution_rules_for,
    StandardItem: standard_items_for,
    ServiceStation: stations_for,
    Facility: facilities_for,
    Volunteer: volunteers_for,
    ServiceSession: sessions_for,
    OrgMeeting: org_meetings_for,
    OrgAttendance: attendance_for,
    ContributionEntry: contributions_for,
    MemberConsent: consents_for,
    Commitment: commitments_for,
    Checklist: checklists_for,
    ChecklistEntry: checklist_entries_for,
    get_user_model(): staff_users_for,
}


def register_gate(model: type[Model], gate) -> None:
    GATES[model] = gate


def gate_for(model: type[Model]):
    return GATES.get(model)
