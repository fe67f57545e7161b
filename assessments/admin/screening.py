"""Screening in the admin: the threshold setting, and matches and alerts to look through."""

from django.contrib import admin

from assessments.models import ScreeningAlert, ScreeningDismissal, ScreeningMatch, ScreeningSettings

from .readonly import ReadOnlyAdmin


@admin.register(ScreeningSettings)
class ScreeningSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "threshold", "updated_at"]

    def has_add_permission(self, request):
        # One row only, and only for someone with the add permission (not any staff user).
        return super().has_add_permission(request) and not ScreeningSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


# Decisions go through the audited screening pages, never through the admin.


@admin.register(ScreeningMatch)
class ScreeningMatchAdmin(ReadOnlyAdmin):
    list_display = [
        "request",
        "subject_kind",
        "subject_label",
        "matched_name",
        "watchlist",
        "score",
        "risk_level",
        "status",
    ]
    list_filter = ["status", "subject_kind", "watchlist", "risk_level"]
    list_select_related = ["request", "partner__organisation", "organisation", "watchlist"]
    search_fields = ["matched_name", "screened_name", "external_id"]


@admin.register(ScreeningDismissal)
class ScreeningDismissalAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "watchlist", "external_id", "dismissed_by", "dismissed_at"]
    search_fields = ["organisation__name", "external_id"]


@admin.register(ScreeningAlert)
class ScreeningAlertAdmin(ReadOnlyAdmin):
    list_display = ["request", "kind", "message", "created_at", "cleared_at"]
    list_filter = ["kind"]
