from django.contrib import admin

from .models import ProviderMapping


@admin.register(ProviderMapping)
class ProviderMappingAdmin(admin.ModelAdmin):
    list_display = ["value", "role", "department", "note"]
    list_filter = ["role", "department"]
    search_fields = ["value", "note"]
