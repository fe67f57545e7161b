"""Who may choose what: delivery preferences per event kind, and the kinds a role must receive."""

from django.db import transaction

from ukcn.refusals import Refusal
from ukcn.roles import Role, user_roles

from ..audit import audit_record
from ..models import DeliveryChoice, NotificationKind, NotificationPreference

DEFAULT_CHOICE = DeliveryChoice.IMMEDIATELY

# Items that wait on the user's own action: they may be batched into the digest, never switched off.
MANDATORY_KINDS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.APPROVER: frozenset(
        {NotificationKind.REQUEST_RECOMMENDED, NotificationKind.SIGN_OFF_NEEDED}
    ),
    Role.HEAD_OF_DEPARTMENT: frozenset({NotificationKind.SIGN_OFF_NEEDED}),
    Role.SENIOR_OFFICER: frozenset({NotificationKind.SIGN_OFF_NEEDED}),
    Role.REVIEWER: frozenset(
        {NotificationKind.REQUEST_SUBMITTED, NotificationKind.REQUEST_RECOMMENDED}
    ),
    Role.GUIDANCE_EDITOR: frozenset({NotificationKind.GUIDANCE_REVIEW_DUE}),
}


def mandatory_kinds(user) -> frozenset[str]:
    """The kinds this user's roles do not let them switch off."""
    kinds: set[str] = set()
    for role in user_roles(user):
        kinds |= MANDATORY_KINDS_BY_ROLE.get(role, frozenset())
    return frozenset(kinds)


def preference_effective(*, user, kind: str, stored: str | None) -> str:
    """The delivery that applies: the stored choice, unless it switches off a mandatory kind."""
    choice = stored or DEFAULT_CHOICE
    if choice == DeliveryChoice.NONE and kind in mandatory_kinds(user):
        return DEFAULT_CHOICE
    return choice


def preferences_for(*, user) -> dict[str, str]:
    """Every kind mapped to the delivery that applies to this user."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "choice"))
    return {
        kind: preference_effective(user=user, kind=kind, stored=stored.get(kind))
        for kind in NotificationKind.values
    }


def preferences_save(*, user, choices: dict[str, str]) -> list[str]:
    """Store the user's choices; refuse to switch off a mandatory kind. Returns the kinds changed."""
    mandatory = mandatory_kinds(user)
    for kind, choice in choices.items():
        if kind not in NotificationKind.values or choice not in DeliveryChoice.values:
            raise Refusal.invalid(f"Unknown notification kind or choice: {kind}={choice}")
        if choice == DeliveryChoice.NONE and kind in mandatory:
            raise Refusal.invalid(
                f"Your role cannot switch off: {NotificationKind(kind).label}", fields={kind: ""}
            )
    current = preferences_for(user=user)
    changed = {kind: choice for kind, choice in choices.items() if current[kind] != choice}
    if not changed:
        return []
    with transaction.atomic():
        for kind, choice in changed.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"choice": choice}
            )
        audit_record(
            actor=user,
            action="notification_preferences.change",
            summary=f"{user.get_username()} changed {len(changed)} notification preference(s)",
            changes={kind: [current[kind], choice] for kind, choice in changed.items()},
        )
    return sorted(changed)
