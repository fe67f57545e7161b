"""Personal API tokens: issue (the secret is returned once), check, revoke."""

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "ukcn_"  # noqa: S105 - a public marker, not a secret


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a token for the user; return it with the plain secret, which is never stored."""
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=prefix, token_hash=_digest(secret)
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


def api_token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when there is no such active token."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    return updated == 1
