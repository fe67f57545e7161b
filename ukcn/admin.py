from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Department, Profile


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "faculty", "code"]
    search_fields = ["name", "faculty", "code"]
    prepopulated_fields = {"code": ["name"]}


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["department"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UkcnUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = [*UserAdmin.list_display, "department"]
    list_select_related = ["profile__department"]

    @admin.display(description="Department", ordering="profile__department__name")
    def department(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.department if profile else ""


admin.site.site_header = "ukcn administration"
admin.site.site_title = "ukcn admin"
admin.site.index_title = "Reference data, users and guidance"
