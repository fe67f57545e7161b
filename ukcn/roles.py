"""The roles of ukcn, held as role assignments, and the questions views ask about them.

A role assignment is (user, role, department where the role is departmental). Requester and
head of department are held for one department; reviewer, approver, senior officer, auditor
and guidance editor are central. Every permission check asks the assignments (a department
on a profile grants nothing); the Django groups of the same names are kept in step only so
that the admin's model permissions (e.g. the guidance editor's) keep working.
"""

from django.db import models


class Role(models.TextChoices):
    REQUESTER = "requester", "Requester"
    HEAD_OF_DEPARTMENT = "head of department", "Head of department"
    REVIEWER = "reviewer", "Reviewer"
    APPROVER = "approver", "Approver"
    SENIOR_OFFICER = "senior officer", "Senior officer"
    GUIDANCE_EDITOR = "guidance editor", "Guidance editor"
    AUDITOR = "auditor", "Auditor"


# Roles held for one department; every other role is central.
DEPARTMENTAL_ROLES = frozenset({Role.REQUESTER, Role.HEAD_OF_DEPARTMENT})
# Central-office roles see every department's requests.
CENTRAL_ROLES = frozenset({Role.REVIEWER, Role.APPROVER, Role.SENIOR_OFFICER, Role.AUDITOR})


def _assignments(user) -> tuple[tuple[str, int | None], ...]:
    """(role, department id) pairs the user holds; cached on the user object for the request."""
    cached = getattr(user, "_ukcn_assignments", None)
    if cached is None:
        from .models import RoleAssignment

        cached = tuple(
            RoleAssignment.objects.filter(user_id=user.pk, user__is_active=True).values_list(
                "role", "department_id"
            )
        )
        user._ukcn_assignments = cached
    return cached


def roles_prime(users) -> None:
    """Fetch the assignments of every user not yet cached in one query (a batch job that asks
    many users' roles would otherwise ask once per user)."""
    missing = {user.pk: user for user in users if getattr(user, "_ukcn_assignments", None) is None}
    if not missing:
        return
    from .models import RoleAssignment

    found: dict[int, list] = {pk: [] for pk in missing}
    rows = RoleAssignment.objects.filter(user_id__in=list(missing), user__is_active=True)
    for user_id, role, department_id in rows.values_list("user_id", "role", "department_id"):
        found[user_id].append((role, department_id))
    for user in users:
        if getattr(user, "_ukcn_assignments", None) is None:
            user._ukcn_assignments = tuple(found[user.pk])


def forget_roles(user) -> None:
    """Drop the cached assignments (after granting or revoking one)."""
    user.__dict__.pop("_ukcn_assignments", None)


def user_roles(user) -> frozenset[str]:
    """The role names a user holds, in any department."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(role for role, _ in _assignments(user))


def has_role(user, *roles: str) -> bool:
    """True when the user holds any of the roles (anywhere), or is a superuser."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(user_roles(user) & set(roles))


def role_departments(user, *roles: str) -> frozenset[int]:
    """The ids of the departments for which the user holds any of these departmental roles."""
    if not user.is_authenticated:
        return frozenset()
    wanted = set(roles)
    return frozenset(
        department_id
        for role, department_id in _assignments(user)
        if role in wanted and department_id is not None
    )


def has_department_role(user, department_id: int | None, *roles: str) -> bool:
    """True when the user holds one of these roles for this department (superusers always)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or department_id in role_departments(user, *roles)


def sees_all_departments(user) -> bool:
    """Central-office staff and superusers see requests from every department."""
    return has_role(user, *CENTRAL_ROLES)


def visible_department_ids(user) -> frozenset[int]:
    """Departments whose requests a non-central user may see: those they are requester or
    head of department for."""
    return role_departments(user, Role.REQUESTER, Role.HEAD_OF_DEPARTMENT)
