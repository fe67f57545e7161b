from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_static import admin as _otp_static_admin  # noqa: F401 - registers
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as _otp_totp_admin  # noqa: F401 - registers
from django_otp.plugins.otp_totp.models import TOTPDevice

from .accounts import user_deactivate
from .assignments import role_grant, role_revoke
from .login_forms import AdminLoginForm
from .mfa import mfa_reset
from .models import Department, Profile, RoleAssignment


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "faculty", "code", "heads"]
    search_fields = ["name", "faculty", "code"]
    prepopulated_fields = {"code": ["name"]}

    @admin.display(description="Head of department")
    def heads(self, obj):
        return ", ".join(
            a.user.get_username()
            for a in obj.role_assignments.filter(role="head of department").select_related("user")
        )


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["department"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 1
    fields = ["role", "department", "source", "granted_at", "granted_by"]
    readonly_fields = ["granted_at", "granted_by"]
    autocomplete_fields = ["department"]


User = get_user_model()
admin.site.unregister(User)
# django-otp's own admin pages show and edit device secrets; staff reset a user's two-factor
# authentication with the audited user action below instead.
admin.site.unregister([TOTPDevice, StaticDevice])


@admin.register(User)
class UkcnUserAdmin(UserAdmin):
    inlines = [ProfileInline, RoleAssignmentInline]
    list_display = [*UserAdmin.list_display, "roles"]
    list_filter = [*UserAdmin.list_filter, "role_assignments__role"]
    actions = ["deactivate_selected", "reset_two_factor"]
    # Users are deactivated, never deleted: audit events point at them (protected) and hash
    # their id, so the admin's "Delete" asks to deactivate instead.
    delete_confirmation_template = "admin/auth/user/deactivate_confirmation.html"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Deactivate selected users", permissions=["delete"])
    def deactivate_selected(self, request, queryset):
        count = self._deactivate(request, queryset)
        self.message_user(request, f"Deactivated {count} user(s).", messages.SUCCESS)

    @admin.action(description="Reset two-factor authentication", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        from assessments.audit import client_ip

        count = sum(
            mfa_reset(user=user, actor=request.user, ip=client_ip(request)) for user in queryset
        )
        self.message_user(
            request,
            f"Reset two-factor authentication of {count} user(s): they set it up again at "
            "their next log-in.",
            messages.SUCCESS,
        )

    def get_deleted_objects(self, objs, request):
        # Nothing is deleted, so nothing related is listed or protected.
        return [str(obj) for obj in objs], {}, set(), []

    def log_deletions(self, request, queryset):
        # Nothing is deleted; `_deactivate` logs the change it makes.
        return []

    def delete_model(self, request, obj):
        self._deactivate(request, [obj])

    def delete_queryset(self, request, queryset):
        self._deactivate(request, queryset)

    def response_delete(self, request, obj_display, obj_id):
        self.message_user(request, f"The user “{obj_display}” was deactivated.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        )

    def _deactivate(self, request, users) -> int:
        from assessments.audit import client_ip

        with transaction.atomic():
            deactivated = [
                user
                for user in users
                if user_deactivate(
                    user=user,
                    actor=request.user,
                    reason="in the admin, asked to delete",
                    ip=client_ip(request),
                )
            ]
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=deactivated,
                action_flag=CHANGE,
                change_message="Deactivated instead of deleted.",
            )
        return len(deactivated)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_assignments__department")

    @admin.display(description="Roles")
    def roles(self, obj):
        return "; ".join(
            f"{a.get_role_display()}{' (' + str(a.department) + ')' if a.department_id else ''}"
            for a in obj.role_assignments.all()
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        # Through the role services, which audit each grant and revoke.
        for assignment in formset.deleted_objects:
            role_revoke(assignment=assignment, actor=request.user)
        for assignment in formset.save(commit=False):
            _assignment_save(assignment, actor=request.user)
        formset.save_m2m()
        return None


def _assignment_save(assignment: RoleAssignment, *, actor) -> RoleAssignment:
    """A new or edited assignment from the admin: an edit is the old one revoked and the new
    one granted, so the trail says exactly what changed."""
    if assignment.pk is not None:
        role_revoke(assignment=RoleAssignment.objects.get(pk=assignment.pk), actor=actor)
    return role_grant(
        user=assignment.user,
        role=assignment.role,
        department=assignment.department,
        source=assignment.source,
        actor=actor,
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "department", "source", "granted_at", "granted_by"]
    list_filter = ["role", "source", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__name"]
    autocomplete_fields = ["user", "department"]
    readonly_fields = ["granted_at", "granted_by"]

    def save_model(self, request, obj, form, change):
        saved = _assignment_save(obj, actor=request.user)
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        role_revoke(assignment=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in list(queryset.select_related("user", "department")):
            self.delete_model(request, obj)


admin.site.login_form = AdminLoginForm
admin.site.site_header = "ukcn administration"
admin.site.site_title = "ukcn admin"
admin.site.index_title = "Reference data, users and guidance"
