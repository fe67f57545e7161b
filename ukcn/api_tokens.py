"""Personal API tokens: issue (the secret is returned once), check, revoke.

Issuing and revoking are audited: who could reach the API on someone's behalf, and when,
is part of the record an auditor reads.
"""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from assessments.audit import audit_record

from .models import ApiToken

TOKEN_PREFIX = "ukcn_"  # noqa: S105 - a public marker, not a secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(
    *, user, name: str, from_command_line: bool = False, ip: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token for the user; return it with the plain secret, which is never stored.

    Users issue their own tokens on their tokens page; an administrator issues one for a
    service user from the command line, where there is no logged-in actor to record.
    """
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip()[:100], prefix=prefix, token_hash=_digest(secret)
        )
        audit_record(
            actor=None if from_command_line else user,
            action="api_token.issued",
            summary=f"Issued API token '{token.name}' ({prefix}) for {user.get_username()}"
            + (" from the command line" if from_command_line else ""),
            obj=token,
            ip=ip,
        )
    return token, secret


def api_token_check(secret: str) -> ApiToken | None:
    """The active token this secret belongs to, or None; compares hashes in constant time."""
    if not secret.startswith(TOKEN_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, _digest(secret)):
        return None
    if not token.user.is_active:
        return None
    return token


def api_token_touch(token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute to spare the database."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def api_token_revoke(*, user, token_id: int, ip: str | None = None) -> bool:
    """Revoke one of the user's own tokens; False when there is no such active token."""
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(pk=token_id, user=user, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            return False
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            action="api_token.revoked",
            summary=f"Revoked API token '{token.name}' ({token.prefix}) of {user.get_username()}",
            obj=token,
            ip=ip,
        )
    return True
