from functools import cache

from .roles import DEPARTMENTAL_ROLES, Role, has_role, role_departments, user_roles


def _assignment_labels(user) -> list[str]:
    """The user's role assignments as people read them: "Requester, Department of Engineering"
    (from the assignments the permission checks already read; a query per departmental role)."""
    from .models import Department

    held = user_roles(user)
    labels = []
    for role in Role:
        if role not in held:
            continue
        if role in DEPARTMENTAL_ROLES:
            ids = role_departments(user, role)
            names = Department.objects.filter(pk__in=ids).order_by("name")
            labels += [f"{role.label}, {name}" for name in names.values_list("name", flat=True)]
        else:
            labels.append(role.label)
    if user.is_superuser:
        labels.append("Superuser (every role)")
    return labels


def roles(request):
    """Tell templates which parts of the navigation the user may use, and the roles they hold."""
    user = request.user

    @cache
    def assignments():
        return _assignment_labels(user) if user.is_authenticated else []

    return {
        "nav": {
            "is_requester": has_role(user, Role.REQUESTER),
            "is_head_of_department": has_role(user, Role.HEAD_OF_DEPARTMENT),
            "is_reviewer": has_role(user, Role.REVIEWER),
            "is_approver": has_role(user, Role.APPROVER),
            "is_senior_officer": has_role(user, Role.SENIOR_OFFICER),
            "is_guidance_editor": has_role(user, Role.GUIDANCE_EDITOR),
            "is_auditor": has_role(user, Role.AUDITOR),
            "is_admin": user.is_authenticated and user.is_staff,
            # A callable, read once on first use: only the account menu shows it.
            "assignments": assignments,
        }
    }
