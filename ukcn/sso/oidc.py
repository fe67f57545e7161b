"""OpenID Connect sign-in on mozilla-django-oidc, with the checks it leaves to us.

mozilla-django-oidc verifies the ID token's signature and nonce and handles state and PKCE;
it does not check the issuer, audience or expiry, so `OidcBackend.verify_token` does. Its
plain `requests` calls are replaced: the JWKS comes through ukcn's hardened fetcher and the
token endpoint is checked against the same address rules before the code is exchanged.
"""

import json
import time

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from josepy.jws import JWS, Header
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ukcn.fetch import FetchError, url_check, url_fetch

from .provisioning import Identity, ProvisioningRefused, identity_provision, login_failure_record

BACKEND = "ukcn.sso.oidc.OidcBackend"
# Clocks of the provider and ukcn drift a little.
LEEWAY_SECONDS = 120
JWKS_MAX_BYTES = 1_000_000

# The library's messages, as people read them on the failure page and in the audit trail.
_LIBRARY_REASONS = {
    "Nonce": "the token's nonce does not match this sign-in (a replayed token?)",
    "JWS token verification failed": "the token's signature is not valid",
    "state not found": "this sign-in attempt is unknown or was already used",
    "does not match the client's OIDC_RP_SIGN_ALGO": "the token is signed with an unexpected "
    "algorithm",
    "Could not find a valid JWKS": "no key of the provider matches the token's key id",
}


class TokenRefused(SuspiciousOperation):
    """An ID token that fails one of our checks; the message is the reason, in plain words."""


def _values(claim) -> tuple[str, ...]:
    if claim is None:
        return ()
    if isinstance(claim, str):
        return (claim,)
    if isinstance(claim, list | tuple):
        return tuple(str(v) for v in claim if isinstance(v, str | int))
    return ()


def identity_from_claims(claims: dict) -> Identity:
    """The person an ID token describes, read through the configured claim names."""
    subject = claims.get(settings.OIDC_USERNAME_CLAIM)
    if not isinstance(subject, str) or not subject.strip():
        raise ProvisioningRefused(
            f"The identity provider sent no {settings.OIDC_USERNAME_CLAIM!r} claim to name you by."
        )
    return Identity(
        provider="oidc",
        subject=subject,
        email=str(claims.get("email") or ""),
        first_name=str(claims.get("given_name") or ""),
        last_name=str(claims.get("family_name") or ""),
        departments=_values(claims.get(settings.OIDC_DEPARTMENT_CLAIM)),
        groups=_values(claims.get(settings.OIDC_GROUPS_CLAIM)),
    )


class OidcBackend(OIDCAuthenticationBackend):
    """Code flow with PKCE; users are provisioned from the ID token at every login."""

    def retrieve_matching_jwk(self, token):
        body = url_fetch(
            self.OIDC_OP_JWKS_ENDPOINT,
            max_bytes=JWKS_MAX_BYTES,
            deadline=settings.OIDC_TIMEOUT,
            accept="application/json",
        )
        try:
            keys = json.loads(body)["keys"]
            header = Header.json_loads(JWS.from_compact(token).signature.protected)
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenRefused("the provider's keys or the token could not be read") from exc
        for jwk in keys:
            if (
                isinstance(jwk, dict)
                and jwk.get("kid") == header.kid
                and jwk.get("alg", header.alg.name) == header.alg.name
            ):
                return jwk
        raise TokenRefused("no key of the provider matches the token's key id")

    def get_token(self, payload):
        url_check(self.OIDC_OP_TOKEN_ENDPOINT)
        return super().get_token(payload)

    def verify_token(self, token, **kwargs):
        claims = super().verify_token(token, **kwargs)  # signature and nonce
        if claims.get("iss") != settings.OIDC_OP_ISSUER:
            raise TokenRefused(f"the token was issued by {claims.get('iss')!r}, not our provider")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise TokenRefused("the token was issued for another application (wrong audience)")
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise TokenRefused("the token was issued for another application (wrong audience)")
        now = time.time()
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires + LEEWAY_SECONDS < now:
            raise TokenRefused("the token has expired")
        issued = claims.get("iat")
        if isinstance(issued, int | float) and issued - LEEWAY_SECONDS > now:
            raise TokenRefused("the token is dated in the future")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        return payload  # the verified ID token carries every claim we read

    def get_or_create_user(self, access_token, id_token, payload):
        from assessments.audit import client_ip

        return identity_provision(
            identity=identity_from_claims(payload), ip=client_ip(self.request)
        )


def _enabled():
    if not settings.OIDC_ENABLED:
        raise Http404("OpenID Connect sign-in is not configured.")


class OidcLoginView(OIDCAuthenticationRequestView):
    def get(self, request):
        _enabled()
        return super().get(request)


def login_failed(request, *, provider: str, reason: str):
    """Audit a refused sign-in and say why, with a way to try again."""
    from assessments.audit import client_ip

    login_failure_record(provider=provider, reason=reason, ip=client_ip(request))
    return render(
        request,
        "sso/login_failed.html",
        {"reason": reason, "institution": settings.SSO_INSTITUTION},
        status=403,
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, TokenRefused | ProvisioningRefused):
        return str(exc)
    text = str(exc)
    return next(
        (reason for marker, reason in _LIBRARY_REASONS.items() if marker in text),
        "the sign-in could not be verified",
    )


class OidcCallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        _enabled()
        try:
            return super().get(request)
        except (SuspiciousOperation, ProvisioningRefused) as exc:
            return login_failed(request, provider="oidc", reason=_reason(exc))
        except (requests.RequestException, FetchError) as exc:
            reason = f"ukcn could not complete the sign-in with the provider ({exc})"
            return login_failed(request, provider="oidc", reason=reason)

    def login_failure(self):
        error = self.request.GET.get("error")
        if error:
            description = self.request.GET.get("error_description", "")[:200]
            reason = f"the provider refused the sign-in: {error[:100]} {description}".strip()
        else:
            reason = "this sign-in attempt is unknown or was already used"
        return login_failed(self.request, provider="oidc", reason=reason)

    def login_success(self):
        response = super().login_success()
        from ukcn.roles import user_roles

        if not self.user.is_superuser and not user_roles(self.user):
            return redirect("sso:no_role")
        return response


def provider_logout_url(request) -> str | None:
    """Where to send a browser leaving ukcn so the provider ends its session too (RP-initiated
    logout), or None when the session did not come from OpenID Connect."""
    from urllib.parse import urlencode

    from django.shortcuts import resolve_url

    if not (settings.OIDC_ENABLED and settings.OIDC_OP_LOGOUT_ENDPOINT):
        return None
    if request.session.get(BACKEND_SESSION_KEY) != BACKEND:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(
            resolve_url(settings.LOGOUT_REDIRECT_URL)
        ),
    }
    if request.session.get("oidc_id_token"):
        params["id_token_hint"] = request.session["oidc_id_token"]
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(params)}"
