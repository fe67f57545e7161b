from rest_framework.permissions import BasePermission

from ukcn.roles import Role, has_role


class IsAuditor(BasePermission):
    """Auditors (and superusers) only: the audit trail is theirs to read."""

    message = "Only auditors may read the audit trail."

    def has_permission(self, request, view):
        return has_role(request.user, Role.AUDITOR)
