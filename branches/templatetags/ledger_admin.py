"""The consent panel of a member's admin page (the ledger's part of that page, kept out of
the member's admin class): the consent in force, its history, and the buttons to record
consent or its withdrawal when the user may."""

from django import template
from django.utils import timezone

from branches import scope
from branches.models import MemberConsent
from branches.queries import member_consents

register = template.Library()


@register.inclusion_tag("admin/branches/member/consent_panel.html", takes_context=True)
def member_consent_panel(context, member):
    user = context["request"].user
    visible = scope.in_scope(scope.members_for, user, member) and scope.may(
        user, scope.VIEW, MemberConsent
    )
    return {
        "member": member,
        "consents": member_consents(member=member) if visible else [],
        "may_record": visible and scope.may(user, scope.ADD, MemberConsent),
        "today": timezone.localdate(),
        "csrf_token": context.get("csrf_token"),
    }
