"""The user's notifications and how they want to receive them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..models import Notification
from ..notifications import notifications_mark_read
from ..notifications.forms import NotificationPreferencesForm
from ..notifications.preferences import preferences_save

MAX_ID = 2**63 - 1  # the largest primary key a 64-bit column holds


def notification_list(request):
    """The user's notifications, newest first; `?unread=1` shows only the unread ones."""
    notifications = Notification.objects.filter(recipient=request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/notifications/list.html",
        {"page": page, "only_unread": only_unread},
    )


def notification_open(request, pk):
    """Mark one of the user's notifications read and go to the page it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link)
    return redirect("assessments:notification_list")


@require_POST
def notification_mark_read(request):
    """Mark one notification (`id`) or all of the user's notifications as read."""
    raw = request.POST.get("id")
    ids = None
    if raw is not None:
        # ASCII digits only ("²".isdigit() is true) and within a 64-bit key, or the database errs.
        if not (raw.isascii() and raw.isdigit() and int(raw) <= MAX_ID):
            return HttpResponseBadRequest("Bad request: the notification id is not valid.\n")
        ids = [int(raw)]
    count = notifications_mark_read(user=request.user, ids=ids)
    if ids is None:
        messages.success(
            request, f"{count} notification{'s' if count != 1 else ''} marked as read."
        )
    return redirect("assessments:notification_list")


def notification_preferences(request):
    """Choose, per kind of event, immediately, in a daily digest, or not at all."""
    form = NotificationPreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        changed = preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(
            request, "Preferences saved." if changed else "Nothing changed: preferences as before."
        )
        return redirect("assessments:notification_preferences")
    return render(request, "assessments/notifications/preferences.html", {"form": form})
