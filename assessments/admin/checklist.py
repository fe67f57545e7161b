from django.contrib import admin

from ..models import ChecklistItem


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    """Checklist items, searchable so guidance can link to them by autocomplete."""

    list_display = ["ref_id", "question"]
    search_fields = ["ref_id", "question"]
