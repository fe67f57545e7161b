"""Granting and revoking role assignments, each an audit event; groups kept in step.

The Django group of a role's name is only a mirror for the admin's model permissions: a user
is in the group exactly while they hold at least one assignment of that role.
"""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Department, RoleAssignment
from .refusals import Refusal
from .roles import DEPARTMENTAL_ROLES, Role, forget_roles


def sync_role_groups(user) -> None:
    """Put the user in exactly the role groups of the roles they hold."""
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    for name in Role.values:
        group = groups.get(name) or Group.objects.create(name=name)
        if name in held:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    forget_roles(user)


def _audit(*, actor, action: str, assignment: RoleAssignment, summary: str) -> None:
    from assessments.audit import audit_record

    audit_record(
        actor=actor,
        action=action,
        summary=summary,
        obj=assignment.user,
        changes={
            "user": assignment.user.get_username(),
            "role": assignment.role,
            "department": str(assignment.department) if assignment.department_id else None,
            "source": assignment.source,
        },
    )


def role_grant(
    *,
    user,
    role: str,
    department: Department | None = None,
    source: str = RoleAssignment.Source.MANUAL,
    actor=None,
) -> RoleAssignment:
    """Give `user` the role (for `department` when departmental); idempotent."""
    role = Role(role)
    if role in DEPARTMENTAL_ROLES and department is None:
        message = f"A {role.label.lower()} holds the role for a department."
        raise Refusal.invalid(message, fields={"department": message})
    if role not in DEPARTMENTAL_ROLES:
        department = None
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            department=department,
            defaults={"source": source, "granted_by": actor},
        )
        if created:
            sync_role_groups(user)
            _audit(
                actor=actor,
                action="role.granted",
                assignment=assignment,
                summary=f"Granted: {assignment}",
            )
    forget_roles(user)
    return assignment


def role_revoke(*, assignment: RoleAssignment, actor=None) -> None:
    """Take an assignment away; the user's groups follow."""
    user = assignment.user
    with transaction.atomic():
        _audit(
            actor=actor,
            action="role.revoked",
            assignment=assignment,
            summary=f"Revoked: {assignment}",
        )
        assignment.delete()
        sync_role_groups(user)
    forget_roles(user)


def role_assignments_sync(
    *, user, wanted: set[tuple[str, Department | None]], source: str, actor=None
) -> tuple[int, int]:
    """Make the assignments from one `source` (e.g. the identity provider) exactly `wanted`,
    a set of (role, department or None); assignments from other sources (given by hand) are
    never touched. Returns (granted, revoked)."""
    wanted_keys = {
        (
            Role(role).value,
            department.pk if Role(role) in DEPARTMENTAL_ROLES and department else None,
        )
        for role, department in wanted
    }
    departments = {d.pk: d for _, d in wanted if d is not None}
    granted = revoked = 0
    with transaction.atomic():
        held = {
            (a.role, a.department_id): a
            for a in RoleAssignment.objects.filter(user=user).select_related("department")
        }
        for key, assignment in held.items():
            if assignment.source == source and key not in wanted_keys:
                role_revoke(assignment=assignment, actor=actor)
                revoked += 1
        for role, department_id in sorted(wanted_keys, key=lambda k: (k[0], k[1] or 0)):
            if (role, department_id) in held:
                continue
            role_grant(
                user=user,
                role=role,
                department=departments.get(department_id),
                source=source,
                actor=actor,
            )
            granted += 1
    return granted, revoked
