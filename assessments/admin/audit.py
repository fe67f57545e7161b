from django.contrib import admin

from ..models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody edits or deletes events through the app."""

    list_display = ["id", "at", "actor_name", "action", "summary", "request"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "actor_name", "request__reference", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["request"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
