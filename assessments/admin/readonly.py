"""An admin page for records that never change by hand: they are written by services that audit
each change (imports, determinations, people), and the admin only shows them."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    # Fields left off the page altogether (e.g. a raw record too large to show).
    hidden_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.hidden_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
