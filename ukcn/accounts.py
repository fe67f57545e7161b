"""People's accounts: deactivated, never deleted (audit events point at them and hash their id)."""

from django.db import transaction


def user_deactivate(*, user, actor, reason: str = "", ip: str | None = None) -> bool:
    """Deactivate one account, audited; False when it was already inactive."""
    from assessments.audit import audit_record

    with transaction.atomic():
        current = type(user).objects.select_for_update().get(pk=user.pk)
        if not current.is_active:
            return False
        current.is_active = False
        current.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.deactivated",
            summary=f"Deactivated{f' ({reason})' if reason else ''}: {current.get_username()}",
            obj=current,
            ip=ip,
        )
    user.is_active = False
    return True
