from django.contrib import admin

from ..models import Notification, NotificationPreference, ScheduledJobRun


class _ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what happened: inspected in the admin, changed only by the app."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "recipient_email", "kind", "title", "email_status"]
    list_filter = ["kind", "email_status"]
    search_fields = ["title", "recipient__username", "recipient_email", "event_key"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(_ReadOnlyAdmin):
    list_display = ["user", "kind", "choice", "updated_at"]
    list_filter = ["kind", "choice"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(ScheduledJobRun)
class ScheduledJobRunAdmin(_ReadOnlyAdmin):
    list_display = ["job", "period", "outcome", "host", "started_at", "finished_at", "summary"]
    list_filter = ["job", "outcome"]
    date_hierarchy = "started_at"
