"""The staff inbox: each user reads their own messages; superusers also see every message's
delivery, to find the ones that failed."""

from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.scoped_admin import ScopedModelAdmin

from .. import messaging
from ..models import Notification
from ..scope import own_notifications


class UnreadFilter(admin.SimpleListFilter):
    title = gettext_lazy("read")
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("yes", _("unread")), ("no", _("read"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=False)
        return queryset


class DeliveryFilter(admin.SimpleListFilter):
    title = gettext_lazy("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("given up")),
            ("pending", _("waiting to be sent")),
            ("delivered", _("delivered")),
        ]

    def queryset(self, request, queryset):
        sending = queryset.exclude(channel=Notification.Channel.INBOX)
        if self.value() == "failed":
            return sending.filter(
                delivered_at__isnull=True, attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS
            )
        if self.value() == "pending":
            return sending.filter(
                delivered_at__isnull=True, attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS
            )
        if self.value() == "delivered":
            return sending.filter(delivered_at__isnull=False)
        return queryset


class KindFilter(admin.SimpleListFilter):
    """The kinds of the reader's own messages, by name (never the key stored): a clerk is
    not offered the residents' text messages they never receive (one indexed query over
    their own messages); a superuser, who reads them all, is offered every kind."""

    title = gettext_lazy("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        if request.user.is_superuser:  # every message: every kind, without reading them all
            return Notification.Kind.choices
        present = set(
            model_admin.get_queryset(request).order_by().values_list("kind", flat=True).distinct()
        )
        return [(kind, label) for kind, label in Notification.Kind.choices if kind in present]

    def queryset(self, request, queryset):
        if self.value() in Notification.Kind.values:
            return queryset.filter(kind=self.value())
        return queryset


@admin.register(Notification)
class NotificationAdmin(ScopedModelAdmin):
    gate = own_notifications
    list_display = ["created_at", "subject_link", "kind", "appeal_link", "channel", "is_read"]
    list_filter = [UnreadFilter, KindFilter]

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return [UnreadFilter, DeliveryFilter, KindFilter, "channel"]
        return super().get_list_filter(request)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return [*self.list_display, "recipient_name", "attempts", "last_error"]
        return self.list_display

    list_select_related = ["appeal"]
    actions = ["mark_read"]
    fields = [
        "created_at",
        "kind",
        "subject",
        "text",
        "appeal",
        "channel",
        "delivered_at",
        "read_at",
    ]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        message = self.get_object(request, object_id)
        if message is not None and message.user_id == request.user.pk:  # reading one's own
            messaging.notifications_mark_read(user=request.user, ids=[message.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=gettext_lazy("Mark as read"), permissions=["view"])
    def mark_read(self, request, queryset):
        done = messaging.notifications_mark_read(
            user=request.user, ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, _("%(n)d marked as read.") % {"n": done})

    @admin.display(description=gettext_lazy("message"), ordering="subject")
    def subject_link(self, message):
        url = reverse("admin:meetings_notification_change", args=[message.pk])
        if message.read_at:
            return format_html('<a href="{}">{}</a>', url, message.subject)
        return format_html('<a href="{}" class="unread">{}</a>', url, message.subject)

    @admin.display(description=gettext_lazy("appeal"))
    def appeal_link(self, message):
        if message.appeal_id is None:
            return "—"
        url = reverse("admin:meetings_appeal_change", args=[message.appeal_id])
        return format_html('<a href="{}">{}</a>', url, message.appeal.display_code)

    @admin.display(description=gettext_lazy("read"), boolean=True, ordering="read_at")
    def is_read(self, message):
        return message.read_at is not None
