"""The scope gate for appeals and meetings (see branches.scope)."""

from django.db.models import QuerySet

from branches.scope import VIEW, estate_scoped, may, register_gate, staff_scope

from .models import Appeal, AppealCategory, Department, Meeting, Notification


def appeals_for(user) -> QuerySet[Appeal]:
    return estate_scoped(Appeal.objects.all(), user)


def meetings_for(user) -> QuerySet[Meeting]:
    """Meetings of the user's place. A secretary sees its estate's meetings only: a
    whole-community meeting's agenda carries other estates' appeals."""
    meetings = Meeting.objects.all()
    if not may(user, VIEW, Meeting):
        return meetings.none()
    if user.is_superuser:
        return meetings
    scope = staff_scope(user)
    if scope.estate_id:
        return meetings.filter(estate=scope.estate_id)
    if scope.community_id:
        return meetings.filter(community=scope.community_id)
    return meetings.filter(community__town=scope.town_id)


def departments_for(user) -> QuerySet[Department]:
    """County and town departments serve every community: any staff user may see them."""
    return Department.objects.all() if may(user, VIEW, Department) else Department.objects.none()


def appeal_categories_for(user) -> QuerySet[AppealCategory]:
    if may(user, VIEW, AppealCategory):
        return AppealCategory.objects.all()
    return AppealCategory.objects.none()


def own_notifications(user):
    """Each staff user reads their own messages, and only theirs; a superuser also sees
    every message's delivery, to find the ones that failed."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return Notification.objects.none()
    if user.is_superuser:
        return Notification.objects.all()
    return Notification.objects.filter(user=user)


register_gate(Appeal, appeals_for)
register_gate(Meeting, meetings_for)
register_gate(Department, departments_for)
register_gate(AppealCategory, appeal_categories_for)
