from .models import Notification


def unread_notifications(request):
    """The count in the staff header (one query, on staff pages only)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_staff):
        return {}
    if not request.path.startswith("/admin/"):
        return {}
    count = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"unread_notifications": count}
