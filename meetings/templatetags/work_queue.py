"""The staff home's work queue: what waits in the user's scope, each a link to the list."""

from django import template
from django.urls import reverse

from branches.scope import VIEW, may

from ..models import Appeal
from ..queries import work_queue

register = template.Library()


@register.inclusion_tag("admin/meetings/work_queue.html", takes_context=True)
def staff_work_queue(context):
    user = context["request"].user
    if not may(user, VIEW, Appeal):
        return {"queues": None}
    return {
        "queues": work_queue(user=user),
        "list_url": reverse("admin:meetings_appeal_changelist"),
    }
