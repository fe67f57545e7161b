"""The roles of ukcn, held as Django groups, and the questions views ask about them."""

from django.db import models


class Role(models.TextChoices):
    REQUESTER = "requester", "Requester"
    REVIEWER = "reviewer", "Reviewer"
    APPROVER = "approver", "Approver"
    GUIDANCE_EDITOR = "guidance editor", "Guidance editor"
    AUDITOR = "auditor", "Auditor"


# Central-office roles see every department's requests; requesters see only their own.
CENTRAL_ROLES = frozenset({Role.REVIEWER, Role.APPROVER, Role.AUDITOR})


def user_roles(user) -> frozenset[str]:
    """The role names a user holds; cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_ukcn_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._ukcn_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """True when the user holds any of the roles, or is a superuser."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(user_roles(user) & set(roles))


def sees_all_departments(user) -> bool:
    """Central-office staff and superusers see requests from every department."""
    return has_role(user, *CENTRAL_ROLES)
