from .queries import unread_message_count


def unread_notifications(request):
    """The count in the staff header (one query, on staff pages only)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and user.is_staff):
        return {}
    if not request.path.startswith("/admin/"):
        return {}
    return {"unread_notifications": unread_message_count(user=user)}
