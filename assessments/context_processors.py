from functools import cache

from .models import Notification


def notifications(request):
    """The user's unread notification count for the navigation, counted lazily in one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    # A callable, counted once on first use: pages that never show it (the admin) cost nothing.
    return {"unread_notifications": unread}
