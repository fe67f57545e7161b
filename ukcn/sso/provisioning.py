"""Creating or updating a user from what the identity provider asserts at each login.

Shared by every protocol: OpenID Connect hands over its ID token's claims as an `Identity`.
"""

import hashlib
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from ukcn.assignments import role_assignments_sync
from ukcn.models import Department, Profile, RoleAssignment
from ukcn.roles import DEPARTMENTAL_ROLES, Role

from .models import ProviderMapping

USERNAME_LIMIT = 150


class ProvisioningRefused(Exception):
    """The provider's assertion cannot make a ukcn user; the message says why, in plain words."""


@dataclass(frozen=True)
class Identity:
    """What one login asserted about a person."""

    provider: str  # "oidc" or "saml"
    subject: str  # the provider's stable identifier for the person
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    departments: tuple[str, ...] = ()
    groups: tuple[str, ...] = field(default_factory=tuple)


def username_for(provider: str, subject: str) -> str:
    """The ukcn username of a provider's subject: prefixed, so that no provider can assert the
    name of a local account (the break-glass administrator's, say); hashed when too long."""
    subject = subject.strip()
    if not subject:
        raise ProvisioningRefused("The identity provider sent no subject identifier.")
    username = f"{provider}:{subject}"
    if len(username) > USERNAME_LIMIT:
        username = f"{provider}:sha256:{hashlib.sha256(subject.encode()).hexdigest()}"
    return username


def _home_department(values: tuple[str, ...], mappings: dict[str, ProviderMapping]):
    for value in values:
        mapping = mappings.get(value)
        if mapping and mapping.department_id and not mapping.role:
            return mapping.department
        found = Department.objects.filter(code=value).first() or (
            Department.objects.filter(name__iexact=value).first()
        )
        if found:
            return found
    return None


def wanted_assignments(
    groups: tuple[str, ...], home: Department | None, mappings: dict[str, ProviderMapping]
) -> tuple[set[tuple[str, Department | None]], list[str]]:
    """The (role, department) pairs the mapping gives for these values, and the notes on values
    that could not be used (a departmental role with no department known)."""
    wanted: set[tuple[str, Department | None]] = set()
    unusable = []
    for value in groups:
        mapping = mappings.get(value)
        if mapping is None or not mapping.role:
            continue
        role = Role(mapping.role)
        if role not in DEPARTMENTAL_ROLES:
            wanted.add((role.value, None))
        elif mapping.department_id or home:
            wanted.add((role.value, mapping.department or home))
        else:
            unusable.append(f"{value}: {role.label.lower()} needs a department")
    return wanted, unusable


def _role_labels(user) -> list[str]:
    return sorted(
        f"{a.get_role_display()}{f' ({a.department})' if a.department_id else ''}"
        for a in RoleAssignment.objects.filter(user=user).select_related("department")
    )


def identity_provision(*, identity: Identity, ip: str | None = None):
    """Create or update the user this identity names, its home department and the roles the
    mapping gives (only those from the identity provider: roles given by hand stay);
    audited. ProvisioningRefused says why a login cannot go ahead."""
    from assessments.audit import audit_record

    username = username_for(identity.provider, identity.subject)
    values = set(identity.groups) | set(identity.departments)
    mappings = {m.value: m for m in ProviderMapping.objects.filter(value__in=values)}
    User = get_user_model()
    with transaction.atomic():
        user, created = User.objects.select_for_update().get_or_create(username=username)
        if not user.is_active:
            raise ProvisioningRefused("This account has been deactivated in ukcn.")
        user.email = identity.email[:254]
        user.first_name = identity.first_name[:150]
        user.last_name = identity.last_name[:150]
        if created:
            user.set_unusable_password()
        user.save()
        home = _home_department(identity.departments, mappings)
        profile, _ = Profile.objects.get_or_create(user=user)
        if profile.department_id != (home.pk if home else None):
            profile.department = home
            profile.save(update_fields=["department"])
        wanted, unusable = wanted_assignments(identity.groups, home, mappings)
        before = _role_labels(user)
        granted, revoked = role_assignments_sync(
            user=user,
            wanted=wanted,
            source=RoleAssignment.Source.IDENTITY_PROVIDER,
            actor=None,
        )
        after = _role_labels(user)
        audit_record(
            actor=user,
            action="sso.login",
            summary=f"Signed in with {identity.provider.upper()}: {username}"
            + (" (new account)" if created else ""),
            obj=user,
            changes={
                "provider": identity.provider,
                "subject": identity.subject,
                "created": created,
                "department": str(home) if home else None,
                "roles_added": sorted(set(after) - set(before)),
                "roles_removed": sorted(set(before) - set(after)),
                "granted": granted,
                "revoked": revoked,
                "unusable_values": unusable,
            },
            ip=ip,
        )
    return user


def login_failure_record(*, provider: str, reason: str, ip: str | None = None) -> None:
    """Audit a refused single sign-on (bad token, unknown state, deactivated account)."""
    from assessments.audit import audit_record

    audit_record(
        actor=None,
        action="sso.login_failed",
        summary=f"{provider.upper()} sign-in refused: {reason}",
        changes={"provider": provider, "reason": reason},
        ip=ip,
    )
