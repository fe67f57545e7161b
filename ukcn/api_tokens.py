"""Personal API tokens: issue (the secret is returned once), check, revoke.

Issuing and revoking are audited: who could reach the API on someone's behalf, and when,
is part of the record an auditor reads. A token may expire; every token of a user is revoked
when their password changes or they are deactivated (`ukcn.signals`).
"""

import hashlib
import hmac
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from assessments.audit import audit_record

from .models import ApiToken

TOKEN_PREFIX = "ukcn_"  # noqa: S105 - a public marker, not a secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenExpired(Exception):
    """The secret is right but the token's expiry has passed."""

    def __init__(self, token: ApiToken):
        super().__init__(f"This API token expired on {_when(token.expires_at)}.")
        self.token = token


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y %H:%M %Z")


def api_token_issue(
    *,
    user,
    name: str,
    expires_at: datetime | None = None,
    from_command_line: bool = False,
    ip: str | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for the user; return it with the plain secret, which is never stored.

    Users issue their own tokens on their tokens page; an administrator issues one for a
    service user from the command line, where there is no logged-in actor to record.
    `expires_at` (optional) must lie in the future.
    """
    if expires_at is not None and expires_at <= timezone.now():
        raise ValueError("a token's expiry must lie in the future")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name.strip()[:100],
            prefix=prefix,
            token_hash=_digest(secret),
            expires_at=expires_at,
        )
        audit_record(
            actor=None if from_command_line else user,
            action="api_token.issued",
            summary=f"Issued API token '{token.name}' ({prefix}) for {user.get_username()}"
            + (" from the command line" if from_command_line else "")
            + (f", expiring {_when(expires_at)}" if expires_at else ""),
            obj=token,
            changes={"expires_at": expires_at.isoformat() if expires_at else None},
            ip=ip,
        )
    return token, secret


def api_token_check(secret: str) -> ApiToken | None:
    """The live token this secret belongs to, or None; compares hashes in constant time.

    Raises ApiTokenExpired for a right secret whose token has expired, so the caller can say so.
    """
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
    if token.is_expired:
        raise ApiTokenExpired(token)
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


def api_tokens_revoke_all(*, user, reason: str) -> int:
    """Revoke every live token of the user (their password changed, they were deactivated).

    Recorded as the system's doing, with the reason: the change that caused it may have been
    made by the user, an administrator or a command. Returns how many were revoked.
    """
    with transaction.atomic():
        tokens = list(
            ApiToken.objects.select_for_update()
            .filter(user=user, revoked_at__isnull=True)
            .order_by("pk")
        )
        if not tokens:
            return 0
        ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
        audit_record(
            actor=None,
            action="api_token.revoked",
            summary=f"Revoked {len(tokens)} API token(s) of {user.get_username()}: {reason}",
            obj=user,
            changes={"tokens": [t.prefix for t in tokens], "reason": reason},
        )
    return len(tokens)
